-- Migration 6 (PostgreSQL): composite-index ranks among the 168 national key cities (national bulletins).

CREATE TABLE national_rank (
    city_id bigint NOT NULL,
    period text COLLATE "C" NOT NULL,
    rank bigint NOT NULL,
    PRIMARY KEY (city_id, period)
);
