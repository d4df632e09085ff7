CREATE TABLE IF NOT EXISTS holiday_calendar (day DATE PRIMARY KEY, name VARCHAR(64) NOT NULL);
INSERT IGNORE INTO holiday_calendar VALUES ('2026-10-01', '国庆节'), ('2026-01-01', 'New Year');
