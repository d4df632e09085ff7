-- Works on ClickHouse 18.16 and current versions.
CREATE TABLE IF NOT EXISTS gps_track (
    vehicle_id UInt64,
    ts DateTime,
    lat Float64,
    lon Float64,
    speed Float32
) ENGINE = MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (vehicle_id, ts);
