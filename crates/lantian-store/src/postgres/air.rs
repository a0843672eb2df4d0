//! [`Store`] on PostgreSQL: places, hourly and daily data, assessment inputs, tasks, published
//! results, accounts and the audit log. Each method does what the SQLite store's method of the same
//! name does (sqlite.rs), and returns the same rows in the same order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use lantian_core::air::hours::LabelDay;
use lantian_core::regions::cities::{name_key, sichuan_city};
use lantian_core::Conc;
use lantian_ingest::accountability::{
    AdjustmentRecord, DustRecord, NationalRankRecord, TargetRecord, TaskRecord, TaskReportRecord,
};
use lantian_ingest::{CityDailyRecord, StationRecord, WideKind};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, Row};

use super::PgStore;
use crate::sqlite::{daily_revisions, resolve_city_columns, split_list, warn_if_described_otherwise, CityIndex};
use crate::{
    codec, Account, AccountStore, AccountabilityStore, AdjustmentRow, AirStore, Approval, AuditEntry, BlockKind,
    CityDailyRow, CityInfo, CityTarget, DataArea, DataVersions, FileMeta, ImportOutcome, NewAccount, NewToken,
    PreparedWide, Proposal, PublishedRecord, Result, StationFilter, StationInfo, Store, StoreCounts, StoreError,
    TaskInfo, TokenInfo,
};

/// A `city_target` row: PM2.5 (thousandths), good-day ratio (tenths of a percent), heavy days, source.
type TargetRow = (Option<i64>, Option<i64>, Option<i64>, String);

fn conc_col(c: Option<Conc>) -> Option<i64> {
    c.map(Conc::milli)
}

/// `day_block.kind` of a wide file's columns.
fn block_kind(k: WideKind) -> i16 {
    match k {
        WideKind::Sites => BlockKind::Station as i16,
        WideKind::Cities => BlockKind::City as i16,
    }
}

const CITY_COLUMNS: &str = "id, name, short_name, code, province";

fn city_row(r: &Row, base: usize) -> Result<CityInfo> {
    Ok(CityInfo {
        id: r.try_get(base)?,
        name: r.try_get(base + 1)?,
        short_name: r.try_get(base + 2)?,
        code: r.try_get::<_, Option<i64>>(base + 3)?.map(|c| c as u32),
        province: r.try_get(base + 4)?,
    })
}

/// The city index ([`CityIndex`]) of the stored cities.
fn load_cities(db: &mut Client) -> Result<CityIndex> {
    let mut ix = CityIndex::empty();
    for r in db.query("SELECT id, name, short_name, code, province, name_key FROM city ORDER BY id", &[])? {
        let short: Option<String> = r.try_get(2)?;
        ix.add(r.try_get(0)?, r.try_get::<_, &str>(1)?, short.as_deref(), r.try_get(3)?, r.try_get(4)?, r.try_get(5)?);
    }
    Ok(ix)
}

/// The SQLite store's `find_city`: by code, full or short name (coded cities first, then the
/// oldest), Sichuan alias, or the one city of the name key.
pub(crate) fn find_city(db: &mut Client, query: &str) -> Result<Option<CityInfo>> {
    let q = query.trim();
    let sel = format!("SELECT {CITY_COLUMNS} FROM city");
    if let Ok(code) = q.parse::<i64>() {
        return db.query_opt(&format!("{sel} WHERE code = $1"), &[&code])?.map(|r| city_row(&r, 0)).transpose();
    }
    if let Some(r) =
        db.query_opt(&format!("{sel} WHERE name = $1 OR short_name = $1 ORDER BY code IS NULL, id LIMIT 1"), &[&q])?
    {
        return Ok(Some(city_row(&r, 0)?));
    }
    if let Some(sc) = sichuan_city(q) {
        return db
            .query_opt(&format!("{sel} WHERE code = $1"), &[&i64::from(sc.code)])?
            .map(|r| city_row(&r, 0))
            .transpose();
    }
    let found = db
        .query(&format!("{sel} WHERE name_key = $1 ORDER BY id"), &[&name_key(q)])?
        .iter()
        .map(|r| city_row(r, 0))
        .collect::<Result<Vec<_>>>()?;
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        _ => Err(StoreError::Input(format!(
            "city {q:?} is ambiguous: {}",
            found.iter().map(|c| format!("{} ({})", c.name, c.province)).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// [`find_city`], an unknown city being an error at `file:line`.
pub(crate) fn known_city(db: &mut Client, file: &FileMeta, line: usize, city: &str) -> Result<CityInfo> {
    find_city(db, city)?.ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, line, city)))
}

/// Records an imported file; whether its content is new.
pub(crate) fn record_file(db: &mut Client, file: &FileMeta, kind: &str, rows: usize) -> Result<bool> {
    let n = db.execute(
        "INSERT INTO import_file (content_hash, algorithm, kind, path, bytes, rows, first_imported_at) \
         VALUES ($1, 'blake3', $2, $3, $4, $5, $6) ON CONFLICT (content_hash) DO NOTHING",
        &[&file.content_hash, &kind, &file.path, &(file.bytes as i64), &(rows as i64), &file.at],
    )?;
    Ok(n == 1)
}

/// Finds or creates the city a station list row belongs to (sqlite.rs `city_for_station`).
fn city_for_station(db: &mut Client, s: &StationRecord, created: &mut u64) -> Result<Option<i64>> {
    let label = if s.prefecture.is_empty() { &s.city_label } else { &s.prefecture };
    if label.is_empty() {
        return Ok(None);
    }
    if let Some(sc) = sichuan_city(label).filter(|_| s.province.is_empty() || s.province.starts_with("四川")) {
        let id: i64 = db.query_one("SELECT id FROM city WHERE code = $1", &[&i64::from(sc.code)])?.try_get(0)?;
        return Ok(Some(id));
    }
    let key = name_key(label);
    if let Some(r) = db.query_opt("SELECT id FROM city WHERE name_key = $1 AND province = $2", &[&key, &s.province])? {
        return Ok(Some(r.try_get(0)?));
    }
    let short = (!s.city_label.is_empty()).then_some(s.city_label.as_str());
    if !s.province.is_empty() {
        if let Some(r) = db.query_opt(
            "SELECT id FROM city WHERE name = $1 AND name_key = $2 AND province = '' AND code IS NULL",
            &[label, &key],
        )? {
            let id: i64 = r.try_get(0)?;
            db.execute(
                "UPDATE city SET province = $2, short_name = COALESCE(short_name, $3) WHERE id = $1",
                &[&id, &s.province, &short],
            )?;
            return Ok(Some(id));
        }
    }
    let id: i64 = db
        .query_one(
            "INSERT INTO city (name, name_key, short_name, province) VALUES ($1, $2, $3, $4) RETURNING id",
            &[label, &key, &short, &s.province],
        )?
        .try_get(0)?;
    *created += 1;
    Ok(Some(id))
}

/// Creates a city known only by the full name of a release row's area; its id.
fn create_area_city(db: &mut Client, area: &str, key: &str) -> Result<i64> {
    Ok(db
        .query_one(
            "INSERT INTO city (name, name_key, province) VALUES ($1, $2, '') RETURNING id",
            &[&area.trim(), &key],
        )?
        .try_get(0)?)
}

/// A release row's description of a station the store knows (sqlite.rs `describe_known_station`).
fn describe_known_station(
    db: &mut Client,
    id: i64,
    code: &str,
    d: &lantian_ingest::StationDescription,
    cities: &mut Option<CityIndex>,
    out: &mut ImportOutcome,
) -> Result<()> {
    let r = db.query_one(
        "SELECT s.name, c.name FROM station s LEFT JOIN city c ON c.id = s.city_id WHERE s.id = $1",
        &[&id],
    )?;
    let (name, city): (Option<String>, Option<String>) = (r.try_get(0)?, r.try_get(1)?);
    match (name, city) {
        (None, None) => {
            let city_id = area_city(db, cities, &d.area, out)?;
            db.execute(
                "UPDATE station SET name = $2, city_id = $3, city_label = $4, lon = $5, lat = $6 WHERE id = $1",
                &[&id, &d.name, &city_id, &d.area, &d.lon, &d.lat],
            )?;
            out.stations_updated += 1;
        }
        (name, city) => warn_if_described_otherwise(code, d, name.as_deref(), city.as_deref(), out),
    }
    Ok(())
}

/// The city of a release row's area ([`CityIndex::for_area_with`]), the index loaded on first use.
fn area_city(
    db: &mut Client,
    cities: &mut Option<CityIndex>,
    area: &str,
    out: &mut ImportOutcome,
) -> Result<Option<i64>> {
    if cities.is_none() {
        *cities = Some(load_cities(db)?);
    }
    let ix = cities.as_mut().ok_or_else(|| StoreError::Corrupt("city index".into()))?;
    ix.for_area_with(area, out, |key| create_area_city(db, area, key))
}

impl PgStore {
    fn with_city(&self, mut a: Account, city_id: Option<i64>) -> Result<Account> {
        if let Some(id) = city_id {
            a.city = self.cities()?.into_iter().find(|c| c.id == id);
        }
        Ok(a)
    }

    /// Writes the changed blocks of a file. Blocks of dates with nothing stored (`all_new`: a first
    /// import, the bulk case) go straight into `day_block` by binary `COPY`; otherwise binary `COPY` into
    /// a temporary table, then one upsert.
    fn write_blocks(db: &mut Client, blocks: &[(i16, NaiveDate, i64, i32, Vec<u8>)], all_new: bool) -> Result<()> {
        if blocks.is_empty() {
            return Ok(());
        }
        let types = [Type::INT2, Type::DATE, Type::INT8, Type::INT4, Type::BYTEA];
        if all_new {
            let sink = db.copy_in("COPY day_block (kind, date, chunk, entries, data) FROM STDIN (FORMAT binary)")?;
            let mut w = BinaryCopyInWriter::new(sink, &types);
            for (kind, date, chunk, entries, data) in blocks {
                w.write(&[kind as &(dyn ToSql + Sync), date, chunk, entries, data])?;
            }
            w.finish()?;
            return Ok(());
        }
        db.batch_execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS day_block_in \
             (kind smallint, date date, chunk bigint, entries integer, data bytea) ON COMMIT DELETE ROWS; \
             TRUNCATE day_block_in",
        )?;
        let sink = db.copy_in("COPY day_block_in (kind, date, chunk, entries, data) FROM STDIN (FORMAT binary)")?;
        let mut w = BinaryCopyInWriter::new(sink, &types);
        for (kind, date, chunk, entries, data) in blocks {
            w.write(&[kind as &(dyn ToSql + Sync), date, chunk, entries, data])?;
        }
        w.finish()?;
        db.execute(
            "INSERT INTO day_block (kind, date, chunk, entries, data) SELECT kind, date, chunk, entries, data \
             FROM day_block_in ON CONFLICT (kind, date, chunk) DO UPDATE SET entries = excluded.entries, data = excluded.data",
            &[],
        )?;
        Ok(())
    }
}

/// A TokenInfo from the columns `id, label, scopes, created_at, expires_at, revoked_at` from `base`.
fn token_row(r: &Row, base: usize) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id: r.try_get(base)?,
        label: r.try_get(base + 1)?,
        scopes: split_list(r.try_get(base + 2)?),
        created_at: r.try_get(base + 3)?,
        expires_at: r.try_get(base + 4)?,
        revoked_at: r.try_get(base + 5)?,
    })
}

const ACCOUNT_COLUMNS: &str =
    "a.id, a.name, a.password_hash, a.role, a.city_id, a.department, a.disabled, a.created_at, a.credential_epoch, a.grants";

fn account_row(r: &Row) -> Result<(Account, Option<i64>)> {
    Ok((
        Account {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            password_hash: r.try_get(2)?,
            role: r.try_get(3)?,
            city: None,
            department: r.try_get(5)?,
            disabled: r.try_get(6)?,
            created_at: r.try_get(7)?,
            credential_epoch: r.try_get(8)?,
            grants: split_list(r.try_get(9)?),
        },
        r.try_get(4)?,
    ))
}

const PROPOSAL_SELECT: &str =
    "SELECT p.id, p.kind, p.city_id, COALESCE(c.short_name, c.name, ''), p.record, p.summary, \
     p.file, p.proposed_by, p.proposed_at, p.status, p.decided_by, p.decided_at, p.note \
     FROM proposal p LEFT JOIN city c ON c.id = p.city_id";

fn proposal_row(r: &Row) -> Result<Proposal> {
    Ok(Proposal {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        city_id: r.try_get(2)?,
        city: r.try_get(3)?,
        record: r.try_get(4)?,
        summary: r.try_get(5)?,
        file: r.try_get(6)?,
        proposed_by: r.try_get(7)?,
        proposed_at: r.try_get(8)?,
        status: r.try_get(9)?,
        decided_by: r.try_get(10)?,
        decided_at: r.try_get(11)?,
        note: r.try_get(12)?,
    })
}

/// Stores an approved bonus/penalty item; false when the same item was stored already.
fn insert_adjustment(
    db: &mut Client,
    city_id: i64,
    date: NaiveDate,
    r: (&str, &str, &str),
    approval: &Approval,
) -> Result<bool> {
    let (item, evidence, approver) = r;
    let n = db.execute(
        "INSERT INTO adjustment (city_id, date, item, evidence, approver, approved_by, approved_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (city_id, date, item, evidence) DO UPDATE SET approver = excluded.approver, \
         approved_by = excluded.approved_by, approved_at = excluded.approved_at \
         WHERE adjustment.approver IS DISTINCT FROM excluded.approver",
        &[&city_id, &date, &item, &evidence, &approver, &approval.by, &approval.at],
    )?;
    Ok(n > 0)
}

/// Stores an approved dust period; false when it was stored already.
fn insert_dust(
    db: &mut Client,
    city_id: i64,
    start: NaiveDate,
    end: NaiveDate,
    source: &str,
    approval: &Approval,
) -> Result<bool> {
    let n = db.execute(
        "INSERT INTO dust_event (city_id, start_date, end_date, source, approved_by, approved_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (city_id, start_date, end_date) DO UPDATE SET source = excluded.source, \
         approved_by = excluded.approved_by, approved_at = excluded.approved_at \
         WHERE dust_event.source IS DISTINCT FROM excluded.source",
        &[&city_id, &start, &end, &source, &approval.by, &approval.at],
    )?;
    Ok(n > 0)
}

/// Records a pending proposal; false when the same record is pending already.
fn insert_proposal(db: &mut Client, p: [&str; 6], city_id: i64) -> Result<bool> {
    let [kind, record, summary, file, by, at] = p;
    let n = db.execute(
        "INSERT INTO proposal (kind, city_id, record, summary, file, proposed_by, proposed_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') ON CONFLICT (kind, record) WHERE status = 'pending' DO NOTHING",
        &[&kind, &city_id, &record, &summary, &file, &by, &at],
    )?;
    Ok(n > 0)
}

fn audit_insert(db: &mut Client, at: &str, actor: &str, action: &str, detail: &str, remote: &str) -> Result<()> {
    db.execute(
        "INSERT INTO audit_log (at, actor, action, detail, remote) VALUES ($1, $2, $3, $4, $5)",
        &[&at, &actor, &action, &detail, &remote],
    )?;
    Ok(())
}

fn meta_u64(db: &mut Client, key: &str) -> Result<u64> {
    let v: Option<String> = db.query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?.map(|r| r.get(0));
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

impl Store for PgStore {
    fn begin_import_batch(&mut self) -> Result<()> {
        let _op = crate::op::during("beginning an import batch");
        if !self.in_batch {
            self.db().batch_execute("BEGIN")?;
            self.in_batch = true;
        }
        Ok(())
    }

    fn commit_import_batch(&mut self) -> Result<()> {
        let _op = crate::op::during("committing an import batch");
        if self.in_batch {
            self.in_batch = false;
            let r = self.db().batch_execute("COMMIT");
            if let Err(e) = r {
                self.station_ids = None;
                self.forget_partitions();
                let _ = self.db().batch_execute("ROLLBACK");
                return Err(e.into());
            }
        }
        Ok(())
    }

    fn rollback_import_batch(&mut self) -> Result<()> {
        let _op = crate::op::during("rolling back an import batch");
        if self.in_batch {
            self.in_batch = false;
            // Station ids and partitions created by the batch are gone with it.
            self.station_ids = None;
            self.forget_partitions();
            self.db().batch_execute("ROLLBACK")?;
        }
        Ok(())
    }

    fn in_import_batch(&self) -> bool {
        self.in_batch
    }

    fn counts(&self) -> Result<StoreCounts> {
        let _op = crate::op::during("counting the store's contents");
        crate::op::read(&DataArea::ALL);
        let mut db = self.db();
        let mut n = |sql: &str| -> Result<u64> { Ok(db.query_one(sql, &[])?.try_get::<_, i64>(0)? as u64) };
        Ok(StoreCounts {
            cities: n("SELECT count(*) FROM city")?,
            stations: n("SELECT count(*) FROM station")?,
            station_days: n("SELECT coalesce(sum(entries), 0)::bigint FROM day_block WHERE kind = 0")?,
            city_days: n("SELECT coalesce(sum(entries), 0)::bigint FROM day_block WHERE kind = 1")?,
            city_daily: n("SELECT count(*) FROM city_daily")?,
            files: n("SELECT count(*) FROM import_file")?,
        })
    }
}

impl AirStore for PgStore {
    fn import_stations(&mut self, file: &FileMeta, stations: &[StationRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing a station list");
        self.station_ids = None;
        self.tx(|db| {
            let mut out = ImportOutcome {
                new_file: record_file(db, file, "station-list", stations.len())?,
                ..Default::default()
            };
            for s in stations {
                let city_id = city_for_station(db, s, &mut out.cities_created)?;
                let exists = db.query_opt("SELECT id FROM station WHERE code = $1", &[&s.code])?.is_some();
                let vals: [&(dyn ToSql + Sync); 8] =
                    [&s.code, &s.name, &city_id, &s.city_label, &s.lon, &s.lat, &s.is_control, &s.is_stopped];
                if !exists {
                    db.execute(
                        "INSERT INTO station (code, name, city_id, city_label, lon, lat, is_control, is_stopped, listed) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)",
                        &vals,
                    )?;
                    out.inserted += 1;
                    out.stations_created += 1;
                } else {
                    let n = db.execute(
                        "UPDATE station SET name = $2, city_id = $3, city_label = $4, lon = $5, lat = $6, is_control = $7, \
                         is_stopped = $8, listed = true WHERE code = $1 AND NOT (name IS NOT DISTINCT FROM $2 \
                         AND city_id IS NOT DISTINCT FROM $3 AND city_label IS NOT DISTINCT FROM $4 \
                         AND lon IS NOT DISTINCT FROM $5 AND lat IS NOT DISTINCT FROM $6 AND is_control = $7 \
                         AND is_stopped = $8 AND listed)",
                        &vals,
                    )?;
                    if n > 0 {
                        out.updated += 1;
                        out.stations_updated += 1;
                    } else {
                        out.unchanged += 1;
                    }
                }
            }
            Ok(out)
        })
    }

    fn import_wide(&mut self, file: &FileMeta, prepared: &PreparedWide) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing hourly data");
        let wide = &prepared.wide;
        // A city file's columns are resolved before anything is written (issue 12 item 9).
        let city_ids = match wide.kind {
            WideKind::Cities => Some(resolve_city_columns(&load_cities(&mut self.db())?, file, &wide.columns)?),
            WideKind::Sites => None,
        };
        let known = self.station_ids.take();
        let mut new_ids: Option<HashMap<String, i64>> = None;
        let kind = block_kind(wide.kind);
        // The years of the file's dates: their partitions exist before the file's transaction writes.
        let years: BTreeSet<i32> = wide.days.iter().map(|(d, _)| d.year()).collect();
        let r = self.tx(|db| {
            for y in &years {
                self.ensure_partition(db, "day_block", *y)?;
                self.ensure_partition(db, "daily_cache", *y)?;
                // Invalidation of a label day reaches the natural day before (1 January → 31 December).
                self.ensure_partition(db, "daily_cache", *y - 1)?;
            }
            let mut out =
                ImportOutcome { new_file: record_file(db, file, wide.kind_name(), wide.rows)?, ..Default::default() };
            let ids = match city_ids {
                Some(ids) => ids,
                None => {
                    let mut known = match known {
                        Some(k) => k,
                        None => {
                            let mut k = HashMap::new();
                            for r in db.query("SELECT code, id FROM station", &[])? {
                                k.insert(r.try_get::<_, String>(0)?, r.try_get::<_, i64>(1)?);
                            }
                            k
                        }
                    };
                    let mut cities: Option<CityIndex> = None;
                    let mut ids = Vec::with_capacity(wide.columns.len());
                    for (j, c) in wide.columns.iter().enumerate() {
                        let desc = wide.descriptions.get(j).and_then(Option::as_ref);
                        let id = match (known.get(c), desc) {
                            (Some(i), None) => *i,
                            (Some(i), Some(d)) => {
                                describe_known_station(db, *i, c, d, &mut cities, &mut out)?;
                                *i
                            }
                            (None, _) => {
                                let id: i64 = match desc {
                                    None => db
                                        .query_one("INSERT INTO station (code) VALUES ($1) RETURNING id", &[c])?
                                        .try_get(0)?,
                                    Some(d) => {
                                        let city_id = area_city(db, &mut cities, &d.area, &mut out)?;
                                        out.created_from_release.push(format!("{c} {} ({})", d.name, d.area));
                                        db.query_one(
                                            "INSERT INTO station (code, name, city_id, city_label, lon, lat) \
                                             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                                            &[c, &d.name, &city_id, &d.area, &d.lon, &d.lat],
                                        )?
                                        .try_get(0)?
                                    }
                                };
                                out.stations_created += 1;
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
            // The stored blocks of every date of the file, in one query.
            let dates: Vec<NaiveDate> = wide.days.iter().map(|(d, _)| *d).collect();
            let mut stored_by_date: HashMap<NaiveDate, BTreeMap<i64, Vec<u8>>> = HashMap::new();
            for r in db
                .query("SELECT date, chunk, data FROM day_block WHERE kind = $1 AND date = ANY($2)", &[&kind, &dates])?
            {
                stored_by_date.entry(r.try_get(0)?).or_default().insert(r.try_get(1)?, r.try_get::<_, Vec<u8>>(2)?);
            }
            let mut writes: Vec<(i16, NaiveDate, i64, i32, Vec<u8>)> = Vec::new();
            let mut changed_days: BTreeSet<NaiveDate> = BTreeSet::new();
            let mut invalid: Vec<(NaiveDate, i64)> = Vec::new();
            let empty = BTreeMap::new();
            for (di, (date, _)) in wide.days.iter().enumerate() {
                let stored = stored_by_date.get(date).unwrap_or(&empty);
                for w in
                    crate::blocks::merge_wide_day(prepared, di, &ids, stored, i64::from(kind), &file.path, &mut out)?
                {
                    if kind == BlockKind::Station as i16 {
                        // Label day `date` closes natural day `date − 1` and holds natural day `date`.
                        if let Some(prev) = date.pred_opt() {
                            invalid.push((prev, w.chunk));
                        }
                        invalid.push((*date, w.chunk));
                    }
                    changed_days.insert(*date);
                    writes.push((kind, *date, w.chunk, w.entries as i32, w.data));
                }
            }
            let changed_blocks = !writes.is_empty();
            // No block stored on any date of the file: every write is a new row.
            Self::write_blocks(db, &writes, stored_by_date.is_empty())?;
            if !invalid.is_empty() {
                let (d, c): (Vec<NaiveDate>, Vec<i64>) = invalid.into_iter().unzip();
                db.execute(
                    "DELETE FROM daily_cache x USING unnest($1::date[], $2::bigint[]) AS v(date, chunk) \
                     WHERE x.date = v.date AND x.chunk = v.chunk",
                    &[&d, &c],
                )?;
            }
            if changed_blocks {
                db.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'data_generation'", &[])?;
                // The version of the hourly area, once per file (no trigger per block row; migration 15).
                db.execute("UPDATE data_version SET version = version + 1 WHERE area = 'hourly'", &[])?;
                // And when each label day the file changed last changed (migration 17).
                let days: Vec<NaiveDate> = changed_days.into_iter().collect();
                db.execute(
                    "INSERT INTO hourly_day_change (date, at_version) \
                     SELECT d, (SELECT version FROM data_version WHERE area = 'hourly') FROM unnest($1::date[]) AS d \
                     ON CONFLICT (date) DO UPDATE SET at_version = excluded.at_version",
                    &[&days],
                )?;
            }
            Ok(out)
        })?;
        if new_ids.is_some() {
            self.station_ids = new_ids;
        }
        Ok(r)
    }

    fn import_city_daily(
        &mut self,
        file: &FileMeta,
        source: &str,
        records: &[CityDailyRecord],
    ) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing daily city values");
        self.tx(|db| {
            let mut out = ImportOutcome { new_file: record_file(db, file, source, records.len())?, ..Default::default() };
            let mut cache: HashMap<String, i64> = HashMap::new();
            let sel = db.prepare(
                "SELECT aqi, so2, no2, co, pm10, pm2_5, o3_mda8, o3_max_1h FROM city_daily \
                 WHERE city_id = $1 AND date = $2 AND source = $3",
            )?;
            for r in records {
                let city_id = match cache.get(&r.city) {
                    Some(i) => *i,
                    None => {
                        let c = find_city(db, &r.city)?.ok_or_else(|| {
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
                let stored: Option<[Option<i64>; 8]> = match db.query_opt(&sel, &[&city_id, &r.date, &source])? {
                    Some(row) => {
                        let mut v = [None; 8];
                        for (k, x) in v.iter_mut().enumerate() {
                            *x = row.try_get(k)?;
                        }
                        Some(v)
                    }
                    None => None,
                };
                let vals: [&(dyn ToSql + Sync); 11] = [
                    &city_id, &r.date, &source, &new[0], &new[1], &new[2], &new[3], &new[4], &new[5], &new[6], &new[7],
                ];
                match stored {
                    None => {
                        db.execute(
                            "INSERT INTO city_daily (city_id, date, source, aqi, so2, no2, co, pm10, pm2_5, o3_mda8, \
                             o3_max_1h) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                            &vals,
                        )?;
                        out.inserted += 1;
                    }
                    Some(old) if old == new => out.unchanged += 1,
                    Some(old) => {
                        db.execute(
                            "UPDATE city_daily SET aqi = $4, so2 = $5, no2 = $6, co = $7, pm10 = $8, pm2_5 = $9, \
                             o3_mda8 = $10, o3_max_1h = $11 WHERE city_id = $1 AND date = $2 AND source = $3",
                            &vals,
                        )?;
                        out.updated += 1;
                        daily_revisions(file, r, &old, &new, &mut out);
                    }
                }
            }
            Ok(out)
        })
    }

    fn cities(&self) -> Result<Vec<CityInfo>> {
        let _op = crate::op::during("reading cities");
        crate::op::read(&[DataArea::Places]);
        self.db()
            .query(&format!("SELECT {CITY_COLUMNS} FROM city ORDER BY code IS NULL, code, province, name"), &[])?
            .iter()
            .map(|r| city_row(r, 0))
            .collect()
    }

    fn resolve_city(&self, query: &str) -> Result<Option<CityInfo>> {
        let _op = crate::op::during("finding a city");
        crate::op::read(&[DataArea::Places]);
        find_city(&mut self.db(), query)
    }

    fn stations(&self, filter: &StationFilter) -> Result<Vec<StationInfo>> {
        let _op = crate::op::during("reading stations");
        crate::op::read(&[DataArea::Places]);
        let rows = self.db().query(
            "SELECT s.id, s.code, s.name, s.lon, s.lat, s.is_control, s.is_stopped, s.listed, \
             c.id, c.name, c.short_name, c.code, c.province \
             FROM station s LEFT JOIN city c ON c.id = s.city_id \
             ORDER BY c.code IS NULL, c.code, c.province NULLS FIRST, c.name NULLS FIRST, s.code",
            &[],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let city = match r.try_get::<_, Option<i64>>(8)? {
                Some(_) => Some(city_row(r, 8)?),
                None => None,
            };
            let s = StationInfo {
                id: r.try_get(0)?,
                code: r.try_get(1)?,
                name: r.try_get(2)?,
                lon: r.try_get(3)?,
                lat: r.try_get(4)?,
                is_control: r.try_get(5)?,
                is_stopped: r.try_get(6)?,
                listed: r.try_get(7)?,
                city,
            };
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
        let chunk = station_id.div_euclid(codec::CHUNK);
        let rows = self.db().query(
            "SELECT date, data FROM day_block WHERE kind = $1 AND chunk = $2 AND date BETWEEN $3 AND $4 ORDER BY date",
            &[&(BlockKind::Station as i16), &chunk, &from, &to],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let d: NaiveDate = r.try_get(0)?;
            let b: &[u8] = r.try_get(1)?;
            for (id, e) in
                codec::block_entries(chunk, b).ok_or_else(|| StoreError::Corrupt(format!("day_block 0 {d} {chunk}")))?
            {
                if id == station_id {
                    let day =
                        codec::decode(e).ok_or_else(|| StoreError::Corrupt(format!("station {station_id} {d}")))?;
                    out.push((d, day));
                }
            }
        }
        Ok(out)
    }

    fn day_blobs_on(&self, kind: BlockKind, date: NaiveDate, stations: Option<&[i64]>) -> Result<Vec<(i64, Vec<u8>)>> {
        let _op = crate::op::during("reading hourly data");
        crate::op::read_hourly(Some((date, date)));
        let k = kind as i16;
        let rows = match stations {
            Some(ids) => {
                let mut chunks: Vec<i64> = ids.iter().map(|id| id.div_euclid(codec::CHUNK)).collect();
                chunks.sort_unstable();
                chunks.dedup();
                self.db().query(
                    "SELECT chunk, data FROM day_block WHERE kind = $1 AND date = $2 AND chunk = ANY($3) ORDER BY chunk",
                    &[&k, &date, &chunks],
                )?
            }
            None => self.db().query(
                "SELECT chunk, data FROM day_block WHERE kind = $1 AND date = $2 ORDER BY chunk",
                &[&k, &date],
            )?,
        };
        let wanted: Option<Vec<i64>> = stations.map(|ids| {
            let mut v = ids.to_vec();
            v.sort_unstable();
            v
        });
        let mut out = Vec::new();
        for r in &rows {
            let c: i64 = r.try_get(0)?;
            let b: &[u8] = r.try_get(1)?;
            for (id, e) in
                codec::block_entries(c, b).ok_or_else(|| StoreError::Corrupt(format!("day_block {k} {date} {c}")))?
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
        let rows = self.db().query(
            "SELECT chunk, data FROM day_block WHERE kind = $1 AND date = $2 ORDER BY chunk",
            &[&(kind as i16), &date],
        )?;
        let mut n = 0;
        for r in &rows {
            let c: i64 = r.try_get(0)?;
            if chunks.is_some_and(|cs| cs.binary_search(&c).is_err()) {
                continue;
            }
            let data: &[u8] = r.try_get(1)?;
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
        let mut out = Vec::new();
        for r in self.db().query(
            "SELECT date, chunk, data FROM daily_cache WHERE date BETWEEN $1 AND $2 ORDER BY date, chunk",
            &[&from, &to],
        )? {
            let c: i64 = r.try_get(1)?;
            if chunks.binary_search(&c).is_ok() {
                out.push((r.try_get(0)?, c, r.try_get(2)?));
            }
        }
        Ok(out)
    }

    fn daily_cache_on(&self, date: NaiveDate, chunks: &[i64]) -> Result<Vec<(i64, Vec<u8>)>> {
        let _op = crate::op::during("reading cached daily evaluations");
        crate::op::read_hourly(Some((date, date.succ_opt().unwrap_or(date))));
        let mut by_chunk: HashMap<i64, Vec<u8>> = HashMap::new();
        for r in self
            .db()
            .query("SELECT chunk, data FROM daily_cache WHERE date = $1 AND chunk = ANY($2)", &[&date, &chunks])?
        {
            by_chunk.insert(r.try_get(0)?, r.try_get(1)?);
        }
        // In the order the chunks were asked for, as SQLite's store returns them.
        Ok(chunks.iter().filter_map(|c| by_chunk.remove(c).map(|b| (*c, b))).collect())
    }

    fn data_versions(&self) -> Result<DataVersions> {
        let _op = crate::op::during("reading the data versions");
        let mut v = DataVersions::default();
        for r in self.db().query("SELECT area, version FROM data_version", &[])? {
            let (area, version): (&str, i64) = (r.try_get(0)?, r.try_get(1)?);
            if let Some(a) = DataArea::ALL.into_iter().find(|a| a.code() == area) {
                v.set(a, u64::try_from(version).unwrap_or(0));
            }
        }
        Ok(v)
    }

    fn data_generation(&self) -> Result<u64> {
        let _op = crate::op::during("reading the data generation");
        crate::op::read_hourly(None);
        meta_u64(&mut self.db(), "data_generation")
    }

    fn put_daily_cache(&self, generation: u64, entries: &[(NaiveDate, i64, Vec<u8>)]) -> Result<bool> {
        let _op = crate::op::during("caching daily evaluations");
        let years: BTreeSet<i32> = entries.iter().map(|(d, _, _)| d.year()).collect();
        if self.in_batch {
            // Inside a write batch of its own: the cache waits for a later reader.
            return Ok(false);
        }
        let r = self.tx(|db| {
            // Lock the generation row (an import raises it in its transaction), then check that no
            // import changed the data meanwhile. SKIP LOCKED: while an import holds the row, the
            // reader keeps its answer and skips the cache instead of waiting for the import's commit
            // (readers never wait for a writer); the row always exists, so no row means locked. Any
            // other lock (a partition an import is creating) is waited for 100 ms at most.
            db.batch_execute("SET LOCAL lock_timeout = '100ms'")?;
            let Some(now) = db
                .query_opt("SELECT value FROM meta WHERE key = 'data_generation' FOR UPDATE SKIP LOCKED", &[])?
                .map(|r| r.get::<_, String>(0))
            else {
                return Ok(false);
            };
            if now.parse::<u64>().ok().unwrap_or(0) != generation {
                return Ok(false);
            }
            for y in &years {
                self.ensure_partition(db, "daily_cache", *y)?;
            }
            // One statement for all the entries (arrays unnested), not a round trip each.
            let dates: Vec<NaiveDate> = entries.iter().map(|e| e.0).collect();
            let chunks: Vec<i64> = entries.iter().map(|e| e.1).collect();
            let data: Vec<&[u8]> = entries.iter().map(|e| e.2.as_slice()).collect();
            db.execute(
                "INSERT INTO daily_cache (date, chunk, data) \
                 SELECT * FROM unnest($1::date[], $2::bigint[], $3::bytea[]) \
                 ON CONFLICT (date, chunk) DO UPDATE SET data = excluded.data",
                &[&dates, &chunks, &data],
            )?;
            Ok(true)
        });
        match r {
            Err(e) if e.is_busy() => Ok(false),
            r => r,
        }
    }

    fn city_daily(&self, city_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<CityDailyRow>> {
        let _op = crate::op::during("reading daily city values");
        crate::op::read(&[DataArea::Daily, DataArea::Places]);
        let rows = self.db().query(
            "SELECT c.date, c.source, c.aqi, c.so2, c.no2, c.co, c.pm10, c.pm2_5, c.o3_mda8, c.o3_max_1h, y.name \
             FROM city_daily c JOIN city y ON y.id = c.city_id WHERE c.city_id = $1 AND c.date BETWEEN $2 AND $3 \
             ORDER BY c.date, c.source",
            &[&city_id, &from, &to],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let c = |i: usize| -> Result<Option<Conc>> { Ok(r.try_get::<_, Option<i64>>(i)?.map(Conc)) };
            let date: NaiveDate = r.try_get(0)?;
            out.push(CityDailyRow {
                city_id,
                date,
                source: r.try_get(1)?,
                record: CityDailyRecord {
                    city: r.try_get(10)?,
                    date,
                    aqi: r.try_get::<_, Option<i64>>(2)?.map(|v| v as u32),
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
            });
        }
        Ok(out)
    }

    fn station_date_range(&self) -> Result<Option<(NaiveDate, NaiveDate)>> {
        let _op = crate::op::during("reading the dates of hourly data");
        crate::op::read(&[DataArea::Hourly]);
        let r = self.db().query_one("SELECT min(date), max(date) FROM day_block WHERE kind = 0", &[])?;
        let (a, b): (Option<NaiveDate>, Option<NaiveDate>) = (r.try_get(0)?, r.try_get(1)?);
        Ok(a.zip(b))
    }

    fn city_daily_last_date(&self) -> Result<Option<NaiveDate>> {
        let _op = crate::op::during("reading the last date of daily city values");
        crate::op::read(&[DataArea::Daily]);
        Ok(self.db().query_one("SELECT max(date) FROM city_daily", &[])?.try_get(0)?)
    }

    fn clear_daily_cache(&self) -> Result<()> {
        let _op = crate::op::during("clearing the daily cache");
        self.db().execute("DELETE FROM daily_cache", &[])?;
        Ok(())
    }

    fn hourly_last_change(&self, days: &[(NaiveDate, NaiveDate)]) -> Result<u64> {
        let _op = crate::op::during("reading when hourly data changed");
        let (from, to): (Vec<NaiveDate>, Vec<NaiveDate>) = days.iter().copied().unzip();
        let v: i64 = self
            .db()
            .query_one(
                "SELECT coalesce(max(c.at_version), 0)::bigint FROM hourly_day_change c \
                 JOIN unnest($1::date[], $2::date[]) AS r(a, b) ON c.date BETWEEN r.a AND r.b",
                &[&from, &to],
            )?
            .try_get(0)?;
        Ok(u64::try_from(v).unwrap_or(0))
    }
}

impl AccountabilityStore for PgStore {
    fn import_dust(&mut self, file: &FileMeta, records: &[DustRecord], approval: &Approval) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing dust periods");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "dust-events", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.line, &r.city)?;
                if insert_dust(db, city.id, r.start, r.end, &r.source, approval)? {
                    out.inserted += 1;
                } else {
                    out.unchanged += 1;
                }
            }
            Ok(out)
        })
    }

    fn import_targets(&mut self, file: &FileMeta, records: &[TargetRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing city targets");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "city-targets", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.line, &r.city)?;
                let heavy = r.heavy_days.map(i64::from);
                let new = (conc_col(r.pm2_5), r.good_day_ratio_tenths, heavy, r.source.clone());
                let old: Option<TargetRow> = db
                    .query_opt(
                        "SELECT pm2_5, good_day_ratio_tenths, heavy_days, source FROM city_target \
                         WHERE city_id = $1 AND year = $2",
                        &[&city.id, &r.year],
                    )?
                    .map(|x| -> Result<_> { Ok((x.try_get(0)?, x.try_get(1)?, x.try_get(2)?, x.try_get(3)?)) })
                    .transpose()?;
                let vals: [&(dyn ToSql + Sync); 6] =
                    [&city.id, &r.year, &new.0, &r.good_day_ratio_tenths, &heavy, &r.source];
                match old {
                    Some(o) if o == new => out.unchanged += 1,
                    Some(_) => {
                        db.execute(
                            "UPDATE city_target SET pm2_5 = $3, good_day_ratio_tenths = $4, heavy_days = $5, source = $6 \
                             WHERE city_id = $1 AND year = $2",
                            &vals,
                        )?;
                        out.updated += 1;
                    }
                    None => {
                        db.execute(
                            "INSERT INTO city_target (city_id, year, pm2_5, good_day_ratio_tenths, heavy_days, source) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                            &vals,
                        )?;
                        out.inserted += 1;
                    }
                }
            }
            Ok(out)
        })
    }

    fn dust_days(&self, city_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>> {
        let _op = crate::op::during("reading dust days");
        crate::op::read(&[DataArea::Assessment]);
        let mut days = BTreeSet::new();
        for r in self.db().query(
            "SELECT start_date, end_date FROM dust_event WHERE city_id = $1 AND end_date >= $2 AND start_date <= $3",
            &[&city_id, &from, &to],
        )? {
            let (a, b): (NaiveDate, NaiveDate) = (r.try_get(0)?, r.try_get(1)?);
            let mut d = a.max(from);
            let last = b.min(to);
            while d <= last {
                days.insert(d);
                match d.succ_opt() {
                    Some(n) => d = n,
                    None => break,
                }
            }
        }
        Ok(days.into_iter().collect())
    }

    fn target(&self, city_id: i64, year: i32) -> Result<Option<CityTarget>> {
        let _op = crate::op::during("reading a city target");
        crate::op::read(&[DataArea::Assessment]);
        self.db()
            .query_opt(
                "SELECT pm2_5, good_day_ratio_tenths, heavy_days, source FROM city_target WHERE city_id = $1 AND year = $2",
                &[&city_id, &year],
            )?
            .map(|r| -> Result<CityTarget> {
                Ok(CityTarget {
                    year,
                    pm2_5: r.try_get::<_, Option<i64>>(0)?.map(Conc),
                    good_day_ratio_tenths: r.try_get(1)?,
                    heavy_days: r.try_get::<_, Option<i64>>(2)?.map(|v| v as u32),
                    source: r.try_get(3)?,
                })
            })
            .transpose()
    }

    fn import_adjustments(
        &mut self,
        file: &FileMeta,
        records: &[AdjustmentRecord],
        approval: &Approval,
    ) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing bonus/penalty items");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "adjustments", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.line, &r.city)?;
                if insert_adjustment(db, city.id, r.date, (&r.item, &r.evidence, &r.approver), approval)? {
                    out.inserted += 1;
                } else {
                    out.unchanged += 1;
                }
            }
            Ok(out)
        })
    }

    fn propose_adjustments(
        &mut self,
        file: &FileMeta,
        records: &[AdjustmentRecord],
        by: &str,
        at: &str,
    ) -> Result<ImportOutcome> {
        let _op = crate::op::during("recording proposed bonus/penalty items");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "adjustments", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.line, &r.city)?;
                let stored: i64 = db
                    .query_one(
                        "SELECT count(*) FROM adjustment WHERE city_id = $1 AND date = $2 AND item = $3 \
                         AND evidence = $4 AND approver = $5",
                        &[&city.id, &r.date, &r.item, &r.evidence, &r.approver],
                    )?
                    .try_get(0)?;
                let record = serde_json::json!({
                    "city_id": city.id, "date": r.date.to_string(), "item": r.item,
                    "evidence": r.evidence, "approver": r.approver,
                })
                .to_string();
                let summary = format!("{} {} {}（{}）", r.date, r.item, r.evidence, r.approver);
                if stored == 0 && insert_proposal(db, ["adjustment", &record, &summary, &file.path, by, at], city.id)? {
                    out.inserted += 1;
                } else {
                    out.unchanged += 1;
                }
            }
            Ok(out)
        })
    }

    fn propose_dust(&mut self, file: &FileMeta, records: &[DustRecord], by: &str, at: &str) -> Result<ImportOutcome> {
        let _op = crate::op::during("recording proposed dust periods");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "dust-events", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.line, &r.city)?;
                let stored: i64 = db
                    .query_one(
                        "SELECT count(*) FROM dust_event WHERE city_id = $1 AND start_date = $2 AND end_date = $3 \
                         AND source = $4",
                        &[&city.id, &r.start, &r.end, &r.source],
                    )?
                    .try_get(0)?;
                let record = serde_json::json!({
                    "city_id": city.id, "start": r.start.to_string(), "end": r.end.to_string(), "source": r.source,
                })
                .to_string();
                let summary = format!("{} … {} {}", r.start, r.end, r.source);
                if stored == 0 && insert_proposal(db, ["dust", &record, &summary, &file.path, by, at], city.id)? {
                    out.inserted += 1;
                } else {
                    out.unchanged += 1;
                }
            }
            Ok(out)
        })
    }

    fn proposals(&self, city_id: Option<i64>, status: Option<&str>) -> Result<Vec<Proposal>> {
        let _op = crate::op::during("reading proposals");
        crate::op::read(&[DataArea::Accounts, DataArea::Places]);
        self.db()
            .query(
                &format!(
                    "{PROPOSAL_SELECT} WHERE ($1::bigint IS NULL OR p.city_id = $1) \
                     AND ($2::text IS NULL OR p.status = $2) ORDER BY p.id DESC"
                ),
                &[&city_id, &status],
            )?
            .iter()
            .map(proposal_row)
            .collect()
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
        self.tx(|db| {
            let p = db
                .query_opt(&format!("{PROPOSAL_SELECT} WHERE p.id = $1 FOR UPDATE OF p"), &[&id])?
                .map(|r| proposal_row(&r))
                .transpose()?
                .ok_or_else(|| StoreError::Input(format!("no proposal #{id}")))?;
            let approval = Approval { by: by.to_string(), at: at.to_string() };
            match crate::proposals::approved_record(&p, approve)? {
                Some(crate::proposals::Approved::Adjustment { date, item, evidence, approver }) => {
                    insert_adjustment(db, p.city_id, date, (&item, &evidence, &approver), &approval)?;
                }
                Some(crate::proposals::Approved::Dust { start, end, source }) => {
                    insert_dust(db, p.city_id, start, end, &source, &approval)?;
                }
                None => {}
            }
            db.execute(
                "UPDATE proposal SET status = $2, decided_by = $3, decided_at = $4, note = $5 WHERE id = $1",
                &[&id, &crate::proposals::status(approve), &by, &at, &note],
            )?;
            let (action, detail) = crate::proposals::audit_entry(&p, approve, note);
            audit_insert(db, at, by, action, &detail, remote)?;
            Ok(crate::proposals::decided(p, approve, by, at, note))
        })
    }

    fn import_national_ranks(&mut self, file: &FileMeta, records: &[NationalRankRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing national ranks");
        self.tx(|db| {
            let mut out = ImportOutcome {
                new_file: record_file(db, file, "national-ranks", records.len())?,
                ..Default::default()
            };
            for r in records {
                let city = known_city(db, file, r.line, &r.city)?;
                let rank = i64::from(r.rank);
                let old: Option<i64> = db
                    .query_opt(
                        "SELECT rank FROM national_rank WHERE city_id = $1 AND period = $2",
                        &[&city.id, &r.period],
                    )?
                    .map(|x| x.try_get(0))
                    .transpose()?;
                match old {
                    Some(k) if k == rank => out.unchanged += 1,
                    Some(_) => {
                        db.execute(
                            "UPDATE national_rank SET rank = $3 WHERE city_id = $1 AND period = $2",
                            &[&city.id, &r.period, &rank],
                        )?;
                        out.updated += 1;
                    }
                    None => {
                        db.execute(
                            "INSERT INTO national_rank (city_id, period, rank) VALUES ($1, $2, $3)",
                            &[&city.id, &r.period, &rank],
                        )?;
                        out.inserted += 1;
                    }
                }
            }
            Ok(out)
        })
    }

    fn national_rank(&self, city_id: i64, period: &str) -> Result<Option<u32>> {
        let _op = crate::op::during("reading a national rank");
        crate::op::read(&[DataArea::Assessment]);
        self.db()
            .query_opt("SELECT rank FROM national_rank WHERE city_id = $1 AND period = $2", &[&city_id, &period])?
            .map(|r| Ok(r.try_get::<_, i64>(0)? as u32))
            .transpose()
    }

    fn import_tasks(&mut self, file: &FileMeta, records: &[TaskRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing target tasks");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "target-tasks", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.line, &r.city)?;
                let kind = r.kind.code();
                let vals: [&(dyn ToSql + Sync); 10] = [
                    &r.code,
                    &city.id,
                    &r.department,
                    &r.description,
                    &r.unit,
                    &kind,
                    &r.baseline,
                    &r.target,
                    &r.start,
                    &r.deadline,
                ];
                let exists = db.query_opt("SELECT id FROM task WHERE code = $1", &[&r.code])?.is_some();
                if !exists {
                    db.execute(
                        "INSERT INTO task (code, city_id, department, description, unit, kind, baseline, target, \
                         start_date, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        &vals,
                    )?;
                    out.inserted += 1;
                } else {
                    let n = db.execute(
                        "UPDATE task SET city_id = $2, department = $3, description = $4, unit = $5, kind = $6, \
                         baseline = $7, target = $8, start_date = $9, deadline = $10 WHERE code = $1 AND NOT \
                         (city_id = $2 AND department = $3 AND description = $4 AND unit = $5 AND kind = $6 \
                         AND baseline = $7 AND target = $8 AND start_date = $9 AND deadline = $10)",
                        &vals,
                    )?;
                    if n > 0 {
                        out.updated += 1;
                    } else {
                        out.unchanged += 1;
                    }
                }
            }
            Ok(out)
        })
    }

    fn import_task_reports(&mut self, file: &FileMeta, records: &[TaskReportRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing task progress reports");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "task-reports", records.len())?, ..Default::default() };
            for r in records {
                let id: i64 = db
                    .query_opt("SELECT id FROM task WHERE code = $1", &[&r.task])?
                    .ok_or_else(|| {
                        StoreError::Input(format!(
                            "{}:{}: unknown task {:?} (import the task first)",
                            file.path, r.line, r.task
                        ))
                    })?
                    .try_get(0)?;
                let old: Option<(String, String)> = db
                    .query_opt(
                        "SELECT value, source FROM task_report WHERE task_id = $1 AND date = $2",
                        &[&id, &r.date],
                    )?
                    .map(|x| -> Result<_> { Ok((x.try_get(0)?, x.try_get(1)?)) })
                    .transpose()?;
                match old {
                    Some((v, s)) if v == r.value && s == r.source => out.unchanged += 1,
                    Some(_) => {
                        db.execute(
                            "UPDATE task_report SET value = $3, source = $4 WHERE task_id = $1 AND date = $2",
                            &[&id, &r.date, &r.value, &r.source],
                        )?;
                        out.updated += 1;
                    }
                    None => {
                        db.execute(
                            "INSERT INTO task_report (task_id, date, value, source) VALUES ($1, $2, $3, $4)",
                            &[&id, &r.date, &r.value, &r.source],
                        )?;
                        out.inserted += 1;
                    }
                }
            }
            Ok(out)
        })
    }

    fn tasks(&self, city_ids: &[i64]) -> Result<Vec<TaskInfo>> {
        let _op = crate::op::during("reading target tasks");
        crate::op::read(&[DataArea::Tasks, DataArea::Places]);
        let cities: HashMap<i64, CityInfo> = self.cities()?.into_iter().map(|c| (c.id, c)).collect();
        let mut db = self.db();
        let mut reports: HashMap<i64, Vec<(NaiveDate, String, String)>> = HashMap::new();
        for x in db.query("SELECT task_id, date, value, source FROM task_report ORDER BY task_id, date", &[])? {
            reports.entry(x.try_get(0)?).or_default().push((x.try_get(1)?, x.try_get(2)?, x.try_get(3)?));
        }
        let mut out = Vec::new();
        for r in db.query(
            "SELECT id, code, city_id, department, description, unit, kind, baseline, target, start_date, deadline \
             FROM task ORDER BY city_id, code",
            &[],
        )? {
            let city_id: i64 = r.try_get(2)?;
            if !city_ids.is_empty() && !city_ids.contains(&city_id) {
                continue;
            }
            let Some(city) = cities.get(&city_id).cloned() else { continue };
            let id: i64 = r.try_get(0)?;
            out.push(TaskInfo {
                code: r.try_get(1)?,
                city,
                department: r.try_get(3)?,
                description: r.try_get(4)?,
                unit: r.try_get(5)?,
                kind: r.try_get(6)?,
                baseline: r.try_get(7)?,
                target: r.try_get(8)?,
                start: r.try_get(9)?,
                deadline: r.try_get(10)?,
                reports: reports.remove(&id).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    fn publish(&mut self, r: &PublishedRecord) -> Result<i64> {
        let _op = crate::op::during("storing a published result");
        Ok(self
            .db()
            .query_one(
                "INSERT INTO published_result (kind, key, scheme_id, scheme_version, scheme_text, inputs_json, \
                 results_json, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &r.kind,
                    &r.key,
                    &r.scheme_id,
                    &r.scheme_version,
                    &r.scheme_text,
                    &r.inputs_json,
                    &r.results_json,
                    &r.published_at,
                ],
            )?
            .try_get(0)?)
    }

    fn published(&self, id: i64) -> Result<Option<PublishedRecord>> {
        let _op = crate::op::during("reading a published result");
        crate::op::read(&[DataArea::Published]);
        self.db()
            .query_opt(
                "SELECT id, kind, key, scheme_id, scheme_version, scheme_text, inputs_json, results_json, published_at \
                 FROM published_result WHERE id = $1",
                &[&id],
            )?
            .map(|r| -> Result<PublishedRecord> {
                Ok(PublishedRecord {
                    id: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    key: r.try_get(2)?,
                    scheme_id: r.try_get(3)?,
                    scheme_version: r.try_get(4)?,
                    scheme_text: r.try_get(5)?,
                    inputs_json: r.try_get(6)?,
                    results_json: r.try_get(7)?,
                    published_at: r.try_get(8)?,
                })
            })
            .transpose()
    }

    fn adjustments(&self, city_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<AdjustmentRow>> {
        let _op = crate::op::during("reading bonus/penalty items");
        crate::op::read(&[DataArea::Assessment]);
        self.db()
            .query(
                "SELECT date, item, evidence, approver, approved_by, approved_at FROM adjustment \
                 WHERE city_id = $1 AND date BETWEEN $2 AND $3 ORDER BY date, item",
                &[&city_id, &from, &to],
            )?
            .iter()
            .map(|r| -> Result<AdjustmentRow> {
                Ok(AdjustmentRow {
                    date: r.try_get(0)?,
                    item: r.try_get(1)?,
                    evidence: r.try_get(2)?,
                    approver: r.try_get(3)?,
                    approved_by: r.try_get(4)?,
                    approved_at: r.try_get(5)?,
                })
            })
            .collect()
    }
}

impl AccountStore for PgStore {
    fn add_account(&mut self, a: &NewAccount) -> Result<i64> {
        let _op = crate::op::during("adding an account");
        if self.account(&a.name)?.is_some() {
            return Err(StoreError::Input(format!("an account named {:?} exists", a.name)));
        }
        Ok(self
            .db()
            .query_one(
                "INSERT INTO account (name, password_hash, role, city_id, department, created_at, grants) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[&a.name, &a.password_hash, &a.role, &a.city_id, &a.department, &a.created_at, &a.grants.join(",")],
            )?
            .try_get(0)?)
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        let _op = crate::op::during("reading accounts");
        crate::op::read(&[DataArea::Accounts, DataArea::Places]);
        let rows = self
            .db()
            .query(&format!("SELECT {ACCOUNT_COLUMNS} FROM account a ORDER BY a.name"), &[])?
            .iter()
            .map(account_row)
            .collect::<Result<Vec<_>>>()?;
        rows.into_iter().map(|(a, city)| self.with_city(a, city)).collect()
    }

    fn account(&self, name: &str) -> Result<Option<Account>> {
        let _op = crate::op::during("reading an account");
        crate::op::read(&[DataArea::Accounts, DataArea::Places]);
        let row = self
            .db()
            .query_opt(&format!("SELECT {ACCOUNT_COLUMNS} FROM account a WHERE a.name = $1"), &[&name])?
            .map(|r| account_row(&r))
            .transpose()?;
        row.map(|(a, city)| self.with_city(a, city)).transpose()
    }

    fn set_account_disabled(&mut self, name: &str, disabled: bool, at: &str) -> Result<bool> {
        let _op = crate::op::during("disabling or enabling an account");
        self.tx(|db| {
            if disabled {
                let n = db.execute(
                    "UPDATE account SET disabled = true, credential_epoch = credential_epoch + 1 WHERE name = $1",
                    &[&name],
                )?;
                db.execute(
                    "UPDATE api_token SET revoked_at = $2 WHERE revoked_at IS NULL \
                     AND account_id = (SELECT id FROM account WHERE name = $1)",
                    &[&name, &at],
                )?;
                Ok(n > 0)
            } else {
                Ok(db.execute("UPDATE account SET disabled = false WHERE name = $1", &[&name])? > 0)
            }
        })
    }

    fn set_account_grants(&mut self, name: &str, grants: &[String]) -> Result<bool> {
        let _op = crate::op::during("setting an account's grants");
        Ok(self.db().execute("UPDATE account SET grants = $2 WHERE name = $1", &[&name, &grants.join(",")])? > 0)
    }

    fn add_token(&mut self, t: &NewToken) -> Result<()> {
        let _op = crate::op::during("storing an API token");
        self.db().execute(
            "INSERT INTO api_token (token_sha256, account_id, label, created_at, scopes, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&t.sha256, &t.account_id, &t.label, &t.created_at, &t.scopes, &t.expires_at],
        )?;
        Ok(())
    }

    fn token(&self, token_sha256: &str) -> Result<Option<(Account, TokenInfo)>> {
        let _op = crate::op::during("reading an API token");
        crate::op::read(&[DataArea::Accounts, DataArea::Places]);
        let row = self
            .db()
            .query_opt(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS}, t.id, t.label, t.scopes, t.created_at, t.expires_at, t.revoked_at \
                     FROM api_token t JOIN account a ON a.id = t.account_id WHERE t.token_sha256 = $1"
                ),
                &[&token_sha256],
            )?
            .map(|r| -> Result<_> { Ok((account_row(&r)?, token_row(&r, 10)?)) })
            .transpose()?;
        row.map(|((a, city), t)| Ok((self.with_city(a, city)?, t))).transpose()
    }

    fn tokens(&self, account_id: i64) -> Result<Vec<TokenInfo>> {
        let _op = crate::op::during("reading API tokens");
        crate::op::read(&[DataArea::Accounts]);
        self.db()
            .query(
                "SELECT id, label, scopes, created_at, expires_at, revoked_at FROM api_token \
                 WHERE account_id = $1 ORDER BY id",
                &[&account_id],
            )?
            .iter()
            .map(|r| token_row(r, 0))
            .collect()
    }

    fn revoke_tokens(&mut self, account_id: i64, label: Option<&str>, at: &str) -> Result<usize> {
        let _op = crate::op::during("revoking API tokens");
        Ok(self.db().execute(
            "UPDATE api_token SET revoked_at = $3 WHERE account_id = $1 AND revoked_at IS NULL \
             AND ($2::text IS NULL OR label = $2)",
            &[&account_id, &label, &at],
        )? as usize)
    }

    fn audit(&mut self, at: &str, actor: &str, action: &str, detail: &str, remote: &str) -> Result<()> {
        let _op = crate::op::during("writing the audit log");
        audit_insert(&mut self.db(), at, actor, action, detail, remote)
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let _op = crate::op::during("reading the audit log");
        crate::op::read(&[DataArea::Accounts]);
        self.db()
            .query(
                "SELECT id, at, actor, action, detail, remote FROM audit_log ORDER BY id DESC LIMIT $1",
                &[&(limit.min(i64::MAX as usize) as i64)],
            )?
            .iter()
            .map(|r| -> Result<AuditEntry> {
                Ok(AuditEntry {
                    id: r.try_get(0)?,
                    at: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    action: r.try_get(3)?,
                    detail: r.try_get(4)?,
                    remote: r.try_get(5)?,
                })
            })
            .collect()
    }
}
