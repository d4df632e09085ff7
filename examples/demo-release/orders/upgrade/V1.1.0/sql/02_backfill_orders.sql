INSERT INTO orders (sku, quantity, note) VALUES ('APPLE-1', 3, 'first; with a semicolon');
INSERT INTO orders (sku, quantity, note) VALUES ('PEAR-2', 1, 'it''s quoted');
