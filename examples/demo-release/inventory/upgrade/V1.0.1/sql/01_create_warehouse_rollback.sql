-- Undoes sql.create_warehouse (quickup rollback, F4).
DROP TABLE IF EXISTS warehouse;
