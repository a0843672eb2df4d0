-- Migration 17 (PostgreSQL): a version of the hourly data per month, as ../sqlite/0017_hourly_month_versions.sql.

CREATE TABLE hourly_month_version (
    month integer PRIMARY KEY,
    version bigint NOT NULL
);
