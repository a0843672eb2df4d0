//! Inspections (督查检查, `docs/formats.md` §12): one row per finding of an inspection — the city, the
//! day, the department that inspected, the target (an enterprise by its credit code, or a site), what
//! was found, the rectification measure and deadline, and where the rectification stands. The Notice
//! §2 and §7 ask for unannounced, joint, regional and cross inspections (`work.md` §3.1); the
//! rectification states and the derived "overdue" follow `work.md` §1 ([`lantian_core::work::inspection`]).
//!
//! The worked example of issue 13 item 1: this module is the whole dataset — reader, owner, writer,
//! summary, help line, the stored form of a finding and the restricted read [`list`] — with its line in
//! the registry. Its findings are records of the store's dataset-record table (`lantian_store::records`,
//! both backends): key date, department, target, finding (so that they read back in that order within a
//! city); fields as JSON ([`Body`]). No table, store trait or migration of its own.
//! A city records its own inspections; the findings name enterprises, so reading them is restricted
//! ([`crate::accounts::Dataset::Inspections`]: the province all, a city its own, a viewer if granted).

use std::path::Path;

use chrono::NaiveDate;
use lantian_core::work::inspection::{Finding, InspectionMode, InspectionTarget, RectificationStatus};
use lantian_ingest::table::{records, Cols, Row};
use lantian_ingest::IngestError;
use lantian_store::records::{record_key, NewRecord, StoredRecord};
use lantian_store::{CityInfo, FileMeta, ImportOutcome, Store, StoreError, Tx};
use serde::{Deserialize, Serialize};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::{ReadScope, WriteMode};
use crate::{Result, ServiceError};

/// One finding of an inspection, as read from a file.
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

/// The dataset's name in the store (its records and its files).
const DATASET: &str = "inspections";

/// The stored fields of a finding (the JSON of its record): codes as the machine formats spell them,
/// dates as `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub date: NaiveDate,
    pub department: String,
    /// `enterprise` or `site`.
    pub target_kind: String,
    pub target: String,
    pub finding: String,
    pub measure: String,
    pub mode: String,
    pub deadline: NaiveDate,
    pub status: String,
}

impl InspectionRecord {
    /// The record the store keeps: the city as the file names it, the key (date, department, target,
    /// finding) and the fields.
    fn to_record(&self) -> std::result::Result<NewRecord, StoreError> {
        let date = self.date.format("%Y-%m-%d").to_string();
        let body = Body {
            date: self.date,
            department: self.department.clone(),
            target_kind: self.target.kind_code().to_string(),
            target: self.target.as_str().to_string(),
            finding: self.finding.clone(),
            measure: self.measure.clone(),
            mode: self.mode.code().to_string(),
            deadline: self.deadline,
            status: self.status.code().to_string(),
        };
        Ok(NewRecord {
            city: Some(self.city.clone()),
            key: record_key(&[&date, &self.department, self.target.as_str(), &self.finding])?,
            body: serde_json::to_value(&body).map_err(|e| StoreError::Input(format!("line {}: {e}", self.line)))?,
            line: self.line,
        })
    }
}

impl StoredInspection {
    /// A finding from its stored record; a record that does not hold one is corrupt.
    fn from_record(r: StoredRecord) -> std::result::Result<StoredInspection, StoreError> {
        let corrupt = |what: String| StoreError::Corrupt(format!("inspection {:?}: {what}", r.key));
        let city_id = r.city_id.ok_or_else(|| corrupt("no city".into()))?;
        let b: Body = serde_json::from_value(r.body.clone()).map_err(|e| corrupt(e.to_string()))?;
        let target = match b.target_kind.as_str() {
            "site" => InspectionTarget::Site(b.target),
            _ => match InspectionTarget::parse(&b.target) {
                Ok(t @ InspectionTarget::Enterprise(_)) => t,
                _ => return Err(corrupt(format!("target {:?}", b.target))),
            },
        };
        Ok(StoredInspection {
            city_id,
            date: b.date,
            department: b.department,
            target,
            finding: b.finding,
            measure: b.measure,
            mode: InspectionMode::parse(&b.mode).ok_or_else(|| corrupt(format!("mode {:?}", b.mode)))?,
            deadline: b.deadline,
            status: RectificationStatus::parse(&b.status).ok_or_else(|| corrupt(format!("status {:?}", b.status)))?,
        })
    }
}

/// The stored findings of the given cities (all when `None`), by city, date, department, target and
/// finding (text by bytes).
pub fn stored(store: &dyn Store, city_ids: Option<&[i64]>) -> std::result::Result<Vec<StoredInspection>, StoreError> {
    store.records(DATASET, city_ids)?.into_iter().map(StoredInspection::from_record).collect()
}

/// Inspection findings.
pub struct Inspections;

pub static INSPECTIONS: Inspections = Inspections;

const INFO: Info = Info {
    name: "inspections",
    name_zh: "督查检查问题",
    what: "inspection findings (督查检查) with their rectification measure, deadline and status",
    recognition: Recognition::Header {
        required: &["city", "date", "department", "target", "finding", "deadline", "status"],
        optional: &["measure", "mode"],
        absent: &[],
    },
    doc: "§12",
    owned_by: OwnedBy::City,
    proposals: false,
    batched: false,
    samples: &["inspections.csv"],
};

/// Reads an inspections file: every cell checked, errors naming the line, column and field.
pub fn parse(path: &Path, text: &str) -> std::result::Result<Vec<InspectionRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let c = Cols::new(path, h);
    let (c_city, c_date, c_dep, c_target, c_finding, c_deadline, c_status) = (
        c.need("city")?,
        c.need("date")?,
        c.need("department")?,
        c.need("target")?,
        c.need("finding")?,
        c.need("deadline")?,
        c.need("status")?,
    );
    let (c_measure, c_mode) = (c.opt("measure"), c.opt("mode"));
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in &rows {
        let row = Row { path, line: *line, r };
        let date = row.date(c_date, "date")?;
        let deadline = row.date(c_deadline, "deadline")?;
        if deadline < date {
            return Err(row.err(c_deadline, "deadline", format!("{deadline} is before the inspection on {date}")));
        }
        let target_text = row.required(c_target, "target")?;
        let target = InspectionTarget::parse(&target_text)
            .map_err(|e| row.err(c_target, "target", format!("not a valid credit code {target_text:?}: {e}")))?;
        let status_text = row.required(c_status, "status")?;
        let status = RectificationStatus::parse(&status_text).ok_or_else(|| {
            row.err(
                c_status,
                "status",
                format!(
                    "expected {}, found {status_text:?}",
                    choices(&RectificationStatus::ALL.map(|s| (s.code(), s.label_zh())))
                ),
            )
        })?;
        let mode = match row.get(c_mode) {
            "" => InspectionMode::Routine,
            m => InspectionMode::parse(m).ok_or_else(|| {
                let at = c_mode.unwrap_or(0);
                row.err(
                    at,
                    "mode",
                    format!(
                        "expected {}, found {m:?}",
                        choices(&InspectionMode::ALL.map(|m| (m.code(), m.label_zh())))
                    ),
                )
            })?,
        };
        out.push(InspectionRecord {
            city: row.required(c_city, "city")?,
            date,
            department: row.required(c_dep, "department")?,
            target,
            finding: row.required(c_finding, "finding")?,
            measure: row.get(c_measure).to_string(),
            mode,
            deadline,
            status,
            line: *line,
        });
    }
    Ok(out)
}

/// `open (待整改), rectifying (整改中), …`
fn choices(all: &[(&str, &str)]) -> String {
    all.iter().map(|(c, l)| format!("{c} ({l})")).collect::<Vec<_>>().join(", ")
}

impl Dataset for Inspections {
    type Records = Vec<InspectionRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> std::result::Result<Vec<InspectionRecord>, IngestError> {
        parse(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<InspectionRecord>) -> u64 {
        r.len() as u64
    }
    /// Each finding belongs to the city inspected.
    fn owners<'a>(&self, r: &'a Vec<InspectionRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::City(&x.city)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<InspectionRecord>,
        _: &WriteMode,
    ) -> std::result::Result<ImportOutcome, StoreError> {
        let records = r.iter().map(InspectionRecord::to_record).collect::<std::result::Result<Vec<_>, _>>()?;
        tx.records().import_records(meta, DATASET, &records)
    }
}

/// One finding as read back, with its city and whether it is overdue on the day asked.
#[derive(Clone, Debug, PartialEq)]
pub struct InspectionRow {
    pub city: CityInfo,
    pub finding: StoredInspection,
    /// Past its deadline on the day asked with the rectification still owed (`work.md` §1: derived,
    /// never stored).
    pub overdue: bool,
}

/// The findings a reader may see (restricted: `scope` from [`crate::accounts::may_read`] with
/// [`crate::accounts::Dataset::Inspections`]), of one city when `city` is given, with whether each is
/// overdue `on` the given day. A city outside the reader's scope, or a reader without one, is refused.
pub fn list(store: &dyn Store, scope: &ReadScope, city: Option<&str>, on: NaiveDate) -> Result<Vec<InspectionRow>> {
    let cities = store.cities()?;
    let wanted = match city {
        Some(q) => Some(store.resolve_city(q)?.ok_or_else(|| ServiceError::Request(format!("unknown city {q:?}")))?),
        None => None,
    };
    let ids: Option<Vec<i64>> = match (scope, &wanted) {
        (ReadScope::All, Some(c)) => Some(vec![c.id]),
        (ReadScope::All, None) => None,
        (ReadScope::City(own), Some(c)) if c.id != *own => {
            return Err(ServiceError::Request(format!(
                "inspections of {} are not this account's to read: a city reads only its own",
                c.display()
            )))
        }
        (ReadScope::City(own), _) => Some(vec![*own]),
        (ReadScope::None | ReadScope::Department(_), _) => {
            return Err(ServiceError::Request(
                "inspections are restricted: this account may not read them (the province grants viewers \
                 the dataset `inspections`)"
                    .into(),
            ))
        }
    };
    let mut out = Vec::new();
    for f in stored(store, ids.as_deref())? {
        let Some(city) = cities.iter().find(|c| c.id == f.city_id) else {
            return Err(StoreError::Corrupt(format!("inspection of unknown city id {}", f.city_id)).into());
        };
        let overdue = Finding { deadline: f.deadline, status: f.status }.overdue_on(on);
        out.push(InspectionRow { city: city.clone(), finding: f, overdue });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use lantian_store::{Account, SqliteStore};

    use super::*;
    use crate::accounts::{may_import, may_read, Dataset as ReadDataset};

    const SAMPLE: &str = include_str!("../../../lantian-ingest/samples/inspections.csv");

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn account(store: &dyn Store, role: &str, city: Option<&str>, grants: &[&str]) -> Account {
        Account {
            id: 1,
            name: format!("{role}-{}", city.unwrap_or("")),
            password_hash: String::new(),
            role: role.into(),
            city: city.map(|c| store.resolve_city(c).expect("store").expect("city")),
            department: None,
            disabled: false,
            created_at: String::new(),
            credential_epoch: 0,
            grants: grants.iter().map(|g| g.to_string()).collect(),
        }
    }

    fn import(store: &mut SqliteStore, name: &str, text: &str) -> ImportOutcome {
        let (meta, ready) =
            crate::import::prepare(Path::new(name), text.as_bytes().to_vec(), "2023-01-01T00:00:00+08:00")
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ready.kind_name(), "inspections");
        crate::import::write_one(store, &meta, &ready).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The sample, read by hand: four findings in 成都 (2) and 德阳 (2), the first an unannounced check
    /// of a registered enterprise, the third a site with the mode defaulted to routine.
    #[test]
    fn the_sample_reads_into_typed_findings() {
        let r = parse(Path::new("inspections.csv"), SAMPLE).expect("sample");
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].city, "成都");
        assert_eq!(r[0].date, d("2022-12-21"));
        assert_eq!(r[0].department, "成都市生态环境局");
        assert_eq!(r[0].target.kind_code(), "enterprise");
        assert_eq!(r[0].target.as_str(), "91510100MA61A0001R");
        assert_eq!(r[0].mode, InspectionMode::Unannounced);
        assert_eq!(r[0].status, RectificationStatus::Rectifying);
        assert_eq!(r[0].deadline, d("2023-01-05"));
        assert_eq!(r[2].target, InspectionTarget::Site("旌阳区天山南路工地".into()));
        assert_eq!(r[2].mode, InspectionMode::Routine);
        assert_eq!(r[3].status, RectificationStatus::Closed);
        assert_eq!(r.iter().map(|x| x.line).collect::<Vec<_>>(), [2, 3, 4, 5]);
    }

    #[test]
    fn bad_cells_are_errors_naming_line_column_and_field() {
        let p = Path::new("i.csv");
        let head = "city,date,department,target,finding,measure,deadline,status,mode\n";
        let cases = [
            // A deadline before the inspection.
            ("成都,2022-12-21,局,工地,裸土,覆盖,2022-12-20,open,\n", 7, "deadline"),
            // A status that is not one (overdue is derived, never written).
            ("成都,2022-12-21,局,工地,裸土,覆盖,2022-12-25,逾期,\n", 8, "status"),
            // A mistyped credit code is not taken for a site.
            ("成都,2022-12-21,局,91510100MA61A0001X,超标,停产,2022-12-25,open,\n", 4, "target"),
            ("成都,2022-12-21,局,工地,,覆盖,2022-12-25,open,\n", 5, "finding"),
            ("成都,2022-12-21,局,工地,裸土,覆盖,2022-12-25,open,突击\n", 9, "mode"),
        ];
        for (row, col, field) in cases {
            let e = parse(p, &format!("{head}{row}")).expect_err(row);
            assert_eq!((e.line, e.column, e.field.as_deref()), (Some(2), Some(col), Some(field)), "{e}");
        }
    }

    /// Import, re-import (nothing changes), a later file moving a finding on (an update), an unknown
    /// city rejecting the whole file with the store unchanged.
    #[test]
    fn imports_are_idempotent_and_a_later_status_updates_the_finding() {
        let mut s = SqliteStore::memory().expect("store");
        let o = import(&mut s, "inspections.csv", SAMPLE);
        assert_eq!((o.inserted, o.updated, o.unchanged), (4, 0, 0));
        let o = import(&mut s, "again.csv", SAMPLE);
        assert_eq!((o.inserted, o.updated, o.unchanged), (0, 0, 4));
        let later = "city,date,department,target,finding,deadline,status,mode\n\
                     成都,2022-12-21,成都市生态环境局,91510100MA61A0001R,脱硫设施停运,2023-01-05,已整改,暗查暗访\n";
        let o = import(&mut s, "later.csv", later);
        assert_eq!((o.inserted, o.updated, o.unchanged), (0, 1, 0));
        let all = stored(&s, None).expect("read");
        assert_eq!(all.len(), 4);
        let first = all.iter().find(|f| f.finding == "脱硫设施停运").expect("finding");
        assert_eq!(first.status, RectificationStatus::Rectified);
        assert_eq!(first.measure, "", "the later file has no measure column: the measure is now empty");
        let bad = format!("{later}不存在市,2022-12-21,某局,工地,裸土,2022-12-25,open,\n");
        let (meta, ready) = crate::import::prepare(Path::new("bad.csv"), bad.into_bytes(), "t").expect("reads");
        let e = crate::import::write_one(&mut s, &meta, &ready).expect_err("unknown city");
        assert!(e.to_string().contains("bad.csv:3: unknown city"), "{e}");
        assert_eq!(stored(&s, None).expect("read"), all, "a rejected file leaves the store unchanged");
    }

    /// Writes: a city user records its own city's inspections, not another's; a department user and a
    /// viewer none (the one policy of `may_import`, fed by this module's owners).
    #[test]
    fn a_city_writes_only_its_own_inspections() {
        let s = SqliteStore::memory().expect("store");
        let (_, ready) = crate::import::prepare(Path::new("i.csv"), SAMPLE.as_bytes().to_vec(), "t").expect("reads");
        let chengdu = account(&s, "city", Some("成都"), &[]);
        let why = may_import(&s, &chengdu, &ready).expect("store").expect_err("德阳's rows");
        assert!(why.contains("records of 德阳"), "{why}");
        let own: String = SAMPLE.lines().filter(|l| !l.starts_with("德阳")).map(|l| format!("{l}\n")).collect();
        let (_, ready) = crate::import::prepare(Path::new("cd.csv"), own.into_bytes(), "t").expect("reads");
        assert_eq!(may_import(&s, &chengdu, &ready).expect("store"), Ok(()));
        assert_eq!(may_import(&s, &account(&s, "admin", None, &[]), &ready).expect("store"), Ok(()));
        for role in ["viewer", "department"] {
            assert!(may_import(&s, &account(&s, role, None, &[]), &ready).expect("store").is_err(), "{role}");
        }
    }

    /// Reads: restricted and city-scoped; overdue derived from the day asked.
    #[test]
    fn reading_is_restricted_and_city_scoped() {
        let mut s = SqliteStore::memory().expect("store");
        import(&mut s, "inspections.csv", SAMPLE);
        let scope = |a: &Account| may_read(Some(a), ReadDataset::Inspections);
        let on = d("2023-01-06");
        // The province: everything, or one city.
        let admin = scope(&account(&s, "admin", None, &[]));
        let all = list(&s, &admin, None, on).expect("all");
        assert_eq!(all.len(), 4);
        assert_eq!(list(&s, &admin, Some("德阳"), on).expect("德阳").len(), 2);
        // 成都 reads its own two, and only those; asking for 德阳 is refused.
        let cd = scope(&account(&s, "city", Some("成都"), &[]));
        let rows = list(&s, &cd, None, on).expect("成都");
        assert_eq!(rows.iter().map(|r| r.city.display().to_string()).collect::<Vec<_>>(), ["成都", "成都"]);
        assert!(list(&s, &cd, Some("德阳"), on).is_err());
        // Viewers only when granted; departments and anonymous readers never.
        assert!(list(&s, &scope(&account(&s, "viewer", None, &[])), None, on).is_err());
        assert_eq!(
            list(&s, &scope(&account(&s, "viewer", None, &["inspections"])), None, on).expect("granted").len(),
            4
        );
        assert!(list(&s, &scope(&account(&s, "department", None, &[])), None, on).is_err());
        assert!(list(&s, &may_read(None, ReadDataset::Inspections), None, on).is_err());
        // Overdue on 2023-01-06: 成都's first finding (整改中, deadline 2023-01-05) is; its second
        // (待整改, deadline 2023-01-10) is not yet; 德阳's are rectified / closed, never overdue.
        let overdue: Vec<(&str, bool)> = all.iter().map(|r| (r.finding.finding.as_str(), r.overdue)).collect();
        assert_eq!(
            overdue,
            [("脱硫设施停运", true), ("物料露天堆放", false), ("裸土未覆盖", false), ("柴油货车冒黑烟", false)]
        );
        assert!(!list(&s, &admin, None, d("2023-01-05")).expect("all")[0].overdue, "the deadline day is in time");
    }
}
