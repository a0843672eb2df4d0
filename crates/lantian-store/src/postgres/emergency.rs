//! [`EmergencyStore`] on PostgreSQL: the same behaviour as the SQLite store's (emergency.rs), the
//! same rows in the same order. CEMS hours go into yearly partitions of `cems_hourly`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Datelike, NaiveDateTime};
use lantian_ingest::emergency::{
    CemsRecord, CityMeasureRecord, EnterpriseRecord, ForecastRecord, InventoryRecord, MeasureRecord, PowerRecord,
    VisitRecord,
};
use postgres::types::ToSql;
use postgres::{Client, Row};

use super::air::{known_city, record_file};
use super::PgStore;
use crate::emergency::{
    count, dt_parse, dt_text, overlapping_forecast, unknown_enterprise, AlertEventRow, EmergencyStore, NewAlertEvent,
    StoredCems, StoredCityMeasure, StoredEnterprise, StoredForecast, StoredInventory, StoredMeasure, StoredPower,
    StoredVisit,
};
use crate::{DataArea, EnterpriseStore, FileMeta, ImportOutcome, Result, StoreError};

fn known_enterprise(db: &mut Client, file: &FileMeta, line: usize, code: &str) -> Result<()> {
    if db.query_opt("SELECT 1 FROM enterprise WHERE credit_code = $1", &[&code])?.is_none() {
        return Err(unknown_enterprise(file, line, code));
    }
    Ok(())
}

fn exists(db: &mut Client, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<bool> {
    Ok(db.query_opt(sql, params)?.is_some())
}

/// The three columns of a list of keys.
fn unzip3<A: Clone, B: Clone, C: Clone>(keys: &[(A, B, C)]) -> (Vec<A>, Vec<B>, Vec<C>) {
    let mut out = (Vec::with_capacity(keys.len()), Vec::with_capacity(keys.len()), Vec::with_capacity(keys.len()));
    for (a, b, c) in keys {
        out.0.push(a.clone());
        out.1.push(b.clone());
        out.2.push(c.clone());
    }
    out
}

fn opt_u32(r: &Row, i: usize) -> Result<Option<u32>> {
    Ok(r.try_get::<_, Option<i64>>(i)?.map(|v| v as u32))
}

impl EmergencyStore for PgStore {
    fn import_forecasts(&mut self, file: &FileMeta, records: &[ForecastRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing forecasts");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "forecasts", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.line, &r.city)?.id;
                let issued = dt_text(r.issued_at);
                let old = db.query_opt(
                    "SELECT aqi, aqi_low, aqi_high FROM forecast WHERE city_id = $1 AND issued_at = $2 AND date = $3",
                    &[&city, &issued, &r.date],
                )?;
                let old = match old {
                    Some(x) => Some((x.try_get::<_, i64>(0)? as u32, opt_u32(&x, 1)?, opt_u32(&x, 2)?)),
                    None => None,
                };
                match old {
                    Some(o) if o == (r.aqi, r.aqi_low, r.aqi_high) => out.unchanged += 1,
                    Some((aqi, _, _)) => return Err(overlapping_forecast(file, r, aqi)),
                    None => {
                        db.execute(
                            "INSERT INTO forecast (city_id, issued_at, date, aqi, aqi_low, aqi_high, primary_pollutant, \
                             source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                            &[
                                &city,
                                &issued,
                                &r.date,
                                &i64::from(r.aqi),
                                &r.aqi_low.map(i64::from),
                                &r.aqi_high.map(i64::from),
                                &r.primary,
                                &r.source,
                            ],
                        )?;
                        out.inserted += 1;
                    }
                }
            }
            Ok(out)
        })
    }

    fn forecasts(&self, city_ids: &[i64], known_at: Option<NaiveDateTime>) -> Result<Vec<StoredForecast>> {
        let _op = crate::op::during("reading forecasts");
        crate::op::read(&[DataArea::Alerts]);
        let rows = self.db().query(
            "SELECT city_id, issued_at, date, aqi, aqi_low, aqi_high, primary_pollutant, source FROM forecast \
             WHERE ($1::text IS NULL OR issued_at <= $1) ORDER BY city_id, issued_at, date",
            &[&known_at.map(dt_text)],
        )?;
        let mut out = Vec::new();
        for r in &rows {
            let city_id: i64 = r.try_get(0)?;
            if !city_ids.is_empty() && !city_ids.contains(&city_id) {
                continue;
            }
            out.push(StoredForecast {
                city_id,
                issued_at: dt_parse(r.try_get(1)?)?,
                date: r.try_get(2)?,
                aqi: r.try_get::<_, i64>(3)? as u32,
                aqi_low: opt_u32(r, 4)?,
                aqi_high: opt_u32(r, 5)?,
                primary: r.try_get(6)?,
                source: r.try_get(7)?,
            });
        }
        Ok(out)
    }

    fn import_measures(&mut self, file: &FileMeta, records: &[MeasureRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing plant measures");
        self.tx(|db| {
            let mut out = ImportOutcome {
                new_file: record_file(db, file, "plant-measures", records.len())?,
                ..Default::default()
            };
            // The file's (enterprise, level) sets replace the stored ones: lines no longer listed go.
            let mut groups: BTreeMap<(&str, &str), Vec<&MeasureRecord>> = BTreeMap::new();
            for r in records {
                known_enterprise(db, file, r.row, &r.credit_code)?;
                groups.entry((&r.credit_code, &r.level)).or_default().push(r);
            }
            for ((code, level), rs) in groups {
                let names: Vec<&str> = rs.iter().map(|r| r.line_name.as_str()).collect();
                let stored: Vec<String> = db
                    .query("SELECT line FROM plant_measure WHERE credit_code = $1 AND level = $2", &[&code, &level])?
                    .iter()
                    .map(|x| x.try_get(0))
                    .collect::<std::result::Result<_, _>>()?;
                for l in stored.iter().filter(|l| !names.contains(&l.as_str())) {
                    db.execute(
                        "DELETE FROM plant_measure WHERE credit_code = $1 AND level = $2 AND line = $3",
                        &[&code, &level, l],
                    )?;
                    out.updated += 1;
                }
                for r in rs {
                    let existed = stored.contains(&r.line_name);
                    let n = db.execute(
                        "INSERT INTO plant_measure (credit_code, level, line, action, param, process, so2_g, nox_g, \
                         pm_g, vocs_g, plan_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                         ON CONFLICT (credit_code, level, line) DO UPDATE SET action = $4, param = $5, process = $6, \
                         so2_g = $7, nox_g = $8, pm_g = $9, vocs_g = $10, plan_version = $11 \
                         WHERE NOT (plant_measure.action = $4 AND plant_measure.param IS NOT DISTINCT FROM $5 \
                         AND plant_measure.process = $6 AND plant_measure.so2_g = $7 AND plant_measure.nox_g = $8 \
                         AND plant_measure.pm_g = $9 AND plant_measure.vocs_g = $10 AND plant_measure.plan_version = $11)",
                        &[
                            &code,
                            &level,
                            &r.line_name,
                            &r.action,
                            &r.param,
                            &r.process,
                            &r.reduction_g[0],
                            &r.reduction_g[1],
                            &r.reduction_g[2],
                            &r.reduction_g[3],
                            &r.plan_version,
                        ],
                    )?;
                    count(&mut out, existed, n as usize);
                }
            }
            Ok(out)
        })
    }

    fn measures(&self, credit_codes: &[String]) -> Result<Vec<StoredMeasure>> {
        let _op = crate::op::during("reading plant measures");
        crate::op::read(&[DataArea::Response]);
        let mut db = self.db();
        let st = db.prepare(
            "SELECT credit_code, level, line, action, param, process, so2_g, nox_g, pm_g, vocs_g, plan_version \
             FROM plant_measure WHERE credit_code = $1 ORDER BY level, line",
        )?;
        let mut out = Vec::new();
        for code in credit_codes {
            for r in db.query(&st, &[code])? {
                out.push(StoredMeasure {
                    credit_code: r.try_get(0)?,
                    level: r.try_get(1)?,
                    line: r.try_get(2)?,
                    action: r.try_get(3)?,
                    param: r.try_get(4)?,
                    process: r.try_get(5)?,
                    reduction_g: [r.try_get(6)?, r.try_get(7)?, r.try_get(8)?, r.try_get(9)?],
                    plan_version: r.try_get(10)?,
                });
            }
        }
        Ok(out)
    }

    fn import_inventory(&mut self, file: &FileMeta, records: &[InventoryRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing emission inventories");
        self.tx(|db| {
            let mut out = ImportOutcome {
                new_file: record_file(db, file, "emission-inventory", records.len())?,
                ..Default::default()
            };
            for r in records {
                let city = known_city(db, file, r.row, &r.city)?.id;
                let existed =
                    exists(db, "SELECT 1 FROM emission_inventory WHERE city_id = $1 AND year = $2", &[&city, &r.year])?;
                let n = db.execute(
                    "INSERT INTO emission_inventory (city_id, year, so2_kg, nox_kg, pm_kg, vocs_kg, basis, source) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (city_id, year) DO UPDATE SET so2_kg = $3, \
                     nox_kg = $4, pm_kg = $5, vocs_kg = $6, basis = $7, source = $8 \
                     WHERE NOT (emission_inventory.so2_kg = $3 AND emission_inventory.nox_kg = $4 \
                     AND emission_inventory.pm_kg = $5 AND emission_inventory.vocs_kg = $6 \
                     AND emission_inventory.basis = $7 AND emission_inventory.source = $8)",
                    &[
                        &city,
                        &r.year,
                        &r.annual_kg[0],
                        &r.annual_kg[1],
                        &r.annual_kg[2],
                        &r.annual_kg[3],
                        &r.basis,
                        &r.source,
                    ],
                )?;
                count(&mut out, existed, n as usize);
            }
            Ok(out)
        })
    }

    fn inventory(&self, city_id: i64, year: i32) -> Result<Option<StoredInventory>> {
        let _op = crate::op::during("reading an emission inventory");
        crate::op::read(&[DataArea::Response]);
        self.db()
            .query_opt(
                "SELECT city_id, year, so2_kg, nox_kg, pm_kg, vocs_kg, basis, source FROM emission_inventory \
                 WHERE city_id = $1 AND year <= $2 ORDER BY year DESC LIMIT 1",
                &[&city_id, &year],
            )?
            .map(|r| -> Result<StoredInventory> {
                Ok(StoredInventory {
                    city_id: r.try_get(0)?,
                    year: r.try_get(1)?,
                    annual_kg: [r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?],
                    basis: r.try_get(6)?,
                    source: r.try_get(7)?,
                })
            })
            .transpose()
    }

    fn import_city_measures(&mut self, file: &FileMeta, records: &[CityMeasureRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing city measures");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "city-measures", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.row, &r.city)?.id;
                let existed = exists(
                    db,
                    "SELECT 1 FROM city_measure WHERE city_id = $1 AND level = $2 AND measure = $3",
                    &[&city, &r.level, &r.measure],
                )?;
                let n = db.execute(
                    "INSERT INTO city_measure (city_id, level, measure, so2_g, nox_g, pm_g, vocs_g) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (city_id, level, measure) DO UPDATE SET so2_g = $4, nox_g = $5, pm_g = $6, vocs_g = $7 \
                     WHERE NOT (city_measure.so2_g = $4 AND city_measure.nox_g = $5 AND city_measure.pm_g = $6 \
                     AND city_measure.vocs_g = $7)",
                    &[
                        &city,
                        &r.level,
                        &r.measure,
                        &r.reduction_g[0],
                        &r.reduction_g[1],
                        &r.reduction_g[2],
                        &r.reduction_g[3],
                    ],
                )?;
                count(&mut out, existed, n as usize);
            }
            Ok(out)
        })
    }

    fn city_measures(&self, city_id: i64, level: &str) -> Result<Vec<StoredCityMeasure>> {
        let _op = crate::op::during("reading city measures");
        crate::op::read(&[DataArea::Response]);
        self.db()
            .query(
                "SELECT city_id, level, measure, so2_g, nox_g, pm_g, vocs_g FROM city_measure \
                 WHERE city_id = $1 AND level = $2 ORDER BY measure",
                &[&city_id, &level],
            )?
            .iter()
            .map(|r| -> Result<StoredCityMeasure> {
                Ok(StoredCityMeasure {
                    city_id: r.try_get(0)?,
                    level: r.try_get(1)?,
                    measure: r.try_get(2)?,
                    reduction_g: [r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, r.try_get(6)?],
                })
            })
            .collect()
    }

    fn import_visits(&mut self, file: &FileMeta, records: &[VisitRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing pairing visits");
        self.tx(|db| {
            let mut out = ImportOutcome {
                new_file: record_file(db, file, "pairing-visits", records.len())?,
                ..Default::default()
            };
            for r in records {
                let city = known_city(db, file, r.row, &r.city)?.id;
                let existed = exists(
                    db,
                    "SELECT 1 FROM pairing_visit WHERE department = $1 AND city_id = $2 AND date_from = $3 \
                     AND date_to = $4 AND leader_name = $5",
                    &[&r.department, &city, &r.date_from, &r.date_to, &r.leader_name],
                )?;
                let n = db.execute(
                    "INSERT INTO pairing_visit (department, city_id, date_from, date_to, leader_name, on_site, \
                     leader_rank, issues_found) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (department, city_id, date_from, date_to, leader_name) DO UPDATE SET on_site = $6, \
                     leader_rank = $7, issues_found = $8 WHERE NOT (pairing_visit.on_site = $6 \
                     AND pairing_visit.leader_rank = $7 AND pairing_visit.issues_found = $8)",
                    &[
                        &r.department,
                        &city,
                        &r.date_from,
                        &r.date_to,
                        &r.leader_name,
                        &r.on_site,
                        &r.leader_rank,
                        &r.issues_found,
                    ],
                )?;
                count(&mut out, existed, n as usize);
            }
            Ok(out)
        })
    }

    fn visits(&self, city_id: Option<i64>) -> Result<Vec<StoredVisit>> {
        let _op = crate::op::during("reading pairing visits");
        crate::op::read(&[DataArea::Response]);
        self.db()
            .query(
                "SELECT department, city_id, date_from, date_to, on_site, leader_name, leader_rank, issues_found \
                 FROM pairing_visit WHERE ($1::bigint IS NULL OR city_id = $1) ORDER BY date_from, id",
                &[&city_id],
            )?
            .iter()
            .map(|r| -> Result<StoredVisit> {
                Ok(StoredVisit {
                    department: r.try_get(0)?,
                    city_id: r.try_get(1)?,
                    date_from: r.try_get(2)?,
                    date_to: r.try_get(3)?,
                    on_site: r.try_get(4)?,
                    leader_name: r.try_get(5)?,
                    leader_rank: r.try_get(6)?,
                    issues_found: r.try_get(7)?,
                })
            })
            .collect()
    }

    fn add_alert_event(&mut self, e: &NewAlertEvent) -> Result<i64> {
        let _op = crate::op::during("recording an alert decision");
        let ids = self.add_alert_events(std::slice::from_ref(e))?;
        ids.first().copied().ok_or_else(|| StoreError::Input("alert event not stored".into()))
    }

    fn add_alert_events(&mut self, events: &[NewAlertEvent]) -> Result<Vec<i64>> {
        let _op = crate::op::during("recording alert decisions");
        self.tx(|db| {
            let st = db.prepare(
                "INSERT INTO alert_event (scope, at, action, level_from, level_to, start_date, end_date, rule_set, \
                 evidence, actor, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )?;
            let mut ids = Vec::with_capacity(events.len());
            for e in events {
                let id: i64 = db
                    .query_one(
                        &st,
                        &[
                            &e.scope,
                            &dt_text(e.at),
                            &e.action,
                            &e.level_from,
                            &e.level_to,
                            &e.start_date,
                            &e.end_date,
                            &e.rule_set,
                            &e.evidence,
                            &e.actor,
                            &e.recorded_at,
                        ],
                    )?
                    .try_get(0)?;
                ids.push(id);
            }
            Ok(ids)
        })
    }

    fn latest_alert_event_at(&self) -> Result<Option<NaiveDateTime>> {
        let _op = crate::op::during("reading the alert log");
        crate::op::read(&[DataArea::Alerts]);
        self.db()
            .query_opt("SELECT at FROM alert_event ORDER BY at DESC LIMIT 1", &[])?
            .map(|r| dt_parse(r.try_get(0)?))
            .transpose()
    }

    fn alert_events(&self, scope: Option<&str>) -> Result<Vec<AlertEventRow>> {
        let _op = crate::op::during("reading the alert log");
        crate::op::read(&[DataArea::Alerts]);
        self.db()
            .query(
                "SELECT id, scope, at, action, level_from, level_to, start_date, end_date, rule_set, evidence, actor, \
                 recorded_at FROM alert_event WHERE ($1::text IS NULL OR scope = $1) ORDER BY at, id",
                &[&scope],
            )?
            .iter()
            .map(|r| -> Result<AlertEventRow> {
                Ok(AlertEventRow {
                    id: r.try_get(0)?,
                    entry: NewAlertEvent {
                        scope: r.try_get(1)?,
                        at: dt_parse(r.try_get(2)?)?,
                        action: r.try_get(3)?,
                        level_from: r.try_get(4)?,
                        level_to: r.try_get(5)?,
                        start_date: r.try_get(6)?,
                        end_date: r.try_get(7)?,
                        rule_set: r.try_get(8)?,
                        evidence: r.try_get(9)?,
                        actor: r.try_get(10)?,
                        recorded_at: r.try_get(11)?,
                    },
                })
            })
            .collect()
    }
}

impl EnterpriseStore for PgStore {
    fn import_enterprises(&mut self, file: &FileMeta, records: &[EnterpriseRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing the enterprise registry");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "enterprises", records.len())?, ..Default::default() };
            for r in records {
                let city = known_city(db, file, r.row, &r.city)?.id;
                let existed = exists(db, "SELECT 1 FROM enterprise WHERE credit_code = $1", &[&r.credit_code])?;
                let lines = serde_json::to_string(&r.lines).map_err(|e| StoreError::Input(e.to_string()))?;
                let n = db.execute(
                    "INSERT INTO enterprise (credit_code, name, city_id, county, industry, grade, grade_date, \
                     grade_authority, green_benchmark, guarantee_reason, lines, so2_kg, nox_kg, pm_kg, vocs_kg) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                     ON CONFLICT (credit_code) DO UPDATE SET name = $2, city_id = $3, county = $4, industry = $5, \
                     grade = $6, grade_date = $7, grade_authority = $8, green_benchmark = $9, guarantee_reason = $10, \
                     lines = $11, so2_kg = $12, nox_kg = $13, pm_kg = $14, vocs_kg = $15 \
                     WHERE NOT (enterprise.name = $2 AND enterprise.city_id = $3 AND enterprise.county = $4 \
                     AND enterprise.industry = $5 AND enterprise.grade = $6 \
                     AND enterprise.grade_date IS NOT DISTINCT FROM $7 AND enterprise.grade_authority = $8 \
                     AND enterprise.green_benchmark = $9 AND enterprise.guarantee_reason = $10 \
                     AND enterprise.lines = $11 AND enterprise.so2_kg = $12 AND enterprise.nox_kg = $13 \
                     AND enterprise.pm_kg = $14 AND enterprise.vocs_kg = $15)",
                    &[
                        &r.credit_code,
                        &r.name,
                        &city,
                        &r.county,
                        &r.industry,
                        &r.grade,
                        &r.grade_date,
                        &r.grade_authority,
                        &r.green_benchmark,
                        &r.guarantee_reason,
                        &lines,
                        &r.annual_kg[0],
                        &r.annual_kg[1],
                        &r.annual_kg[2],
                        &r.annual_kg[3],
                    ],
                )?;
                count(&mut out, existed, n as usize);
            }
            Ok(out)
        })
    }

    fn enterprises(&self, city_id: Option<i64>) -> Result<Vec<StoredEnterprise>> {
        let _op = crate::op::during("reading enterprises");
        crate::op::read(&[DataArea::Response]);
        let rows = self.db().query(
            "SELECT credit_code, name, city_id, county, industry, grade, grade_date, grade_authority, green_benchmark, \
             guarantee_reason, lines, so2_kg, nox_kg, pm_kg, vocs_kg FROM enterprise \
             WHERE ($1::bigint IS NULL OR city_id = $1) ORDER BY credit_code",
            &[&city_id],
        )?;
        rows.iter()
            .map(|r| -> Result<StoredEnterprise> {
                let credit_code: String = r.try_get(0)?;
                let lines = serde_json::from_str(r.try_get(10)?)
                    .map_err(|_| StoreError::Corrupt(format!("lines of {credit_code}")))?;
                Ok(StoredEnterprise {
                    credit_code,
                    name: r.try_get(1)?,
                    city_id: r.try_get(2)?,
                    county: r.try_get(3)?,
                    industry: r.try_get(4)?,
                    grade: r.try_get(5)?,
                    grade_date: r.try_get(6)?,
                    grade_authority: r.try_get(7)?,
                    green_benchmark: r.try_get(8)?,
                    guarantee_reason: r.try_get(9)?,
                    lines,
                    annual_kg: [r.try_get(11)?, r.try_get(12)?, r.try_get(13)?, r.try_get(14)?],
                })
            })
            .collect()
    }

    fn import_power(&mut self, file: &FileMeta, records: &[PowerRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing electricity use");
        self.tx(|db| {
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "power-use", records.len())?, ..Default::default() };
            let mut checked = HashSet::new();
            for r in records {
                if checked.insert(r.credit_code.as_str()) {
                    known_enterprise(db, file, r.row, &r.credit_code)?;
                }
            }
            // The stored values of the file's intervals, read in one statement; the rows then applied in
            // file order in memory (a later row of the same interval sees the earlier one, as on SQLite)
            // and the changed intervals written in one statement.
            let keys: Vec<(String, String, i64)> =
                records.iter().map(|r| (r.credit_code.clone(), dt_text(r.start), i64::from(r.minutes))).collect();
            let (codes, starts, minutes) = unzip3(&keys);
            let mut stored: HashMap<(String, String, i64), i64> = HashMap::new();
            for x in db.query(
                "SELECT p.credit_code, p.start, p.minutes, p.wh FROM power_use p \
                 JOIN unnest($1::text[], $2::text[], $3::bigint[]) AS k(c, s, m) \
                 ON p.credit_code = k.c AND p.start = k.s AND p.minutes = k.m",
                &[&codes, &starts, &minutes],
            )? {
                stored.insert((x.try_get(0)?, x.try_get(1)?, x.try_get(2)?), x.try_get(3)?);
            }
            let mut changed: BTreeMap<(String, String, i64), i64> = BTreeMap::new();
            for (k, r) in keys.into_iter().zip(records) {
                match stored.get(&k) {
                    Some(w) if *w == r.wh => out.unchanged += 1,
                    Some(_) => out.updated += 1,
                    None => out.inserted += 1,
                }
                stored.insert(k.clone(), r.wh);
                changed.insert(k, r.wh);
            }
            let (codes, starts, minutes) = unzip3(&changed.keys().cloned().collect::<Vec<_>>());
            let wh: Vec<i64> = changed.values().copied().collect();
            db.execute(
                "INSERT INTO power_use (credit_code, start, minutes, wh) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) \
                 ON CONFLICT (credit_code, start, minutes) DO UPDATE SET wh = excluded.wh \
                 WHERE power_use.wh IS DISTINCT FROM excluded.wh",
                &[&codes, &starts, &minutes, &wh],
            )?;
            Ok(out)
        })
    }

    fn power(&self, credit_code: &str, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<StoredPower>> {
        let _op = crate::op::during("reading electricity use");
        crate::op::read(&[DataArea::Response]);
        self.db()
            .query(
                "SELECT start, minutes, wh FROM power_use WHERE credit_code = $1 AND start >= $2 AND start < $3 \
                 ORDER BY start, minutes",
                &[&credit_code, &dt_text(from), &dt_text(to)],
            )?
            .iter()
            .map(|r| -> Result<StoredPower> {
                Ok(StoredPower {
                    start: dt_parse(r.try_get(0)?)?,
                    minutes: r.try_get::<_, i64>(1)? as u32,
                    wh: r.try_get(2)?,
                })
            })
            .collect()
    }

    fn import_cems(&mut self, file: &FileMeta, records: &[CemsRecord]) -> Result<ImportOutcome> {
        let _op = crate::op::during("importing CEMS hours");
        let years: BTreeSet<i32> = records.iter().map(|r| r.time.year()).collect();
        self.tx(|db| {
            for y in &years {
                self.ensure_partition(db, "cems_hourly", *y)?;
            }
            let mut out =
                ImportOutcome { new_file: record_file(db, file, "cems-hourly", records.len())?, ..Default::default() };
            let mut checked = HashSet::new();
            for r in records {
                if checked.insert(r.credit_code.as_str()) {
                    known_enterprise(db, file, r.row, &r.credit_code)?;
                }
            }
            // As electricity use: stored hours read in one statement, rows applied in file order in
            // memory, changed hours written in one statement.
            type Key = (String, String, String);
            let keys: Vec<Key> =
                records.iter().map(|r| (r.credit_code.clone(), r.point.clone(), dt_text(r.time))).collect();
            let (codes, points, times) = unzip3(&keys);
            let mut stored: HashMap<Key, [Option<i64>; 3]> = HashMap::new();
            for x in db.query(
                "SELECT h.credit_code, h.point, h.time, h.so2_g, h.nox_g, h.pm_g FROM cems_hourly h \
                 JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(c, p, t) \
                 ON h.credit_code = k.c AND h.point = k.p AND h.time = k.t",
                &[&codes, &points, &times],
            )? {
                stored.insert(
                    (x.try_get(0)?, x.try_get(1)?, x.try_get(2)?),
                    [x.try_get(3)?, x.try_get(4)?, x.try_get(5)?],
                );
            }
            let mut changed: BTreeMap<Key, [Option<i64>; 3]> = BTreeMap::new();
            for (k, r) in keys.into_iter().zip(records) {
                match stored.get(&k) {
                    Some(g) if *g == r.g => out.unchanged += 1,
                    Some(_) => out.updated += 1,
                    None => out.inserted += 1,
                }
                stored.insert(k.clone(), r.g);
                changed.insert(k, r.g);
            }
            let (codes, points, times) = unzip3(&changed.keys().cloned().collect::<Vec<_>>());
            let col = |i: usize| changed.values().map(|g| g[i]).collect::<Vec<Option<i64>>>();
            db.execute(
                "INSERT INTO cems_hourly (credit_code, point, time, so2_g, nox_g, pm_g) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[]) \
                 ON CONFLICT (credit_code, point, time) DO UPDATE SET so2_g = excluded.so2_g, \
                 nox_g = excluded.nox_g, pm_g = excluded.pm_g \
                 WHERE (cems_hourly.so2_g, cems_hourly.nox_g, cems_hourly.pm_g) \
                 IS DISTINCT FROM (excluded.so2_g, excluded.nox_g, excluded.pm_g)",
                &[&codes, &points, &times, &col(0), &col(1), &col(2)],
            )?;
            Ok(out)
        })
    }

    fn cems(&self, credit_code: &str, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<StoredCems>> {
        let _op = crate::op::during("reading CEMS hours");
        crate::op::read(&[DataArea::Response]);
        self.db()
            .query(
                "SELECT point, time, so2_g, nox_g, pm_g FROM cems_hourly WHERE credit_code = $1 AND time >= $2 \
                 AND time <= $3 ORDER BY time, point",
                &[&credit_code, &dt_text(from), &dt_text(to)],
            )?
            .iter()
            .map(|r| -> Result<StoredCems> {
                Ok(StoredCems {
                    point: r.try_get(0)?,
                    time: dt_parse(r.try_get(1)?)?,
                    g: [r.try_get(2)?, r.try_get(3)?, r.try_get(4)?],
                })
            })
            .collect()
    }
}
