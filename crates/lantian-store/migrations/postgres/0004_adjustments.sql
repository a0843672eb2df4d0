-- Migration 4 (PostgreSQL): recorded bonus/penalty items of cities (加减分).

CREATE TABLE adjustment (
    city_id bigint NOT NULL,
    date date NOT NULL,
    item text COLLATE "C" NOT NULL,
    evidence text COLLATE "C" NOT NULL,
    approver text COLLATE "C" NOT NULL,
    PRIMARY KEY (city_id, date, item, evidence)
);
