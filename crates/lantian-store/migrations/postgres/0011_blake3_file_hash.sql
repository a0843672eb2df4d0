-- Migration 11 (PostgreSQL): the content hash of imported files is BLAKE3 from now on; rows written before
-- keep their SHA-256, labelled as such.

ALTER TABLE import_file RENAME COLUMN sha256 TO content_hash;
ALTER TABLE import_file ADD COLUMN algorithm text COLLATE "C" NOT NULL DEFAULT 'sha256';
