-- Migration 17: a version of the hourly data per month (issue 13 item 4). An import that changes a block
-- of label day D raises the versions of D's month and of D − 1's (label day D closes natural day D − 1),
-- in its transaction. A cached answer that read hourly data only by date is kept by the versions of the
-- months it read (`lantian_store::record_reads_by_month`): a month imported now leaves the rankings of
-- earlier months cached. Bookkeeping of versions, like data_version: no data area of its own.

CREATE TABLE hourly_month_version (
    month INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
) WITHOUT ROWID;
