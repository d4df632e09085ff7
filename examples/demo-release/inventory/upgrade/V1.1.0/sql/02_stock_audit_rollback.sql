-- Undoes sql.stock_audit (quickup rollback, F4).
DROP TRIGGER IF EXISTS stock_audit_update;
