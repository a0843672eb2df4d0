-- Migration 2: dust-affected city periods (扣沙) and annual city targets.

CREATE TABLE dust_event (
    city_id INTEGER NOT NULL,
    start_date INTEGER NOT NULL,
    end_date INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (city_id, start_date, end_date)
) WITHOUT ROWID;
CREATE TABLE city_target (
    city_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    pm2_5 INTEGER,
    good_day_ratio_tenths INTEGER,
    heavy_days INTEGER,
    source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (city_id, year)
) WITHOUT ROWID;
