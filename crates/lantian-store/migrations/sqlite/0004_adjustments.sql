-- Migration 4: recorded bonus/penalty items of cities (加减分).

CREATE TABLE adjustment (
    city_id INTEGER NOT NULL,
    date INTEGER NOT NULL,
    item TEXT NOT NULL,
    evidence TEXT NOT NULL,
    approver TEXT NOT NULL,
    PRIMARY KEY (city_id, date, item, evidence)
) WITHOUT ROWID;
