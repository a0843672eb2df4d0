-- Migration 19: the work items of the campaign (issue 15; `lantian_store::work`, the engine of
-- `lantian_core::work::items`, `work.md` §1). One row per item: the columns an inbox and the clocks
-- query (issuer, assignee, state, feedback due time, parent) beside the whole item as JSON (its
-- history included); `version` rises with every change, so that two people acting on one item at once
-- cannot overwrite each other (the second is refused). Evidence is stored once per content, by its
-- BLAKE3 hash. Both tables belong to the data area `tasks` (work items), raised by their triggers.

CREATE TABLE work_item (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES work_item(id),
    kind TEXT NOT NULL,
    issuer TEXT NOT NULL,
    assignee TEXT NOT NULL,
    state TEXT NOT NULL,
    feedback_due TEXT,
    version INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX work_item_assignee ON work_item (assignee, state);
CREATE INDEX work_item_issuer ON work_item (issuer, state);
CREATE INDEX work_item_parent ON work_item (parent_id);

CREATE TABLE work_evidence (
    hash TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    bytes BLOB NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER dv_work_item_insert AFTER INSERT ON work_item BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_work_item_update AFTER UPDATE ON work_item BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_work_item_delete AFTER DELETE ON work_item BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_work_evidence_insert AFTER INSERT ON work_evidence BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_work_evidence_update AFTER UPDATE ON work_evidence BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
CREATE TRIGGER dv_work_evidence_delete AFTER DELETE ON work_evidence BEGIN
    UPDATE data_version SET version = version + 1 WHERE area = 'tasks';
END;
