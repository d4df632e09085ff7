ALTER TABLE gps_track ADD COLUMN speed_kmh Float32 DEFAULT speed * 3.6;
