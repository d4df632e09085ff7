-- Undoes sql.stock_index (quickup rollback, F4).
DROP INDEX IF EXISTS idx_stock_warehouse;
