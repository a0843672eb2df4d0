-- Migration 17 (PostgreSQL): when each label day's hourly data last changed, as
-- ../sqlite/0017_hourly_day_changes.sql.

CREATE TABLE hourly_day_change (
    date date PRIMARY KEY,
    at_version bigint NOT NULL
);
