CREATE INDEX idx_device_serial ON device (serial_no);
