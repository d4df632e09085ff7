-- Undoes sql.backfill_orders (quickup rollback, F4).
DELETE FROM orders WHERE sku IN ('APPLE-1', 'PEAR-2');
