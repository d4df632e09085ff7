INSERT INTO warehouse (id, code, name) VALUES (1, 'MAIN', 'Main warehouse; default');
INSERT INTO warehouse (id, code, name) VALUES (2, 'EAST', '东区仓库');
