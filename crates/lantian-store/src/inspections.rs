//! Storage of inspections (督查检查) and their findings (issue 13: the worked example of a dataset
//! added as one module, `lantian_service::datasets::inspections`, plus this file and its migration
//! `migrations/{sqlite,postgres}/0016_inspections.sql`). Both backends of the dataset's store live
//! here, so that adding a dataset stays "its module + its migrations".
//!
//! One row per finding, keyed by city, date, department, target and finding: a later file with the
//! same finding updates its measure, deadline, mode and status (the rectification moves on), the
//! same file again changes nothing. The table belongs to the data area [`DataArea::Tasks`] (work
//! items), raised by its triggers; both backends return the same rows in the same order (by the key,
//! text compared byte by byte: SQLite's `BINARY`, PostgreSQL's `COLLATE "C"`; no column is nullable).

use chrono::NaiveDate;
use lantian_core::inspection::{InspectionMode, InspectionTarget, RectificationStatus};
use rusqlite::params;

use crate::postgres::{known_city, record_file};
use crate::sqlite::{day_num, find_city, from_day_num};
use crate::{DataArea, FileMeta, ImportOutcome, PgStore, Result, SqliteStore, StoreError};

/// One finding of an inspection, as read from a file (`lantian_service::datasets::inspections`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InspectionRecord {
    /// The city inspected (a name, alias or code).
    pub city: String,
    pub date: NaiveDate,
    /// The department that inspected.
    pub department: String,
    pub target: InspectionTarget,
    pub finding: String,
    /// The rectification measure required (may be empty).
    pub measure: String,
    pub mode: InspectionMode,
    /// The rectification deadline.
    pub deadline: NaiveDate,
    pub status: RectificationStatus,
    /// Line in the file (errors).
    pub line: usize,
}

/// A stored finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredInspection {
    pub city_id: i64,
    pub date: NaiveDate,
    pub department: String,
    pub target: InspectionTarget,
    pub finding: String,
    pub measure: String,
    pub mode: InspectionMode,
    pub deadline: NaiveDate,
    pub status: RectificationStatus,
}

/// The inspections part of the storage boundary.
pub trait InspectionStore {
    /// Imports findings in one transaction; an unknown city rejects the file.
    fn import_inspections(&mut self, file: &FileMeta, records: &[InspectionRecord]) -> Result<ImportOutcome>;
    /// The findings of the given cities (all when `None`), by city, date, department, target, finding.
    fn inspections(&self, city_ids: Option<&[i64]>) -> Result<Vec<StoredInspection>>;
}

const IMPORTING: &str = "importing inspections";
const READING: &str = "reading inspections";

/// The columns read, in the order [`stored`] takes them, and the order of the rows (the unique key).
const SELECT: &str = "SELECT city_id, date, department, target_kind, target, finding, measure, mode, deadline, status \
                      FROM inspection ORDER BY city_id, date, department, target, finding";

/// A stored row as read by either backend (dates already converted), checked.
type Row = (i64, NaiveDate, String, String, String, String, String, String, NaiveDate, String);

fn stored(row: Row) -> Result<StoredInspection> {
    let (city_id, date, department, kind, target, finding, measure, mode, deadline, status) = row;
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("inspection {what} {v:?}"));
    let target = match kind.as_str() {
        "site" => InspectionTarget::Site(target),
        _ => match InspectionTarget::parse(&target) {
            Ok(t @ InspectionTarget::Enterprise(_)) => t,
            _ => return Err(corrupt("target", &target)),
        },
    };
    Ok(StoredInspection {
        city_id,
        date,
        department,
        target,
        finding,
        measure,
        mode: InspectionMode::parse(&mode).ok_or_else(|| corrupt("mode", &mode))?,
        deadline,
        status: RectificationStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
    })
}

/// Whether a finding of `city_id` is among those asked for.
fn wanted(city_ids: Option<&[i64]>, city_id: i64) -> bool {
    match city_ids {
        None => true,
        Some(ids) => ids.contains(&city_id),
    }
}

/// Counts an upsert: a new key is inserted; an existing one updated when a statement changed it.
fn count(out: &mut ImportOutcome, existed: bool, changed: u64) {
    match (existed, changed) {
        (false, _) => out.inserted += 1,
        (true, 0) => out.unchanged += 1,
        (true, _) => out.updated += 1,
    }
}

impl InspectionStore for SqliteStore {
    fn import_inspections(&mut self, file: &FileMeta, records: &[InspectionRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during(IMPORTING);
        let tx = self.conn_mut().transaction()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, "inspections", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = find_city(&tx, &r.city)?
                .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, r.line, r.city)))?
                .id;
            let key = params![city, day_num(r.date), r.department, r.target.as_str(), r.finding];
            let existed: bool = tx.query_row(
                "SELECT count(*) FROM inspection WHERE city_id = ?1 AND date = ?2 AND department = ?3 \
                 AND target = ?4 AND finding = ?5",
                key,
                |x| x.get::<_, i64>(0),
            )? > 0;
            let n = tx.execute(
                "INSERT INTO inspection (city_id, date, department, target_kind, target, finding, measure, mode, \
                 deadline, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT (city_id, date, department, target, finding) DO UPDATE SET target_kind = ?4, \
                 measure = ?7, mode = ?8, deadline = ?9, status = ?10 \
                 WHERE NOT (target_kind = ?4 AND measure = ?7 AND mode = ?8 AND deadline = ?9 AND status = ?10)",
                params![
                    city,
                    day_num(r.date),
                    r.department,
                    r.target.kind_code(),
                    r.target.as_str(),
                    r.finding,
                    r.measure,
                    r.mode.code(),
                    day_num(r.deadline),
                    r.status.code()
                ],
            )?;
            count(&mut out, existed, n as u64);
        }
        tx.commit()?;
        Ok(out)
    }

    fn inspections(&self, city_ids: Option<&[i64]>) -> Result<Vec<StoredInspection>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        let mut st = self.conn().prepare(SELECT)?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, String>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (city_id, date, department, kind, target, finding, measure, mode, deadline, status) = row?;
            if !wanted(city_ids, city_id) {
                continue;
            }
            let (date, deadline) = (from_day_num(date)?, from_day_num(deadline)?);
            out.push(stored((city_id, date, department, kind, target, finding, measure, mode, deadline, status))?);
        }
        Ok(out)
    }
}

impl InspectionStore for PgStore {
    fn import_inspections(&mut self, file: &FileMeta, records: &[InspectionRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during(IMPORTING);
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "inspections", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.line, &r.city)?.id;
                let existed = db
                    .query_opt(
                        "SELECT 1 FROM inspection WHERE city_id = $1 AND date = $2 AND department = $3 \
                         AND target = $4 AND finding = $5",
                        &[&city, &r.date, &r.department, &r.target.as_str(), &r.finding],
                    )?
                    .is_some();
                // `ON CONFLICT … DO UPDATE … WHERE` counts no row when the stored finding is the same,
                // and the statement triggers then see no changed row (nothing is raised).
                let n = db.execute(
                    "INSERT INTO inspection (city_id, date, department, target_kind, target, finding, measure, \
                     mode, deadline, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (city_id, date, department, target, finding) DO UPDATE SET \
                     target_kind = excluded.target_kind, measure = excluded.measure, mode = excluded.mode, \
                     deadline = excluded.deadline, status = excluded.status \
                     WHERE NOT (inspection.target_kind = excluded.target_kind \
                     AND inspection.measure = excluded.measure AND inspection.mode = excluded.mode \
                     AND inspection.deadline = excluded.deadline AND inspection.status = excluded.status)",
                    &[
                        &city,
                        &r.date,
                        &r.department,
                        &r.target.kind_code(),
                        &r.target.as_str(),
                        &r.finding,
                        &r.measure,
                        &r.mode.code(),
                        &r.deadline,
                        &r.status.code(),
                    ],
                )?;
                count(&mut out, existed, n);
            }
            Ok(out)
        })
    }

    fn inspections(&self, city_ids: Option<&[i64]>) -> Result<Vec<StoredInspection>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        let mut out = Vec::new();
        for r in self.db().query(SELECT, &[])? {
            let city_id: i64 = r.try_get(0)?;
            if !wanted(city_ids, city_id) {
                continue;
            }
            out.push(stored((
                city_id,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get(5)?,
                r.try_get(6)?,
                r.try_get(7)?,
                r.try_get(8)?,
                r.try_get(9)?,
            ))?);
        }
        Ok(out)
    }
}
