-- Migration 2 (PostgreSQL): dust-affected city periods (扣沙) and annual city targets.

CREATE TABLE dust_event (
    city_id bigint NOT NULL,
    start_date date NOT NULL,
    end_date date NOT NULL,
    source text COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (city_id, start_date, end_date)
);
CREATE TABLE city_target (
    city_id bigint NOT NULL,
    year integer NOT NULL,
    pm2_5 bigint,
    good_day_ratio_tenths bigint,
    heavy_days bigint,
    source text COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (city_id, year)
);
