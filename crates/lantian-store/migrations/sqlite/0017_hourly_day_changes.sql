-- Migration 17: when each label day's hourly data last changed (issue 13 item 4): an import that changes a
-- block of label day D records, in its transaction, the hourly area's version it raised (`at_version`).
-- A cached answer that read hourly data only by date keeps the label days it read
-- (`lantian_store::record_reads_by_day`) and stays valid while none of them changed after the hourly
-- version it was computed at: an import of January leaves the November ranking cached, and the December
-- ranking too unless it touches 1 January (whose hour 0 closes 31 December). Bookkeeping of versions,
-- like data_version: no data area of its own. `date` is the day number of the other tables.

CREATE TABLE hourly_day_change (
    date INTEGER PRIMARY KEY,
    at_version INTEGER NOT NULL
) WITHOUT ROWID;
