-- Migration 13 (PostgreSQL): the O3 column of aqistudy daily files is the daily maximum 1-hour value, not
-- the MDA8 (`lantian_ingest::citydaily` gives the evidence); rows imported before were stored as o3_mda8.

UPDATE city_daily SET o3_max_1h = o3_mda8, o3_mda8 = NULL
    WHERE source = 'aqistudy-daily' AND o3_mda8 IS NOT NULL AND o3_max_1h IS NULL;
