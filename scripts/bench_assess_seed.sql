-- Tables of examples/release with data, for `scripts/bench.sh assess-seeded` (docs/PERFORMANCE.md):
-- 200,000 orders, 20,000 devices, 50,000 sessions, some rows breaking each quality rule.
CREATE DATABASE IF NOT EXISTS quickup_assess_bench;
USE quickup_assess_bench;
DROP TABLE IF EXISTS orders, device, session, vehicle, alarm_rule;
CREATE TABLE device (id INT PRIMARY KEY, serial_no VARCHAR(32), INDEX (serial_no));
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NULL, device_id INT NULL, amount DECIMAL(12,2),
                     status TINYINT NOT NULL DEFAULT 1, created_at DATETIME NOT NULL);
CREATE TABLE session (id INT PRIMARY KEY, created_at DATETIME NOT NULL);
CREATE TABLE vehicle (id INT PRIMARY KEY, plate_no VARCHAR(10) NOT NULL);
CREATE TABLE alarm_rule (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL);
INSERT INTO device SELECT seq, IF(seq % 997 = 0, 'bad', CONCAT('SN-', LPAD(seq, 8, '0'))) FROM seq_1_to_20000;
INSERT INTO orders SELECT seq, IF(seq % 5003 = 0, NULL, seq % 1000), IF(seq % 7919 = 0, 999999, 1 + seq % 20000),
                          (seq % 500) * 3.5, IF(seq % 101 = 0, 9, 1), '2023-01-01' + INTERVAL (seq % 900) DAY FROM seq_1_to_200000;
INSERT INTO session SELECT seq, NOW() - INTERVAL (seq % 700) DAY FROM seq_1_to_50000;
INSERT INTO vehicle SELECT seq, CONCAT('P', seq) FROM seq_1_to_5000;
INSERT INTO alarm_rule SELECT seq, CONCAT('rule ', seq) FROM seq_1_to_300;
ANALYZE TABLE device, orders, session, vehicle, alarm_rule;
