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
use lantian_core::work::inspection::{InspectionMode, InspectionTarget, RectificationStatus};
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
        let tx = self.conn_mut().savepoint()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{record_reads, AreaSet, DataVersions, Store};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[allow(clippy::too_many_arguments)]
    fn rec(
        city: &str,
        date: &str,
        department: &str,
        target: &str,
        finding: &str,
        mode: InspectionMode,
        deadline: &str,
        status: RectificationStatus,
        line: usize,
    ) -> InspectionRecord {
        InspectionRecord {
            city: city.into(),
            date: d(date),
            department: department.into(),
            target: InspectionTarget::parse(target).expect("target"),
            finding: finding.into(),
            measure: format!("整改{line}"),
            mode,
            deadline: d(deadline),
            status,
            line,
        }
    }

    /// Five findings, written in an order that is not the stored one. Two departments of 成都 on
    /// 2022-12-21 differ in the case of an ASCII letter: by bytes `B局` (0x42) comes before `a局` (0x61)
    /// — a locale's collation would put `a` first — and both before `成都市生态环境局` (UTF-8 0xE6…).
    fn records() -> Vec<InspectionRecord> {
        use InspectionMode::*;
        use RectificationStatus::*;
        vec![
            rec(
                "德阳",
                "2022-12-20",
                "德阳市住房城乡建设局",
                "旌阳区天山南路工地",
                "裸土未覆盖",
                Routine,
                "2022-12-23",
                Rectified,
                2,
            ),
            rec(
                "成都",
                "2022-12-22",
                "成都市住房城乡建设局",
                "91510100MA61A0002W",
                "物料露天堆放",
                Joint,
                "2023-01-10",
                Open,
                3,
            ),
            rec(
                "成都",
                "2022-12-21",
                "成都市生态环境局",
                "91510100MA61A0001R",
                "脱硫设施停运",
                Unannounced,
                "2023-01-05",
                Rectifying,
                4,
            ),
            rec("510100", "2022-12-21", "a局", "锦江区工地", "道路扬尘", Cross, "2022-12-31", Open, 5),
            rec("成都市", "2022-12-21", "B局", "锦江区工地", "渣土车未密闭", Regional, "2022-12-31", Closed, 6),
        ]
    }

    /// What both backends must do with [`records`] (expected values worked out by hand above).
    fn the_dataset_behaves(s: &mut dyn Store) {
        let file = FileMeta::new("inspections.csv", b"five findings", "2023-01-01T00:00:00+08:00");
        let v0 = s.data_versions().expect("versions");
        let o = s.import_inspections(&file, &records()).expect("imports");
        assert_eq!((o.new_file, o.inserted, o.updated, o.unchanged), (true, 5, 0, 0));
        let raised = |before: &DataVersions, after: &DataVersions| {
            DataArea::ALL.into_iter().map(|a| after.get(a) - before.get(a)).collect::<Vec<u64>>()
        };
        let v1 = s.data_versions().expect("versions");
        // One raise of the tasks area per row inserted (one statement each), nothing else.
        assert_eq!(raised(&v0, &v1), [0, 0, 0, 0, 5, 0, 0, 0, 0]);

        let (rows, areas) = record_reads(|| s.inspections(None).expect("read"));
        assert_eq!(areas, AreaSet::of(&[DataArea::Tasks]), "the findings are work items; no city is read");
        let order: Vec<&str> = rows.iter().map(|r| r.finding.as_str()).collect();
        assert_eq!(order, ["渣土车未密闭", "道路扬尘", "脱硫设施停运", "物料露天堆放", "裸土未覆盖"]);
        let chengdu = s.resolve_city("成都").expect("read").expect("成都").id;
        assert!(rows[..4].iter().all(|r| r.city_id == chengdu));
        assert_eq!(rows[0].target, InspectionTarget::Site("锦江区工地".into()));
        assert_eq!(rows[2].target.kind_code(), "enterprise");
        assert_eq!(rows[2].target.as_str(), "91510100MA61A0001R");
        assert_eq!(
            (rows[2].mode, rows[2].status, rows[2].deadline, rows[2].measure.as_str()),
            (InspectionMode::Unannounced, RectificationStatus::Rectifying, d("2023-01-05"), "整改4")
        );
        assert_eq!(rows[4].date, d("2022-12-20"));
        let only: Vec<StoredInspection> = rows.iter().filter(|r| r.city_id == chengdu).cloned().collect();
        assert_eq!(s.inspections(Some(&[chengdu])).expect("read"), only);
        assert_eq!(s.inspections(Some(&[])).expect("read"), []);

        // The same file again changes nothing and raises nothing.
        let o = s.import_inspections(&file, &records()).expect("again");
        assert_eq!((o.new_file, o.inserted, o.updated, o.unchanged), (false, 0, 0, 5));
        assert_eq!(s.data_versions().expect("versions"), v1);

        // A later file moves one finding on: one update, one raise.
        let mut later = records();
        later[2].status = RectificationStatus::Rectified;
        let later_file = FileMeta::new("later.csv", b"later", "2023-01-02T00:00:00+08:00");
        let o = s.import_inspections(&later_file, &later).expect("later");
        assert_eq!((o.new_file, o.inserted, o.updated, o.unchanged), (true, 0, 1, 4));
        let v2 = s.data_versions().expect("versions");
        assert_eq!(raised(&v1, &v2), [0, 0, 0, 0, 1, 0, 0, 0, 0]);
        let after = s.inspections(None).expect("read");
        assert_eq!(after[2].status, RectificationStatus::Rectified);

        // An unknown city rejects the whole file: nothing stored, nothing raised.
        let mut bad = later.clone();
        bad[0].status = RectificationStatus::Closed;
        bad.push(rec(
            "不存在市",
            "2022-12-21",
            "某局",
            "工地",
            "裸土",
            InspectionMode::Routine,
            "2022-12-25",
            RectificationStatus::Open,
            7,
        ));
        let e = s.import_inspections(&FileMeta::new("bad.csv", b"bad", "t"), &bad).expect_err("unknown city");
        assert!(e.to_string().contains("bad.csv:7: unknown city \"不存在市\""), "{e}");
        assert_eq!(s.inspections(None).expect("read"), after);
        assert_eq!(s.data_versions().expect("versions"), v2);
    }

    #[test]
    fn sqlite_stores_orders_and_versions_the_findings() {
        let mut s = SqliteStore::memory().expect("store");
        the_dataset_behaves(&mut s);
    }

    /// The same on PostgreSQL when `LANTIAN_TEST_PG` names a server (`postgres://user@host:port`):
    /// the test creates its own database there and drops it after. Skipped (passes, saying so)
    /// without it.
    #[test]
    fn postgres_stores_orders_and_versions_the_findings_as_sqlite() {
        let Ok(server) = std::env::var("LANTIAN_TEST_PG") else {
            eprintln!("LANTIAN_TEST_PG is not set: the PostgreSQL inspections test is skipped");
            return;
        };
        let server = server.trim_end_matches('/');
        let base = match server.split_once("://") {
            Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)),
            None => panic!("LANTIAN_TEST_PG is not a postgres:// URL"),
        };
        let name = format!("lantian_test_inspections_{}", std::process::id());
        let mut admin = postgres::Client::connect(&format!("{base}/postgres"), postgres::NoTls).expect("server");
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).expect("drop");
        // A database whose default collation is a language's (ICU en-US, where `a` sorts before `B`),
        // so that only the schema's byte-order text keeps SQLite's order; a plain one where the server
        // has no ICU.
        let icu = format!("CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
        if admin.batch_execute(&icu).is_err() {
            admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create");
        }
        let r = std::panic::catch_unwind(|| {
            let mut s = PgStore::open(&format!("{base}/{name}")).expect("store");
            the_dataset_behaves(&mut s);
            // The same rows as SQLite, in the same order.
            let mut lite = SqliteStore::memory().expect("store");
            let file = FileMeta::new("inspections.csv", b"five findings", "t");
            let mut later = records();
            later[2].status = RectificationStatus::Rectified;
            lite.import_inspections(&file, &later).expect("imports");
            assert_eq!(s.inspections(None).expect("pg"), lite.inspections(None).expect("sqlite"));
        });
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop");
        if let Err(p) = r {
            std::panic::resume_unwind(p);
        }
    }
}
