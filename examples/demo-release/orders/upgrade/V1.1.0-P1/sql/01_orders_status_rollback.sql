-- Undoes sql.orders_status (quickup rollback, F4).
ALTER TABLE orders DROP COLUMN status;
