-- One statement despite the ';' inside BEGIN … END.
CREATE TRIGGER IF NOT EXISTS stock_audit_update AFTER UPDATE OF quantity ON stock
BEGIN
    INSERT INTO stock_audit (sku, old_quantity, new_quantity) VALUES (old.sku, old.quantity, new.quantity);
END;
