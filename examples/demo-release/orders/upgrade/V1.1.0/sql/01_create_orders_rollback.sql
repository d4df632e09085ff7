-- Undoes sql.create_orders (quickup rollback, F4).
DROP TABLE IF EXISTS orders;
