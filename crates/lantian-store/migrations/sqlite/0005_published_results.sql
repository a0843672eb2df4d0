-- Migration 5: published results (points, funds, triggers) with the scheme and the inputs they used.

CREATE TABLE published_result (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    scheme_id TEXT NOT NULL,
    scheme_version TEXT NOT NULL,
    scheme_text TEXT NOT NULL,
    inputs_json TEXT NOT NULL,
    results_json TEXT NOT NULL,
    published_at TEXT NOT NULL
);
CREATE INDEX published_result_kind ON published_result(kind, key);
