//! The embedded SQLite implementation of [`Store`].

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use lantian_core::air::hours::LabelDay;
use lantian_core::regions::cities::{name_key, sichuan_city, SICHUAN_CITIES};
use lantian_core::Conc;
use lantian_ingest::accountability::{
    AdjustmentRecord, DustRecord, NationalRankRecord, TargetRecord, TaskRecord, TaskReportRecord,
};
use lantian_ingest::{CityDailyRecord, StationDescription, StationRecord, WideKind};
use rusqlite::{params, Connection, OptionalExtension};

use crate::merge;
use crate::schema::{Migration, CHECKSUM_ALGORITHM, MIGRATIONS};
use crate::{
    codec, Account, AccountStore, AccountabilityStore, AdjustmentRow, AirStore, Approval, AuditEntry, BlockKind,
    CityDailyRow, CityInfo, CityTarget, DataArea, DataVersions, FileMeta, ImportOutcome, NewAccount, NewToken,
    PreparedWide, Proposal, PublishedRecord, Result, StationFilter, StationInfo, Store, StoreCounts, StoreError,
    TaskInfo, TokenInfo,
};

/// Embedded SQLite store (the default).
pub struct SqliteStore {
    conn: Connection,
    /// Station code → id, kept between imports (cleared when an import fails, since its inserts are
    /// rolled back).
    station_ids: Option<HashMap<String, i64>>,
    /// An import batch's transaction is open (see [`Store::begin_import_batch`]).
    in_batch: bool,
    /// When this connection last committed a batch (its next batch leaves other writers a turn).
    committed_at: Option<std::time::Instant>,
}

/// How long a connection that committed a batch leaves the write lock free before its next batch
/// (milliseconds): long enough for a writer polling every millisecond ([`wait_polling`]) to take it.
const TURN_MS: u64 = 3;

/// SQLite's busy handler of every connection: while another connection holds the lock a statement
/// needs, try again every millisecond, for about five seconds (`PRAGMA busy_timeout = 5000` did the
/// same with sleeps growing to 100 ms, long enough to miss the moment another writer's batches leave
/// free). `n` is the number of earlier calls for the same wait.
fn wait_polling(n: i32) -> bool {
    if n >= 5_000 {
        return false;
    }
    std::thread::sleep(std::time::Duration::from_millis(1));
    true
}

/// The busy handler while beginning a write transaction: about two seconds of polling — longer than
/// an import's batch holds the lock (`BATCH_TIME` of `lantian import`, 1 s), so that a waiting
/// writer sees the moment between two batches — after which the caller's own waiting
/// ([`crate::retry_busy`]) takes over and reports the wait.
fn wait_briefly(n: i32) -> bool {
    if n >= 2_000 {
        return false;
    }
    std::thread::sleep(std::time::Duration::from_millis(1));
    true
}

pub(crate) fn day_num(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

pub(crate) fn from_day_num(n: i64) -> Result<NaiveDate> {
    i32::try_from(n)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(|| StoreError::Corrupt(format!("bad date number {n}")))
}

/// What a failure of SQLite was, in the store's words ([`StoreError`] names no driver), during the
/// operation running on this thread ([`crate::op`]).
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        db_error(e, crate::op::current())
    }
}

/// A failure of SQLite during `op`.
pub(crate) fn db_error(e: rusqlite::Error, op: &str) -> StoreError {
    use rusqlite::ErrorCode as C;
    let (op, detail) = (op.to_string(), e.to_string());
    match e.sqlite_error_code() {
        Some(C::DatabaseBusy | C::DatabaseLocked) => StoreError::Busy { op, detail },
        Some(C::ConstraintViolation) => StoreError::Constraint { op, detail },
        Some(C::DatabaseCorrupt | C::NotADatabase) => {
            StoreError::Corrupt(if op.is_empty() { detail } else { format!("{detail} (while {op})") })
        }
        Some(
            C::SystemIoFailure
            | C::CannotOpen
            | C::DiskFull
            | C::ReadOnly
            | C::PermissionDenied
            | C::FileLockingProtocolFailed
            | C::NoLargeFileSupport,
        ) => StoreError::Io { op, detail },
        _ => StoreError::Other { op, detail },
    }
}

/// A `city_target` row: PM2.5 (thousandths), good-day ratio (tenths of a percent), heavy days, source.
type TargetRow = (Option<i64>, Option<i64>, Option<u32>, String);

/// The migrations a store applied (`schema.rs`): number, name (`0007_tasks`), checksum of the text
/// and its algorithm, and when — Beijing time; `applied_at` NULL for a migration applied by a program
/// from before this table, recorded when the store was first opened by a newer one (`recorded_at`).
const SCHEMA_MIGRATION_TABLE: &str = "CREATE TABLE schema_migration (
    number INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    applied_at TEXT,
    recorded_at TEXT NOT NULL
);";

/// Records a migration in `schema_migration` (`applied`: now; else applied earlier, unrecorded).
fn record_migration(tx: &Connection, m: &Migration, applied: bool) -> Result<()> {
    tx.execute(
        "INSERT INTO schema_migration (number, name, checksum, algorithm, applied_at, recorded_at) \
         VALUES (?1, ?2, ?3, ?4, CASE WHEN ?5 THEN strftime('%Y-%m-%dT%H:%M:%S+08:00', 'now', '+8 hours') END, \
         strftime('%Y-%m-%dT%H:%M:%S+08:00', 'now', '+8 hours'))",
        params![m.number, m.name, m.checksum(), CHECKSUM_ALGORITHM, applied],
    )?;
    Ok(())
}

/// `day_block.kind` of a wide file's columns.
fn block_kind(k: WideKind) -> i64 {
    match k {
        WideKind::Sites => 0,
        WideKind::Cities => 1,
    }
}

fn conc_col(c: Option<Conc>) -> Option<i64> {
    c.map(Conc::milli)
}

impl SqliteStore {
    /// Opens (creating if needed) a database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let _op = crate::op::during("opening the store");
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                return Err(StoreError::Input(format!("folder {} does not exist", dir.display())));
            }
        }
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// An in-memory store (tests).
    pub fn memory() -> Result<SqliteStore> {
        let _op = crate::op::during("opening the store");
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<SqliteStore> {
        // mmap_size: reads map the file (already in the OS page cache after the first use) instead of
        // copying every page into SQLite's own cache; long scans such as a year's daily evaluation then
        // neither copy nor fault in fresh memory for it. wal_autocheckpoint: every 256 MB — a
        // year's import of 1,000 stations checkpoints twice instead of eight times (import 0.92 →
        // 0.76 s, BENCHMARKS.md); 1 GB gained nothing more.
        // cache_size: 64 MB of SQLite's own page cache (reads go through the map; the cache holds what a
        // transaction writes): 256 MB raised a national year's peak memory from 444 to 650 MB for no
        // measurable gain.
        // page_size (new databases only; SQLite ignores it for an existing file): the hourly blocks and
        // cached evaluations are blobs of 2–8 kB, which 4 kB pages split into overflow chains. With 16 kB
        // pages the daily step of BENCHMARKS.md fell from 0.27–0.30 to 0.20–0.23 s.
        conn.execute_batch(
            "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; \
             PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 4294967296;",
        )?;
        // Counted in pages: 256 MB whatever the page size of the file (older stores have 4 kB pages).
        let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        conn.execute_batch(&format!("PRAGMA wal_autocheckpoint = {};", (256 << 20) / page_size.max(512)))?;
        conn.busy_handler(Some(wait_polling))?;
        let mut s = SqliteStore { conn, station_ids: None, in_batch: false, committed_at: None };
        s.migrate()?;
        s.check_daily_rules()?;
        Ok(s)
    }

    /// [`AirStore::put_daily_cache`] without waiting: the write lock at once or [`StoreError::Busy`].
    fn put_daily_cache_now(&self, generation: u64, entries: &[(NaiveDate, i64, Vec<u8>)]) -> Result<bool> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        // The write lock is taken; now check that no import changed the data meanwhile.
        let now: Option<String> =
            tx.query_row("SELECT value FROM meta WHERE key = 'data_generation'", [], |r| r.get(0)).optional()?;
        if now.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) != generation {
            return Ok(false);
        }
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO daily_cache (date, chunk, data) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(date, chunk) DO UPDATE SET data = excluded.data",
            )?;
            for (date, chunk, data) in entries {
                st.execute(params![day_num(*date), chunk, data])?;
            }
        }
        tx.commit()?;
        Ok(true)
    }

    fn migrate(&mut self) -> Result<()> {
        self.migrate_with(MIGRATIONS, MIGRATIONS.len())
    }

    /// An in-memory store at migration `last` (tests of an upgrade: the schema of an older program);
    /// [`SqliteStore::migrate_up_to`] brings it further.
    #[cfg(test)]
    pub(crate) fn memory_at(last: usize) -> Result<SqliteStore> {
        let mut s =
            SqliteStore { conn: Connection::open_in_memory()?, station_ids: None, in_batch: false, committed_at: None };
        s.migrate_up_to(last)?;
        Ok(s)
    }

    /// Applies the migrations not yet applied, up to number `last` (tests build older schemas).
    #[cfg(test)]
    pub(crate) fn migrate_up_to(&mut self, last: usize) -> Result<()> {
        self.migrate_with(MIGRATIONS, last)
    }

    /// Brings the schema up to migration `last` of `list` (the program's files; tests pass edited
    /// lists). Every migration applied is recorded in `schema_migration` in its own transaction; a
    /// store from before that table (schema ≤ 14, whose `meta.schema_version` says how many it has)
    /// first gets the rows of the migrations it has, with the checksums of this program's files. A
    /// recorded migration whose name or checksum differs from the program's is an error naming it,
    /// before anything is applied.
    fn migrate_with(&mut self, list: &[Migration], last: usize) -> Result<()> {
        let has_table = |conn: &Connection, name: &str| -> Result<bool> {
            Ok(conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |r| r.get::<_, i64>(0),
            )? > 0)
        };
        let version: usize = if has_table(&self.conn, "meta")? {
            self.conn
                .query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get::<_, String>(0))
                .optional()?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        } else {
            0
        };
        if version > list.len() {
            return Err(StoreError::Input(format!(
                "the database has schema version {version}, newer than this program's {}",
                list.len()
            )));
        }
        if !has_table(&self.conn, "schema_migration")? {
            // The runner's own bookkeeping, created before migration 1 so that it records migration 1 too.
            self.conn.execute_batch(SCHEMA_MIGRATION_TABLE)?;
        }
        let recorded = |conn: &Connection| -> Result<Vec<(u32, String, String, String)>> {
            let mut st =
                conn.prepare("SELECT number, name, checksum, algorithm FROM schema_migration ORDER BY number")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let mut done = recorded(&self.conn)?;
        if done.len() < version {
            // Applied by a program that did not record them: recorded now, as this program's files.
            let tx = self.conn.transaction()?;
            for m in &list[done.len()..version] {
                record_migration(&tx, m, false)?;
            }
            tx.commit()?;
            done = recorded(&self.conn)?;
        }
        if done.len() != version || done.iter().enumerate().any(|(k, d)| d.0 as usize != k + 1) {
            return Err(StoreError::Corrupt(format!(
                "schema_migration records migrations {:?} but meta.schema_version is {version}",
                done.iter().map(|d| d.0).collect::<Vec<_>>()
            )));
        }
        crate::schema::check_recorded(
            done.iter().map(|(n, name, c, a)| (*n, name.as_str(), c.as_str(), a.as_str())),
            list,
        )?;
        for (i, m) in list.iter().enumerate().take(last).skip(version) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(m.sql).map_err(|e| db_error(e, &format!("applying migration {}", m.name)))?;
            if i == 0 {
                for c in &SICHUAN_CITIES {
                    tx.execute(
                        "INSERT INTO city (name, name_key, short_name, code, province) VALUES (?1, ?2, ?3, ?4, '四川省')",
                        params![c.name, name_key(c.name), c.short, c.code],
                    )?;
                }
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![(i + 1).to_string()],
            )?;
            record_migration(&tx, m, true)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Clears the cached daily evaluations when they were computed under other daily rules.
    fn check_daily_rules(&mut self) -> Result<()> {
        let stored: Option<String> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'daily_rules'", [], |r| r.get(0)).optional()?;
        if stored.as_deref() != Some(lantian_core::air::daily::DAILY_RULES_VERSION) {
            let tx = self.conn.transaction()?;
            tx.execute("DELETE FROM daily_cache", [])?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('daily_rules', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [lantian_core::air::daily::DAILY_RULES_VERSION],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<usize> {
        let _op = crate::op::during("reading the schema version");
        let v: String = self.conn.query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get(0))?;
        v.parse().map_err(|_| StoreError::Corrupt("schema_version".into()))
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub(crate) fn record_file(tx: &Connection, file: &FileMeta, kind: &str, rows: usize) -> Result<bool> {
        let n = tx.execute(
            "INSERT OR IGNORE INTO import_file (content_hash, algorithm, kind, path, bytes, rows, first_imported_at) \
             VALUES (?1, 'blake3', ?2, ?3, ?4, ?5, ?6)",
            params![file.content_hash, kind, file.path, file.bytes as i64, rows as i64, file.at],
        )?;
        Ok(n == 1)
    }
}

fn city_row(r: &rusqlite::Row<'_>, base: usize) -> rusqlite::Result<CityInfo> {
    Ok(CityInfo {
        id: r.get(base)?,
        name: r.get(base + 1)?,
        short_name: r.get(base + 2)?,
        code: r.get::<_, Option<i64>>(base + 3)?.map(|c| c as u32),
        province: r.get(base + 4)?,
    })
}

pub(crate) fn find_city(conn: &Connection, query: &str) -> Result<Option<CityInfo>> {
    let q = query.trim();
    let sel = "SELECT id, name, short_name, code, province FROM city";
    if let Ok(code) = q.parse::<i64>() {
        return Ok(conn.query_row(&format!("{sel} WHERE code = ?1"), [code], |r| city_row(r, 0)).optional()?);
    }
    if let Some(c) = conn
        .query_row(&format!("{sel} WHERE name = ?1 OR short_name = ?1 ORDER BY code IS NULL, id LIMIT 1"), [q], |r| {
            city_row(r, 0)
        })
        .optional()?
    {
        return Ok(Some(c));
    }
    if let Some(sc) = sichuan_city(q) {
        return Ok(conn.query_row(&format!("{sel} WHERE code = ?1"), [sc.code], |r| city_row(r, 0)).optional()?);
    }
    let mut st = conn.prepare(&format!("{sel} WHERE name_key = ?1 ORDER BY id"))?;
    let found: Vec<CityInfo> = st.query_map([name_key(q)], |r| city_row(r, 0))?.collect::<rusqlite::Result<_>>()?;
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        _ => Err(StoreError::Input(format!(
            "city {q:?} is ambiguous: {}",
            found.iter().map(|c| format!("{} ({})", c.name, c.province)).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Finds or creates the city a station list row belongs to.
fn city_for_station(tx: &Connection, s: &StationRecord, created: &mut u64) -> Result<Option<i64>> {
    let label = if s.prefecture.is_empty() { &s.city_label } else { &s.prefecture };
    if label.is_empty() {
        return Ok(None);
    }
    if let Some(sc) = sichuan_city(label).filter(|_| s.province.is_empty() || s.province.starts_with("四川")) {
        let id: i64 = tx.query_row("SELECT id FROM city WHERE code = ?1", [sc.code], |r| r.get(0))?;
        return Ok(Some(id));
    }
    let key = name_key(label);
    if let Some(id) = tx
        .query_row("SELECT id FROM city WHERE name_key = ?1 AND province = ?2", params![key, s.province], |r| r.get(0))
        .optional()?
    {
        return Ok(Some(id));
    }
    // A city of the same full name known without its province (created from real-time release rows,
    // which name the city but not the province) is this one: it gets the list's province.
    if !s.province.is_empty() {
        if let Some(id) = tx
            .query_row(
                "SELECT id FROM city WHERE name = ?1 AND name_key = ?2 AND province = '' AND code IS NULL",
                params![label, key],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
        {
            tx.execute(
                "UPDATE city SET province = ?2, short_name = COALESCE(short_name, ?3) WHERE id = ?1",
                params![id, s.province, (!s.city_label.is_empty()).then_some(&s.city_label)],
            )?;
            return Ok(Some(id));
        }
    }
    tx.execute(
        "INSERT INTO city (name, name_key, short_name, province) VALUES (?1, ?2, ?3, ?4)",
        params![label, key, (!s.city_label.is_empty()).then_some(&s.city_label), s.province],
    )?;
    *created += 1;
    Ok(Some(tx.last_insert_rowid()))
}

/// The city table in memory, for resolving many names in time linear in their number (a wide
/// file's city header, the areas of release rows): the answers of [`find_city`] and of a release
/// row's `area` without a query per name — `city.name` has no index, and a query per column over a
/// growing table made a header of 100,000 names quadratic (issue 12 item 9).
pub(crate) struct CityIndex {
    /// id → (name, province), for messages.
    info: HashMap<i64, (String, String)>,
    by_code: HashMap<i64, i64>,
    /// Full or short name → (has no code, id): [`find_city`] prefers coded cities, then the oldest.
    by_name_or_short: HashMap<String, Vec<(bool, i64)>>,
    /// Full name → ids.
    by_name: HashMap<String, Vec<i64>>,
    /// Name key ([`name_key`]) → ids, ascending.
    by_key: HashMap<String, Vec<i64>>,
}

impl CityIndex {
    /// An empty index; [`CityIndex::add`] each city `(id, name, short name, code, province, name key)`
    /// in the order of their ids.
    pub(crate) fn empty() -> CityIndex {
        CityIndex {
            info: HashMap::new(),
            by_code: HashMap::new(),
            by_name_or_short: HashMap::new(),
            by_name: HashMap::new(),
            by_key: HashMap::new(),
        }
    }

    pub(crate) fn load(conn: &Connection) -> Result<CityIndex> {
        let mut ix = CityIndex::empty();
        let mut st =
            conn.prepare_cached("SELECT id, name, short_name, code, province, name_key FROM city ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        for r in rows {
            let (id, name, short, code, province, key) = r?;
            ix.add(id, &name, short.as_deref(), code, &province, &key);
        }
        Ok(ix)
    }

    pub(crate) fn add(
        &mut self,
        id: i64,
        name: &str,
        short: Option<&str>,
        code: Option<i64>,
        province: &str,
        key: &str,
    ) {
        if let Some(c) = code {
            self.by_code.insert(c, id);
        }
        for n in std::iter::once(name).chain(short) {
            self.by_name_or_short.entry(n.to_string()).or_default().push((code.is_none(), id));
        }
        self.by_name.entry(name.to_string()).or_default().push(id);
        self.by_key.entry(key.to_string()).or_default().push(id);
        self.info.insert(id, (name.to_string(), province.to_string()));
    }

    fn code(&self, code: u32) -> Option<i64> {
        self.by_code.get(&i64::from(code)).copied()
    }

    /// [`find_city`]: by code, full or short name, Sichuan alias, or the one city of the name key.
    pub(crate) fn find(&self, query: &str) -> Result<Option<i64>> {
        let q = query.trim();
        if let Ok(code) = q.parse::<i64>() {
            return Ok(self.by_code.get(&code).copied());
        }
        if let Some((_, id)) = self.by_name_or_short.get(q).and_then(|v| v.iter().min()) {
            return Ok(Some(*id));
        }
        if let Some(sc) = sichuan_city(q) {
            return Ok(self.code(sc.code));
        }
        match self.by_key.get(&name_key(q)).map(Vec::as_slice).unwrap_or(&[]) {
            [] => Ok(None),
            [id] => Ok(Some(*id)),
            ids => Err(StoreError::Input(format!(
                "city {q:?} is ambiguous: {}",
                ids.iter()
                    .filter_map(|i| self.info.get(i))
                    .map(|(n, p)| format!("{n} ({p})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Finds or creates the city a real-time release row names in `area` (a full name: `鞍山市`,
    /// `阿坝藏族羌族自治州`; no province): a city of that full name, else a Sichuan city by any of its
    /// names, else the one city of that name key (`鞍山`) in any province; a new city (province
    /// unknown) when there is none. Several candidates: no city, with a warning.
    fn for_area(&mut self, tx: &Connection, area: &str, out: &mut ImportOutcome) -> Result<Option<i64>> {
        self.for_area_with(area, out, |key| {
            tx.execute("INSERT INTO city (name, name_key, province) VALUES (?1, ?2, '')", params![area.trim(), key])?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// [`CityIndex::for_area`] with the creation of a city (`create(name key)` → its id) given by
    /// the backend.
    pub(crate) fn for_area_with(
        &mut self,
        area: &str,
        out: &mut ImportOutcome,
        create: impl FnOnce(&str) -> Result<i64>,
    ) -> Result<Option<i64>> {
        let area = area.trim();
        if area.is_empty() {
            return Ok(None);
        }
        if let Some([id]) = self.by_name.get(area).map(Vec::as_slice) {
            return Ok(Some(*id));
        }
        if let Some(sc) = sichuan_city(area) {
            return self
                .code(sc.code)
                .map(Some)
                .ok_or_else(|| StoreError::Corrupt(format!("the Sichuan city {} is missing", sc.code)));
        }
        let key = name_key(area);
        match self.by_key.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
            [id] => Ok(Some(*id)),
            [] => {
                let id = create(&key)?;
                out.cities_created += 1;
                self.add(id, area, None, None, "", &key);
                Ok(Some(id))
            }
            ids => {
                out.warnings
                    .push(format!("city {area:?} matches {} stored cities; its new stations get no city", ids.len()));
                Ok(None)
            }
        }
    }
}

/// A [`CityIndex`] loaded on first use.
#[derive(Default)]
pub(crate) struct LazyCities(pub(crate) Option<CityIndex>);

impl LazyCities {
    fn get(&mut self, tx: &Connection) -> Result<&mut CityIndex> {
        if self.0.is_none() {
            self.0 = Some(CityIndex::load(tx)?);
        }
        self.0.as_mut().ok_or_else(|| StoreError::Corrupt("city index".into()))
    }
}

/// The city ids of a city file's columns ([`CityIndex::find`]), read without a write lock; names
/// the store does not know are an error naming the first column and name, with every unknown name
/// counted (issue 12 item 9): a city file may name only the cities the store knows.
fn city_columns(conn: &Connection, file: &FileMeta, columns: &[String]) -> Result<Vec<i64>> {
    resolve_city_columns(&CityIndex::load(conn)?, file, columns)
}

/// [`city_columns`] with the cities loaded.
pub(crate) fn resolve_city_columns(ix: &CityIndex, file: &FileMeta, columns: &[String]) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(columns.len());
    let mut unknown: Vec<(usize, &str)> = Vec::new();
    for (j, c) in columns.iter().enumerate() {
        match ix.find(c).map_err(|e| StoreError::Input(format!("{}:1:{} (field {c}): {e}", file.path, j + 4)))? {
            Some(id) => ids.push(id),
            None => unknown.push((j, c)),
        }
    }
    let Some(&(j, first)) = unknown.first() else { return Ok(ids) };
    let shown: Vec<String> = unknown.iter().take(10).map(|(j, c)| format!("{c} (column {})", j + 4)).collect();
    Err(StoreError::Input(format!(
        "{}:1:{} (field {first}): unknown city {first:?} in the header of a city file; {} unknown city names \
         in all: {}{}. A city file may name only cities the store knows: the 21 Sichuan cities (by name, short \
         name, alias or GB/T 2260 code) and the cities a station list has named (import the national station \
         list first); nothing was imported",
        file.path,
        j + 4,
        unknown.len(),
        shown.join(", "),
        if unknown.len() > shown.len() { ", …" } else { "" }
    )))
}

/// A stored value, for revision examples: the exact decimal, `—` when none.
pub(crate) fn shown(v: i32) -> String {
    if v == lantian_core::air::hours::MISSING {
        "—".to_string()
    } else {
        Conc(i64::from(v)).to_string()
    }
}

/// Counts the stored values of column `j` on day entry `di` that the file changed (`delta`, from
/// [`merge::merge_label_day`]), with examples; and flags the file's last cell when the file ends
/// without a line end and that cell changes a stored value — it may have been cut inside (issue 12
/// item 10).
pub(crate) fn revisions(
    wide: &lantian_ingest::WideFile,
    di: usize,
    j: usize,
    delta: &merge::RevisionDelta,
    path: &str,
    out: &mut ImportOutcome,
) {
    let date = wide.days[di].0;
    let when = |h: usize| {
        date.and_hms_opt(h as u32, 0, 0).map(lantian_core::beijing_time::format).unwrap_or_else(|| date.to_string())
    };
    for c in &delta.changes {
        out.revisions.record(c.deleted(), || {
            format!("{} {} {} {} → {}", wide.columns[j], when(c.hour), c.series.file_name(), shown(c.old), shown(c.new))
        });
    }
    if let Some(c) = wide.unterminated.filter(|c| c.day == di && c.column == j) {
        if let Some(ch) = delta.get(c.series, c.hour) {
            out.warnings.push(format!(
                "{path}:{}:{} (field {} {}): the file ends without a line end inside this row, and its last cell \
                 changes the stored {} to {} ({}): the file may have been cut inside the cell — compare it with \
                 the source",
                c.line,
                c.file_column,
                wide.columns[j],
                c.series.file_name(),
                shown(ch.old),
                shown(ch.new),
                when(c.hour)
            ));
        }
    }
}

/// The fields of a daily city row in `city_daily` column order, and their decimals (AQI whole).
pub(crate) const DAILY_FIELDS: [&str; 8] = ["aqi", "so2", "no2", "co", "pm10", "pm2_5", "o3_mda8", "o3_max_1h"];

/// Counts the stored daily values a row changes (`成都 2022-01-02 o3_mda8 140 → 14`), and flags the
/// file's last cell when the file ends without a line end and that cell changes a stored value.
pub(crate) fn daily_revisions(
    file: &FileMeta,
    r: &CityDailyRecord,
    old: &[Option<i64>; 8],
    new: &[Option<i64>; 8],
    out: &mut ImportOutcome,
) {
    let show = |k: usize, v: Option<i64>| match v {
        None => "—".to_string(),
        Some(v) if k == 0 => v.to_string(),
        Some(v) => Conc(v).to_string(),
    };
    for k in 0..8 {
        if old[k].is_none() || old[k] == new[k] {
            continue;
        }
        out.revisions.record(new[k].is_none(), || {
            format!("{} {} {} {} → {}", r.city, r.date, DAILY_FIELDS[k], show(k, old[k]), show(k, new[k]))
        });
    }
    if let Some((col, field)) = r.unterminated {
        if let Some(k) = DAILY_FIELDS.iter().position(|f| *f == field) {
            if old[k].is_some() && old[k] != new[k] {
                out.warnings.push(format!(
                    "{}:{}:{col} (field {field}): the file ends without a line end inside this row, and its last \
                     cell changes the stored {} to {} ({} {}): the file may have been cut inside the cell — \
                     compare it with the source",
                    file.path,
                    r.line,
                    show(k, old[k]),
                    show(k, new[k]),
                    r.city,
                    r.date
                ));
            }
        }
    }
}

/// A release row's description of a station the store knows: a station known only by its code gets
/// it; a described one keeps its own, with a warning where the row says otherwise.
fn describe_known_station(
    tx: &Connection,
    id: i64,
    code: &str,
    d: &StationDescription,
    cities: &mut LazyCities,
    out: &mut ImportOutcome,
) -> Result<()> {
    let (name, city): (Option<String>, Option<String>) = tx
        .prepare_cached("SELECT s.name, c.name FROM station s LEFT JOIN city c ON c.id = s.city_id WHERE s.id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    match (name, city) {
        (None, None) => {
            let city_id = cities.get(tx)?.for_area(tx, &d.area, out)?;
            tx.execute(
                "UPDATE station SET name = ?2, city_id = ?3, city_label = ?4, lon = ?5, lat = ?6 WHERE id = ?1",
                params![id, d.name, city_id, d.area, d.lon, d.lat],
            )?;
            out.stations_updated += 1;
        }
        (name, city) => warn_if_described_otherwise(code, d, name.as_deref(), city.as_deref(), out),
    }
    Ok(())
}

/// A described station keeps its own description; a release row that says otherwise is a warning.
pub(crate) fn warn_if_described_otherwise(
    code: &str,
    d: &StationDescription,
    name: Option<&str>,
    city: Option<&str>,
    out: &mut ImportOutcome,
) {
    let same_city = city.is_some_and(|c| {
        name_key(c) == name_key(&d.area)
            || sichuan_city(c).zip(sichuan_city(&d.area)).is_some_and(|(a, b)| a.code == b.code)
    });
    if name != Some(d.name.as_str()) || !same_city {
        out.warnings.push(format!(
            "station {code}: the release row (line {}) names it {} ({}); the store keeps {} ({})",
            d.line,
            d.name,
            d.area,
            name.unwrap_or("-"),
            city.unwrap_or("-")
        ));
    }
}

impl Store for SqliteStore {
    fn begin_import_batch(&mut self) -> Result<()> {
        let _op = crate::op::during("waiting for the write lock");
        if !self.in_batch {
            // A writer that commits and begins again at once (the batches of a long import) leaves
            // the lock free for a moment, so that a writer of another process, polling every
            // millisecond (`wait_briefly`), takes its turn instead of waiting for the whole import.
            if let Some(t) = self.committed_at.take() {
                let gap = std::time::Duration::from_millis(TURN_MS);
                if let Some(rest) = gap.checked_sub(t.elapsed()) {
                    std::thread::sleep(rest);
                }
            }
            // IMMEDIATE: the write lock now, before anything is read — a deferred transaction that
            // read first could only fail later (another writer's commit makes its snapshot stale,
            // which no waiting cures). Waited here for about two seconds; `retry_busy` waits longer.
            self.conn.busy_handler(Some(wait_briefly))?;
            let r = self.conn.execute_batch("BEGIN IMMEDIATE");
            self.conn.busy_handler(Some(wait_polling))?;
            r?;
            self.in_batch = true;
        }
        Ok(())
    }

    fn commit_import_batch(&mut self) -> Result<()> {
        let _op = crate::op::during("committing an import batch");
        if self.in_batch {
            self.in_batch = false;
            if let Err(e) = self.conn.execute_batch("COMMIT") {
                // Nothing of the batch was stored: neither may its station ids stay cached.
                self.station_ids = None;
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
            self.committed_at = Some(std::time::Instant::now());
        }
        Ok(())
    }

    fn rollback_import_batch(&mut self) -> Result<()> {
        let _op = crate::op::during("rolling back an import batch");
        if self.in_batch {
            self.in_batch = false;
            // Station ids inserted by the batch are gone with it.
            self.station_ids = None;
            if !self.conn.is_autocommit() {
                self.conn.execute_batch("ROLLBACK")?;
            }
        }
        Ok(())
    }

    fn in_import_batch(&self) -> bool {
        self.in_batch
    }

    fn counts(&self) -> Result<StoreCounts> {
        let _op = crate::op::during("counting the store's contents");
        crate::op::read(&DataArea::ALL);
        let n = |sql: &str| -> Result<u64> { Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        Ok(StoreCounts {
            cities: n("SELECT count(*) FROM city")?,
            stations: n("SELECT count(*) FROM station")?,
            station_days: n("SELECT coalesce(sum(entries), 0) FROM day_block WHERE kind = 0")?,
            city_days: n("SELECT coalesce(sum(entries), 0) FROM day_block WHERE kind = 1")?,
            city_daily: n("SELECT count(*) FROM city_daily")?,
            files: n("SELECT count(*) FROM import_file")?,
        })
    }
}

impl AirStore for SqliteStore {
    fn import_stations(&mut self, file: &FileMeta, stations: &[StationRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing a station list");
        self.station_ids = None;
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, "station-list", stations.len())?,
            ..Default::default()
        };
        for s in stations {
            let city_id = city_for_station(&tx, s, &mut out.cities_created)?;
            let existing: Option<(i64, i64)> = tx
                .query_row("SELECT id, listed FROM station WHERE code = ?1", [&s.code], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let vals = params![s.code, s.name, city_id, s.city_label, s.lon, s.lat, s.is_control, s.is_stopped];
            match existing {
                None => {
                    tx.execute(
                        "INSERT INTO station (code, name, city_id, city_label, lon, lat, is_control, is_stopped, listed) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
                        vals,
                    )?;
                    out.inserted += 1;
                    out.stations_created += 1;
                }
                Some(_) => {
                    let n = tx.execute(
                        "UPDATE station SET name = ?2, city_id = ?3, city_label = ?4, lon = ?5, lat = ?6, is_control = ?7, \
                         is_stopped = ?8, listed = 1 WHERE code = ?1 AND NOT (name IS ?2 AND city_id IS ?3 AND city_label IS ?4 \
                         AND lon IS ?5 AND lat IS ?6 AND is_control = ?7 AND is_stopped = ?8 AND listed = 1)",
                        vals,
                    )?;
                    if n > 0 {
                        out.updated += 1;
                        out.stations_updated += 1;
                    } else {
                        out.unchanged += 1;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn import_wide(&mut self, file: &FileMeta, prepared: &PreparedWide) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing hourly data");
        let wide = &prepared.wide;
        // A city file's columns are resolved before the write lock is taken (the savepoint's first
        // write): an unknown name rejects the file without a city created and without blocking
        // other writers (issue 12 item 9).
        let city_ids = match wide.kind {
            WideKind::Cities => Some(city_columns(&self.conn, file, &wide.columns)?),
            WideKind::Sites => None,
        };
        // A savepoint: its own transaction outside a batch, a nested one inside.
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, wide.kind_name(), wide.rows)?,
            ..Default::default()
        };
        // Column ids.
        let mut new_ids: Option<HashMap<String, i64>> = None;
        let ids = match city_ids {
            Some(ids) => ids,
            None => {
                let mut ids = Vec::with_capacity(wide.columns.len());
                let known = match self.station_ids.take() {
                    Some(k) => k,
                    None => {
                        let mut k = HashMap::new();
                        let mut st = tx.prepare_cached("SELECT code, id FROM station")?;
                        for r in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                            let (c, i) = r?;
                            k.insert(c, i);
                        }
                        k
                    }
                };
                let mut known = known;
                let mut cities = LazyCities::default();
                let mut ins = tx.prepare_cached("INSERT INTO station (code) VALUES (?1)")?;
                let mut ins_described = tx.prepare_cached(
                    "INSERT INTO station (code, name, city_id, city_label, lon, lat) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for (j, c) in wide.columns.iter().enumerate() {
                    // Release rows describe their station; quotsoft headers only name it.
                    let desc = wide.descriptions.get(j).and_then(Option::as_ref);
                    let id = match (known.get(c), desc) {
                        (Some(i), None) => *i,
                        (Some(i), Some(d)) => {
                            describe_known_station(&tx, *i, c, d, &mut cities, &mut out)?;
                            *i
                        }
                        (None, _) => {
                            match desc {
                                None => ins.execute([c])?,
                                Some(d) => {
                                    let city_id = cities.get(&tx)?.for_area(&tx, &d.area, &mut out)?;
                                    out.created_from_release.push(format!("{c} {} ({})", d.name, d.area));
                                    ins_described.execute(params![c, d.name, city_id, d.area, d.lon, d.lat])?
                                }
                            };
                            out.stations_created += 1;
                            let id = tx.last_insert_rowid();
                            known.insert(c.clone(), id);
                            id
                        }
                    };
                    ids.push(id);
                }
                new_ids = Some(known);
                ids
            }
        };
        let kind = block_kind(wide.kind);
        let mut changed_blocks = false;
        let mut changed_days = std::collections::BTreeSet::new();
        {
            let mut sel = tx.prepare_cached("SELECT chunk, data FROM day_block WHERE kind = ?1 AND date = ?2")?;
            let mut up = tx.prepare_cached(
                "INSERT INTO day_block (kind, date, chunk, entries, data) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT(kind, date, chunk) DO UPDATE SET entries = excluded.entries, data = excluded.data",
            )?;
            let mut inval = tx.prepare_cached("DELETE FROM daily_cache WHERE date IN (?1, ?2) AND chunk = ?3")?;
            for (di, (date, _)) in wide.days.iter().enumerate() {
                let dn = day_num(*date);
                // The stored blocks of this date.
                let mut stored: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
                for r in sel.query_map(params![kind, dn], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))? {
                    let (c, b) = r?;
                    stored.insert(c, b);
                }
                for w in crate::blocks::merge_wide_day(prepared, di, &ids, &stored, kind, &file.path, &mut out)? {
                    up.execute(params![kind, dn, w.chunk, w.entries as i64, w.data])?;
                    changed_blocks = true;
                    changed_days.insert(dn);
                    if kind == BlockKind::Station as i64 {
                        // Label day `date` closes natural day `date − 1` (hour 0) and holds natural
                        // day `date`: both cached evaluations are now stale.
                        inval.execute(params![dn - 1, dn, w.chunk])?;
                    }
                }
            }
        }
        if changed_blocks {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('data_generation', '1') \
                 ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                [],
            )?;
            // The version of the hourly area, once per file (migrations 12 and 15: no trigger per block row).
            tx.execute("UPDATE data_version SET version = version + 1 WHERE area = 'hourly'", [])?;
            // And when each label day the file changed last changed (migration 17).
            let mut day = tx.prepare_cached(
                "INSERT INTO hourly_day_change (date, at_version) \
                 SELECT ?1, version FROM data_version WHERE area = 'hourly' \
                 ON CONFLICT(date) DO UPDATE SET at_version = excluded.at_version",
            )?;
            for d in &changed_days {
                day.execute([d])?;
            }
        }
        tx.commit()?;
        // Only a committed import may leave its station ids in the cache.
        if new_ids.is_some() {
            self.station_ids = new_ids;
        }
        Ok(out)
    }

    fn import_city_daily(
        &mut self,
        file: &FileMeta,
        source: &str,
        records: &[CityDailyRecord],
    ) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing daily city values");
        let tx = self.conn.savepoint()?;
        let mut out =
            ImportOutcome { new_file: Self::record_file(&tx, file, source, records.len())?, ..Default::default() };
        let mut cache: HashMap<String, i64> = HashMap::new();
        for r in records {
            let city_id = match cache.get(&r.city) {
                Some(i) => *i,
                None => {
                    let c = find_city(&tx, &r.city)?.ok_or_else(|| {
                        StoreError::Input(format!(
                            "{}:{}: unknown city {:?} (import a station list that names it, or use a code such as 510100)",
                            file.path, r.line, r.city
                        ))
                    })?;
                    cache.insert(r.city.clone(), c.id);
                    c.id
                }
            };
            let new: [Option<i64>; 8] = [
                r.aqi.map(i64::from),
                conc_col(r.so2),
                conc_col(r.no2),
                conc_col(r.co),
                conc_col(r.pm10),
                conc_col(r.pm2_5),
                conc_col(r.o3_mda8),
                conc_col(r.o3_max_1h),
            ];
            let stored: Option<[Option<i64>; 8]> = tx
                .prepare_cached(
                    "SELECT aqi, so2, no2, co, pm10, pm2_5, o3_mda8, o3_max_1h FROM city_daily \
                     WHERE city_id = ?1 AND date = ?2 AND source = ?3",
                )?
                .query_row(params![city_id, day_num(r.date), source], |row| {
                    let mut v = [None; 8];
                    for (k, x) in v.iter_mut().enumerate() {
                        *x = row.get::<_, Option<i64>>(k)?;
                    }
                    Ok(v)
                })
                .optional()?;
            let vals = params![
                city_id,
                day_num(r.date),
                source,
                new[0],
                new[1],
                new[2],
                new[3],
                new[4],
                new[5],
                new[6],
                new[7]
            ];
            match stored {
                None => {
                    tx.execute(
                        "INSERT INTO city_daily (city_id, date, source, aqi, so2, no2, co, pm10, pm2_5, o3_mda8, \
                         o3_max_1h) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                        vals,
                    )?;
                    out.inserted += 1;
                }
                Some(old) if old == new => out.unchanged += 1,
                Some(old) => {
                    tx.execute(
                        "UPDATE city_daily SET aqi = ?4, so2 = ?5, no2 = ?6, co = ?7, pm10 = ?8, pm2_5 = ?9, \
                         o3_mda8 = ?10, o3_max_1h = ?11 WHERE city_id = ?1 AND date = ?2 AND source = ?3",
                        vals,
                    )?;
                    out.updated += 1;
                    daily_revisions(file, r, &old, &new, &mut out);
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn cities(&self) -> Result<Vec<CityInfo>> {
        let _op = crate::op::during("reading cities");
        crate::op::read(&[DataArea::Places]);
        let mut st = self.conn.prepare(
            "SELECT id, name, short_name, code, province FROM city ORDER BY code IS NULL, code, province, name",
        )?;
        let v = st.query_map([], |r| city_row(r, 0))?.collect::<rusqlite::Result<_>>()?;
        Ok(v)
    }

    fn resolve_city(&self, query: &str) -> Result<Option<CityInfo>> {
        let _op = crate::op::during("finding a city");
        crate::op::read(&[DataArea::Places]);
        find_city(&self.conn, query)
    }

    fn stations(&self, filter: &StationFilter) -> Result<Vec<StationInfo>> {
        let _op = crate::op::during("reading stations");
        crate::op::read(&[DataArea::Places]);
        let mut st = self.conn.prepare(
            "SELECT s.id, s.code, s.name, s.lon, s.lat, s.is_control, s.is_stopped, s.listed, \
             c.id, c.name, c.short_name, c.code, c.province \
             FROM station s LEFT JOIN city c ON c.id = s.city_id ORDER BY c.code IS NULL, c.code, c.province, c.name, s.code",
        )?;
        let rows = st.query_map([], |r| {
            let city = match r.get::<_, Option<i64>>(8)? {
                Some(_) => Some(city_row(r, 8)?),
                None => None,
            };
            Ok(StationInfo {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                lon: r.get(3)?,
                lat: r.get(4)?,
                is_control: r.get(5)?,
                is_stopped: r.get(6)?,
                listed: r.get(7)?,
                city,
            })
        })?;
        let mut out = Vec::new();
        for s in rows {
            let s = s?;
            let by_code = filter.codes.is_empty() || filter.codes.iter().any(|c| c.eq_ignore_ascii_case(&s.code));
            let by_city =
                filter.city_ids.is_empty() || s.city.as_ref().is_some_and(|c| filter.city_ids.contains(&c.id));
            if by_code && by_city {
                out.push(s);
            }
        }
        Ok(out)
    }

    fn station_days(&self, station_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<(NaiveDate, LabelDay)>> {
        let _op = crate::op::during("reading a station's hourly data");
        crate::op::read_hourly(Some((from, to)));
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            if let Some((_, b)) = self.day_blobs_on(BlockKind::Station, d, Some(&[station_id]))?.into_iter().next() {
                let day = codec::decode(&b).ok_or_else(|| StoreError::Corrupt(format!("station {station_id} {d}")))?;
                out.push((d, day));
            }
            d = d.succ_opt().ok_or_else(|| StoreError::Input(format!("date {d} out of range")))?;
        }
        Ok(out)
    }

    fn day_blobs_on(&self, kind: BlockKind, date: NaiveDate, stations: Option<&[i64]>) -> Result<Vec<(i64, Vec<u8>)>> {
        let _op = crate::op::during("reading hourly data");
        crate::op::read_hourly(Some((date, date)));
        let dn = day_num(date);
        let kind = kind as i64;
        let mut blocks: Vec<(i64, Vec<u8>)> = Vec::new();
        match stations {
            Some(ids) if ids.len() <= 256 => {
                let mut chunks: Vec<i64> = ids.iter().map(|id| id.div_euclid(codec::CHUNK)).collect();
                chunks.sort_unstable();
                chunks.dedup();
                let mut st = self
                    .conn
                    .prepare_cached("SELECT data FROM day_block WHERE kind = ?3 AND date = ?1 AND chunk = ?2")?;
                for c in chunks {
                    if let Some(b) = st.query_row(params![dn, c, kind], |r| r.get::<_, Vec<u8>>(0)).optional()? {
                        blocks.push((c, b));
                    }
                }
            }
            _ => {
                let mut st = self
                    .conn
                    .prepare_cached("SELECT chunk, data FROM day_block WHERE kind = ?2 AND date = ?1 ORDER BY chunk")?;
                for r in st.query_map([dn, kind], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))? {
                    blocks.push(r?);
                }
            }
        }
        let wanted: Option<Vec<i64>> = stations.map(|ids| {
            let mut v = ids.to_vec();
            v.sort_unstable();
            v
        });
        let mut out = Vec::new();
        for (c, b) in &blocks {
            for (id, e) in codec::block_entries(*c, b)
                .ok_or_else(|| StoreError::Corrupt(format!("day_block {kind} {date} {c}")))?
            {
                if wanted.as_ref().is_none_or(|ids| ids.binary_search(&id).is_ok()) {
                    out.push((id, e.to_vec()));
                }
            }
        }
        Ok(out)
    }

    fn day_blocks_into(
        &self,
        kind: BlockKind,
        date: NaiveDate,
        chunks: Option<&[i64]>,
        out: &mut Vec<(i64, Vec<u8>)>,
    ) -> Result<()> {
        let _op = crate::op::during("reading hourly data");
        crate::op::read_hourly(Some((date, date)));
        let mut st = self
            .conn
            .prepare_cached("SELECT chunk, data FROM day_block WHERE kind = ?2 AND date = ?1 ORDER BY chunk")?;
        let mut rows = st.query([day_num(date), kind as i64])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let c: i64 = r.get(0)?;
            if chunks.is_some_and(|cs| cs.binary_search(&c).is_err()) {
                continue;
            }
            let data =
                r.get_ref(1)?.as_blob().map_err(|_| StoreError::Corrupt(format!("day_block {date} chunk {c}")))?;
            if n == out.len() {
                out.push((c, Vec::new()));
            }
            let slot = &mut out[n];
            slot.0 = c;
            slot.1.clear();
            slot.1.extend_from_slice(data);
            n += 1;
        }
        out.truncate(n);
        Ok(())
    }

    fn daily_cache_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        chunks: &[i64],
    ) -> Result<Vec<(NaiveDate, i64, Vec<u8>)>> {
        let _op = crate::op::during("reading cached daily evaluations");
        crate::op::read_hourly(Some((from, to.succ_opt().unwrap_or(to))));
        let mut st = self.conn.prepare_cached(
            "SELECT date, chunk, data FROM daily_cache WHERE date BETWEEN ?1 AND ?2 ORDER BY date, chunk",
        )?;
        let mut out = Vec::new();
        let rows = st.query_map([day_num(from), day_num(to)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?))
        })?;
        for r in rows {
            let (d, c, b) = r?;
            if chunks.binary_search(&c).is_ok() {
                out.push((from_day_num(d)?, c, b));
            }
        }
        Ok(out)
    }

    fn daily_cache_on(&self, date: NaiveDate, chunks: &[i64]) -> Result<Vec<(i64, Vec<u8>)>> {
        let _op = crate::op::during("reading cached daily evaluations");
        crate::op::read_hourly(Some((date, date.succ_opt().unwrap_or(date))));
        let mut st = self.conn.prepare_cached("SELECT data FROM daily_cache WHERE date = ?1 AND chunk = ?2")?;
        let mut out = Vec::new();
        for c in chunks {
            if let Some(b) = st.query_row(params![day_num(date), c], |r| r.get::<_, Vec<u8>>(0)).optional()? {
                out.push((*c, b));
            }
        }
        Ok(out)
    }

    fn data_versions(&self) -> Result<DataVersions> {
        let _op = crate::op::during("reading the data versions");
        let mut v = DataVersions::default();
        let mut st = self.conn.prepare_cached("SELECT area, version FROM data_version")?;
        for r in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (area, version) = r?;
            if let Some(a) = DataArea::ALL.into_iter().find(|a| a.code() == area) {
                v.set(a, u64::try_from(version).unwrap_or(0));
            }
        }
        Ok(v)
    }

    fn data_generation(&self) -> Result<u64> {
        let _op = crate::op::during("reading the data generation");
        crate::op::read_hourly(None);
        let v: Option<String> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'data_generation'", [], |r| r.get(0)).optional()?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    fn put_daily_cache(&self, generation: u64, entries: &[(NaiveDate, i64, Vec<u8>)]) -> Result<bool> {
        let _op = crate::op::during("caching daily evaluations");
        // A reader stores what it computed only when that costs it no wait: inside a write batch of
        // its own connection, or while another writer holds the lock, it keeps the answer and skips
        // the cache (the next reader computes it again) — readers never wait for a writer.
        if self.in_batch {
            return Ok(false);
        }
        self.conn.busy_handler(None)?;
        let r = self.put_daily_cache_now(generation, entries);
        self.conn.busy_handler(Some(wait_polling))?;
        match r {
            Err(e) if e.is_busy() => Ok(false),
            r => r,
        }
    }

    fn city_daily(&self, city_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<CityDailyRow>> {
        let _op = crate::op::during("reading daily city values");
        crate::op::read(&[DataArea::Daily, DataArea::Places]);
        let mut st = self.conn.prepare_cached(
            "SELECT c.date, c.source, c.aqi, c.so2, c.no2, c.co, c.pm10, c.pm2_5, c.o3_mda8, c.o3_max_1h, y.name \
             FROM city_daily c JOIN city y ON y.id = c.city_id WHERE c.city_id = ?1 AND c.date BETWEEN ?2 AND ?3 ORDER BY c.date, c.source",
        )?;
        let rows = st.query_map(params![city_id, day_num(from), day_num(to)], |r| {
            let c = |i: usize| -> rusqlite::Result<Option<Conc>> { Ok(r.get::<_, Option<i64>>(i)?.map(Conc)) };
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                CityDailyRecord {
                    city: r.get(10)?,
                    date: NaiveDate::MIN,
                    aqi: r.get::<_, Option<i64>>(2)?.map(|v| v as u32),
                    so2: c(3)?,
                    no2: c(4)?,
                    co: c(5)?,
                    pm10: c(6)?,
                    pm2_5: c(7)?,
                    o3_mda8: c(8)?,
                    o3_max_1h: c(9)?,
                    line: 0,
                    unterminated: None,
                },
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (d, source, mut record) = r?;
            let date = from_day_num(d)?;
            record.date = date;
            out.push(CityDailyRow { city_id, date, source, record });
        }
        Ok(out)
    }

    fn station_date_range(&self) -> Result<Option<(NaiveDate, NaiveDate)>> {
        let _op = crate::op::during("reading the dates of hourly data");
        crate::op::read(&[DataArea::Hourly]);
        // Two ordered lookups on the primary key: `SELECT min(date), max(date)` in one statement defeats
        // SQLite's min/max optimisation and reads every block (0.1 s on a national year).
        let a: Option<i64> = self
            .conn
            .query_row("SELECT date FROM day_block WHERE kind = 0 ORDER BY date LIMIT 1", [], |r| r.get(0))
            .optional()?;
        let b: Option<i64> = self
            .conn
            .query_row("SELECT date FROM day_block WHERE kind = 0 ORDER BY date DESC LIMIT 1", [], |r| r.get(0))
            .optional()?;
        match (a, b) {
            (Some(a), Some(b)) => Ok(Some((from_day_num(a)?, from_day_num(b)?))),
            _ => Ok(None),
        }
    }

    fn city_daily_last_date(&self) -> Result<Option<NaiveDate>> {
        let _op = crate::op::during("reading the last date of daily city values");
        crate::op::read(&[DataArea::Daily]);
        let d: Option<i64> = self.conn.query_row("SELECT max(date) FROM city_daily", [], |r| r.get(0))?;
        d.map(from_day_num).transpose()
    }

    fn clear_daily_cache(&self) -> Result<()> {
        let _op = crate::op::during("clearing the daily cache");
        self.conn.execute("DELETE FROM daily_cache", [])?;
        Ok(())
    }

    fn hourly_last_change(&self, days: &[(NaiveDate, NaiveDate)]) -> Result<u64> {
        let _op = crate::op::during("reading when hourly data changed");
        let mut st = self.conn.prepare_cached(
            "SELECT coalesce(max(at_version), 0) FROM hourly_day_change WHERE date BETWEEN ?1 AND ?2",
        )?;
        let mut last = 0u64;
        for (a, b) in days {
            let v: i64 = st.query_row([day_num(*a), day_num(*b)], |r| r.get(0))?;
            last = last.max(u64::try_from(v).unwrap_or(0));
        }
        Ok(last)
    }
}

impl AccountabilityStore for SqliteStore {
    fn import_dust(&mut self, file: &FileMeta, records: &[DustRecord], approval: &Approval) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing dust periods");
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, "dust-events", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = find_city(&tx, &r.city)?
                .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, r.line, r.city)))?;
            if insert_dust(&tx, city.id, r.start, r.end, &r.source, approval)? {
                out.inserted += 1;
            } else {
                out.unchanged += 1;
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn import_targets(&mut self, file: &FileMeta, records: &[TargetRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing city targets");
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, "city-targets", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = find_city(&tx, &r.city)?
                .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, r.line, r.city)))?;
            let vals = params![city.id, r.year, conc_col(r.pm2_5), r.good_day_ratio_tenths, r.heavy_days, r.source];
            let old: Option<TargetRow> = tx
                .query_row(
                    "SELECT pm2_5, good_day_ratio_tenths, heavy_days, source FROM city_target WHERE city_id = ?1 AND year = ?2",
                    params![city.id, r.year],
                    |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)),
                )
                .optional()?;
            let new = (conc_col(r.pm2_5), r.good_day_ratio_tenths, r.heavy_days, r.source.clone());
            match old {
                Some(o) if o == new => out.unchanged += 1,
                Some(_) => {
                    tx.execute(
                        "UPDATE city_target SET pm2_5 = ?3, good_day_ratio_tenths = ?4, heavy_days = ?5, source = ?6 WHERE city_id = ?1 AND year = ?2",
                        vals,
                    )?;
                    out.updated += 1;
                }
                None => {
                    tx.execute(
                        "INSERT INTO city_target (city_id, year, pm2_5, good_day_ratio_tenths, heavy_days, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        vals,
                    )?;
                    out.inserted += 1;
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn import_adjustments(
        &mut self,
        file: &FileMeta,
        records: &[AdjustmentRecord],
        approval: &Approval,
    ) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing bonus/penalty items");
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, "adjustments", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = find_city(&tx, &r.city)?
                .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, r.line, r.city)))?;
            if insert_adjustment(&tx, city.id, r.date, &r.item, &r.evidence, &r.approver, approval)? {
                out.inserted += 1;
            } else {
                out.unchanged += 1;
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn propose_adjustments(
        &mut self,
        file: &FileMeta,
        records: &[AdjustmentRecord],
        by: &str,
        at: &str,
    ) -> Result<ImportOutcome> {
        let _op = crate::op::during("recording proposed bonus/penalty items");
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, "adjustments", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = find_city(&tx, &r.city)?
                .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, r.line, r.city)))?;
            let stored: i64 = tx.query_row(
                "SELECT count(*) FROM adjustment WHERE city_id = ?1 AND date = ?2 AND item = ?3 AND evidence = ?4 AND approver = ?5",
                params![city.id, day_num(r.date), r.item, r.evidence, r.approver],
                |x| x.get(0),
            )?;
            let record = serde_json::json!({
                "city_id": city.id, "date": r.date.to_string(), "item": r.item,
                "evidence": r.evidence, "approver": r.approver,
            })
            .to_string();
            let summary = format!("{} {} {}（{}）", r.date, r.item, r.evidence, r.approver);
            if stored == 0 && insert_proposal(&tx, "adjustment", city.id, &record, &summary, &file.path, by, at)? {
                out.inserted += 1;
            } else {
                out.unchanged += 1;
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn propose_dust(&mut self, file: &FileMeta, records: &[DustRecord], by: &str, at: &str) -> Result<ImportOutcome> {
        let _op = crate::op::during("recording proposed dust periods");
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, "dust-events", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = find_city(&tx, &r.city)?
                .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, r.line, r.city)))?;
            let stored: i64 = tx.query_row(
                "SELECT count(*) FROM dust_event WHERE city_id = ?1 AND start_date = ?2 AND end_date = ?3 AND source = ?4",
                params![city.id, day_num(r.start), day_num(r.end), r.source],
                |x| x.get(0),
            )?;
            let record = serde_json::json!({
                "city_id": city.id, "start": r.start.to_string(), "end": r.end.to_string(), "source": r.source,
            })
            .to_string();
            let summary = format!("{} … {} {}", r.start, r.end, r.source);
            if stored == 0 && insert_proposal(&tx, "dust", city.id, &record, &summary, &file.path, by, at)? {
                out.inserted += 1;
            } else {
                out.unchanged += 1;
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn proposals(&self, city_id: Option<i64>, status: Option<&str>) -> Result<Vec<Proposal>> {
        let _op = crate::op::during("reading proposals");
        crate::op::read(&[DataArea::Accounts, DataArea::Places]);
        let mut st = self.conn.prepare(
            "SELECT p.id, p.kind, p.city_id, COALESCE(c.short_name, c.name, ''), p.record, p.summary, p.file, \
             p.proposed_by, p.proposed_at, p.status, p.decided_by, p.decided_at, p.note \
             FROM proposal p LEFT JOIN city c ON c.id = p.city_id \
             WHERE (?1 IS NULL OR p.city_id = ?1) AND (?2 IS NULL OR p.status = ?2) ORDER BY p.id DESC",
        )?;
        let rows = st.query_map(params![city_id, status], proposal_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn decide_proposal(
        &mut self,
        id: i64,
        approve: bool,
        by: &str,
        at: &str,
        note: &str,
        remote: &str,
    ) -> Result<Proposal> {
        let _op = crate::op::during("deciding a proposal");
        let tx = self.conn.savepoint()?;
        let p = tx
            .query_row(
                "SELECT p.id, p.kind, p.city_id, COALESCE(c.short_name, c.name, ''), p.record, p.summary, p.file, \
                 p.proposed_by, p.proposed_at, p.status, p.decided_by, p.decided_at, p.note \
                 FROM proposal p LEFT JOIN city c ON c.id = p.city_id WHERE p.id = ?1",
                [id],
                proposal_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::Input(format!("no proposal #{id}")))?;
        let approval = Approval { by: by.to_string(), at: at.to_string() };
        match crate::proposals::approved_record(&p, approve)? {
            Some(crate::proposals::Approved::Adjustment { date, item, evidence, approver }) => {
                insert_adjustment(&tx, p.city_id, date, &item, &evidence, &approver, &approval)?;
            }
            Some(crate::proposals::Approved::Dust { start, end, source }) => {
                insert_dust(&tx, p.city_id, start, end, &source, &approval)?;
            }
            None => {}
        }
        tx.execute(
            "UPDATE proposal SET status = ?2, decided_by = ?3, decided_at = ?4, note = ?5 WHERE id = ?1",
            params![id, crate::proposals::status(approve), by, at, note],
        )?;
        let (action, detail) = crate::proposals::audit_entry(&p, approve, note);
        tx.execute(
            "INSERT INTO audit_log (at, actor, action, detail, remote) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![at, by, action, detail, remote],
        )?;
        tx.commit()?;
        Ok(crate::proposals::decided(p, approve, by, at, note))
    }

    fn adjustments(&self, city_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<AdjustmentRow>> {
        let _op = crate::op::during("reading bonus/penalty items");
        crate::op::read(&[DataArea::Assessment]);
        let mut st = self.conn.prepare_cached(
            "SELECT date, item, evidence, approver, approved_by, approved_at FROM adjustment \
             WHERE city_id = ?1 AND date BETWEEN ?2 AND ?3 ORDER BY date, item",
        )?;
        let rows = st.query_map(params![city_id, day_num(from), day_num(to)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (d, item, evidence, approver, approved_by, approved_at) = r?;
            out.push(AdjustmentRow { date: from_day_num(d)?, item, evidence, approver, approved_by, approved_at });
        }
        Ok(out)
    }

    fn import_national_ranks(&mut self, file: &FileMeta, records: &[NationalRankRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing national ranks");
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, "national-ranks", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = find_city(&tx, &r.city)?
                .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, r.line, r.city)))?;
            let old: Option<u32> = tx
                .query_row(
                    "SELECT rank FROM national_rank WHERE city_id = ?1 AND period = ?2",
                    params![city.id, r.period],
                    |x| x.get(0),
                )
                .optional()?;
            match old {
                Some(k) if k == r.rank => out.unchanged += 1,
                Some(_) => {
                    tx.execute(
                        "UPDATE national_rank SET rank = ?3 WHERE city_id = ?1 AND period = ?2",
                        params![city.id, r.period, r.rank],
                    )?;
                    out.updated += 1;
                }
                None => {
                    tx.execute(
                        "INSERT INTO national_rank (city_id, period, rank) VALUES (?1, ?2, ?3)",
                        params![city.id, r.period, r.rank],
                    )?;
                    out.inserted += 1;
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn national_rank(&self, city_id: i64, period: &str) -> Result<Option<u32>> {
        let _op = crate::op::during("reading a national rank");
        crate::op::read(&[DataArea::Assessment]);
        Ok(self
            .conn
            .query_row(
                "SELECT rank FROM national_rank WHERE city_id = ?1 AND period = ?2",
                params![city_id, period],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn import_tasks(&mut self, file: &FileMeta, records: &[TaskRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing target tasks");
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, "target-tasks", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = find_city(&tx, &r.city)?
                .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, r.line, r.city)))?;
            let vals = params![
                r.code,
                city.id,
                r.department,
                r.description,
                r.unit,
                r.kind.code(),
                r.baseline,
                r.target,
                day_num(r.start),
                day_num(r.deadline)
            ];
            let exists: bool =
                tx.query_row("SELECT count(*) FROM task WHERE code = ?1", [&r.code], |x| x.get::<_, i64>(0))? > 0;
            if !exists {
                tx.execute(
                    "INSERT INTO task (code, city_id, department, description, unit, kind, baseline, target, start_date, deadline) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    vals,
                )?;
                out.inserted += 1;
            } else {
                let n = tx.execute(
                    "UPDATE task SET city_id = ?2, department = ?3, description = ?4, unit = ?5, kind = ?6, baseline = ?7, \
                     target = ?8, start_date = ?9, deadline = ?10 WHERE code = ?1 AND NOT (city_id = ?2 AND department = ?3 \
                     AND description = ?4 AND unit = ?5 AND kind = ?6 AND baseline = ?7 AND target = ?8 AND start_date = ?9 \
                     AND deadline = ?10)",
                    vals,
                )?;
                if n > 0 {
                    out.updated += 1;
                } else {
                    out.unchanged += 1;
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn import_task_reports(&mut self, file: &FileMeta, records: &[TaskReportRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing task progress reports");
        let tx = self.conn.savepoint()?;
        let mut out = ImportOutcome {
            new_file: Self::record_file(&tx, file, "task-reports", records.len())?,
            ..Default::default()
        };
        for r in records {
            let id: i64 = tx
                .query_row("SELECT id FROM task WHERE code = ?1", [&r.task], |x| x.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::Input(format!(
                        "{}:{}: unknown task {:?} (import the task first)",
                        file.path, r.line, r.task
                    ))
                })?;
            let old: Option<(String, String)> = tx
                .query_row(
                    "SELECT value, source FROM task_report WHERE task_id = ?1 AND date = ?2",
                    params![id, day_num(r.date)],
                    |x| Ok((x.get(0)?, x.get(1)?)),
                )
                .optional()?;
            match old {
                Some((v, s)) if v == r.value && s == r.source => out.unchanged += 1,
                Some(_) => {
                    tx.execute(
                        "UPDATE task_report SET value = ?3, source = ?4 WHERE task_id = ?1 AND date = ?2",
                        params![id, day_num(r.date), r.value, r.source],
                    )?;
                    out.updated += 1;
                }
                None => {
                    tx.execute(
                        "INSERT INTO task_report (task_id, date, value, source) VALUES (?1, ?2, ?3, ?4)",
                        params![id, day_num(r.date), r.value, r.source],
                    )?;
                    out.inserted += 1;
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn tasks(&self, city_ids: &[i64]) -> Result<Vec<TaskInfo>> {
        let _op = crate::op::during("reading target tasks");
        crate::op::read(&[DataArea::Tasks, DataArea::Places]);
        let cities: HashMap<i64, CityInfo> = self.cities()?.into_iter().map(|c| (c.id, c)).collect();
        let mut st = self.conn.prepare(
            "SELECT id, code, city_id, department, description, unit, kind, baseline, target, start_date, deadline FROM task ORDER BY city_id, code",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, i64>(9)?,
                r.get::<_, i64>(10)?,
            ))
        })?;
        let mut rep =
            self.conn.prepare("SELECT date, value, source FROM task_report WHERE task_id = ?1 ORDER BY date")?;
        let mut out = Vec::new();
        for r in rows {
            let (id, code, city_id, department, description, unit, kind, baseline, target, start, deadline) = r?;
            if !city_ids.is_empty() && !city_ids.contains(&city_id) {
                continue;
            }
            let Some(city) = cities.get(&city_id).cloned() else { continue };
            let mut reports = Vec::new();
            for x in
                rep.query_map([id], |x| Ok((x.get::<_, i64>(0)?, x.get::<_, String>(1)?, x.get::<_, String>(2)?)))?
            {
                let (d, v, s) = x?;
                reports.push((from_day_num(d)?, v, s));
            }
            out.push(TaskInfo {
                code,
                city,
                department,
                description,
                unit,
                kind,
                baseline,
                target,
                start: from_day_num(start)?,
                deadline: from_day_num(deadline)?,
                reports,
            });
        }
        Ok(out)
    }

    fn publish(&mut self, r: &PublishedRecord) -> Result<i64> {
        let _op = crate::op::during("storing a published result");
        self.conn.execute(
            "INSERT INTO published_result (kind, key, scheme_id, scheme_version, scheme_text, inputs_json, results_json, published_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![r.kind, r.key, r.scheme_id, r.scheme_version, r.scheme_text, r.inputs_json, r.results_json, r.published_at],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn published(&self, id: i64) -> Result<Option<PublishedRecord>> {
        let _op = crate::op::during("reading a published result");
        crate::op::read(&[DataArea::Published]);
        Ok(self
            .conn
            .query_row(
                "SELECT id, kind, key, scheme_id, scheme_version, scheme_text, inputs_json, results_json, published_at \
                 FROM published_result WHERE id = ?1",
                [id],
                |r| {
                    Ok(PublishedRecord {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        key: r.get(2)?,
                        scheme_id: r.get(3)?,
                        scheme_version: r.get(4)?,
                        scheme_text: r.get(5)?,
                        inputs_json: r.get(6)?,
                        results_json: r.get(7)?,
                        published_at: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }

    fn dust_days(&self, city_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>> {
        let _op = crate::op::during("reading dust days");
        crate::op::read(&[DataArea::Assessment]);
        let mut st = self.conn.prepare_cached(
            "SELECT start_date, end_date FROM dust_event WHERE city_id = ?1 AND end_date >= ?2 AND start_date <= ?3",
        )?;
        let mut days = std::collections::BTreeSet::new();
        for r in st.query_map(params![city_id, day_num(from), day_num(to)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })? {
            let (a, b) = r?;
            for n in a.max(day_num(from))..=b.min(day_num(to)) {
                days.insert(from_day_num(n)?);
            }
        }
        Ok(days.into_iter().collect())
    }

    fn target(&self, city_id: i64, year: i32) -> Result<Option<CityTarget>> {
        let _op = crate::op::during("reading a city target");
        crate::op::read(&[DataArea::Assessment]);
        Ok(self
            .conn
            .query_row(
                "SELECT pm2_5, good_day_ratio_tenths, heavy_days, source FROM city_target WHERE city_id = ?1 AND year = ?2",
                params![city_id, year],
                |r| {
                    Ok(CityTarget {
                        year,
                        pm2_5: r.get::<_, Option<i64>>(0)?.map(Conc),
                        good_day_ratio_tenths: r.get(1)?,
                        heavy_days: r.get(2)?,
                        source: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}

impl AccountStore for SqliteStore {
    fn add_account(&mut self, a: &NewAccount) -> Result<i64> {
        let _op = crate::op::during("adding an account");
        if self.account(&a.name)?.is_some() {
            return Err(StoreError::Input(format!("an account named {:?} exists", a.name)));
        }
        self.conn.execute(
            "INSERT INTO account (name, password_hash, role, city_id, department, created_at, grants) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![a.name, a.password_hash, a.role, a.city_id, a.department, a.created_at, a.grants.join(",")],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        let _op = crate::op::during("reading accounts");
        crate::op::read(&[DataArea::Accounts, DataArea::Places]);
        let mut st = self.conn.prepare(&format!("SELECT {ACCOUNT_COLUMNS} FROM account a ORDER BY a.name"))?;
        let rows = st.query_map([], account_row)?.collect::<std::result::Result<Vec<_>, _>>()?;
        rows.into_iter().map(|(a, city)| self.with_city(a, city)).collect()
    }

    fn account(&self, name: &str) -> Result<Option<Account>> {
        let _op = crate::op::during("reading an account");
        crate::op::read(&[DataArea::Accounts, DataArea::Places]);
        let row = self
            .conn
            .query_row(&format!("SELECT {ACCOUNT_COLUMNS} FROM account a WHERE a.name = ?1"), [name], account_row)
            .optional()?;
        row.map(|(a, city)| self.with_city(a, city)).transpose()
    }

    fn set_account_disabled(&mut self, name: &str, disabled: bool, at: &str) -> Result<bool> {
        let _op = crate::op::during("disabling or enabling an account");
        let tx = self.conn.savepoint()?;
        let found = if disabled {
            let n = tx.execute(
                "UPDATE account SET disabled = 1, credential_epoch = credential_epoch + 1 WHERE name = ?1",
                [name],
            )?;
            tx.execute(
                "UPDATE api_token SET revoked_at = ?2 WHERE revoked_at IS NULL \
                 AND account_id = (SELECT id FROM account WHERE name = ?1)",
                params![name, at],
            )?;
            n > 0
        } else {
            tx.execute("UPDATE account SET disabled = 0 WHERE name = ?1", [name])? > 0
        };
        tx.commit()?;
        Ok(found)
    }

    fn set_account_grants(&mut self, name: &str, grants: &[String]) -> Result<bool> {
        let _op = crate::op::during("setting an account's grants");
        Ok(self.conn.execute("UPDATE account SET grants = ?2 WHERE name = ?1", params![name, grants.join(",")])? > 0)
    }

    fn add_token(&mut self, t: &NewToken) -> Result<()> {
        let _op = crate::op::during("storing an API token");
        self.conn.execute(
            "INSERT INTO api_token (token_sha256, account_id, label, created_at, scopes, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![t.sha256, t.account_id, t.label, t.created_at, t.scopes, t.expires_at],
        )?;
        Ok(())
    }

    fn token(&self, token_sha256: &str) -> Result<Option<(Account, TokenInfo)>> {
        let _op = crate::op::during("reading an API token");
        crate::op::read(&[DataArea::Accounts, DataArea::Places]);
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS}, t.rowid, t.label, t.scopes, t.created_at, t.expires_at, t.revoked_at \
                     FROM api_token t JOIN account a ON a.id = t.account_id WHERE t.token_sha256 = ?1"
                ),
                [token_sha256],
                |r| Ok((account_row(r)?, token_row(r, 10)?)),
            )
            .optional()?;
        row.map(|((a, city), t)| Ok((self.with_city(a, city)?, t))).transpose()
    }

    fn tokens(&self, account_id: i64) -> Result<Vec<TokenInfo>> {
        let _op = crate::op::during("reading API tokens");
        crate::op::read(&[DataArea::Accounts]);
        let mut st = self.conn.prepare(
            "SELECT rowid, label, scopes, created_at, expires_at, revoked_at FROM api_token \
             WHERE account_id = ?1 ORDER BY rowid",
        )?;
        let rows = st.query_map([account_id], |r| token_row(r, 0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn revoke_tokens(&mut self, account_id: i64, label: Option<&str>, at: &str) -> Result<usize> {
        let _op = crate::op::during("revoking API tokens");
        Ok(self.conn.execute(
            "UPDATE api_token SET revoked_at = ?3 WHERE account_id = ?1 AND revoked_at IS NULL \
             AND (?2 IS NULL OR label = ?2)",
            params![account_id, label, at],
        )?)
    }

    fn audit(&mut self, at: &str, actor: &str, action: &str, detail: &str, remote: &str) -> Result<()> {
        let _op = crate::op::during("writing the audit log");
        self.conn.execute(
            "INSERT INTO audit_log (at, actor, action, detail, remote) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![at, actor, action, detail, remote],
        )?;
        Ok(())
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let _op = crate::op::during("reading the audit log");
        crate::op::read(&[DataArea::Accounts]);
        let mut st = self
            .conn
            .prepare("SELECT id, at, actor, action, detail, remote FROM audit_log ORDER BY id DESC LIMIT ?1")?;
        let rows = st
            .query_map([limit as i64], |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    detail: r.get(4)?,
                    remote: r.get(5)?,
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

/// An account row without its city resolved: `(account, city_id)`.
/// The columns [`account_row`] reads, of `account a`.
const ACCOUNT_COLUMNS: &str =
    "a.id, a.name, a.password_hash, a.role, a.city_id, a.department, a.disabled, a.created_at, a.credential_epoch, a.grants";

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Account, Option<i64>)> {
    Ok((
        Account {
            id: r.get(0)?,
            name: r.get(1)?,
            password_hash: r.get(2)?,
            role: r.get(3)?,
            city: None,
            department: r.get(5)?,
            disabled: r.get::<_, i64>(6)? != 0,
            created_at: r.get(7)?,
            credential_epoch: r.get(8)?,
            grants: split_list(&r.get::<_, String>(9)?),
        },
        r.get(4)?,
    ))
}

pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

fn token_row(r: &rusqlite::Row<'_>, base: usize) -> rusqlite::Result<TokenInfo> {
    Ok(TokenInfo {
        id: r.get(base)?,
        label: r.get(base + 1)?,
        scopes: split_list(&r.get::<_, String>(base + 2)?),
        created_at: r.get(base + 3)?,
        expires_at: r.get(base + 4)?,
        revoked_at: r.get(base + 5)?,
    })
}

fn proposal_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Proposal> {
    Ok(Proposal {
        id: r.get(0)?,
        kind: r.get(1)?,
        city_id: r.get(2)?,
        city: r.get(3)?,
        record: r.get(4)?,
        summary: r.get(5)?,
        file: r.get(6)?,
        proposed_by: r.get(7)?,
        proposed_at: r.get(8)?,
        status: r.get(9)?,
        decided_by: r.get(10)?,
        decided_at: r.get(11)?,
        note: r.get(12)?,
    })
}

/// Stores an approved bonus/penalty item; false when the same item was stored already (its approval
/// stays as it was).
fn insert_adjustment(
    tx: &Connection,
    city_id: i64,
    date: NaiveDate,
    item: &str,
    evidence: &str,
    approver: &str,
    approval: &Approval,
) -> Result<bool> {
    let n = tx.execute(
        "INSERT INTO adjustment (city_id, date, item, evidence, approver, approved_by, approved_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT(city_id, date, item, evidence) DO UPDATE SET approver = excluded.approver, \
         approved_by = excluded.approved_by, approved_at = excluded.approved_at \
         WHERE approver IS NOT excluded.approver",
        params![city_id, day_num(date), item, evidence, approver, approval.by, approval.at],
    )?;
    Ok(n > 0)
}

/// Stores an approved dust period; false when it was stored already.
fn insert_dust(
    tx: &Connection,
    city_id: i64,
    start: NaiveDate,
    end: NaiveDate,
    source: &str,
    approval: &Approval,
) -> Result<bool> {
    let n = tx.execute(
        "INSERT INTO dust_event (city_id, start_date, end_date, source, approved_by, approved_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT(city_id, start_date, end_date) DO UPDATE SET source = excluded.source, \
         approved_by = excluded.approved_by, approved_at = excluded.approved_at WHERE source IS NOT excluded.source",
        params![city_id, day_num(start), day_num(end), source, approval.by, approval.at],
    )?;
    Ok(n > 0)
}

/// Records a pending proposal; false when the same record is pending already.
#[allow(clippy::too_many_arguments)]
fn insert_proposal(
    tx: &Connection,
    kind: &str,
    city_id: i64,
    record: &str,
    summary: &str,
    file: &str,
    by: &str,
    at: &str,
) -> Result<bool> {
    let n = tx.execute(
        "INSERT OR IGNORE INTO proposal (kind, city_id, record, summary, file, proposed_by, proposed_at, status) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')",
        params![kind, city_id, record, summary, file, by, at],
    )?;
    Ok(n > 0)
}

impl SqliteStore {
    fn with_city(&self, mut a: Account, city_id: Option<i64>) -> Result<Account> {
        if let Some(id) = city_id {
            a.city = self.cities()?.into_iter().find(|c| c.id == id);
        }
        Ok(a)
    }
}

#[cfg(test)]
mod migration_tests {
    use super::*;
    use crate::AreaSet;

    fn bare() -> SqliteStore {
        SqliteStore {
            conn: Connection::open_in_memory().expect("memory"),
            station_ids: None,
            in_batch: false,
            committed_at: None,
        }
    }

    /// A store as the programs before `schema_migration` built it (the runner of schema ≤ 14, kept
    /// here as the fixture of the upgrade): each migration's text, the cities after the first, and
    /// `meta.schema_version` — no migration recorded.
    fn legacy_store(upto: usize) -> SqliteStore {
        let mut s = bare();
        for (i, m) in MIGRATIONS.iter().enumerate().take(upto) {
            let tx = s.conn.transaction().expect("tx");
            tx.execute_batch(m.sql).expect("migration");
            if i == 0 {
                for c in &SICHUAN_CITIES {
                    tx.execute(
                        "INSERT INTO city (name, name_key, short_name, code, province) VALUES (?1, ?2, ?3, ?4, '四川省')",
                        params![c.name, name_key(c.name), c.short, c.code],
                    )
                    .expect("city");
                }
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![(i + 1).to_string()],
            )
            .expect("version");
            tx.commit().expect("commit");
        }
        s
    }

    /// `schema_migration` rows: (number, name, checksum, algorithm, applied_at, recorded_at).
    type Recorded = (u32, String, String, String, Option<String>, String);

    fn recorded(s: &SqliteStore) -> Vec<Recorded> {
        s.conn
            .prepare(
                "SELECT number, name, checksum, algorithm, applied_at, recorded_at FROM schema_migration ORDER BY number",
            )
            .expect("select")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("read")
    }

    /// `2026-03-01T10:00:00+08:00`: a Beijing time stamp.
    fn beijing_stamp(t: &str) -> bool {
        t.len() == 25
            && t.ends_with("+08:00")
            && chrono::NaiveDateTime::parse_from_str(&t[..19], "%Y-%m-%dT%H:%M:%S").is_ok()
    }

    /// A new store records every migration of the program with the BLAKE3 of its file, applied now.
    #[test]
    fn a_fresh_store_records_every_migration() {
        let s = SqliteStore::memory().expect("store");
        let rows = recorded(&s);
        assert_eq!(rows.len(), MIGRATIONS.len());
        for (r, m) in rows.iter().zip(MIGRATIONS) {
            assert_eq!((r.0, r.1.as_str(), r.3.as_str()), (m.number, m.name, "blake3"));
            assert_eq!(r.2, blake3::hash(m.sql.as_bytes()).to_hex().to_string(), "{}", m.name);
            assert!(r.4.as_deref().is_some_and(beijing_stamp), "{r:?}");
            assert!(beijing_stamp(&r.5), "{r:?}");
        }
        assert_eq!(rows[0].1, "0001_core");
        assert_eq!(s.schema_version().expect("version"), MIGRATIONS.len());
    }

    /// A store built by the old runner (schema 14, and an older one at 10) gets the rows of the
    /// migrations it has — not applied again (`applied_at` empty, its data kept) — and the newer ones
    /// applied and recorded; opening it again changes nothing.
    #[test]
    fn a_store_from_before_the_records_upgrades_and_records_them() {
        for had in [14, 10] {
            let mut s = legacy_store(had);
            assert_eq!(s.schema_version().expect("version"), had);
            s.conn
                .execute("INSERT INTO station (code, name) VALUES ('1001A', '万寿西宫')", [])
                .expect("a station of the old store");
            s.migrate().expect("upgrade");
            let rows = recorded(&s);
            assert_eq!(rows.len(), MIGRATIONS.len(), "from schema {had}");
            for (k, (r, m)) in rows.iter().zip(MIGRATIONS).enumerate() {
                assert_eq!((r.0, r.1.as_str(), r.2.clone()), (m.number, m.name, m.checksum()));
                assert_eq!(r.4.is_none(), k < had, "schema {had}, {}: applied_at {:?}", m.name, r.4);
            }
            let stations: i64 = s.conn.query_row("SELECT count(*) FROM station", [], |r| r.get(0)).expect("count");
            assert_eq!(stations, 1, "the old data stay");
            let cities: i64 = s.conn.query_row("SELECT count(*) FROM city", [], |r| r.get(0)).expect("count");
            assert_eq!(cities, 21, "migration 1 is not applied again");
            let old_triggers: i64 = s
                .conn
                .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cv_%'", [], |r| {
                    r.get(0)
                })
                .expect("count");
            assert_eq!(old_triggers, 0, "migration 15 replaced the content_version triggers");
            let old_row: i64 = s
                .conn
                .query_row("SELECT count(*) FROM meta WHERE key = 'content_version'", [], |r| r.get(0))
                .expect("count");
            assert_eq!(old_row, 0, "from schema {had}");
            // The upgraded store raises the version of the area a change touches, and only that one.
            let v = s.data_versions().expect("versions");
            s.conn.execute("UPDATE station SET name = '万寿西宫站' WHERE code = '1001A'", []).expect("rename");
            let w = s.data_versions().expect("versions");
            let others = AreaSet::of(&DataArea::ALL[1..]);
            assert_eq!((w.get(DataArea::Places), w.only(others)), (v.get(DataArea::Places) + 1, v.only(others)));
            s.migrate().expect("again");
            assert_eq!(recorded(&s), rows, "nothing more to record");
        }
    }

    /// A released migration edited afterwards is refused on open, naming it, and nothing is applied;
    /// so is a renamed one. Migrations the store has not applied yet may still change.
    #[test]
    fn an_edited_migration_is_refused() {
        let mut s = bare();
        s.migrate_up_to(10).expect("schema 10");
        let mut edited = MIGRATIONS.to_vec();
        edited[6] =
            Migration { sql: "-- a comment added after the release\nCREATE TABLE task (id INTEGER);", ..edited[6] };
        let err = s.migrate_with(&edited, edited.len()).expect_err("an edited migration");
        let msg = err.to_string();
        assert!(msg.contains("migration 0007_tasks was edited after it was released"), "{msg}");
        assert!(msg.contains(&MIGRATIONS[6].checksum()) && msg.contains(&edited[6].checksum()), "{msg}");
        assert_eq!(s.schema_version().expect("version"), 10, "nothing applied");
        assert_eq!(recorded(&s).len(), 10);

        let mut renamed = MIGRATIONS.to_vec();
        renamed[2] = Migration { name: "0003_cached_days", ..renamed[2] };
        let msg = s.migrate_with(&renamed, renamed.len()).expect_err("a renamed migration").to_string();
        assert!(msg.contains("0003_daily_cache") && msg.contains("0003_cached_days"), "{msg}");

        // Migration 12 is not applied yet: its text is not released to this store.
        let mut later = MIGRATIONS.to_vec();
        later[11] = Migration { sql: "SELECT 1;", ..later[11] };
        s.migrate_with(&later, later.len()).expect("an unapplied migration may differ");
        assert_eq!(recorded(&s)[11].2, later[11].checksum());
        // The windows line ends of a checkout are no edit.
        let crlf: Vec<String> = MIGRATIONS.iter().map(|m| m.sql.replace('\n', "\r\n")).collect();
        let mut fresh = bare();
        fresh.migrate().expect("store");
        let list: Vec<Migration> = MIGRATIONS
            .iter()
            .zip(&crlf)
            .map(|(m, t)| Migration { sql: Box::leak(t.clone().into_boxed_str()), ..*m })
            .collect();
        fresh.migrate_with(&list, list.len()).expect("CRLF is the same text");
    }

    /// Schema 11: files imported before keep their SHA-256, labelled; new ones get BLAKE3 (the
    /// official test vector of the empty input).
    #[test]
    fn import_hashes_before_and_after_schema_11() {
        let mut s = SqliteStore {
            conn: Connection::open_in_memory().expect("memory"),
            station_ids: None,
            in_batch: false,
            committed_at: None,
        };
        s.migrate_up_to(10).expect("schema 10");
        s.conn
            .execute(
                "INSERT INTO import_file (sha256, kind, path, bytes, rows, first_imported_at) VALUES ('e3b0c4', 'x', 'old.csv', 0, 0, 't')",
                [],
            )
            .expect("an old row");
        s.migrate().expect("to the latest schema");
        assert_eq!(s.schema_version().expect("version"), MIGRATIONS.len());
        let tx = s.conn.transaction().expect("tx");
        let file = FileMeta::new("new.csv", b"", "t");
        assert_eq!(file.content_hash, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
        assert!(SqliteStore::record_file(&tx, &file, "x", 0).expect("record"));
        tx.commit().expect("commit");
        let rows: Vec<(String, String, String)> = s
            .conn
            .prepare("SELECT path, algorithm, content_hash FROM import_file ORDER BY path")
            .expect("select")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("read");
        assert_eq!(rows[0], ("new.csv".into(), "blake3".into(), file.content_hash.clone()));
        assert_eq!(rows[1], ("old.csv".into(), "sha256".into(), "e3b0c4".into()));
    }

    /// Schema 13: aqistudy rows stored by the old reader (their O3, the daily maximum 1-hour value, in
    /// `o3_mda8`) move to `o3_max_1h`; rows of other sources keep their MDA8; re-importing the file
    /// with the corrected reader then changes nothing.
    #[test]
    fn schema_13_moves_the_aqistudy_o3_to_the_maximum_1_hour_value() {
        let mut s = SqliteStore {
            conn: Connection::open_in_memory().expect("memory"),
            station_ids: None,
            in_batch: false,
            committed_at: None,
        };
        s.migrate_up_to(12).expect("schema 12");
        let aba: i64 =
            s.conn.query_row("SELECT id FROM city WHERE code = 513200", [], |r| r.get(0)).expect("阿坝州 is seeded");
        // 阿坝州 2015-10-29 as the old reader stored it (O3 199 as an MDA8), and a long-CSV row whose
        // o3_mda8 really is one.
        let text = "\u{feff}阿坝州,2015-10-29,39,25~99,优,16.2,35.9,23,0.373,13,199,85\n";
        let day = day_num(NaiveDate::from_ymd_opt(2015, 10, 29).expect("date"));
        s.conn
            .execute(
                "INSERT INTO city_daily (city_id, date, source, aqi, so2, no2, co, pm10, pm2_5, o3_mda8, o3_max_1h) \
                 VALUES (?1, ?2, 'aqistudy-daily', 39, 23000, 13000, 373, 35900, 16200, 199000, NULL), \
                        (?1, ?2, 'city-daily', 40, 23000, 13000, 400, 36000, 16000, 150000, NULL)",
                params![aba, day],
            )
            .expect("old rows");
        s.migrate().expect("to the latest schema");
        assert_eq!(s.schema_version().expect("version"), MIGRATIONS.len());
        let o3 = |source: &str| -> (Option<i64>, Option<i64>) {
            s.conn
                .query_row(
                    "SELECT o3_mda8, o3_max_1h FROM city_daily WHERE city_id = ?1 AND date = ?2 AND source = ?3",
                    params![aba, day, source],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .expect("row")
        };
        assert_eq!(o3("aqistudy-daily"), (None, Some(199_000)));
        assert_eq!(o3("city-daily"), (Some(150_000), None), "other sources keep their MDA8");
        let path = std::path::Path::new("阿坝州.csv");
        let records =
            lantian_ingest::air::citydaily::parse_city_daily(path, text, lantian_ingest::CityDailyLayout::Aqistudy)
                .expect("an aqistudy file");
        let out = s
            .import_city_daily(&FileMeta::new("阿坝州.csv", text.as_bytes(), "t"), "aqistudy-daily", &records)
            .expect("imports");
        assert_eq!((out.inserted, out.updated, out.unchanged), (0, 0, 1), "the migrated row equals the new reading");
    }

    /// Schema 14 (issue 12 §3–4): a token issued before keeps its one use (`upload`) and expires 90 days
    /// after the upgrade instead of never; accounts start at credential epoch 0 without grants; items and
    /// dust periods stored before carry no platform approval; a city's proposal is in no table a number
    /// is read from until approved, and its approval is stored with who and when and audited.
    #[test]
    fn schema_14_gives_old_tokens_an_expiry_and_keeps_proposals_apart() {
        let mut s = SqliteStore {
            conn: Connection::open_in_memory().expect("memory"),
            station_ids: None,
            in_batch: false,
            committed_at: None,
        };
        s.migrate_up_to(13).expect("schema 13");
        let cd: i64 = s.conn.query_row("SELECT id FROM city WHERE code = 510100", [], |r| r.get(0)).expect("成都");
        let may20 = day_num(NaiveDate::from_ymd_opt(2022, 5, 20).expect("date"));
        s.conn
            .execute_batch(&format!(
                "INSERT INTO account (name, password_hash, role, created_at) VALUES ('old', 'h', 'city', 't');
                 INSERT INTO api_token (token_sha256, account_id, label, created_at) VALUES ('d1', 1, 'api', 't');
                 INSERT INTO adjustment (city_id, date, item, evidence, approver) VALUES ({cd}, {may20}, 'yuetan', '函', '省厅');"
            ))
            .expect("old rows");
        let before: i64 =
            s.conn.query_row("SELECT CAST(strftime('%s', 'now') AS INTEGER)", [], |r| r.get(0)).expect("now");
        s.migrate().expect("to the latest schema");
        assert_eq!(s.schema_version().expect("version"), MIGRATIONS.len());
        let (account, token) = s.token("d1").expect("read").expect("the old token");
        assert_eq!(token.scopes, vec!["upload".to_string()]);
        let expires = token.expires_at.expect("an expiry");
        assert!((before + 90 * 86400..=before + 90 * 86400 + 60).contains(&expires), "{expires} vs {before}");
        assert_eq!((account.credential_epoch, account.grants.len(), token.revoked_at), (0, 0, None));
        let (from, to) =
            (NaiveDate::from_ymd_opt(2022, 5, 1).expect("d"), NaiveDate::from_ymd_opt(2022, 5, 31).expect("d"));
        let old = s.adjustments(cd, from, to).expect("items");
        assert_eq!((old.len(), old[0].approved_by.clone()), (1, None));

        // A proposal changes nothing until approved; approving stores who and when and audits it.
        let rec = lantian_ingest::accountability::AdjustmentRecord {
            city: "成都".into(),
            date: NaiveDate::from_ymd_opt(2022, 5, 8).expect("d"),
            item: "green_benchmark".into(),
            evidence: "认定文件".into(),
            approver: "省经信厅".into(),
            line: 2,
        };
        let file = FileMeta::new("adj.csv", b"x", "t");
        let out = s.propose_adjustments(&file, std::slice::from_ref(&rec), "chengdu", "t1").expect("proposed");
        assert_eq!(out.inserted, 1);
        let again = s.propose_adjustments(&file, std::slice::from_ref(&rec), "chengdu", "t1").expect("again");
        assert_eq!((again.inserted, again.unchanged), (0, 1), "one pending proposal per record");
        assert_eq!(s.adjustments(cd, from, to).expect("items").len(), 1, "pending: not an item");
        let pending = s.proposals(Some(cd), Some("pending")).expect("list");
        assert_eq!(pending.len(), 1);
        let decided = s.decide_proposal(pending[0].id, true, "admin1", "t2", "", "127.0.0.1").expect("approve");
        assert_eq!((decided.status.as_str(), decided.decided_by.as_deref()), ("approved", Some("admin1")));
        let items = s.adjustments(cd, from, to).expect("items");
        assert_eq!(items.len(), 2);
        assert_eq!(
            (items[0].item.as_str(), items[0].approved_by.as_deref(), items[0].approved_at.as_deref()),
            ("green_benchmark", Some("admin1"), Some("t2"))
        );
        let err = s.decide_proposal(pending[0].id, false, "admin1", "t3", "", "127.0.0.1").expect_err("decided");
        assert!(err.to_string().contains("already approved by admin1"), "{err}");
        let log = s.audit_log(5).expect("audit");
        assert_eq!((log[0].actor.as_str(), log[0].action.as_str()), ("admin1", "proposal.approve"));
    }

    /// Schema 12 and 15: hourly data raise the version of the hourly area from `import_wide`, once per
    /// file that changes blocks — not from a trigger per block row, and not when nothing changed; the
    /// other areas only when the file changes them (new stations: places).
    #[test]
    fn hourly_imports_raise_the_hourly_version_once_per_changing_file() {
        let mut s = SqliteStore::memory().expect("store");
        let import = |s: &mut SqliteStore, name: &str, text: &str| {
            let path = std::path::Path::new(name);
            let wide = lantian_ingest::air::cnemc::parse_wide(path, text.as_bytes()).expect("a wide file");
            s.import_wide(&FileMeta::new(name, text.as_bytes(), "t"), &PreparedWide::new(wide)).expect("imports")
        };
        let hourly = |s: &SqliteStore| s.data_versions().expect("versions").get(DataArea::Hourly);
        let v0 = s.data_versions().expect("versions");
        // 70 stations: ids 1–70 fill chunk 0 (ids 0–63) and start chunk 1.
        let codes: Vec<String> = (0..70).map(|k| format!("{}A", 1001 + k)).collect();
        let values = |v: u32| (0..70).map(|k| (v + k).to_string()).collect::<Vec<_>>().join(",");
        let a = format!("date,hour,type,{}\n20230120,1,PM2.5,{}\n", codes.join(","), values(30));
        import(&mut s, "a.csv", &a);
        let v1 = s.data_versions().expect("versions");
        assert_eq!(v1.get(DataArea::Hourly), v0.get(DataArea::Hourly) + 1, "the first import raises it once");
        assert!(v1.get(DataArea::Places) > v0.get(DataArea::Places), "70 stations created");
        let others = AreaSet::of(&[DataArea::Daily, DataArea::Assessment, DataArea::Tasks, DataArea::Alerts]);
        assert_eq!(v1.only(others), v0.only(others));
        import(&mut s, "a.csv", &a);
        assert_eq!(s.data_versions().expect("versions"), v1, "re-importing changes nothing");
        // A revision of one station in each chunk: two block rows rewritten, one raise.
        import(&mut s, "b.csv", "date,hour,type,1001A,1070A\n20230120,1,PM2.5,37,38\n");
        let v2 = s.data_versions().expect("versions");
        assert_eq!(hourly(&s), v1.get(DataArea::Hourly) + 1, "once per file, not per block row");
        assert_eq!(v2.only(AreaSet::of(&[DataArea::Places])), v1.only(AreaSet::of(&[DataArea::Places])));
        let triggers: i64 = s
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'day_block'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(triggers, 0);
    }
}

#[cfg(test)]
mod error_tests {
    use super::*;

    fn target(city: &str) -> TargetRecord {
        TargetRecord {
            city: city.into(),
            year: 2022,
            pm2_5: Some(Conc(35_000)),
            good_day_ratio_tenths: Some(900),
            heavy_days: None,
            source: "t".into(),
            line: 2,
        }
    }

    /// A database failure says what happened and during which operation, in the store's own variants:
    /// another connection holding the write lock is `Busy` (naming the import), a trigger's refusal is
    /// `Constraint`; the store stays usable and unchanged.
    #[test]
    fn database_failures_name_what_happened_and_the_operation() {
        let dir = std::env::temp_dir().join(format!("lantian-store-errors-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("t.db");
        let _ = std::fs::remove_file(&path);
        let mut s = SqliteStore::open(&path).expect("store");
        s.conn.busy_timeout(std::time::Duration::from_millis(20)).expect("short wait");
        let file = FileMeta::new("t.csv", b"x", "t");

        let other = Connection::open(&path).expect("second connection");
        other.execute_batch("BEGIN IMMEDIATE").expect("hold the write lock");
        let err = s.import_targets(&file, &[target("成都")]).expect_err("busy");
        assert!(err.is_busy(), "{err:?}");
        match &err {
            StoreError::Busy { op, detail } => {
                assert_eq!(op, "importing city targets");
                assert!(detail.contains("locked"), "{detail}");
            }
            e => panic!("not busy: {e:?}"),
        }
        assert!(err.to_string().starts_with("the database is busy while importing city targets: "), "{err}");
        other.execute_batch("ROLLBACK").expect("release");

        other
            .execute_batch(
                "CREATE TRIGGER refuse BEFORE INSERT ON city_target BEGIN SELECT RAISE(ABORT, 'refused by a rule'); END;",
            )
            .expect("trigger");
        let err = s.import_targets(&file, &[target("成都")]).expect_err("refused");
        match &err {
            StoreError::Constraint { op, detail } => {
                assert_eq!((op.as_str(), detail.as_str()), ("importing city targets", "refused by a rule"));
            }
            e => panic!("not a constraint: {e:?}"),
        }
        other.execute_batch("DROP TRIGGER refuse;").expect("drop");
        let chengdu = s.resolve_city("成都").expect("read").expect("成都").id;
        assert_eq!(s.target(chengdu, 2022).expect("read"), None, "nothing stored by the failed imports");
        let out = s.import_targets(&file, &[target("成都")]).expect("imports now");
        assert_eq!(out.inserted, 1);
        assert!(s.target(chengdu, 2022).expect("read").is_some());
        // No operation is named once the method has returned.
        assert_eq!(crate::op::current(), "");
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Opening something that is not a database is a corrupt store, named as such.
    #[test]
    fn a_file_that_is_not_a_database_is_corrupt() {
        let dir = std::env::temp_dir().join(format!("lantian-store-notdb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("t.db");
        std::fs::write(&path, vec![b'x'; 4096]).expect("write");
        let err = SqliteStore::open(&path).err().expect("not a database");
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        assert!(err.to_string().contains("while opening the store"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod area_tests {
    use super::*;
    use crate::{record_reads, AreaSet, EmergencyStore, EnterpriseStore};

    /// Tables that are no data a number is computed from: the schema's bookkeeping, import
    /// bookkeeping and the cache of daily evaluations (derived from the hourly area, which an import
    /// clears in its own transaction).
    const NO_AREA: [&str; 6] =
        ["meta", "schema_migration", "data_version", "import_file", "daily_cache", "hourly_day_change"];

    /// Every table of the schema belongs to exactly one area, whose version its three triggers raise
    /// (and no other), except the hourly blocks raised by `import_wide`; no trigger raises the old
    /// `content_version`, which is gone. A migration adding a table without an area fails here.
    #[test]
    fn every_table_has_an_area_and_its_triggers() {
        for (k, a) in DataArea::ALL.iter().enumerate() {
            assert_eq!(*a as usize, k, "DataArea::ALL is in the order of the discriminants (DataVersions' index)");
        }
        let s = SqliteStore::memory().expect("store");
        let tables: Vec<String> = s
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .expect("select")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("read");
        let triggers: Vec<(String, String, String)> = s
            .conn
            .prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .expect("select")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("read");
        for t in &tables {
            if NO_AREA.contains(&t.as_str()) {
                continue;
            }
            let areas: Vec<DataArea> = DataArea::ALL.into_iter().filter(|a| a.tables().contains(&t.as_str())).collect();
            assert_eq!(areas.len(), 1, "table {t} belongs to {areas:?}: give it one area (DataArea::tables)");
            let on: Vec<&(String, String, String)> = triggers.iter().filter(|(_, tbl, _)| tbl == t).collect();
            if t == "day_block" {
                assert!(on.is_empty(), "{on:?}");
                continue;
            }
            for op in ["INSERT", "UPDATE", "DELETE"] {
                let raising: Vec<&&(String, String, String)> = on
                    .iter()
                    .filter(|(_, _, sql)| sql.contains(&format!("AFTER {op} ON {t} ")))
                    .filter(|(_, _, sql)| {
                        sql.contains(&format!(
                            "UPDATE data_version SET version = version + 1 WHERE area = '{}'",
                            areas[0].code()
                        ))
                    })
                    .collect();
                assert_eq!(raising.len(), 1, "{t}: one trigger after {op} raising {}", areas[0].code());
            }
        }
        for (name, _, sql) in &triggers {
            assert!(!sql.contains("content_version"), "{name} raises the old content_version");
            let raised = DataArea::ALL.iter().filter(|a| sql.contains(&format!("area = '{}'", a.code()))).count();
            assert_eq!(raised, 1, "{name} raises one area: {sql}");
        }
        for a in DataArea::ALL {
            for t in a.tables() {
                assert!(tables.contains(&t.to_string()), "{a:?} names {t}, which is no table");
            }
        }
        let areas: Vec<String> = s
            .conn
            .prepare("SELECT area FROM data_version ORDER BY area")
            .expect("select")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("read");
        let mut codes: Vec<String> = DataArea::ALL.iter().map(|a| a.code().to_string()).collect();
        codes.sort();
        assert_eq!(areas, codes);
        let old: i64 = s
            .conn
            .query_row("SELECT count(*) FROM meta WHERE key = 'content_version'", [], |r| r.get(0))
            .expect("count");
        assert_eq!(old, 0);
    }

    /// Targets raise the assessment area and nothing else; re-importing them raises nothing.
    #[test]
    fn an_import_raises_the_version_of_its_area_only() {
        let mut s = SqliteStore::memory().expect("store");
        let before = s.data_versions().expect("versions");
        let text = "city,year,pm2_5,good_day_ratio\n成都,2022,40,90\n德阳,2022,40,90\n";
        let records =
            lantian_ingest::accountability::parse_targets(std::path::Path::new("t.csv"), text).expect("targets");
        let file = FileMeta::new("t.csv", text.as_bytes(), "t");
        s.import_targets(&file, &records).expect("imports");
        let after = s.data_versions().expect("versions");
        for a in DataArea::ALL {
            // One raise per row written (a trigger per row), two rows.
            let raised = if a == DataArea::Assessment { 2 } else { 0 };
            assert_eq!(after.get(a), before.get(a) + raised, "{a:?}");
        }
        s.import_targets(&file, &records).expect("again");
        assert_eq!(s.data_versions().expect("versions"), after, "nothing changed");
    }

    /// Every read method of the store records the areas of the tables its SQL reads (worked out from
    /// the statements: a join with `city` or a lookup of cities adds places), so that no cached answer
    /// misses a dependency. Every read method of `Store` and `EmergencyStore` is listed (a new one belongs
    /// here).
    #[test]
    fn every_read_records_the_areas_of_its_tables() {
        use DataArea::*;
        let s = SqliteStore::memory().expect("store");
        let d = NaiveDate::from_ymd_opt(2023, 1, 20).expect("date");
        let t = d.and_hms_opt(0, 0, 0).expect("time");
        let codes = ["91510000000000000X".to_string()];
        type Read<'a> = Box<dyn Fn() -> Result<()> + 'a>;
        let cases: Vec<(&str, Read, &[DataArea])> = vec![
            ("dust_days", Box::new(|| s.dust_days(1, d, d).map(drop)), &[Assessment]),
            ("target", Box::new(|| s.target(1, 2023).map(drop)), &[Assessment]),
            ("adjustments", Box::new(|| s.adjustments(1, d, d).map(drop)), &[Assessment]),
            ("national_rank", Box::new(|| s.national_rank(1, "2023-01").map(drop)), &[Assessment]),
            ("proposals", Box::new(|| s.proposals(None, None).map(drop)), &[Accounts, Places]),
            ("tasks", Box::new(|| s.tasks(&[]).map(drop)), &[Tasks, Places]),
            ("accounts", Box::new(|| s.accounts().map(drop)), &[Accounts, Places]),
            ("account", Box::new(|| s.account("a").map(drop)), &[Accounts, Places]),
            ("token", Box::new(|| s.token("x").map(drop)), &[Accounts, Places]),
            ("tokens", Box::new(|| s.tokens(1).map(drop)), &[Accounts]),
            ("audit_log", Box::new(|| s.audit_log(10).map(drop)), &[Accounts]),
            ("published", Box::new(|| s.published(1).map(drop)), &[Published]),
            ("cities", Box::new(|| s.cities().map(drop)), &[Places]),
            ("resolve_city", Box::new(|| s.resolve_city("成都").map(drop)), &[Places]),
            ("stations", Box::new(|| s.stations(&StationFilter::default()).map(drop)), &[Places]),
            ("station_days", Box::new(|| s.station_days(1, d, d).map(drop)), &[Hourly]),
            ("day_blobs_on", Box::new(|| s.day_blobs_on(BlockKind::Station, d, None).map(drop)), &[Hourly]),
            ("day_blocks_on", Box::new(|| s.day_blocks_on(BlockKind::City, d, None).map(drop)), &[Hourly]),
            ("daily_cache_between", Box::new(|| s.daily_cache_between(d, d, &[0]).map(drop)), &[Hourly]),
            ("daily_cache_on", Box::new(|| s.daily_cache_on(d, &[0]).map(drop)), &[Hourly]),
            ("data_generation", Box::new(|| s.data_generation().map(drop)), &[Hourly]),
            ("city_daily", Box::new(|| s.city_daily(1, d, d).map(drop)), &[Daily, Places]),
            ("station_date_range", Box::new(|| s.station_date_range().map(drop)), &[Hourly]),
            ("city_daily_last_date", Box::new(|| s.city_daily_last_date().map(drop)), &[Daily]),
            ("counts", Box::new(|| s.counts().map(drop)), &DataArea::ALL),
            ("forecasts", Box::new(|| s.forecasts(&[1], None).map(drop)), &[Alerts]),
            ("alert_events", Box::new(|| s.alert_events(None).map(drop)), &[Alerts]),
            ("latest_alert_event_at", Box::new(|| s.latest_alert_event_at().map(drop)), &[Alerts]),
            ("enterprises", Box::new(|| s.enterprises(None).map(drop)), &[Response]),
            ("measures", Box::new(|| s.measures(&codes).map(drop)), &[Response]),
            ("inventory", Box::new(|| s.inventory(1, 2023).map(drop)), &[Response]),
            ("city_measures", Box::new(|| s.city_measures(1, "red").map(drop)), &[Response]),
            ("power", Box::new(|| s.power(&codes[0], t, t).map(drop)), &[Response]),
            ("cems", Box::new(|| s.cems(&codes[0], t, t).map(drop)), &[Response]),
            ("visits", Box::new(|| s.visits(None).map(drop)), &[Response]),
        ];
        for (name, read, want) in &cases {
            let (r, areas) = record_reads(read);
            r.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(areas, AreaSet::of(want), "{name}");
        }
    }

    /// The reads of the store record their areas, nested recordings included; writes do not count.
    #[test]
    fn reads_record_their_areas() {
        let s = SqliteStore::memory().expect("store");
        let ((), areas) = record_reads(|| {
            s.target(1, 2022).expect("read");
        });
        assert_eq!(areas, AreaSet::of(&[DataArea::Assessment]));
        let ((), areas) = record_reads(|| {
            s.tasks(&[]).expect("read");
        });
        assert_eq!(areas, AreaSet::of(&[DataArea::Tasks, DataArea::Places]), "tasks name their cities");
        let ((inner, ()), outer) = record_reads(|| {
            let ((), inner) = record_reads(|| {
                s.cities().expect("read");
            });
            s.forecasts(&[], None).expect("read");
            (inner, ())
        });
        assert_eq!(inner, AreaSet::of(&[DataArea::Places]));
        assert_eq!(
            outer,
            AreaSet::of(&[DataArea::Places, DataArea::Alerts]),
            "the outer recording sees the inner reads"
        );
        let ((), none) = record_reads(|| {
            s.data_versions().expect("read");
        });
        assert_eq!(none, AreaSet::EMPTY);
    }
}
