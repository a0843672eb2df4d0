//! The PostgreSQL implementation of [`crate::Store`] (`--db postgres://…`, issue 13 item 3).
//!
//! Not a port of SQLite's habits: the schema is PostgreSQL's own (`migrations/postgres/`: `date`,
//! `boolean`, `bytea`, identity columns, text that orders by bytes, declarative yearly partitions of
//! the tables that grow with time, statement-level triggers with transition tables), hourly blocks
//! go in by binary `COPY` into a temporary table and one `INSERT … ON CONFLICT`, a file's stored
//! blocks are read in one query, and readers never wait for a writer (MVCC). What it stores and
//! returns is the same as [`crate::SqliteStore`], value for value and in the same order: the
//! conformance tests (crates/lantian-cli/tests, `LANTIAN_TEST_PG`) run every store test on both and
//! compare the outputs byte for byte.

mod air;
mod emergency;

/// For the records of dataset modules beside their SQLite twin (`crate::records`).
pub(crate) use air::{known_city, record_file};

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use lantian_core::regions::cities::{name_key, SICHUAN_CITIES};
use postgres::error::SqlState;
use postgres::{Client, NoTls};

use crate::schema::{Migration, CHECKSUM_ALGORITHM, POSTGRES};
use crate::{Result, StoreError};

/// A PostgreSQL store: one connection (a pool holds several).
pub struct PgStore {
    /// The connection. Reads of the store take `&self`, the driver's queries `&mut`: the store is one
    /// connection used by one thread at a time (`Send`, not `Sync`), as the SQLite store is.
    client: RefCell<Client>,
    /// Station code → id, kept between imports (cleared when an import fails).
    station_ids: Option<HashMap<String, i64>>,
    /// An import batch's transaction is open ([`crate::Store::begin_import_batch`]).
    in_batch: bool,
    /// `(table, year)` partitions known to exist (created on first write of a year).
    partitions: RefCell<HashSet<(&'static str, i32)>>,
}

/// What a failure of PostgreSQL was, in the store's words ([`StoreError`] names no driver).
impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        pg_error(e, crate::op::current())
    }
}

/// A failure of PostgreSQL during `op`, by SQLSTATE class: lock and serialisation failures are
/// [`StoreError::Busy`] (nothing was stored; a retry may succeed), integrity violations
/// [`StoreError::Constraint`], a lost or refused connection and disk/resource failures
/// [`StoreError::Io`], data corruption [`StoreError::Corrupt`].
pub(crate) fn pg_error(e: postgres::Error, op: &str) -> StoreError {
    let op = op.to_string();
    let detail = match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(d) => format!("{} ({d})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    };
    let Some(code) = e.code() else {
        // No SQLSTATE: the connection failed or closed.
        return if e.is_closed() || e.as_db_error().is_none() {
            StoreError::Io { op, detail }
        } else {
            StoreError::Other { op, detail }
        };
    };
    let class = &code.code()[..2];
    if *code == SqlState::T_R_SERIALIZATION_FAILURE
        || *code == SqlState::T_R_DEADLOCK_DETECTED
        || *code == SqlState::LOCK_NOT_AVAILABLE
        || *code == SqlState::QUERY_CANCELED
    {
        StoreError::Busy { op, detail }
    } else if class == "23" {
        StoreError::Constraint { op, detail }
    } else if class == "08" || class == "53" || class == "58" || class == "57" || class == "28" || class == "3D" {
        // Connection exceptions, insufficient resources, system errors, operator intervention, bad
        // credentials, no such database.
        StoreError::Io { op, detail }
    } else if class == "XX" {
        StoreError::Corrupt(if op.is_empty() { detail } else { format!("{detail} (while {op})") })
    } else {
        StoreError::Other { op, detail }
    }
}

/// Whether a URL names a PostgreSQL store.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A URL for messages: the password, if any, replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (auth, tail) = match rest.split_once('@') {
        Some((a, t)) => (a, t),
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{tail}"),
        None => url.to_string(),
    }
}

/// The runner's own table, created before migration 1 so that it records migration 1 too (as SQLite's).
const SCHEMA_MIGRATION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migration (
    number integer PRIMARY KEY,
    name text COLLATE \"C\" NOT NULL,
    checksum text COLLATE \"C\" NOT NULL,
    algorithm text COLLATE \"C\" NOT NULL,
    applied_at text COLLATE \"C\",
    recorded_at text COLLATE \"C\" NOT NULL
)";

/// Beijing time now, as SQLite's runner writes it (`2026-12-07T18:00:00+08:00`).
const NOW_BEIJING: &str = "to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"')";

/// The advisory lock held while migrating, so that two programs opening a new database at once do
/// not both apply migration 1.
const MIGRATION_LOCK: i64 = 0x6c61_6e74_6961_6e01;

impl PgStore {
    /// Connects to the database named by a `postgres://` URL and brings its schema up to date (a
    /// database without lantian's schema gets it).
    pub fn open(url: &str) -> Result<PgStore> {
        Self::open_with(url, true)
    }

    /// [`PgStore::open`] for commands that only read: a database without lantian's schema is
    /// [`StoreError::Missing`] (the schema is not created for them).
    pub fn open_existing(url: &str) -> Result<PgStore> {
        Self::open_with(url, false)
    }

    fn open_with(url: &str, create: bool) -> Result<PgStore> {
        let _op = crate::op::during("opening the store");
        let config: postgres::Config =
            url.parse().map_err(|e| StoreError::Input(format!("bad PostgreSQL URL {}: {e}", redact_url(url))))?;
        let client = config.connect(NoTls).map_err(|e| {
            let err = pg_error(e, "connecting to PostgreSQL");
            match err {
                StoreError::Io { op, detail } | StoreError::Other { op, detail } => {
                    StoreError::Io { op, detail: format!("{detail} ({})", redact_url(url)) }
                }
                other => other,
            }
        })?;
        let mut client = client;
        if !create {
            let has: bool = client.query_one("SELECT to_regclass('meta') IS NOT NULL", &[])?.get(0);
            if !has {
                return Err(StoreError::Missing(redact_url(url)));
            }
        }
        let mut s = PgStore {
            client: RefCell::new(client),
            station_ids: None,
            in_batch: false,
            partitions: RefCell::new(HashSet::new()),
        };
        s.migrate(POSTGRES, POSTGRES.len())?;
        s.check_daily_rules()?;
        Ok(s)
    }

    /// A store at migration `last` (tests of an upgrade: the schema of an older program); `migrate`
    /// with [`POSTGRES`] brings it further.
    #[cfg(test)]
    pub(crate) fn open_at(url: &str, last: usize) -> Result<PgStore> {
        let config: postgres::Config = url.parse().map_err(|e| StoreError::Input(format!("bad URL: {e}")))?;
        let client = config.connect(NoTls)?;
        let mut s = PgStore {
            client: RefCell::new(client),
            station_ids: None,
            in_batch: false,
            partitions: RefCell::new(HashSet::new()),
        };
        s.migrate(POSTGRES, last)?;
        Ok(s)
    }

    /// Whether a URL names a PostgreSQL store.
    pub fn is_url(url: &str) -> bool {
        is_postgres_url(url)
    }

    /// Drops every table, function and partition lantian made in the database named by `url` (the
    /// schema `public`, made again empty): `lantian bench --bench-db postgres://…` starts from an
    /// empty store, as it removes the SQLite file. Nothing else calls it.
    pub fn drop_lantian_tables(url: &str) -> Result<()> {
        let _op = crate::op::during("emptying the benchmark database");
        let config: postgres::Config =
            url.parse().map_err(|e| StoreError::Input(format!("bad PostgreSQL URL {}: {e}", redact_url(url))))?;
        let mut client = config.connect(NoTls)?;
        client.batch_execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")?;
        Ok(())
    }

    pub(crate) fn db(&self) -> std::cell::RefMut<'_, Client> {
        self.client.borrow_mut()
    }

    /// Schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<usize> {
        let _op = crate::op::during("reading the schema version");
        let v: String = self.db().query_one("SELECT value FROM meta WHERE key = 'schema_version'", &[])?.get(0);
        v.parse().map_err(|_| StoreError::Corrupt("schema_version".into()))
    }

    /// Applies the migrations of `list` not yet applied, up to number `last`, each in its own
    /// transaction with its record in `schema_migration` (PostgreSQL's DDL is transactional: a
    /// migration that fails leaves nothing). A recorded migration whose name or checksum differs
    /// from the program's file is refused, as on SQLite.
    pub(crate) fn migrate(&mut self, list: &[Migration], last: usize) -> Result<()> {
        let mut db = self.client.borrow_mut();
        db.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
        let r = Self::migrate_locked(&mut db, list, last);
        let unlocked = db.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
        r?;
        unlocked?;
        Ok(())
    }

    fn migrate_locked(db: &mut Client, list: &[Migration], last: usize) -> Result<()> {
        db.batch_execute(SCHEMA_MIGRATION_TABLE)?;
        let done: Vec<(i32, String, String, String)> = db
            .query("SELECT number, name, checksum, algorithm FROM schema_migration ORDER BY number", &[])?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        if done.len() > list.len() {
            return Err(StoreError::Input(format!(
                "the database has schema version {}, newer than this program's {}",
                done.len(),
                list.len()
            )));
        }
        if done.iter().enumerate().any(|(k, d)| d.0 as usize != k + 1) {
            return Err(StoreError::Corrupt(format!(
                "schema_migration records migrations {:?}, not 1, 2, 3, …",
                done.iter().map(|d| d.0).collect::<Vec<_>>()
            )));
        }
        crate::schema::check_recorded(
            done.iter().map(|(n, name, c, a)| (*n as u32, name.as_str(), c.as_str(), a.as_str())),
            list,
        )?;
        for (i, m) in list.iter().enumerate().take(last).skip(done.len()) {
            let mut tx = db.transaction()?;
            tx.batch_execute(m.sql).map_err(|e| pg_error(e, &format!("applying migration {}", m.name)))?;
            if i == 0 {
                let st = tx.prepare(
                    "INSERT INTO city (name, name_key, short_name, code, province) VALUES ($1, $2, $3, $4, '四川省')",
                )?;
                for c in &SICHUAN_CITIES {
                    tx.execute(&st, &[&c.name, &name_key(c.name), &c.short, &i64::from(c.code)])?;
                }
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', $1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&(i + 1).to_string()],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO schema_migration (number, name, checksum, algorithm, applied_at, recorded_at) \
                     VALUES ($1, $2, $3, $4, {NOW_BEIJING}, {NOW_BEIJING})"
                ),
                &[&(m.number as i32), &m.name, &m.checksum(), &CHECKSUM_ALGORITHM],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Clears the cached daily evaluations when they were computed under other daily rules.
    fn check_daily_rules(&mut self) -> Result<()> {
        let mut db = self.client.borrow_mut();
        let stored: Option<String> =
            db.query_opt("SELECT value FROM meta WHERE key = 'daily_rules'", &[])?.map(|r| r.get(0));
        // The generation row exists from the start, so that `put_daily_cache` can lock it.
        db.execute("INSERT INTO meta (key, value) VALUES ('data_generation', '0') ON CONFLICT (key) DO NOTHING", &[])?;
        if stored.as_deref() != Some(lantian_core::air::daily::DAILY_RULES_VERSION) {
            let mut tx = db.transaction()?;
            tx.execute("DELETE FROM daily_cache", &[])?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('daily_rules', $1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&lantian_core::air::daily::DAILY_RULES_VERSION],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Makes sure the yearly partition of `table` holding `year` exists (created in the caller's
    /// transaction: rolled back with it, then created again by the next write).
    pub(crate) fn ensure_partition(&self, db: &mut Client, table: &'static str, year: i32) -> Result<()> {
        if self.partitions.borrow().contains(&(table, year)) {
            return Ok(());
        }
        // Not `CREATE TABLE … PARTITION OF` (the migrations' `lantian_year_partition`): it locks the
        // parent table against every reader until the writer's transaction ends — a whole import
        // batch. A table created apart and attached takes only a SHARE UPDATE EXCLUSIVE lock of the
        // parent, which readers' ACCESS SHARE does not wait for (readers never wait for a writer). The
        // column storage (blocks out of line, uncompressed: migrations 1 and 3) comes with `LIKE`.
        let name = format!("{table}_y{year}");
        let exists: bool = db.query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])?.get(0);
        if !exists {
            let (from, to) = if table == "cems_hourly" {
                (format!("'{year:04}'"), format!("'{:04}'", year + 1))
            } else {
                (format!("'{year:04}-01-01'"), format!("'{:04}-01-01'", year + 1))
            };
            db.batch_execute(&format!(
                "CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE); \
                 ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ({from}) TO ({to});"
            ))?;
        }
        // Forgotten again when the transaction fails ([`PgStore::tx`]): the rollback removes it.
        self.partitions.borrow_mut().insert((table, year));
        Ok(())
    }

    /// Runs `f` in a transaction ([`in_tx`]; a savepoint inside an import batch).
    pub(crate) fn tx<T>(&self, f: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        let mut db = self.client.borrow_mut();
        let r = in_tx(&mut db, self.in_batch, f);
        if r.is_err() {
            self.forget_partitions();
        }
        r
    }

    /// Forgets the partitions known to exist (after a rollback that may have removed new ones).
    pub(crate) fn forget_partitions(&self) {
        self.partitions.borrow_mut().clear();
    }
}

/// Runs `f` in a transaction of `db` (a savepoint inside an open batch): committed when `f`
/// succeeds, rolled back when it fails — a rejected input leaves the store as it was.
pub(crate) fn in_tx<T>(db: &mut Client, nested: bool, f: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
    db.batch_execute(if nested { "SAVEPOINT lantian_import" } else { "BEGIN" })?;
    match f(db) {
        Ok(v) => {
            db.batch_execute(if nested { "RELEASE SAVEPOINT lantian_import" } else { "COMMIT" })?;
            Ok(v)
        }
        Err(e) => {
            let undo = if nested {
                "ROLLBACK TO SAVEPOINT lantian_import; RELEASE SAVEPOINT lantian_import"
            } else {
                "ROLLBACK"
            };
            // The failure is what the caller needs; a failed rollback ends the connection's
            // transaction anyway (the server rolls back when the connection closes).
            let _ = db.batch_execute(undo);
            Err(e)
        }
    }
}
