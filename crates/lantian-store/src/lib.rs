//! lantian-store: persistence behind the [`Store`] trait. [`SqliteStore`] is the embedded default;
//! a PostgreSQL implementation is the next one (see ARCHITECTURE.md). The core never sees a database.
//!
//! Invariants: each imported file is one transaction (all or nothing); re-importing the same data
//! changes nothing; concentrations are stored exactly (thousandths of a unit, [`codec`]).

pub mod accountability;
pub mod accounts;
pub mod air;
pub mod blocks;
pub mod codec;
pub mod emergency;
pub mod enterprises;
pub mod merge;
mod postgres;
mod proposals;
pub mod records;
pub mod schema;
mod sqlite;
#[doc(hidden)]
pub mod testing;
pub mod tx;
pub mod work;

use chrono::NaiveDate;
use lantian_core::SeriesType;
use lantian_ingest::{CityDailyRecord, WideFile};

pub use accountability::AccountabilityStore;
pub use accounts::AccountStore;
pub use air::AirStore;
pub use emergency::EmergencyStore;
pub use enterprises::EnterpriseStore;
pub use postgres::PgStore;
pub use records::RecordStore;
pub use sqlite::SqliteStore;
pub use tx::Tx;
pub use work::{ItemFilter, StoredItem, WorkStore};

/// A store error. Bad *input* is reported by the ingest layer; these are failures of the store or of
/// references in the input that the store cannot resolve (e.g. an unknown city), with the line.
///
/// No variant names a database driver: a failure of the database says what happened (busy, a
/// constraint, input/output, corrupt, other), during which operation of the store (`op`: "importing
/// city targets"), and the database's own words (`detail`), so that callers — the CLI, the web server,
/// a future PostgreSQL backend — handle them without the driver's types.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another connection held the lock the operation needed for longer than the store waits (SQLite
    /// `BUSY`/`LOCKED`). Nothing of the operation was stored; trying again later may succeed.
    #[error("the database is busy{}: {detail} (another writer held it; nothing was stored)", during(op))]
    Busy { op: String, detail: String },
    /// The database refused a change that breaks one of its rules (a key stored twice, a missing value,
    /// a trigger's refusal). Nothing of the operation was stored.
    #[error("the database refused a change{}: {detail}", during(op))]
    Constraint { op: String, detail: String },
    /// The database file could not be opened, read or written (permissions, a full disk, a read-only
    /// file or file system, an I/O error).
    #[error("database input/output failed{}: {detail}", during(op))]
    Io { op: String, detail: String },
    /// Any other failure of the database (an error in the program's SQL, a value of an unexpected type).
    #[error("database error{}: {detail}", during(op))]
    Other { op: String, detail: String },
    #[error("{0}")]
    Input(String),
    #[error("unsupported database URL {0:?} here: use sqlite:PATH (or postgres://USER@HOST/DATABASE where a store is opened by URL)")]
    Url(String),
    /// Stored data that cannot be read back (a block that does not decode, a damaged database file).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A change refused because the record changed since it was read (another person's change came
    /// first); nothing was stored.
    #[error("{0}")]
    Conflict(String),
    /// A command that only reads was pointed at a store that does not exist (it is never created
    /// silently: a typo in `--db` would otherwise show an empty store).
    #[error(
        "no store at {0}: this command only reads a store and does not create one. Create it with \
         `lantian import FILE…` (or `lantian demo` for the demonstration province), or name an \
         existing store with --db sqlite:PATH or LANTIAN_DB"
    )]
    Missing(String),
}

/// ` while importing city targets`, or nothing when the operation is not known.
fn during(op: &str) -> String {
    if op.is_empty() {
        String::new()
    } else {
        format!(" while {op}")
    }
}

impl StoreError {
    /// The database was busy (another writer held it): the operation may succeed when tried again.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy { .. })
    }
}

/// The operation of the store running on this thread, named in the errors of the database
/// ([`StoreError::Busy`] …): each method of a store names its operation on entry ([`op::during`]); a
/// method called by another keeps the outer name (the operation the caller asked for).
pub(crate) mod op {
    use std::cell::{Cell, RefCell};

    use chrono::NaiveDate;

    thread_local! {
        static CURRENT: Cell<Option<&'static str>> = const { Cell::new(None) };
    }

    /// Names the operation until the returned guard is dropped (unless an outer one is named).
    #[must_use = "the operation is named while the guard lives"]
    pub(crate) fn during(name: &'static str) -> Guard {
        let outer = CURRENT.with(|c| c.get());
        if outer.is_none() {
            CURRENT.with(|c| c.set(Some(name)));
        }
        Guard { set: outer.is_none() }
    }

    /// The operation running on this thread ("" when none is named).
    pub(crate) fn current() -> &'static str {
        CURRENT.with(|c| c.get()).unwrap_or("")
    }

    pub(crate) struct Guard {
        set: bool,
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            if self.set {
                CURRENT.with(|c| c.set(None));
            }
        }
    }

    thread_local! {
        /// The data areas read on this thread since the innermost [`record_reads`] began.
        static READS: Cell<u16> = const { Cell::new(0) };
        /// The label days of the hourly data read by date since then ([`read_hourly`]).
        static DAYS: RefCell<Vec<(NaiveDate, NaiveDate)>> = const { RefCell::new(Vec::new()) };
        /// Whether hourly data were read other than by date (a date range of everything, counts).
        static UNSCOPED: Cell<bool> = const { Cell::new(false) };
    }

    /// Records that the running read uses the tables of `areas` ([`crate::record_reads`]). Hourly
    /// data read this way count as read whatever their dates.
    pub(crate) fn read(areas: &[crate::DataArea]) {
        let set = crate::AreaSet::of(areas);
        READS.with(|r| r.set(r.get() | set.0));
        if set.contains(crate::DataArea::Hourly) {
            UNSCOPED.with(|u| u.set(true));
        }
    }

    /// Records that the running read uses the hourly data of the label days `from..=to` (a cached
    /// evaluation of natural day N reads label days N and N + 1); `None`: a read whose value no answer
    /// depends on (the generation that guards the daily cache's writes).
    pub(crate) fn read_hourly(days: Option<(NaiveDate, NaiveDate)>) {
        READS.with(|r| r.set(r.get() | crate::AreaSet::of(&[crate::DataArea::Hourly]).0));
        if let Some(d) = days {
            DAYS.with(|v| v.borrow_mut().push(d));
        }
    }

    /// Runs `f` without recording its reads (the caller records what the answer depends on).
    pub(crate) fn unrecorded<T>(f: impl FnOnce() -> T) -> T {
        let outer = (READS.with(|r| r.get()), DAYS.with(|m| m.borrow().clone()), UNSCOPED.with(|u| u.get()));
        struct Restore(u16, Vec<(NaiveDate, NaiveDate)>, bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                READS.with(|r| r.set(self.0));
                DAYS.with(|m| *m.borrow_mut() = std::mem::take(&mut self.1));
                UNSCOPED.with(|u| u.set(self.2));
            }
        }
        let _restore = Restore(outer.0, outer.1, outer.2);
        f()
    }

    pub(crate) fn record_reads<T>(f: impl FnOnce() -> T) -> (T, crate::AreaSet, Option<Vec<(NaiveDate, NaiveDate)>>) {
        let outer = (READS.with(|r| r.replace(0)), DAYS.with(|m| m.take()), UNSCOPED.with(|u| u.replace(false)));
        // Restores the outer recording (with the inner reads added) even if `f` unwinds.
        struct Restore(u16, Vec<(NaiveDate, NaiveDate)>, bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                READS.with(|r| r.set(r.get() | self.0));
                DAYS.with(|m| {
                    let mut inner = m.take();
                    let mut all = std::mem::take(&mut self.1);
                    all.append(&mut inner);
                    *m.borrow_mut() = all;
                });
                UNSCOPED.with(|u| u.set(u.get() | self.2));
            }
        }
        let restore = Restore(outer.0, outer.1, outer.2);
        let out = f();
        let inner = READS.with(|r| r.get());
        let days = merge_ranges(DAYS.with(|m| m.borrow().clone()));
        let unscoped = UNSCOPED.with(|u| u.get());
        drop(restore);
        let areas = crate::AreaSet(inner);
        let days = (areas.contains(crate::DataArea::Hourly) && !unscoped).then_some(days);
        (out, areas, days)
    }

    /// Overlapping or adjacent day ranges merged, in order.
    pub(crate) fn merge_ranges(mut v: Vec<(NaiveDate, NaiveDate)>) -> Vec<(NaiveDate, NaiveDate)> {
        v.sort_unstable();
        let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match out.last_mut() {
                Some(last) if a <= last.1.succ_opt().unwrap_or(last.1) => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        out
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A city as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct CityInfo {
    pub id: i64,
    /// Full name (成都市).
    pub name: String,
    /// Short name (成都), when known.
    pub short_name: Option<String>,
    /// GB/T 2260 code, when known.
    pub code: Option<u32>,
    pub province: String,
}

impl CityInfo {
    /// Short name if known, else the full name.
    pub fn display(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

/// A station as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StationInfo {
    pub id: i64,
    pub code: String,
    pub name: Option<String>,
    pub city: Option<CityInfo>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub is_control: bool,
    pub is_stopped: bool,
    /// Whether a station list described it (else it is only known from a data file's header).
    pub listed: bool,
}

/// Daily city values as imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CityDailyRow {
    pub city_id: i64,
    pub date: NaiveDate,
    pub source: String,
    pub record: CityDailyRecord,
}

/// A published result with everything needed to reproduce it (issue 4 §7): the scheme's full text
/// An account of the web platform.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub id: i64,
    pub name: String,
    /// PHC string (argon2id).
    pub password_hash: String,
    /// `admin`, `city`, `department` or `viewer`.
    pub role: String,
    pub city: Option<CityInfo>,
    pub department: Option<String>,
    pub disabled: bool,
    pub created_at: String,
    /// Raised each time the account is disabled: a session started under an older epoch is over, so
    /// re-enabling an account does not revive its sessions.
    pub credential_epoch: i64,
    /// Restricted datasets the province grants a viewer account (codes, e.g. `compliance`).
    pub grants: Vec<String>,
}

/// An API token as stored (never the token itself: only its SHA-256 is kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub label: String,
    /// What the token may do: `upload`, `read`, `approve`.
    pub scopes: Vec<String>,
    pub created_at: String,
    /// Unix seconds after which the token is refused (`None`: never set — not issued since schema 14).
    pub expires_at: Option<i64>,
    /// When the token was revoked (by `user token --revoke` or by disabling the account).
    pub revoked_at: Option<String>,
}

/// A token to store.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub account_id: i64,
    pub sha256: String,
    pub label: String,
    /// Comma-separated scopes.
    pub scopes: String,
    pub created_at: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Who approved a record that changes a city's score or ranking (a bonus/penalty item, a dust period):
/// the platform account (or `cli`, the operator of the store) and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    pub by: String,
    pub at: String,
}

/// A bonus/penalty item as stored, with who approved it on the platform (`None`: stored before
/// approvals were recorded, schema < 14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdjustmentRow {
    pub date: NaiveDate,
    pub item: String,
    pub evidence: String,
    /// The authority named in the file (e.g. 省生态环境厅).
    pub approver: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
}

/// A city's proposal of an input to its own assessment (a bonus/penalty item or a dust period), kept
/// apart from the data until the province decides it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    /// `adjustment` or `dust`.
    pub kind: String,
    pub city_id: i64,
    pub city: String,
    /// The record as proposed (JSON).
    pub record: String,
    /// The record for people, e.g. `2022-05-20 green_benchmark 省经信厅认定文件（省经济和信息化厅）`.
    pub summary: String,
    pub file: String,
    pub proposed_by: String,
    pub proposed_at: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: String,
}

/// A new account (`city_id` for city users, `department` for department users).
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub city_id: Option<i64>,
    pub department: Option<String>,
    pub created_at: String,
    /// Datasets granted to a viewer (codes).
    pub grants: Vec<String>,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub remote: String,
}

/// and the inputs, beside the results as published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedRecord {
    pub id: i64,
    /// `points`, later `funds`, `yuetan`.
    pub kind: String,
    /// What was published, e.g. `2022-05 四川省 DustExcluded`.
    pub key: String,
    pub scheme_id: String,
    pub scheme_version: String,
    pub scheme_text: String,
    pub inputs_json: String,
    pub results_json: String,
    /// When (given by the caller: the store reads no clock).
    pub published_at: String,
}

/// A target task as stored, with its reports `(date, value)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskInfo {
    pub code: String,
    pub city: CityInfo,
    pub department: String,
    pub description: String,
    pub unit: String,
    pub kind: String,
    pub baseline: String,
    pub target: String,
    pub start: NaiveDate,
    pub deadline: NaiveDate,
    pub reports: Vec<(NaiveDate, String, String)>,
}

/// A city's annual targets as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CityTarget {
    pub year: i32,
    pub pm2_5: Option<lantian_core::Conc>,
    /// Tenths of a percent.
    pub good_day_ratio_tenths: Option<i64>,
    pub heavy_days: Option<u32>,
    pub source: String,
}

/// The file an import came from.
#[derive(Clone, Debug)]
pub struct FileMeta {
    pub path: String,
    /// BLAKE3 of the file's bytes, hex (`import_file.content_hash`).
    pub content_hash: String,
    pub bytes: u64,
    /// When the import ran (given by the caller: the store reads no clock).
    pub at: String,
}

impl FileMeta {
    /// Hashes the file's raw bytes (BLAKE3: several times faster than the SHA-256 used by stores
    /// before schema 11, which took a tenth of a bulk import's CPU; those rows keep their SHA-256,
    /// labelled by `import_file.algorithm`).
    pub fn new(path: &str, raw: &[u8], at: &str) -> FileMeta {
        let content_hash = blake3::hash(raw).to_hex().to_string();
        FileMeta { path: path.to_string(), content_hash, bytes: raw.len() as u64, at: at.to_string() }
    }
}

/// Whose hourly data a block holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// Station columns of `china_sites` files.
    Station = 0,
    /// City columns of `china_cities` files (the publisher's city values).
    City = 1,
}

/// A parsed wide file with its label days already encoded ([`codec`]), so that the encoding runs on
/// the parser threads rather than the single writer.
#[derive(Debug)]
pub struct PreparedWide {
    pub wide: WideFile,
    /// Per entry of `wide.days`, per column: the encoded label day (empty when the day has no value).
    pub blobs: Vec<Vec<Vec<u8>>>,
    /// Station-hours (column, date, label hour) with at least one value.
    pub station_hours: u64,
}

impl PreparedWide {
    pub fn new(wide: WideFile) -> PreparedWide {
        let mut station_hours = 0u64;
        let blobs = wide
            .days
            .iter()
            .map(|(_, cols)| {
                cols.iter()
                    .map(|d| {
                        let mut hours = 0u32;
                        // Hours with a value of the file's series (the release facts are no value).
                        for row in &d.values[..SeriesType::FILE_SERIES.len()] {
                            for (h, v) in row.iter().enumerate() {
                                hours |= u32::from(*v != lantian_core::air::hours::MISSING) << h;
                            }
                        }
                        station_hours += u64::from(hours.count_ones());
                        if d.is_empty() {
                            Vec::new()
                        } else {
                            let mut b = Vec::with_capacity(256);
                            codec::encode(d, &mut b);
                            b
                        }
                    })
                    .collect()
            })
            .collect();
        PreparedWide { wide, blobs, station_hours }
    }
}

/// What one file's import changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The file's content had not been imported before.
    pub new_file: bool,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Stations the file created (a station list's new rows, a data file's unknown codes).
    pub stations_created: u64,
    /// Known stations whose description the file changed (a station list's changed rows; a release
    /// row describing a station known only by its code).
    pub stations_updated: u64,
    pub cities_created: u64,
    /// The stations created from real-time release rows, described: `4201A 兴盛南路290号 (鞍山市)`.
    pub created_from_release: Vec<String>,
    /// Things worth telling the user that did not stop the import.
    pub warnings: Vec<String>,
    /// Stored values the file changed (hourly cells, daily city values).
    pub revisions: Revisions,
}

/// Stored values an import replaced by other values or deleted (issue 12 item 10): the publisher
/// revises after audit, but so does a file cut inside a cell (PM2.5 `74` → `7`), which cannot
/// always be seen — so every change of a stored value is counted and the first are shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revisions {
    /// Stored values changed or deleted.
    pub count: u64,
    /// Of them, deleted (an empty cell over a stored value).
    pub deleted: u64,
    /// The first few: `1001A 2023-01-20T05:00:00+08:00 PM2.5 74 → 7` (hourly cells: column, end of
    /// the hour, series, old → new; daily values: `成都 2022-01-02 o3_mda8 140 → 14`; `—` = none).
    pub examples: Vec<String>,
}

impl Revisions {
    /// Examples kept.
    pub const EXAMPLES: usize = 5;

    /// Counts one revised value; `example` is called only while examples are still kept.
    pub fn record(&mut self, deleted: bool, example: impl FnOnce() -> String) {
        self.count += 1;
        self.deleted += u64::from(deleted);
        if self.examples.len() < Self::EXAMPLES {
            self.examples.push(example());
        }
    }

    /// Adds another import's revisions (examples up to [`Revisions::EXAMPLES`]).
    pub fn add(&mut self, o: &Revisions) {
        self.count += o.count;
        self.deleted += o.deleted;
        let room = Self::EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(o.examples.iter().take(room).cloned());
    }
}

impl ImportOutcome {
    pub fn changed(&self) -> bool {
        self.inserted + self.updated + self.stations_created + self.stations_updated + self.cities_created > 0
    }
    pub fn add(&mut self, o: &ImportOutcome) {
        self.new_file |= o.new_file;
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.stations_created += o.stations_created;
        self.stations_updated += o.stations_updated;
        self.cities_created += o.cities_created;
        self.created_from_release.extend(o.created_from_release.iter().cloned());
        self.warnings.extend(o.warnings.iter().cloned());
        self.revisions.add(&o.revisions);
    }
}

/// Which stations a query wants.
#[derive(Clone, Debug, Default)]
pub struct StationFilter {
    /// Station codes (any of).
    pub codes: Vec<String>,
    /// City ids (any of).
    pub city_ids: Vec<i64>,
}

/// Counts for summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreCounts {
    pub cities: u64,
    pub stations: u64,
    pub station_days: u64,
    pub city_days: u64,
    pub city_daily: u64,
    pub files: u64,
}

/// The storage boundary. Everything above it (CLI, web, reports) talks to this trait only.
pub trait Store:
    AirStore + AccountabilityStore + AccountStore + EmergencyStore + EnterpriseStore + RecordStore + WorkStore
{
    /// Opens an import batch — a write transaction: every write method called until
    /// [`Store::commit_import_batch`] (or [`Store::rollback_import_batch`]) runs inside it, each as a
    /// savepoint (still all or nothing), and is stored only when the batch commits. A long import
    /// shares one per few dozen wide files; [`atomically`] uses one to make a change and its audit
    /// entry one transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so a
    /// writer waits for another writer here, before anything is written, or fails with
    /// [`StoreError::Busy`] with nothing stored ([`retry_busy`]). No-op when a batch is open already.
    fn begin_import_batch(&mut self) -> Result<()> {
        Ok(())
    }
    /// Commits the open import batch, if any.
    fn commit_import_batch(&mut self) -> Result<()> {
        Ok(())
    }
    /// Rolls the open import batch back, if any: nothing written since
    /// [`Store::begin_import_batch`] is stored.
    fn rollback_import_batch(&mut self) -> Result<()> {
        Ok(())
    }
    /// Whether an import batch is open ([`Store::begin_import_batch`]).
    fn in_import_batch(&self) -> bool {
        false
    }
    /// Counts of everything (scans the hourly blocks: for summaries, not for hot paths).
    fn counts(&self) -> Result<StoreCounts>;
}

/// A part of the data, with a version ([`AirStore::data_versions`]) raised in the same transaction as
/// any change to its tables (SQLite: triggers, and `import_wide` for the hourly blocks; migration 15).
/// Every read of the store records the areas of the tables it reads ([`record_reads`]), so that a
/// cached answer is invalidated by changes to what it read and by nothing else (ARCHITECTURE.md
/// invariant 9). A new table belongs to an area (a test of the store fails otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataArea {
    /// Cities and stations (`city`, `station`): names, codes, which stations count for a city.
    Places = 0,
    /// Hourly data (`day_block`; the cached daily evaluations derived from them).
    Hourly = 1,
    /// Imported daily city values (`city_daily`).
    Daily = 2,
    /// The inputs of assessment besides the measurements: dust periods, targets, bonus/penalty items,
    /// national ranks (`dust_event`, `city_target`, `adjustment`, `national_rank`).
    Assessment = 3,
    /// Work items: target tasks and their progress (`task`, `task_report`), and the records of dataset
    /// modules (`dataset_record`, [`records`]: inspection findings and their rectification, …).
    Tasks = 4,
    /// Forecast issuances and the alert log (`forecast`, `alert_event`).
    Alerts = 5,
    /// The emergency response's enterprises, measures, inventories, electricity use, CEMS hours and
    /// pairing visits.
    Response = 6,
    /// Accounts, API tokens, the audit log and proposals.
    Accounts = 7,
    /// Published results (`published_result`).
    Published = 8,
}

impl DataArea {
    pub const ALL: [DataArea; 9] = [
        DataArea::Places,
        DataArea::Hourly,
        DataArea::Daily,
        DataArea::Assessment,
        DataArea::Tasks,
        DataArea::Alerts,
        DataArea::Response,
        DataArea::Accounts,
        DataArea::Published,
    ];

    /// The area's name in `data_version.area`.
    pub fn code(self) -> &'static str {
        match self {
            DataArea::Places => "places",
            DataArea::Hourly => "hourly",
            DataArea::Daily => "daily",
            DataArea::Assessment => "assessment",
            DataArea::Tasks => "tasks",
            DataArea::Alerts => "alerts",
            DataArea::Response => "response",
            DataArea::Accounts => "accounts",
            DataArea::Published => "published",
        }
    }

    /// The tables of the area (`day_block` is raised by its one writer, `import_wide`; the others by
    /// triggers).
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            DataArea::Places => &["city", "station"],
            DataArea::Hourly => &["day_block"],
            DataArea::Daily => &["city_daily"],
            DataArea::Assessment => &["dust_event", "city_target", "adjustment", "national_rank"],
            DataArea::Tasks => &["task", "task_report", "dataset_record", "work_item", "work_evidence"],
            DataArea::Alerts => &["forecast", "alert_event"],
            DataArea::Response => &[
                "enterprise",
                "plant_measure",
                "emission_inventory",
                "city_measure",
                "power_use",
                "cems_hourly",
                "pairing_visit",
            ],
            DataArea::Accounts => &["account", "api_token", "audit_log", "proposal"],
            DataArea::Published => &["published_result"],
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

// An [`AreaSet`] holds one bit per area.
const _: () = assert!(DataArea::ALL.len() <= 16);

/// A set of data areas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AreaSet(u16);

impl AreaSet {
    pub const EMPTY: AreaSet = AreaSet(0);

    pub fn of(areas: &[DataArea]) -> AreaSet {
        AreaSet(areas.iter().fold(0, |m, a| m | a.bit()))
    }

    pub fn all() -> AreaSet {
        AreaSet::of(&DataArea::ALL)
    }

    /// The set without `a`.
    pub fn without(self, a: DataArea) -> AreaSet {
        AreaSet(self.0 & !a.bit())
    }

    pub fn contains(self, a: DataArea) -> bool {
        self.0 & a.bit() != 0
    }

    pub fn union(self, o: AreaSet) -> AreaSet {
        AreaSet(self.0 | o.0)
    }

    /// The areas, in [`DataArea::ALL`] order.
    pub fn areas(self) -> Vec<DataArea> {
        DataArea::ALL.into_iter().filter(|a| self.contains(*a)).collect()
    }
}

/// The versions of the data areas at one moment ([`AirStore::data_versions`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DataVersions([u64; DataArea::ALL.len()]);

impl DataVersions {
    pub fn get(&self, a: DataArea) -> u64 {
        self.0[a as usize]
    }

    pub fn set(&mut self, a: DataArea, v: u64) {
        self.0[a as usize] = v;
    }

    /// These versions restricted to `areas` (the others 0): equal for two moments exactly when no
    /// area of the set changed in between.
    pub fn only(&self, areas: AreaSet) -> DataVersions {
        let mut v = DataVersions::default();
        for a in areas.areas() {
            v.set(a, self.get(a));
        }
        v
    }
}

/// Runs `f` and returns, beside its result, the data areas the store reads on this thread during it
/// (each read method of a store records the areas of the tables it reads, whatever it finds there).
/// An answer computed by `f` from the store alone depends on nothing else: a change to an area it did
/// not read cannot change what it read, so cannot change the answer — the web cache keeps it until
/// an area it read changes.
pub fn record_reads<T>(f: impl FnOnce() -> T) -> (T, AreaSet) {
    let (out, areas, _) = op::record_reads(f);
    (out, areas)
}

/// [`record_reads`], and the label days of the hourly data `f` read (merged ranges), when it read hourly
/// data only by date (`None` when it read none, or some other way: then any change of the hourly area may
/// change its answer). An answer that read the hourly data of December cannot be changed by an import of
/// 5 January: its cache is kept while [`AirStore::hourly_last_change`] of its days is not after the version
/// it was computed at.
pub fn record_reads_by_day<T>(f: impl FnOnce() -> T) -> (T, AreaSet, Option<Vec<(NaiveDate, NaiveDate)>>) {
    op::record_reads(f)
}

/// Runs `f` as one transaction of `store` (issue 13 item 5): everything `f` writes — a file's records
/// and the audit entry that records them — is stored when `f` succeeds and nothing of it when `f`
/// fails (the transaction is rolled back, and `f`'s error returned). `f` reaches the repositories
/// through the transaction handle ([`Tx`]); it may not be called while an import batch is open. On SQLite the write lock is taken when it begins: a failure to get it
/// is [`StoreError::Busy`] before `f` runs, which [`retry_busy`] waits out.
pub fn atomically<T, E: From<StoreError>>(
    store: &mut dyn Store,
    f: impl FnOnce(&mut Tx<'_>) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let mut tx = Tx::begin(store)?;
    // An error of `f` drops the handle, which rolls the transaction back.
    let v = f(&mut tx)?;
    tx.commit()?;
    Ok(v)
}

/// How long a writer waits for other writers before it gives up (issue 13 item 4): the deadline of
/// [`retry_busy`]. Default [`WriteWait::DEFAULT_SECS`]; `LANTIAN_WRITE_WAIT_SECS` sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteWait {
    pub deadline: std::time::Duration,
}

impl Default for WriteWait {
    fn default() -> WriteWait {
        WriteWait { deadline: std::time::Duration::from_secs(WriteWait::DEFAULT_SECS) }
    }
}

impl WriteWait {
    /// Two minutes: far longer than a batch of an import holds the write lock (a second or two), so
    /// that a writer never fails because another one runs, and still an answer when a writer hangs.
    pub const DEFAULT_SECS: u64 = 120;

    /// The deadline in `LANTIAN_WRITE_WAIT_SECS` (whole seconds, 0–86400), else the default.
    pub fn from_env() -> Result<WriteWait> {
        match std::env::var("LANTIAN_WRITE_WAIT_SECS") {
            Err(_) => Ok(WriteWait::default()),
            Ok(v) => match v.trim().parse::<u64>() {
                Ok(s) if s <= 86_400 => Ok(WriteWait { deadline: std::time::Duration::from_secs(s) }),
                _ => Err(StoreError::Input(format!(
                    "LANTIAN_WRITE_WAIT_SECS={v:?}: expected whole seconds from 0 to 86400"
                ))),
            },
        }
    }
}

/// Runs `f` again while it fails because the database is busy (`is_busy`: another writer held the
/// lock, or PostgreSQL chose it as a deadlock's victim — in every case nothing of it was stored), with
/// a growing pause (10 ms doubling to 1 s), until `wait.deadline` has passed; returns the last result
/// and how long it waited beyond the first attempt (zero when the first attempt did not fail busy), so
/// that the writer can say it waited. `f` must be a whole transaction ([`atomically`]).
pub fn retry_busy<T, E>(
    wait: &WriteWait,
    is_busy: impl Fn(&E) -> bool,
    mut f: impl FnMut() -> std::result::Result<T, E>,
) -> (std::result::Result<T, E>, std::time::Duration) {
    let start = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(10);
    let mut waited = std::time::Duration::ZERO;
    loop {
        let r = f();
        match &r {
            Err(e) if is_busy(e) && start.elapsed() < wait.deadline => {
                std::thread::sleep(pause.min(wait.deadline.saturating_sub(start.elapsed())));
                pause = (pause * 2).min(std::time::Duration::from_secs(1));
                waited = start.elapsed();
            }
            _ => {
                if r.as_ref().err().is_some_and(&is_busy) {
                    waited = start.elapsed();
                }
                return (r, waited);
            }
        }
    }
}

/// [`retry_busy`] of a transaction of the store's own errors.
pub fn write_retrying<T>(
    store: &mut dyn Store,
    wait: &WriteWait,
    mut f: impl FnMut(&mut Tx<'_>) -> Result<T>,
) -> (Result<T>, std::time::Duration) {
    retry_busy(wait, StoreError::is_busy, || atomically(&mut *store, &mut f))
}

/// A store of either backend, behind the trait: what callers hold (never a concrete backend type).
pub type AnyStore = Box<dyn Store + Send>;

/// Opens the store named by a URL, creating it (or its schema) when it does not exist: `sqlite:PATH`
/// (or a bare path) for the embedded SQLite store, `postgres://…` (or `postgresql://…`) for PostgreSQL.
pub fn open(url: &str) -> Result<AnyStore> {
    if postgres::is_postgres_url(url) {
        Ok(Box::new(PgStore::open(url)?))
    } else {
        Ok(Box::new(open_sqlite(url)?))
    }
}

/// Opens an existing store named by a URL ([`open`]); a missing SQLite file, or a PostgreSQL database
/// without lantian's schema, is [`StoreError::Missing`] (commands that only read never create a store).
pub fn open_existing(url: &str) -> Result<AnyStore> {
    if postgres::is_postgres_url(url) {
        Ok(Box::new(PgStore::open_existing(url)?))
    } else {
        Ok(Box::new(open_sqlite_existing(url)?))
    }
}

/// The URL for messages (a PostgreSQL password replaced by `***`).
pub fn display_url(url: &str) -> String {
    postgres::redact_url(url)
}

/// The file path of a `sqlite:PATH` URL (or a bare path).
pub fn sqlite_path(url: &str) -> Result<&str> {
    if postgres::is_postgres_url(url) {
        return Err(StoreError::Url(postgres::redact_url(url)));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.is_empty() || path.contains("://") {
        return Err(StoreError::Url(url.to_string()));
    }
    Ok(path)
}

/// Opens the SQLite store named by a URL, creating it when the file does not exist (imports).
pub fn open_sqlite(url: &str) -> Result<SqliteStore> {
    SqliteStore::open(std::path::Path::new(sqlite_path(url)?))
}

/// Opens an existing SQLite store; a missing file is [`StoreError::Missing`] (commands that only
/// read never create a store).
pub fn open_sqlite_existing(url: &str) -> Result<SqliteStore> {
    let path = sqlite_path(url)?;
    if path != ":memory:" && !std::path::Path::new(path).exists() {
        return Err(StoreError::Missing(path.to_string()));
    }
    SqliteStore::open(std::path::Path::new(path))
}
