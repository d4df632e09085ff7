-- Warehouses, referenced by stock rows from V1.1.0 on.
CREATE TABLE IF NOT EXISTS warehouse (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);
