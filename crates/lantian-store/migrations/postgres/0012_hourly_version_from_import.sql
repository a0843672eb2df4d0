-- Migration 12 (PostgreSQL): hourly blocks raise `content_version` once per imported file, from the import
-- in the file's transaction, instead of a trigger on the block table. The import is the only writer of
-- `day_block`.

DROP TRIGGER cv_day_block_insert ON day_block;
DROP TRIGGER cv_day_block_update ON day_block;
DROP TRIGGER cv_day_block_delete ON day_block;
