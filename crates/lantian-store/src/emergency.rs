//! Storage of the heavy-pollution emergency response (schema migration 10): forecast issuances,
//! the alert log, the key-emitter registry and its measures, inventories, electricity use, CEMS
//! hours and pairing visits. Every import is one transaction; repeating it changes nothing.

use chrono::{NaiveDate, NaiveDateTime};
use lantian_ingest::emergency::{
    CemsRecord, CityMeasureRecord, EnterpriseRecord, ForecastRecord, InventoryRecord, MeasureRecord, PowerRecord,
    VisitRecord,
};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::sqlite::{day_num, find_city, from_day_num};
use crate::{DataArea, EnterpriseStore, FileMeta, ImportOutcome, Result, SqliteStore, StoreError};

/// Date-times are stored as `YYYY-MM-DDTHH:MM:SS` text (Beijing time), which sorts as time.
pub(crate) fn dt_text(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

pub(crate) fn dt_parse(s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .map_err(|_| StoreError::Corrupt(format!("bad date-time {s:?}")))
}

/// One stored forecast day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredForecast {
    pub city_id: i64,
    pub issued_at: NaiveDateTime,
    pub date: NaiveDate,
    pub aqi: u32,
    pub aqi_low: Option<u32>,
    pub aqi_high: Option<u32>,
    pub primary: String,
    pub source: String,
}

/// A stored key emitter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredEnterprise {
    pub credit_code: String,
    pub name: String,
    pub city_id: i64,
    pub county: String,
    /// Key-industry code.
    pub industry: String,
    /// Grade code (`A`, `B`, `C`, `D`, `leading`, `non_leading`, `ungraded`).
    pub grade: String,
    pub grade_date: Option<NaiveDate>,
    pub grade_authority: String,
    pub green_benchmark: bool,
    pub guarantee_reason: String,
    pub lines: Vec<String>,
    /// Annual SO2, NOx, PM, VOCs in kg.
    pub annual_kg: [i64; 4],
}

/// A stored one-plant-one-policy measure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredMeasure {
    pub credit_code: String,
    pub level: String,
    pub line: String,
    pub action: String,
    pub param: Option<i64>,
    pub process: String,
    /// Expected daily reduction of SO2, NOx, PM, VOCs in g/day.
    pub reduction_g: [i64; 4],
    pub plan_version: String,
}

/// A stored city emission inventory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredInventory {
    pub city_id: i64,
    pub year: i32,
    pub annual_kg: [i64; 4],
    pub basis: String,
    pub source: String,
}

/// A stored non-industrial city measure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredCityMeasure {
    pub city_id: i64,
    pub level: String,
    pub measure: String,
    pub reduction_g: [i64; 4],
}

/// One interval of electricity use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredPower {
    pub start: NaiveDateTime,
    pub minutes: u32,
    pub wh: i64,
}

/// One CEMS hour of one emission point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredCems {
    pub point: String,
    /// End of the hour.
    pub time: NaiveDateTime,
    /// SO2, NOx, PM in g/h.
    pub g: [Option<i64>; 3],
}

/// A stored pairing visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredVisit {
    pub department: String,
    pub city_id: i64,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    pub on_site: bool,
    pub leader_name: String,
    pub leader_rank: String,
    pub issues_found: String,
}

/// An entry of the alert log: an alert started, raised, lowered or lifted — by whom, on what evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewAlertEvent {
    /// `city:510100` or `region:<name>`.
    pub scope: String,
    /// The decision time (Beijing time); the measures take effect from `start_date` when later.
    pub at: NaiveDateTime,
    /// `start`, `raise`, `lower` or `lift`.
    pub action: String,
    pub level_from: Option<String>,
    pub level_to: Option<String>,
    /// First and last heavy day of the episode the decision rests on.
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub rule_set: String,
    /// JSON evidence (forecast issuance, trigger days, …).
    pub evidence: String,
    pub actor: String,
    pub recorded_at: String,
}

/// A stored entry of the alert log with its id (serialised flat: `id` beside the entry's fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertEventRow {
    pub id: i64,
    #[serde(flatten)]
    pub entry: NewAlertEvent,
}

/// The emergency-response part of the storage boundary.
pub trait EmergencyStore {
    /// Imports forecast issuances. A stored (city, issued_at, date) with another value is an
    /// overlapping forecast and rejects the file: an issuance is never rewritten.
    fn import_forecasts(&mut self, file: &FileMeta, records: &[ForecastRecord]) -> Result<ImportOutcome>;
    /// Forecasts of the cities (all when empty) issued at or before `known_at` (all when `None`),
    /// ordered by city, issuance, date.
    fn forecasts(&self, city_ids: &[i64], known_at: Option<NaiveDateTime>) -> Result<Vec<StoredForecast>>;
    /// Imports plan measures: for each (enterprise, level) in the file, the file's lines replace the
    /// stored ones. An unknown enterprise rejects the file.
    fn import_measures(&mut self, file: &FileMeta, records: &[MeasureRecord]) -> Result<ImportOutcome>;
    /// Measures of the given enterprises.
    fn measures(&self, credit_codes: &[String]) -> Result<Vec<StoredMeasure>>;
    fn import_inventory(&mut self, file: &FileMeta, records: &[InventoryRecord]) -> Result<ImportOutcome>;
    /// The city's inventory of `year`, else its latest earlier one.
    fn inventory(&self, city_id: i64, year: i32) -> Result<Option<StoredInventory>>;
    fn import_city_measures(&mut self, file: &FileMeta, records: &[CityMeasureRecord]) -> Result<ImportOutcome>;
    fn city_measures(&self, city_id: i64, level: &str) -> Result<Vec<StoredCityMeasure>>;
    fn import_visits(&mut self, file: &FileMeta, records: &[VisitRecord]) -> Result<ImportOutcome>;
    /// Visits to a city (all when `None`), by start date.
    fn visits(&self, city_id: Option<i64>) -> Result<Vec<StoredVisit>>;
    /// Appends to the alert log.
    fn add_alert_event(&mut self, e: &NewAlertEvent) -> Result<i64>;
    /// Appends several entries to the alert log in one transaction: all of them or, on any error,
    /// none (issue 11 §3.11: a recording interrupted part-way must not leave half a decision).
    fn add_alert_events(&mut self, events: &[NewAlertEvent]) -> Result<Vec<i64>>;
    /// The alert log (of one scope when given), oldest first.
    fn alert_events(&self, scope: Option<&str>) -> Result<Vec<AlertEventRow>>;
    /// The time of the latest decision in the alert log (`None`: the log is empty).
    fn latest_alert_event_at(&self) -> Result<Option<NaiveDateTime>>;
}

fn city_id(tx: &rusqlite::Connection, file: &FileMeta, line: usize, city: &str) -> Result<i64> {
    Ok(find_city(tx, city)?
        .ok_or_else(|| StoreError::Input(format!("{}:{}: unknown city {:?}", file.path, line, city)))?
        .id)
}

fn known_enterprise(tx: &rusqlite::Connection, file: &FileMeta, line: usize, code: &str) -> Result<()> {
    let n: i64 = tx.query_row("SELECT count(*) FROM enterprise WHERE credit_code = ?1", [code], |r| r.get(0))?;
    if n == 0 {
        return Err(unknown_enterprise(file, line, code));
    }
    Ok(())
}

/// A row naming an enterprise the registry lacks (every backend).
pub(crate) fn unknown_enterprise(file: &FileMeta, line: usize, code: &str) -> StoreError {
    StoreError::Input(format!(
        "{}:{}: unknown enterprise {code} (import the enterprise registry first)",
        file.path, line
    ))
}

/// A forecast row for a stored (city, issuance, date) with another AQI (every backend): an issuance is
/// never rewritten.
pub(crate) fn overlapping_forecast(file: &FileMeta, r: &ForecastRecord, stored_aqi: u32) -> StoreError {
    StoreError::Input(format!(
        "{}:{}: overlapping forecasts: {} {} issued {} is already recorded with AQI {stored_aqi}; \
         an issuance is never rewritten — give the new forecast its own issued_at",
        file.path, r.line, r.city, r.date, r.issued_at
    ))
}

/// Counts an upsert: `changed` rows of an `INSERT … ON CONFLICT DO UPDATE … WHERE <differs>`.
pub(crate) fn count(out: &mut ImportOutcome, existed: bool, changed: usize) {
    match (existed, changed) {
        (false, _) => out.inserted += 1,
        (true, 0) => out.unchanged += 1,
        (true, _) => out.updated += 1,
    }
}

impl EmergencyStore for SqliteStore {
    fn import_forecasts(&mut self, file: &FileMeta, records: &[ForecastRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing forecasts");
        let tx = self.conn_mut().savepoint()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, "forecasts", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = city_id(&tx, file, r.line, &r.city)?;
            let key = params![city, dt_text(r.issued_at), day_num(r.date)];
            let old: Option<(u32, Option<u32>, Option<u32>)> = tx
                .query_row(
                    "SELECT aqi, aqi_low, aqi_high FROM forecast WHERE city_id = ?1 AND issued_at = ?2 AND date = ?3",
                    key,
                    |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
                )
                .optional()?;
            match old {
                Some(o) if o == (r.aqi, r.aqi_low, r.aqi_high) => out.unchanged += 1,
                Some((aqi, _, _)) => return Err(overlapping_forecast(file, r, aqi)),
                None => {
                    tx.execute(
                        "INSERT INTO forecast (city_id, issued_at, date, aqi, aqi_low, aqi_high, primary_pollutant, source) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            city,
                            dt_text(r.issued_at),
                            day_num(r.date),
                            r.aqi,
                            r.aqi_low,
                            r.aqi_high,
                            r.primary,
                            r.source
                        ],
                    )?;
                    out.inserted += 1;
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn forecasts(&self, city_ids: &[i64], known_at: Option<NaiveDateTime>) -> Result<Vec<StoredForecast>> {
        let _op = crate::op::during("reading forecasts");
        crate::op::read(&[DataArea::Alerts]);
        let mut st = self.conn().prepare(
            "SELECT city_id, issued_at, date, aqi, aqi_low, aqi_high, primary_pollutant, source FROM forecast \
             WHERE (?1 IS NULL OR issued_at <= ?1) ORDER BY city_id, issued_at, date",
        )?;
        let rows = st.query_map([known_at.map(dt_text)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, Option<u32>>(4)?,
                r.get::<_, Option<u32>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (city_id, issued, date, aqi, aqi_low, aqi_high, primary, source) = row?;
            if !city_ids.is_empty() && !city_ids.contains(&city_id) {
                continue;
            }
            out.push(StoredForecast {
                city_id,
                issued_at: dt_parse(&issued)?,
                date: from_day_num(date)?,
                aqi,
                aqi_low,
                aqi_high,
                primary,
                source,
            });
        }
        Ok(out)
    }

    fn import_measures(&mut self, file: &FileMeta, records: &[MeasureRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing plant measures");
        let tx = self.conn_mut().savepoint()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, "plant-measures", records.len())?,
            ..Default::default()
        };
        // The file's (enterprise, level) sets replace the stored ones: lines no longer listed go.
        let mut groups: std::collections::BTreeMap<(&str, &str), Vec<&MeasureRecord>> = Default::default();
        for r in records {
            known_enterprise(&tx, file, r.row, &r.credit_code)?;
            groups.entry((&r.credit_code, &r.level)).or_default().push(r);
        }
        for ((code, level), rs) in groups {
            let names: Vec<&str> = rs.iter().map(|r| r.line_name.as_str()).collect();
            let stale: Vec<String> = {
                let mut st = tx.prepare("SELECT line FROM plant_measure WHERE credit_code = ?1 AND level = ?2")?;
                let v =
                    st.query_map([code, level], |x| x.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
                v.into_iter().filter(|l| !names.contains(&l.as_str())).collect()
            };
            for l in &stale {
                tx.execute(
                    "DELETE FROM plant_measure WHERE credit_code = ?1 AND level = ?2 AND line = ?3",
                    params![code, level, l],
                )?;
                out.updated += 1;
            }
            for r in rs {
                let existed: bool = tx.query_row(
                    "SELECT count(*) FROM plant_measure WHERE credit_code = ?1 AND level = ?2 AND line = ?3",
                    params![code, level, r.line_name],
                    |x| x.get::<_, i64>(0),
                )? > 0;
                let n = tx.execute(
                    "INSERT INTO plant_measure (credit_code, level, line, action, param, process, so2_g, nox_g, pm_g, vocs_g, plan_version) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
                     ON CONFLICT (credit_code, level, line) DO UPDATE SET action = ?4, param = ?5, process = ?6, so2_g = ?7, \
                     nox_g = ?8, pm_g = ?9, vocs_g = ?10, plan_version = ?11 \
                     WHERE NOT (action = ?4 AND param IS ?5 AND process = ?6 AND so2_g = ?7 AND nox_g = ?8 AND pm_g = ?9 \
                     AND vocs_g = ?10 AND plan_version = ?11)",
                    params![
                        code,
                        level,
                        r.line_name,
                        r.action,
                        r.param,
                        r.process,
                        r.reduction_g[0],
                        r.reduction_g[1],
                        r.reduction_g[2],
                        r.reduction_g[3],
                        r.plan_version
                    ],
                )?;
                count(&mut out, existed, n);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn measures(&self, credit_codes: &[String]) -> Result<Vec<StoredMeasure>> {
        let _op = crate::op::during("reading plant measures");
        crate::op::read(&[DataArea::Response]);
        let mut st = self.conn().prepare(
            "SELECT credit_code, level, line, action, param, process, so2_g, nox_g, pm_g, vocs_g, plan_version \
             FROM plant_measure WHERE credit_code = ?1 ORDER BY level, line",
        )?;
        let mut out = Vec::new();
        for code in credit_codes {
            let rows = st.query_map([code], |r| {
                Ok(StoredMeasure {
                    credit_code: r.get(0)?,
                    level: r.get(1)?,
                    line: r.get(2)?,
                    action: r.get(3)?,
                    param: r.get(4)?,
                    process: r.get(5)?,
                    reduction_g: [r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?],
                    plan_version: r.get(10)?,
                })
            })?;
            for m in rows {
                out.push(m?);
            }
        }
        Ok(out)
    }

    fn import_inventory(&mut self, file: &FileMeta, records: &[InventoryRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing emission inventories");
        let tx = self.conn_mut().savepoint()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, "emission-inventory", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = city_id(&tx, file, r.row, &r.city)?;
            let existed: bool = tx.query_row(
                "SELECT count(*) FROM emission_inventory WHERE city_id = ?1 AND year = ?2",
                params![city, r.year],
                |x| x.get::<_, i64>(0),
            )? > 0;
            let n = tx.execute(
                "INSERT INTO emission_inventory (city_id, year, so2_kg, nox_kg, pm_kg, vocs_kg, basis, source) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (city_id, year) DO UPDATE SET so2_kg = ?3, \
                 nox_kg = ?4, pm_kg = ?5, vocs_kg = ?6, basis = ?7, source = ?8 WHERE NOT (so2_kg = ?3 AND nox_kg = ?4 \
                 AND pm_kg = ?5 AND vocs_kg = ?6 AND basis = ?7 AND source = ?8)",
                params![
                    city,
                    r.year,
                    r.annual_kg[0],
                    r.annual_kg[1],
                    r.annual_kg[2],
                    r.annual_kg[3],
                    r.basis,
                    r.source
                ],
            )?;
            count(&mut out, existed, n);
        }
        tx.commit()?;
        Ok(out)
    }

    fn inventory(&self, city_id: i64, year: i32) -> Result<Option<StoredInventory>> {
        let _op = crate::op::during("reading an emission inventory");
        crate::op::read(&[DataArea::Response]);
        Ok(self
            .conn()
            .query_row(
                "SELECT city_id, year, so2_kg, nox_kg, pm_kg, vocs_kg, basis, source FROM emission_inventory \
                 WHERE city_id = ?1 AND year <= ?2 ORDER BY year DESC LIMIT 1",
                params![city_id, year],
                |r| {
                    Ok(StoredInventory {
                        city_id: r.get(0)?,
                        year: r.get(1)?,
                        annual_kg: [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
                        basis: r.get(6)?,
                        source: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    fn import_city_measures(&mut self, file: &FileMeta, records: &[CityMeasureRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing city measures");
        let tx = self.conn_mut().savepoint()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, "city-measures", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = city_id(&tx, file, r.row, &r.city)?;
            let existed: bool = tx.query_row(
                "SELECT count(*) FROM city_measure WHERE city_id = ?1 AND level = ?2 AND measure = ?3",
                params![city, r.level, r.measure],
                |x| x.get::<_, i64>(0),
            )? > 0;
            let n = tx.execute(
                "INSERT INTO city_measure (city_id, level, measure, so2_g, nox_g, pm_g, vocs_g) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (city_id, level, measure) DO UPDATE SET so2_g = ?4, nox_g = ?5, pm_g = ?6, vocs_g = ?7 \
                 WHERE NOT (so2_g = ?4 AND nox_g = ?5 AND pm_g = ?6 AND vocs_g = ?7)",
                params![
                    city,
                    r.level,
                    r.measure,
                    r.reduction_g[0],
                    r.reduction_g[1],
                    r.reduction_g[2],
                    r.reduction_g[3]
                ],
            )?;
            count(&mut out, existed, n);
        }
        tx.commit()?;
        Ok(out)
    }

    fn city_measures(&self, city_id: i64, level: &str) -> Result<Vec<StoredCityMeasure>> {
        let _op = crate::op::during("reading city measures");
        crate::op::read(&[DataArea::Response]);
        let mut st = self.conn().prepare(
            "SELECT city_id, level, measure, so2_g, nox_g, pm_g, vocs_g FROM city_measure WHERE city_id = ?1 AND level = ?2 \
             ORDER BY measure",
        )?;
        let rows = st.query_map(params![city_id, level], |r| {
            Ok(StoredCityMeasure {
                city_id: r.get(0)?,
                level: r.get(1)?,
                measure: r.get(2)?,
                reduction_g: [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn import_visits(&mut self, file: &FileMeta, records: &[VisitRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing pairing visits");
        let tx = self.conn_mut().savepoint()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, "pairing-visits", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = city_id(&tx, file, r.row, &r.city)?;
            let key = params![r.department, city, day_num(r.date_from), day_num(r.date_to), r.leader_name];
            let existed: bool = tx.query_row(
                "SELECT count(*) FROM pairing_visit WHERE department = ?1 AND city_id = ?2 AND date_from = ?3 \
                 AND date_to = ?4 AND leader_name = ?5",
                key,
                |x| x.get::<_, i64>(0),
            )? > 0;
            let n = tx.execute(
                "INSERT INTO pairing_visit (department, city_id, date_from, date_to, leader_name, on_site, leader_rank, issues_found) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (department, city_id, date_from, date_to, leader_name) DO UPDATE SET on_site = ?6, \
                 leader_rank = ?7, issues_found = ?8 WHERE NOT (on_site = ?6 AND leader_rank = ?7 AND issues_found = ?8)",
                params![
                    r.department,
                    city,
                    day_num(r.date_from),
                    day_num(r.date_to),
                    r.leader_name,
                    r.on_site,
                    r.leader_rank,
                    r.issues_found
                ],
            )?;
            count(&mut out, existed, n);
        }
        tx.commit()?;
        Ok(out)
    }

    fn visits(&self, city_id: Option<i64>) -> Result<Vec<StoredVisit>> {
        let _op = crate::op::during("reading pairing visits");
        crate::op::read(&[DataArea::Response]);
        let mut st = self.conn().prepare(
            "SELECT department, city_id, date_from, date_to, on_site, leader_name, leader_rank, issues_found \
             FROM pairing_visit WHERE (?1 IS NULL OR city_id = ?1) ORDER BY date_from, id",
        )?;
        let rows = st.query_map([city_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (department, city_id, f, t, on_site, leader_name, leader_rank, issues_found) = row?;
            out.push(StoredVisit {
                department,
                city_id,
                date_from: from_day_num(f)?,
                date_to: from_day_num(t)?,
                on_site,
                leader_name,
                leader_rank,
                issues_found,
            });
        }
        Ok(out)
    }

    fn add_alert_event(&mut self, e: &NewAlertEvent) -> Result<i64> {
        let _op = crate::op::during("recording an alert decision");
        let ids = self.add_alert_events(std::slice::from_ref(e))?;
        ids.first().copied().ok_or_else(|| StoreError::Input("alert event not stored".into()))
    }

    fn add_alert_events(&mut self, events: &[NewAlertEvent]) -> Result<Vec<i64>> {
        let _op = crate::op::during("recording alert decisions");
        let tx = self.conn_mut().savepoint()?;
        let mut ids = Vec::with_capacity(events.len());
        {
            let mut st = tx.prepare(
                "INSERT INTO alert_event (scope, at, action, level_from, level_to, start_date, end_date, rule_set, evidence, actor, recorded_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for e in events {
                st.execute(params![
                    e.scope,
                    dt_text(e.at),
                    e.action,
                    e.level_from,
                    e.level_to,
                    e.start_date.map(day_num),
                    e.end_date.map(day_num),
                    e.rule_set,
                    e.evidence,
                    e.actor,
                    e.recorded_at
                ])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    fn latest_alert_event_at(&self) -> Result<Option<NaiveDateTime>> {
        let _op = crate::op::during("reading the alert log");
        crate::op::read(&[DataArea::Alerts]);
        self.conn()
            .query_row("SELECT at FROM alert_event ORDER BY at DESC LIMIT 1", [], |r| r.get::<_, String>(0))
            .optional()?
            .map(|t| dt_parse(&t))
            .transpose()
    }

    fn alert_events(&self, scope: Option<&str>) -> Result<Vec<AlertEventRow>> {
        let _op = crate::op::during("reading the alert log");
        crate::op::read(&[DataArea::Alerts]);
        let mut st = self.conn().prepare(
            "SELECT id, scope, at, action, level_from, level_to, start_date, end_date, rule_set, evidence, actor, recorded_at \
             FROM alert_event WHERE (?1 IS NULL OR scope = ?1) ORDER BY at, id",
        )?;
        let rows = st.query_map([scope], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<i64>>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, String>(10)?,
                r.get::<_, String>(11)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, scope, at, action, level_from, level_to, sd, ed, rule_set, evidence, actor, recorded_at) = row?;
            out.push(AlertEventRow {
                id,
                entry: NewAlertEvent {
                    scope,
                    at: dt_parse(&at)?,
                    action,
                    level_from,
                    level_to,
                    start_date: sd.map(from_day_num).transpose()?,
                    end_date: ed.map(from_day_num).transpose()?,
                    rule_set,
                    evidence,
                    actor,
                    recorded_at,
                },
            });
        }
        Ok(out)
    }
}

impl EnterpriseStore for SqliteStore {
    fn import_enterprises(&mut self, file: &FileMeta, records: &[EnterpriseRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing the enterprise registry");
        let tx = self.conn_mut().savepoint()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, "enterprises", records.len())?,
            ..Default::default()
        };
        for r in records {
            let city = city_id(&tx, file, r.row, &r.city)?;
            let existed: bool =
                tx.query_row("SELECT count(*) FROM enterprise WHERE credit_code = ?1", [&r.credit_code], |x| {
                    x.get::<_, i64>(0)
                })? > 0;
            let lines = serde_json::to_string(&r.lines).map_err(|e| StoreError::Input(e.to_string()))?;
            let n = tx.execute(
                "INSERT INTO enterprise (credit_code, name, city_id, county, industry, grade, grade_date, grade_authority, \
                 green_benchmark, guarantee_reason, lines, so2_kg, nox_kg, pm_kg, vocs_kg) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) \
                 ON CONFLICT (credit_code) DO UPDATE SET name = ?2, city_id = ?3, county = ?4, industry = ?5, grade = ?6, \
                 grade_date = ?7, grade_authority = ?8, green_benchmark = ?9, guarantee_reason = ?10, lines = ?11, \
                 so2_kg = ?12, nox_kg = ?13, pm_kg = ?14, vocs_kg = ?15 \
                 WHERE NOT (name = ?2 AND city_id = ?3 AND county = ?4 AND industry = ?5 AND grade = ?6 \
                 AND grade_date IS ?7 AND grade_authority = ?8 AND green_benchmark = ?9 AND guarantee_reason = ?10 \
                 AND lines = ?11 AND so2_kg = ?12 AND nox_kg = ?13 AND pm_kg = ?14 AND vocs_kg = ?15)",
                params![
                    r.credit_code,
                    r.name,
                    city,
                    r.county,
                    r.industry,
                    r.grade,
                    r.grade_date.map(day_num),
                    r.grade_authority,
                    r.green_benchmark,
                    r.guarantee_reason,
                    lines,
                    r.annual_kg[0],
                    r.annual_kg[1],
                    r.annual_kg[2],
                    r.annual_kg[3]
                ],
            )?;
            count(&mut out, existed, n);
        }
        tx.commit()?;
        Ok(out)
    }

    fn enterprises(&self, city_id: Option<i64>) -> Result<Vec<StoredEnterprise>> {
        let _op = crate::op::during("reading enterprises");
        crate::op::read(&[DataArea::Response]);
        let mut st = self.conn().prepare(
            "SELECT credit_code, name, city_id, county, industry, grade, grade_date, grade_authority, green_benchmark, \
             guarantee_reason, lines, so2_kg, nox_kg, pm_kg, vocs_kg FROM enterprise \
             WHERE (?1 IS NULL OR city_id = ?1) ORDER BY credit_code",
        )?;
        let rows = st.query_map([city_id], |r| {
            Ok((
                StoredEnterprise {
                    credit_code: r.get(0)?,
                    name: r.get(1)?,
                    city_id: r.get(2)?,
                    county: r.get(3)?,
                    industry: r.get(4)?,
                    grade: r.get(5)?,
                    grade_date: None,
                    grade_authority: r.get(7)?,
                    green_benchmark: r.get(8)?,
                    guarantee_reason: r.get(9)?,
                    lines: Vec::new(),
                    annual_kg: [r.get(11)?, r.get(12)?, r.get(13)?, r.get(14)?],
                },
                r.get::<_, Option<i64>>(6)?,
                r.get::<_, String>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut e, gd, lines) = row?;
            e.grade_date = gd.map(from_day_num).transpose()?;
            e.lines =
                serde_json::from_str(&lines).map_err(|_| StoreError::Corrupt(format!("lines of {}", e.credit_code)))?;
            out.push(e);
        }
        Ok(out)
    }

    fn import_power(&mut self, file: &FileMeta, records: &[PowerRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing electricity use");
        let tx = self.conn_mut().savepoint()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, "power-use", records.len())?,
            ..Default::default()
        };
        let mut checked = std::collections::HashSet::new();
        for r in records {
            if checked.insert(r.credit_code.as_str()) {
                known_enterprise(&tx, file, r.row, &r.credit_code)?;
            }
            let key = params![r.credit_code, dt_text(r.start), r.minutes];
            let old: Option<i64> = tx
                .query_row(
                    "SELECT wh FROM power_use WHERE credit_code = ?1 AND start = ?2 AND minutes = ?3",
                    key,
                    |x| x.get(0),
                )
                .optional()?;
            match old {
                Some(w) if w == r.wh => out.unchanged += 1,
                Some(_) => {
                    tx.execute(
                        "UPDATE power_use SET wh = ?4 WHERE credit_code = ?1 AND start = ?2 AND minutes = ?3",
                        params![r.credit_code, dt_text(r.start), r.minutes, r.wh],
                    )?;
                    out.updated += 1;
                }
                None => {
                    tx.execute(
                        "INSERT INTO power_use (credit_code, start, minutes, wh) VALUES (?1, ?2, ?3, ?4)",
                        params![r.credit_code, dt_text(r.start), r.minutes, r.wh],
                    )?;
                    out.inserted += 1;
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn power(&self, credit_code: &str, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<StoredPower>> {
        let _op = crate::op::during("reading electricity use");
        crate::op::read(&[DataArea::Response]);
        let mut st = self.conn().prepare(
            "SELECT start, minutes, wh FROM power_use WHERE credit_code = ?1 AND start >= ?2 AND start < ?3 ORDER BY start, minutes",
        )?;
        let rows = st.query_map(params![credit_code, dt_text(from), dt_text(to)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (s, minutes, wh) = row?;
            out.push(StoredPower { start: dt_parse(&s)?, minutes, wh });
        }
        Ok(out)
    }

    fn import_cems(&mut self, file: &FileMeta, records: &[CemsRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing CEMS hours");
        let tx = self.conn_mut().savepoint()?;
        let mut out = ImportOutcome {
            new_file: SqliteStore::record_file(&tx, file, "cems-hourly", records.len())?,
            ..Default::default()
        };
        let mut checked = std::collections::HashSet::new();
        for r in records {
            if checked.insert(r.credit_code.as_str()) {
                known_enterprise(&tx, file, r.row, &r.credit_code)?;
            }
            let existed: bool = tx.query_row(
                "SELECT count(*) FROM cems_hourly WHERE credit_code = ?1 AND point = ?2 AND time = ?3",
                params![r.credit_code, r.point, dt_text(r.time)],
                |x| x.get::<_, i64>(0),
            )? > 0;
            let n = tx.execute(
                "INSERT INTO cems_hourly (credit_code, point, time, so2_g, nox_g, pm_g) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (credit_code, point, time) DO UPDATE SET so2_g = ?4, nox_g = ?5, pm_g = ?6 \
                 WHERE NOT (so2_g IS ?4 AND nox_g IS ?5 AND pm_g IS ?6)",
                params![r.credit_code, r.point, dt_text(r.time), r.g[0], r.g[1], r.g[2]],
            )?;
            count(&mut out, existed, n);
        }
        tx.commit()?;
        Ok(out)
    }

    fn cems(&self, credit_code: &str, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<StoredCems>> {
        let _op = crate::op::during("reading CEMS hours");
        crate::op::read(&[DataArea::Response]);
        let mut st = self.conn().prepare(
            "SELECT point, time, so2_g, nox_g, pm_g FROM cems_hourly WHERE credit_code = ?1 AND time >= ?2 AND time <= ?3 \
             ORDER BY time, point",
        )?;
        let rows = st.query_map(params![credit_code, dt_text(from), dt_text(to)], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, [r.get(2)?, r.get(3)?, r.get(4)?]))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (point, t, g) = row?;
            out.push(StoredCems { point, time: dt_parse(&t)?, g });
        }
        Ok(out)
    }
}
