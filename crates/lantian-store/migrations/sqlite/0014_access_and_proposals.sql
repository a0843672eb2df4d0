-- Migration 14: who may read and write what (issue 12 §1–4). API tokens get scopes (`upload`, `read`,
-- `approve`), an expiry (Unix seconds) and a revocation time; tokens issued before keep the one
-- use they had (`upload`) and expire 90 days after the upgrade. Accounts get a credential epoch
-- (raised when the account is disabled: its sessions end and re-enabling does not revive them),
-- the datasets the province grants a viewer, and a city for municipal department accounts (the
-- column exists). Bonus/penalty items and dust periods record the account that approved them;
-- a city's own are proposals (`proposal`) until the province approves them — a pending proposal
-- is in no table a number is computed from. Rows stored before keep NULL (imported by the
-- province before approvals were recorded).

ALTER TABLE api_token ADD COLUMN scopes TEXT NOT NULL DEFAULT 'upload';
ALTER TABLE api_token ADD COLUMN expires_at INTEGER;
ALTER TABLE api_token ADD COLUMN revoked_at TEXT;
UPDATE api_token SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) + 90 * 86400;
ALTER TABLE account ADD COLUMN credential_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN grants TEXT NOT NULL DEFAULT '';
ALTER TABLE adjustment ADD COLUMN approved_by TEXT;
ALTER TABLE adjustment ADD COLUMN approved_at TEXT;
ALTER TABLE dust_event ADD COLUMN approved_by TEXT;
ALTER TABLE dust_event ADD COLUMN approved_at TEXT;
CREATE TABLE proposal (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    city_id INTEGER NOT NULL,
    record TEXT NOT NULL,
    summary TEXT NOT NULL,
    file TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by TEXT,
    decided_at TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX proposal_pending ON proposal (kind, record) WHERE status = 'pending';
CREATE INDEX proposal_city ON proposal (city_id, status);
