CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    note TEXT
);
