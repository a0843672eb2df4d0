-- Migration 7: target tasks of cities and their progress reports (decimals kept as exact text).

CREATE TABLE task (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    city_id INTEGER NOT NULL,
    department TEXT NOT NULL,
    description TEXT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    baseline TEXT NOT NULL,
    target TEXT NOT NULL,
    start_date INTEGER NOT NULL,
    deadline INTEGER NOT NULL
);
CREATE TABLE task_report (
    task_id INTEGER NOT NULL,
    date INTEGER NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (task_id, date)
) WITHOUT ROWID;
