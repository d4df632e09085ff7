-- Undoes sql.create_stock (quickup rollback, F4).
DROP TABLE IF EXISTS stock_audit;
DROP TABLE IF EXISTS stock;
