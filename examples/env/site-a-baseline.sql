-- The V2.16.7 schema examples/release upgrades from, with a few rows, for trying
-- `quickup run`/`assess` against the local test servers (see README). MariaDB.
CREATE TABLE IF NOT EXISTS orders (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    customer_id BIGINT NULL,
    device_id BIGINT NULL,
    status TINYINT NOT NULL DEFAULT 0,
    amount DECIMAL(12, 2) NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL
);
-- One order without a customer and one pointing at a missing device: `assess` finds them.
INSERT INTO orders (customer_id, device_id, status, amount, created_at) VALUES
    (1, 1, 1, 10.50, '2023-06-01 10:00:00'), (2, 2, 9, 99.00, '2023-12-31 23:59:00'),
    (3, 7, 1, 5.00, '2024-03-15 08:30:00'), (NULL, 1, 0, 0.00, '2025-01-02 12:00:00');
CREATE TABLE IF NOT EXISTS device (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    serial_no VARCHAR(64) NOT NULL,
    model VARCHAR(32) NULL
);
INSERT INTO device (serial_no, model) VALUES ('SN-00000001', 'gate-2'), ('SN-00000002', 'cam-4');
CREATE TABLE IF NOT EXISTS session (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    created_at DATETIME NOT NULL
);
CREATE TABLE IF NOT EXISTS vehicle (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    plate_no VARCHAR(12) NOT NULL
);
INSERT INTO vehicle (plate_no) VALUES ('京A12345'), ('沪B67890');
CREATE TABLE IF NOT EXISTS alarm_rule (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    name VARCHAR(64) NOT NULL
);
INSERT INTO alarm_rule (name) VALUES ('over-speed'), ('geofence');
