-- Migration 12: hourly blocks raise `content_version` once per imported file, from `import_wide` in the
-- file's transaction, instead of a trigger per block row (a year's import fired 5,840 of them, each
-- with a statement journal). `import_wide` is the only writer of `day_block`.

DROP TRIGGER cv_day_block_insert;
DROP TRIGGER cv_day_block_update;
DROP TRIGGER cv_day_block_delete;
