//! Storage of inspections (督查检查) and their findings (issue 13: the worked example of a dataset
//! added as one module, `lantian_service::datasets::inspections`, plus this file and one migration).
//! One row per finding, keyed by city, date, department, target and finding: a later file with the
//! same finding updates its measure, deadline, mode and status (the rectification moves on), the
//! same file again changes nothing. No number is computed from these rows, so they raise no
//! `content_version`. The table: the inspections migration of `schema.rs`.

use chrono::NaiveDate;
use lantian_core::inspection::{InspectionMode, InspectionTarget, RectificationStatus};
use rusqlite::params;

use crate::sqlite::{day_num, find_city, from_day_num};
use crate::{FileMeta, ImportOutcome, Result, SqliteStore, StoreError};

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
    /// The findings of the given cities (all when `None`), by city, date, department, target.
    fn inspections(&self, city_ids: Option<&[i64]>) -> Result<Vec<StoredInspection>>;
}

impl InspectionStore for SqliteStore {
    fn import_inspections(&mut self, file: &FileMeta, records: &[InspectionRecord]) -> Result<ImportOutcome> {
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
            match (existed, n) {
                (false, _) => out.inserted += 1,
                (true, 0) => out.unchanged += 1,
                (true, _) => out.updated += 1,
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn inspections(&self, city_ids: Option<&[i64]>) -> Result<Vec<StoredInspection>> {
        let mut st = self.conn().prepare(
            "SELECT city_id, date, department, target_kind, target, finding, measure, mode, deadline, status \
             FROM inspection ORDER BY city_id, date, department, target, finding",
        )?;
        type Row = (i64, i64, String, String, String, String, String, String, i64, String);
        let rows = st.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (city_id, date, department, kind, target, finding, measure, mode, deadline, status): Row = row?;
            if city_ids.is_some_and(|ids| !ids.contains(&city_id)) {
                continue;
            }
            let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("inspection {what} {v:?}"));
            let target = match kind.as_str() {
                "site" => InspectionTarget::Site(target),
                _ => match InspectionTarget::parse(&target) {
                    Ok(t @ InspectionTarget::Enterprise(_)) => t,
                    _ => return Err(corrupt("target", &target)),
                },
            };
            out.push(StoredInspection {
                city_id,
                date: from_day_num(date)?,
                department,
                target,
                finding,
                measure,
                mode: InspectionMode::parse(&mode).ok_or_else(|| corrupt("mode", &mode))?,
                deadline: from_day_num(deadline)?,
                status: RectificationStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            });
        }
        Ok(out)
    }
}
