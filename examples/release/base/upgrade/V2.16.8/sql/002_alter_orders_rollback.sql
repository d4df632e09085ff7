DROP INDEX idx_orders_channel ON orders;
ALTER TABLE orders DROP COLUMN channel;
