-- Undoes sql.seed_warehouse (quickup rollback, F4).
DELETE FROM warehouse WHERE id IN (1, 2);
