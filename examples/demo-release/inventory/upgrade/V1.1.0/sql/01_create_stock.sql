CREATE TABLE IF NOT EXISTS stock (
    sku TEXT NOT NULL,
    warehouse_id INTEGER NOT NULL REFERENCES warehouse(id),
    quantity INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sku, warehouse_id)
);
CREATE TABLE IF NOT EXISTS stock_audit (
    sku TEXT NOT NULL,
    old_quantity INTEGER,
    new_quantity INTEGER,
    changed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
