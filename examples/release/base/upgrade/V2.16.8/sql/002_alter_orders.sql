/* Orders get a sales channel; old rows default to 'web'. */
ALTER TABLE orders ADD COLUMN channel VARCHAR(16) NOT NULL DEFAULT 'web' COMMENT 'sales channel; web|app|pos';
CREATE INDEX idx_orders_channel ON orders (channel);
