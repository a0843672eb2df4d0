-- Migration 3: cached station daily evaluations per natural day and chunk of 64 stations (codec::daily).
-- Import deletes the entries a changed label day affects (that day and the day before); a change of
-- the daily rules (meta `daily_rules`) clears the table. Never read without that invariant.

CREATE TABLE daily_cache (
    date INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (date, chunk)
) WITHOUT ROWID;
