DROP PROCEDURE IF EXISTS order_daily_stats;
DELIMITER $$
CREATE PROCEDURE order_daily_stats(IN p_day DATE)
BEGIN
    -- statements inside end with ';' and must not split the procedure
    DECLARE v_total INT DEFAULT 0;
    SELECT COUNT(*) INTO v_total FROM orders WHERE DATE(created_at) = p_day;
    INSERT INTO order_stats (day, total) VALUES (p_day, v_total)
        ON DUPLICATE KEY UPDATE total = v_total;
END$$
DELIMITER ;
CREATE TABLE IF NOT EXISTS order_stats (day DATE PRIMARY KEY, total INT NOT NULL);
