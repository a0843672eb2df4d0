-- Migration 6: composite-index ranks among the 168 national key cities (input from national bulletins).

CREATE TABLE national_rank (
    city_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    rank INTEGER NOT NULL,
    PRIMARY KEY (city_id, period)
) WITHOUT ROWID;
