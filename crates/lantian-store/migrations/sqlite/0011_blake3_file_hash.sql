-- Migration 11: the content hash of imported files is BLAKE3 from now on (SHA-256 took a tenth of a bulk
-- import's CPU); rows written before keep their SHA-256, labelled as such.

ALTER TABLE import_file RENAME COLUMN sha256 TO content_hash;
ALTER TABLE import_file ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'sha256';
