//! The records of dataset modules (issue 13 items 1–2): one table, `dataset_record`, for every dataset
//! whose records a module defines itself — work data such as inspections today, the departments'
//! shared feeds and the work items of the campaign next. A module gives each record its city (as the
//! file names it; the store resolves it), a key (unique within the dataset and city: [`record_key`])
//! and its fields as JSON (the module's own serde form); it reads them back the same way. So adding such
//! a dataset touches its module and nothing of the store: no table, no trait, no migration.
//!
//! One row per (dataset, city, key): a later file with the same key and other fields updates the row,
//! the same fields again change nothing (fields compared as JSON values, not as text). Rows are read
//! in the order of (city, key), text compared byte by byte on both backends — so a key built from
//! fields in order ([`record_key`]) orders the rows as those fields would. The table belongs to the data
//! area [`DataArea::Tasks`] (work items), raised by its triggers (migration 18).

use rusqlite::{params, OptionalExtension};

use crate::postgres::{known_city, record_file};
use crate::sqlite::find_city;
use crate::{DataArea, FileMeta, ImportOutcome, PgStore, Result, SqliteStore, StoreError};

/// A record of a dataset module, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRecord {
    /// The record's city as the file names it (name, alias or code), resolved by the store (an
    /// unknown city rejects the file); `None` for a province-wide record.
    pub city: Option<String>,
    /// Unique within the dataset and city ([`record_key`]).
    pub key: String,
    /// The record's fields.
    pub body: serde_json::Value,
    /// Line in the file (errors).
    pub line: usize,
}

/// A record of a dataset module, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRecord {
    /// The city's id (`None`: province-wide).
    pub city_id: Option<i64>,
    pub key: String,
    pub body: serde_json::Value,
}

/// The separator of the parts of a key (U+001F, the unit separator): below every character a text
/// field may hold, so that keys compare as the tuples of their parts.
pub const KEY_SEPARATOR: char = '\u{1f}';

/// A key from its parts, in order: the parts joined by [`KEY_SEPARATOR`]. A part holding a control
/// character (which no field read from a file holds: the readers reject them) is an input error.
pub fn record_key(parts: &[&str]) -> Result<String> {
    if let Some(p) = parts.iter().find(|p| p.chars().any(|c| c.is_control())) {
        return Err(StoreError::Input(format!("a key part holds a control character: {p:?}")));
    }
    Ok(parts.join(&KEY_SEPARATOR.to_string()))
}

/// The records of dataset modules.
pub trait RecordStore {
    /// Imports records of `dataset` in one transaction; an unknown city rejects the file.
    fn import_records(&mut self, file: &FileMeta, dataset: &str, records: &[NewRecord]) -> Result<ImportOutcome>;
    /// The records of `dataset` of the given cities (all when `None`; province-wide records only with
    /// `None`), by city (province-wide first) and key.
    fn records(&self, dataset: &str, city_ids: Option<&[i64]>) -> Result<Vec<StoredRecord>>;
}

/// `city_id` of a province-wide record in the table (no city has id 0).
const NO_CITY: i64 = 0;

const IMPORTING: &str = "importing the records of a dataset";
const READING: &str = "reading the records of a dataset";

const SELECT: &str = "SELECT city_id, key, body FROM dataset_record WHERE dataset = $1 ORDER BY city_id, key";

fn stored(dataset: &str, city_id: i64, key: String, body: &str) -> Result<StoredRecord> {
    let body = serde_json::from_str(body)
        .map_err(|e| StoreError::Corrupt(format!("a record of {dataset} with key {key:?}: {e}")))?;
    Ok(StoredRecord { city_id: (city_id != NO_CITY).then_some(city_id), key, body })
}

fn wanted(city_ids: Option<&[i64]>, city_id: i64) -> bool {
    match city_ids {
        None => true,
        Some(ids) => ids.contains(&city_id),
    }
}

/// Whether a stored body holds the same fields as `body` (JSON values, not text).
fn same(stored: &str, body: &serde_json::Value) -> bool {
    serde_json::from_str::<serde_json::Value>(stored).is_ok_and(|v| &v == body)
}

/// What to do with one record: insert it, update it, or nothing.
enum Step {
    Insert,
    Update,
    Unchanged,
}

fn step(existing: Option<String>, body: &serde_json::Value) -> Step {
    match existing {
        None => Step::Insert,
        Some(s) if same(&s, body) => Step::Unchanged,
        Some(_) => Step::Update,
    }
}

impl RecordStore for SqliteStore {
    fn import_records(&mut self, file: &FileMeta, dataset: &str, records: &[NewRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during(IMPORTING);
        let tx = self.conn_mut().savepoint()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, dataset, records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = match &r.city {
                None => NO_CITY,
                Some(c) => {
                    find_city(&tx, c)?
                        .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, r.line, c)))?
                        .id
                }
            };
            let existing: Option<String> = tx
                .query_row(
                    "SELECT body FROM dataset_record WHERE dataset = ?1 AND city_id = ?2 AND key = ?3",
                    params![dataset, city, r.key],
                    |x| x.get(0),
                )
                .optional()?;
            let body = r.body.to_string();
            match step(existing, &r.body) {
                Step::Insert => {
                    tx.execute(
                        "INSERT INTO dataset_record (dataset, city_id, key, body) VALUES (?1, ?2, ?3, ?4)",
                        params![dataset, city, r.key, body],
                    )?;
                    out.inserted += 1;
                }
                Step::Update => {
                    tx.execute(
                        "UPDATE dataset_record SET body = ?4 WHERE dataset = ?1 AND city_id = ?2 AND key = ?3",
                        params![dataset, city, r.key, body],
                    )?;
                    out.updated += 1;
                }
                Step::Unchanged => out.unchanged += 1,
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn records(&self, dataset: &str, city_ids: Option<&[i64]>) -> Result<Vec<StoredRecord>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        let mut st = self.conn().prepare(&SELECT.replace("$1", "?1"))?;
        let rows = st.query_map(params![dataset], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (city_id, key, body) = row?;
            if wanted(city_ids, city_id) {
                out.push(stored(dataset, city_id, key, &body)?);
            }
        }
        Ok(out)
    }
}

impl RecordStore for PgStore {
    fn import_records(&mut self, file: &FileMeta, dataset: &str, records: &[NewRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during(IMPORTING);
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, dataset, records.len())?, ..Default::default() };
            for r in records {
                let city = match &r.city {
                    None => NO_CITY,
                    Some(c) => known_city(db, file, r.line, c)?.id,
                };
                let existing: Option<String> = db
                    .query_opt(
                        "SELECT body FROM dataset_record WHERE dataset = $1 AND city_id = $2 AND key = $3",
                        &[&dataset, &city, &r.key],
                    )?
                    .map(|row| row.try_get(0))
                    .transpose()?;
                let body = r.body.to_string();
                match step(existing, &r.body) {
                    Step::Insert => {
                        db.execute(
                            "INSERT INTO dataset_record (dataset, city_id, key, body) VALUES ($1, $2, $3, $4)",
                            &[&dataset, &city, &r.key, &body],
                        )?;
                        out.inserted += 1;
                    }
                    Step::Update => {
                        db.execute(
                            "UPDATE dataset_record SET body = $4 WHERE dataset = $1 AND city_id = $2 AND key = $3",
                            &[&dataset, &city, &r.key, &body],
                        )?;
                        out.updated += 1;
                    }
                    Step::Unchanged => out.unchanged += 1,
                }
            }
            Ok(out)
        })
    }

    fn records(&self, dataset: &str, city_ids: Option<&[i64]>) -> Result<Vec<StoredRecord>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        let mut out = Vec::new();
        for r in self.db().query(SELECT, &[&dataset])? {
            let city_id: i64 = r.try_get(0)?;
            if wanted(city_ids, city_id) {
                let body: String = r.try_get(2)?;
                out.push(stored(dataset, city_id, r.try_get(1)?, &body)?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{record_reads, AirStore, AreaSet, DataVersions, Store};

    fn rec(city: Option<&str>, parts: &[&str], body: serde_json::Value, line: usize) -> NewRecord {
        NewRecord { city: city.map(str::to_string), key: record_key(parts).expect("key"), body, line }
    }

    /// Five records of a dataset `findings`, written in an order that is not the stored one, and one
    /// province-wide. Two keys of 成都 differ in the case of an ASCII letter: by bytes `B局` (0x42)
    /// comes before `a局` (0x61) — a locale's collation would put `a` first — and both before `成都…`
    /// (UTF-8 0xE6…). The key `2022-12-21␟a局` must come before `2022-12-21␟a局x` (the tuple order):
    /// the separator sorts below every character.
    fn records() -> Vec<NewRecord> {
        vec![
            rec(Some("德阳"), &["2022-12-20", "德阳市住房城乡建设局"], json!({"n": 1}), 2),
            rec(Some("成都"), &["2022-12-22", "成都市住房城乡建设局"], json!({"n": 2}), 3),
            rec(Some("成都"), &["2022-12-21", "成都市生态环境局"], json!({"n": 3, "s": "open"}), 4),
            rec(Some("510100"), &["2022-12-21", "a局x"], json!({"n": 4}), 5),
            rec(Some("成都市"), &["2022-12-21", "a局"], json!({"n": 5}), 6),
            rec(Some("成都"), &["2022-12-21", "B局"], json!({"n": 6}), 7),
            rec(None, &["2022-12-01", "省生态环境厅"], json!({"n": 7}), 8),
        ]
    }

    /// What both backends must do with [`records`] (expected values worked out by hand above).
    fn the_records_behave(s: &mut dyn Store) {
        let file = FileMeta::new("findings.csv", b"seven records", "2023-01-01T00:00:00+08:00");
        let v0 = s.data_versions().expect("versions");
        let o = s.import_records(&file, "findings", &records()).expect("imports");
        assert_eq!((o.new_file, o.inserted, o.updated, o.unchanged), (true, 7, 0, 0));
        let raised = |before: &DataVersions, after: &DataVersions| {
            DataArea::ALL.into_iter().map(|a| after.get(a) - before.get(a)).collect::<Vec<u64>>()
        };
        let v1 = s.data_versions().expect("versions");
        // One raise of the tasks area per row inserted (one statement each), nothing else.
        assert_eq!(raised(&v0, &v1), [0, 0, 0, 0, 7, 0, 0, 0, 0]);

        let (rows, areas) = record_reads(|| s.records("findings", None).expect("read"));
        assert_eq!(areas, AreaSet::of(&[DataArea::Tasks]), "records are work items; no city is read");
        let n: Vec<i64> = rows.iter().map(|r| r.body["n"].as_i64().expect("n")).collect();
        let chengdu = s.resolve_city("成都").expect("read").expect("成都").id;
        let deyang = s.resolve_city("德阳").expect("read").expect("德阳").id;
        assert!(chengdu < deyang, "成都 (510100) is seeded before 德阳 (510600)");
        assert_eq!(n, [7, 6, 5, 4, 3, 2, 1], "province-wide first, then by city and key (bytes)");
        assert_eq!(rows[0].city_id, None);
        assert!(rows[1..6].iter().all(|r| r.city_id == Some(chengdu)));
        assert_eq!(rows[6].city_id, Some(deyang));
        assert_eq!(rows[4].key, "2022-12-21\u{1f}成都市生态环境局");
        let only: Vec<StoredRecord> = rows.iter().filter(|r| r.city_id == Some(chengdu)).cloned().collect();
        assert_eq!(s.records("findings", Some(&[chengdu])).expect("read"), only);
        assert_eq!(s.records("findings", Some(&[])).expect("read"), []);
        assert_eq!(s.records("other", None).expect("read"), [], "datasets apart");

        // The same file again changes nothing and raises nothing — also when a body's text differs
        // but its fields do not (the order of a JSON object's keys).
        let mut same = records();
        same[2].body = serde_json::from_str(r#"{"s": "open", "n": 3}"#).expect("json");
        let o = s.import_records(&file, "findings", &same).expect("again");
        assert_eq!((o.new_file, o.inserted, o.updated, o.unchanged), (false, 0, 0, 7));
        assert_eq!(s.data_versions().expect("versions"), v1);

        // A later file moves one record on: one update, one raise.
        let mut later = records();
        later[2].body = json!({"n": 3, "s": "closed"});
        let later_file = FileMeta::new("later.csv", b"later", "2023-01-02T00:00:00+08:00");
        let o = s.import_records(&later_file, "findings", &later).expect("later");
        assert_eq!((o.new_file, o.inserted, o.updated, o.unchanged), (true, 0, 1, 6));
        let v2 = s.data_versions().expect("versions");
        assert_eq!(raised(&v1, &v2), [0, 0, 0, 0, 1, 0, 0, 0, 0]);
        let after = s.records("findings", None).expect("read");
        assert_eq!(after[4].body["s"], "closed");

        // An unknown city rejects the whole file: nothing stored, nothing raised.
        let mut bad = later.clone();
        bad[0].body = json!({"n": 1, "s": "changed"});
        bad.push(rec(Some("不存在市"), &["2022-12-21", "某局"], json!({"n": 9}), 9));
        let e = s.import_records(&FileMeta::new("bad.csv", b"bad", "t"), "findings", &bad).expect_err("unknown city");
        assert!(e.to_string().contains("bad.csv:9: unknown city \"不存在市\""), "{e}");
        assert_eq!(s.records("findings", None).expect("read"), after);
        assert_eq!(s.data_versions().expect("versions"), v2);
    }

    #[test]
    fn a_key_orders_as_its_parts_and_refuses_control_characters() {
        assert!(record_key(&["a", "b"]).expect("key") < record_key(&["a", "b c"]).expect("key"));
        assert!(record_key(&["ab", "c"]).expect("key") > record_key(&["a", "zz"]).expect("key"));
        assert!(record_key(&["a\u{1f}b"]).is_err());
        assert!(record_key(&["a\nb"]).is_err());
    }

    #[test]
    fn sqlite_stores_orders_and_versions_the_records() {
        let mut s = SqliteStore::memory().expect("store");
        the_records_behave(&mut s);
    }

    /// The inspections of migration 16 (two findings: an enterprise's and a site's), written into the
    /// table of a store of migration 17, as migration 18 must carry them over: key date, department,
    /// target, finding; the fields as the inspections module writes them (dates `YYYY-MM-DD`). The
    /// expected records are written out by hand.
    fn migrated_inspections(chengdu: i64) -> Vec<StoredRecord> {
        vec![
            StoredRecord {
                city_id: Some(chengdu),
                key: "2022-12-21\u{1f}B局\u{1f}锦江区工地\u{1f}渣土车未密闭".into(),
                body: json!({"date": "2022-12-21", "department": "B局", "target_kind": "site",
                    "target": "锦江区工地", "finding": "渣土车未密闭", "measure": "",
                    "mode": "regional", "deadline": "2022-12-31", "status": "closed"}),
            },
            StoredRecord {
                city_id: Some(chengdu),
                key: "2022-12-21\u{1f}成都市生态环境局\u{1f}91510100MA61A0001R\u{1f}脱硫设施停运".into(),
                body: json!({"date": "2022-12-21", "department": "成都市生态环境局",
                    "target_kind": "enterprise", "target": "91510100MA61A0001R", "finding": "脱硫设施停运",
                    "measure": "整改4", "mode": "unannounced", "deadline": "2023-01-05",
                    "status": "rectifying"}),
            },
        ]
    }

    const OLD_INSPECTIONS: &str = "INSERT INTO inspection (city_id, date, department, target_kind, target, \
        finding, measure, mode, deadline, status) VALUES \
        (CITY, D1, '成都市生态环境局', 'enterprise', '91510100MA61A0001R', '脱硫设施停运', '整改4', 'unannounced', D2, 'rectifying'), \
        (CITY, D1, 'B局', 'site', '锦江区工地', '渣土车未密闭', '', 'regional', D3, 'closed')";

    #[test]
    fn sqlite_migration_18_carries_the_inspections_over() {
        let mut s = SqliteStore::memory_at(17).expect("a store of migration 17");
        let chengdu = s.resolve_city("成都").expect("read").expect("成都").id;
        let day = |y, m, d| crate::sqlite::day_num(chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date"));
        let sql = OLD_INSPECTIONS
            .replace("CITY", &chengdu.to_string())
            .replace("D1", &day(2022, 12, 21).to_string())
            .replace("D2", &day(2023, 1, 5).to_string())
            .replace("D3", &day(2022, 12, 31).to_string());
        s.conn().execute_batch(&sql).expect("old rows");
        s.migrate_up_to(18).expect("migration 18");
        assert_eq!(s.records("inspections", None).expect("read"), migrated_inspections(chengdu));
        let gone: i64 = s
            .conn()
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'inspection'", [], |r| r.get(0))
            .expect("schema");
        assert_eq!(gone, 0, "the old table is dropped");
    }

    fn with_pg_database(tag: &str, f: impl FnOnce(&str) + std::panic::UnwindSafe) {
        crate::testing::with_pg_database(&format!("records_{tag}"), true, f)
    }

    #[test]
    fn postgres_stores_orders_and_versions_the_records_as_sqlite() {
        with_pg_database("behave", |url| {
            let mut s = PgStore::open(url).expect("store");
            the_records_behave(&mut s);
            // The same rows as SQLite, in the same order.
            let mut lite = SqliteStore::memory().expect("store");
            let mut later = records();
            later[2].body = json!({"n": 3, "s": "closed"});
            lite.import_records(&FileMeta::new("f.csv", b"f", "t"), "findings", &later).expect("imports");
            assert_eq!(s.records("findings", None).expect("pg"), lite.records("findings", None).expect("sqlite"));
        });
    }

    #[test]
    fn postgres_migration_18_carries_the_inspections_over() {
        with_pg_database("migration", |url| {
            let mut s = PgStore::open_at(url, 17).expect("a store of migration 17");
            let chengdu = s.resolve_city("成都").expect("read").expect("成都").id;
            let sql = OLD_INSPECTIONS
                .replace("CITY", &chengdu.to_string())
                .replace("D1", "DATE '2022-12-21'")
                .replace("D2", "DATE '2023-01-05'")
                .replace("D3", "DATE '2022-12-31'");
            s.db().batch_execute(&sql).expect("old rows");
            s.migrate(crate::schema::POSTGRES, 18).expect("migration 18");
            assert_eq!(s.records("inspections", None).expect("read"), migrated_inspections(chengdu));
            let gone: bool = s.db().query_one("SELECT to_regclass('inspection') IS NULL", &[]).expect("schema").get(0);
            assert!(gone, "the old table is dropped");
        });
    }
}
