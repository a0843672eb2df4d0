//! Air data (issue 13 item 2): stations and cities, the hourly blocks of every station, daily city
//! values, the cached daily evaluations and the versions of the data areas. One of the domain
//! repositories that make up a [`Store`](crate::Store); both backends implement it.

use chrono::NaiveDate;
use lantian_core::air::hours::LabelDay;
use lantian_ingest::{CityDailyRecord, StationRecord};

use crate::{
    op, BlockKind, CityDailyRow, CityInfo, DataVersions, FileMeta, ImportOutcome, PreparedWide, Result, StationFilter,
    StationInfo,
};

/// The air-data repository: what the air-quality numbers (AQI, daily values, rankings, budgets) read
/// and what station files write.
pub trait AirStore {
    /// Imports a station list in one transaction.
    fn import_stations(&mut self, file: &FileMeta, stations: &[StationRecord]) -> Result<ImportOutcome>;
    /// Imports a CNEMC wide file (or real-time release rows read as one) in one transaction: covered
    /// cells replace stored ones; a station code the store does not know is created, from the file's
    /// description of it where there is one (release rows: name, city, coordinates). Inside an
    /// import batch ([`Store::begin_import_batch`](crate::Store::begin_import_batch)) the file is a savepoint of the batch's transaction:
    /// still all or nothing, committed with the batch.
    fn import_wide(&mut self, file: &FileMeta, wide: &PreparedWide) -> Result<ImportOutcome>;
    /// Imports daily city values in one transaction; an unknown city rejects the whole file.
    fn import_city_daily(
        &mut self,
        file: &FileMeta,
        source: &str,
        records: &[CityDailyRecord],
    ) -> Result<ImportOutcome>;

    fn cities(&self) -> Result<Vec<CityInfo>>;
    /// Finds a city by code, full name, short name or common alias.
    fn resolve_city(&self, query: &str) -> Result<Option<CityInfo>>;
    fn stations(&self, filter: &StationFilter) -> Result<Vec<StationInfo>>;
    /// Label days of one station, `from..=to` (label dates).
    fn station_days(&self, station_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<(NaiveDate, LabelDay)>>;
    /// Encoded label days ([`codec`](crate::codec)) of one label date for the given station or city ids (all when
    /// `None`), ordered by id. Decoding is left to the caller so that it can run in parallel.
    fn day_blobs_on(&self, kind: BlockKind, date: NaiveDate, ids: Option<&[i64]>) -> Result<Vec<(i64, Vec<u8>)>>;
    /// The stored blocks ([`codec::build_block`](crate::codec::build_block)) of one label date, `(chunk, block)` ordered by chunk,
    /// for the given chunks (all when `None`). Unlike [`AirStore::day_blobs_on`] nothing is split or
    /// copied per id: the caller parses the blocks ([`codec::block_entries`](crate::codec::block_entries)), e.g. in parallel.
    fn day_blocks_on(&self, kind: BlockKind, date: NaiveDate, chunks: Option<&[i64]>) -> Result<Vec<(i64, Vec<u8>)>> {
        let mut out = Vec::new();
        self.day_blocks_into(kind, date, chunks, &mut out)?;
        Ok(out)
    }
    /// [`AirStore::day_blocks_on`] into `out`, reusing its buffers (long scans recycle them instead of
    /// allocating fresh memory for every date).
    fn day_blocks_into(
        &self,
        kind: BlockKind,
        date: NaiveDate,
        chunks: Option<&[i64]>,
        out: &mut Vec<(i64, Vec<u8>)>,
    ) -> Result<()>;
    /// Cached station daily evaluations ([`codec::daily`](crate::codec::daily)) of the natural days `from..=to` for the given
    /// chunks (sorted): `(natural day, chunk, encoded)` ordered by day and chunk, for those cached.
    fn daily_cache_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        chunks: &[i64],
    ) -> Result<Vec<(NaiveDate, i64, Vec<u8>)>>;
    /// Cached station daily evaluations ([`codec::daily`](crate::codec::daily)) of a natural day for the given chunks:
    /// `(chunk, encoded)` for the chunks that are cached.
    fn daily_cache_on(&self, date: NaiveDate, chunks: &[i64]) -> Result<Vec<(i64, Vec<u8>)>>;
    /// A counter that grows with every import that changed hourly data. Read it before computing
    /// what [`AirStore::put_daily_cache`] will store.
    fn data_generation(&self) -> Result<u64>;
    /// The version of every data area ([`DataArea`](crate::DataArea)), read at one moment: each grows with every
    /// committed change to its tables, in the same transaction as the change. Caches of computed
    /// answers (the web server's responses) keep an answer while the areas it read
    /// ([`record_reads`](crate::record_reads)) have the versions it was computed at.
    fn data_versions(&self) -> Result<DataVersions>;
    /// Stores evaluations `(natural day, chunk, encoded)` in one transaction — only if the hourly data
    /// are still those of `generation` (else nothing is stored: an import came in between and the
    /// values may be stale). Returns whether they were stored.
    fn put_daily_cache(&self, generation: u64, entries: &[(NaiveDate, i64, Vec<u8>)]) -> Result<bool>;

    /// Imported daily values of a city, `from..=to`.
    fn city_daily(&self, city_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<CityDailyRow>>;
    /// Label dates holding any station data (first, last).
    fn station_date_range(&self) -> Result<Option<(NaiveDate, NaiveDate)>>;
    /// [`AirStore::station_date_range`] for a reader of the label days `from..=to` only, which clamps its
    /// range with it: recorded as a read of the hourly data of those days
    /// ([`record_reads_by_day`](crate::record_reads_by_day)), not of all the hourly data — data outside them move the range, but
    /// the clamped range then covers only days without data, which add nothing to what is read.
    fn station_date_range_for(&self, from: NaiveDate, to: NaiveDate) -> Result<Option<(NaiveDate, NaiveDate)>> {
        let range = op::unrecorded(|| self.station_date_range());
        op::read_hourly(Some((from, to)));
        range
    }
    /// The last date of any imported daily city value.
    fn city_daily_last_date(&self) -> Result<Option<NaiveDate>>;
    /// Empties the cache of station daily evaluations (they are recomputed on demand): benchmarks of
    /// the from-scratch path (`lantian bench-rank`).
    fn clear_daily_cache(&self) -> Result<()>;
    /// The hourly area's version at the latest change of the hourly data of any label day in `days`
    /// (ranges, inclusive; 0 when none changed since migration 17): every import that changes a block
    /// of label day D records the version it raised for D, in its transaction. An answer computed at
    /// hourly version V that read only those days is unchanged while this is at most V
    /// ([`record_reads_by_day`](crate::record_reads_by_day)).
    fn hourly_last_change(&self, days: &[(NaiveDate, NaiveDate)]) -> Result<u64>;
}
