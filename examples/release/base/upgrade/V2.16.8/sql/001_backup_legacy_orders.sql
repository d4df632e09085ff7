-- Keep a copy of orders created before the channel column existed.
CREATE TABLE IF NOT EXISTS orders_legacy_backup LIKE orders;
INSERT INTO orders_legacy_backup SELECT * FROM orders WHERE created_at < '2024-01-01';
