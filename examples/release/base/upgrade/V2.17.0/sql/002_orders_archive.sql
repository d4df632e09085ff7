CREATE TABLE IF NOT EXISTS orders_archive LIKE orders;
