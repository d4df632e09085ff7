CREATE INDEX IF NOT EXISTS idx_stock_warehouse ON stock (warehouse_id);
