-- Migration 3 (PostgreSQL): cached station daily evaluations per natural day and chunk of 64 stations
-- (codec::daily). Import deletes the entries a changed label day affects (that day and the day before); a
-- change of the daily rules (meta `daily_rules`) clears the table. Partitioned by year like day_block.

CREATE TABLE daily_cache (
    date date NOT NULL,
    chunk bigint NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (date, chunk)
) PARTITION BY RANGE (date);
-- The store's own encoding (codec::daily): out of line, not compressed again (as day_block).
ALTER TABLE daily_cache ALTER COLUMN data SET STORAGE EXTERNAL;
