//! Inputs of the heavy-pollution emergency response (`docs/formats.md` §7, `emergency.md`):
//!
//! * city forecasts of daily AQI, CSV `city,issued_at,date,aqi[,aqi_low,aqi_high][,primary][,source]`
//!   or JSON (an array of such objects, or `{"forecasts": [...]}`);
//! * the key-emitter registry, CSV `credit_code,name,city,industry,grade,…`;
//! * one-plant-one-policy measures (一厂一策), CSV `credit_code,level,line,action,…`;
//! * city emission inventories, CSV `city,year,so2_t,nox_t,pm_t,vocs_t`;
//! * non-industrial city measures per alert level, CSV `city,level,measure,so2_kg,…`;
//! * enterprise electricity use, CSV `credit_code,time,kwh` (15-minute or daily);
//! * CEMS hourly emissions, CSV `credit_code,time,so2_kg,nox_kg,pm_kg[,point]`;
//! * pairing visits, CSV `department,city,date_from,date_to,on_site,leader_name,leader_rank`.
//!
//! Amounts are exact decimals with at most three decimals, kept as integer thousandths of the
//! column's unit (tonnes → kg, kg → g, kWh → Wh). Semantic checks that need the rule tables (credit
//! code check character, industry, grade) run here too, through `lantian-core`; checks that need the
//! store (known city, known enterprise) run in the store's importing transaction.

use std::collections::HashMap;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::accountability::records;
use crate::error::IngestError;
use crate::table::{Cols, Row};

/// The four pollutants of emission inventories and reductions, in column order.
pub const EMISSION_POLLUTANTS: [&str; 4] = ["so2", "nox", "pm", "vocs"];

/// One forecast day of one issuance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForecastRecord {
    pub city: String,
    /// When the forecast was issued (Beijing time).
    pub issued_at: NaiveDateTime,
    /// The forecast day.
    pub date: NaiveDate,
    /// Forecast daily AQI (24-hour mean), 0–500.
    pub aqi: u32,
    pub aqi_low: Option<u32>,
    pub aqi_high: Option<u32>,
    /// Forecast primary pollutant as written (may be empty).
    pub primary: String,
    /// Who issued it (e.g. 省生态环境监测总站与省气象台联合会商).
    pub source: String,
    pub line: usize,
}

/// A key emitter of the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseRecord {
    /// Unified social credit code (GB 32100-2015), validated.
    pub credit_code: String,
    pub name: String,
    pub city: String,
    pub county: String,
    /// Key-industry code of the industry table (`other` = not a key industry).
    pub industry: String,
    /// Performance grade code (`lantian_core::enterprises::enterprise::PerformanceGrade::code`); the file may
    /// write A, B, C, D, 引领性, 非引领性, 未分级 (empty = ungraded).
    pub grade: String,
    pub grade_date: Option<NaiveDate>,
    pub grade_authority: String,
    pub green_benchmark: bool,
    /// Non-empty for guarantee-class enterprises (保障类): why.
    pub guarantee_reason: String,
    /// Production lines, `;`-separated in the file, each `name` or `name:weight` (the line's share of
    /// the plant's activity, used to judge plant-level restrictions).
    pub lines: Vec<String>,
    /// Annual emissions of SO2, NOx, PM, VOCs in kg (the file gives tonnes).
    pub annual_kg: [i64; 4],
    pub row: usize,
}

/// One measure of a one-plant-one-policy plan: what a line does at an alert level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasureRecord {
    pub credit_code: String,
    /// `yellow`, `orange`, `red` (Chinese names accepted).
    pub level: String,
    /// Production line or equipment (`*` = the whole plant).
    pub line_name: String,
    /// `autonomous` | `stop` | `limit` | `stop_process` | `shift` (Chinese names accepted).
    pub action: String,
    /// Load limit in percent of normal load (`limit`), or hours (`shift`).
    pub param: Option<i64>,
    /// Process name for `stop_process`.
    pub process: String,
    /// Expected daily reduction of SO2, NOx, PM, VOCs in g/day (the file gives kg/day).
    pub reduction_g: [i64; 4],
    pub plan_version: String,
    pub row: usize,
}

/// A city's emission inventory (全社会排放量).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryRecord {
    pub city: String,
    pub year: i32,
    /// Annual totals of SO2, NOx, PM, VOCs in kg (the file gives tonnes).
    pub annual_kg: [i64; 4],
    /// Days the annual total is spread over for a daily basis (default: days of the year), and its name.
    pub basis: String,
    pub source: String,
    pub row: usize,
}

/// A non-industrial measure of a city at an alert level (construction sites, vehicles, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CityMeasureRecord {
    pub city: String,
    pub level: String,
    pub measure: String,
    pub reduction_g: [i64; 4],
    pub row: usize,
}

/// Electricity use of an enterprise over an interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PowerRecord {
    pub credit_code: String,
    /// Start of the interval (a 15-minute value labelled by its end is stored by its start).
    pub start: NaiveDateTime,
    /// 15 or 1440.
    pub minutes: u32,
    pub wh: i64,
    pub row: usize,
}

/// CEMS emissions of one emission point over one hour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CemsRecord {
    pub credit_code: String,
    pub point: String,
    /// End of the hour, as online-monitoring systems label it.
    pub time: NaiveDateTime,
    /// SO2, NOx, PM in g/h (the file gives kg/h); `None` = missing.
    pub g: [Option<i64>; 3],
    pub row: usize,
}

/// A pairing visit (management.md §4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitRecord {
    pub department: String,
    pub city: String,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    pub on_site: bool,
    pub leader_name: String,
    /// `department` (厅级), `division` (处级) or `other`.
    pub leader_rank: String,
    pub issues_found: String,
    pub row: usize,
}

/// The canonical code of an alert level written as `yellow`/`黄色`/`黄`/`Ⅲ` etc.: `blue`, `yellow`,
/// `orange` or `red` (`glossary.md`: `AlertLevel`).
pub fn level_code(text: &str) -> Option<&'static str> {
    Some(match text.trim().to_lowercase().as_str() {
        "blue" | "蓝色" | "蓝" | "蓝色预警" => "blue",
        "yellow" | "黄色" | "黄" | "黄色预警" | "iii" | "Ⅲ" | "Ⅲ级" | "三级" => "yellow",
        "orange" | "橙色" | "橙" | "橙色预警" | "ii" | "Ⅱ" | "Ⅱ级" | "二级" => "orange",
        "red" | "红色" | "红" | "红色预警" | "i" | "Ⅰ" | "Ⅰ级" | "一级" => "red",
        _ => return None,
    })
}

/// The canonical code of a measure action (`glossary.md`: `Action::{Autonomous, Stop, LimitLoad,
/// StopProcess, Shift}`).
pub fn action_code(text: &str) -> Option<&'static str> {
    Some(match text.trim().to_lowercase().as_str() {
        "autonomous" | "自主" | "自主减排" | "自主采取减排措施" => "autonomous",
        "stop" | "停产" | "停止生产" => "stop",
        "limit" | "limit_load" | "限产" | "限负荷" => "limit",
        "stop_process" | "停工序" | "停止工序" => "stop_process",
        "shift" | "错峰" | "错峰生产" => "shift",
        _ => return None,
    })
}

/// Parses `2022-12-20T16:00[:00][+08:00]` or `2022-12-20 16:00[:00]` (Beijing time); a `+08:00`
/// offset is accepted, any other offset is an error (every time in the platform is Beijing time).
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    let t = t.strip_suffix("+08:00").unwrap_or(t);
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(d);
        }
    }
    None
}

fn aqi_value(row: &Row<'_>, c: Option<usize>, field: &str) -> Result<Option<u32>, IngestError> {
    let v = row.get(c);
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<u32>()
        .ok()
        .filter(|a| *a <= 500)
        .map(Some)
        .ok_or_else(|| row.err(c.unwrap_or(0), field, format!("not an AQI 0–500: {v:?}")))
}

/// Checks shared by the CSV and JSON forecast readers; `dups` finds overlapping forecasts.
fn check_forecast(
    path: &Path,
    f: &ForecastRecord,
    dups: &mut HashMap<(String, NaiveDateTime, NaiveDate), usize>,
) -> Result<(), IngestError> {
    if let (Some(lo), Some(hi)) = (f.aqi_low, f.aqi_high) {
        if lo > hi {
            return Err(IngestError::at(path, f.line, format!("aqi_low {lo} is above aqi_high {hi}")));
        }
    }
    if f.aqi_low.is_some_and(|lo| lo > f.aqi) || f.aqi_high.is_some_and(|hi| hi < f.aqi) {
        return Err(IngestError::at(path, f.line, format!("aqi {} lies outside its range aqi_low..aqi_high", f.aqi)));
    }
    if f.date < f.issued_at.date() {
        return Err(IngestError::at(
            path,
            f.line,
            format!("forecast for {} issued later, at {}: a forecast cannot be for a past day", f.date, f.issued_at),
        ));
    }
    if (f.date - f.issued_at.date()).num_days() > 15 {
        return Err(IngestError::at(
            path,
            f.line,
            format!("forecast {} days ahead is implausible (max 15)", (f.date - f.issued_at.date()).num_days()),
        ));
    }
    if let Some(first) = dups.insert((f.city.clone(), f.issued_at, f.date), f.line) {
        return Err(IngestError::at(
            path,
            f.line,
            format!("overlapping forecasts: {} {} issued {} is also on line {first}", f.city, f.date, f.issued_at),
        ));
    }
    Ok(())
}

/// Parses a forecast CSV.
pub fn parse_forecasts(path: &Path, text: &str) -> Result<Vec<ForecastRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let c = Cols::new(path, h);
    let (c_city, c_issued, c_date, c_aqi) = (c.need("city")?, c.need("issued_at")?, c.need("date")?, c.need("aqi")?);
    let (c_lo, c_hi, c_primary, c_source) = (c.opt("aqi_low"), c.opt("aqi_high"), c.opt("primary"), c.opt("source"));
    let mut dups = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in &rows {
        let row = Row { path, line: *line, r };
        let issued = row.get(Some(c_issued));
        let issued_at = parse_datetime(issued).ok_or_else(|| {
            row.err(c_issued, "issued_at", format!("not a date-time YYYY-MM-DDTHH:MM[+08:00]: {issued:?}"))
        })?;
        row.plausible(c_issued, "issued_at", issued_at.date())?;
        let f = ForecastRecord {
            city: row.required(c_city, "city")?,
            issued_at,
            date: row.date(c_date, "date")?,
            aqi: aqi_value(&row, Some(c_aqi), "aqi")?.ok_or_else(|| row.err(c_aqi, "aqi", "aqi is required"))?,
            aqi_low: aqi_value(&row, c_lo, "aqi_low")?,
            aqi_high: aqi_value(&row, c_hi, "aqi_high")?,
            primary: row.get(c_primary).to_string(),
            source: row.get(c_source).to_string(),
            line: *line,
        };
        check_forecast(path, &f, &mut dups)?;
        out.push(f);
    }
    Ok(out)
}

/// True when the text is a JSON document of forecasts.
pub fn looks_like_forecast_json(text: &str) -> bool {
    let t = text.trim_start();
    (t.starts_with('[') || t.starts_with('{')) && t.contains("issued_at")
}

/// Parses forecasts from JSON: an array of objects with the CSV's fields, or `{"forecasts": [...]}`.
/// Errors name the element (`line` = its 1-based position in the array).
pub fn parse_forecast_json(path: &Path, text: &str) -> Result<Vec<ForecastRecord>, IngestError> {
    let v: serde_json::Value = serde_json::from_str::<UniqueKeys>(text)
        .map_err(|e| IngestError::at(path, e.line(), format!("invalid JSON: {e}")))?
        .0;
    let items = match &v {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => match o.get("forecasts") {
            Some(serde_json::Value::Array(a)) => a,
            _ => return Err(IngestError::file(path, "a JSON forecast file is an array or {\"forecasts\": [...]}")),
        },
        _ => return Err(IngestError::file(path, "a JSON forecast file is an array or {\"forecasts\": [...]}")),
    };
    if items.is_empty() {
        return Err(IngestError::file(path, "no forecasts"));
    }
    let mut dups = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let n = i + 1;
        let bad = |field: &str, msg: String| IngestError::at(path, n, format!("forecast #{n}, field {field}: {msg}"));
        let text_of = |field: &str| -> Option<String> {
            match item.get(field) {
                Some(serde_json::Value::String(s)) => Some(s.trim().to_string()),
                Some(serde_json::Value::Number(x)) => Some(x.to_string()),
                _ => None,
            }
        };
        let aqi_of = |field: &str| -> Result<Option<u32>, IngestError> {
            match item.get(field) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::Number(x)) => x
                    .as_u64()
                    .filter(|a| *a <= 500)
                    .map(|a| Some(a as u32))
                    .ok_or_else(|| bad(field, format!("not an AQI 0–500: {x}"))),
                Some(other) => Err(bad(field, format!("not an AQI 0–500: {other}"))),
            }
        };
        let city = text_of("city").filter(|s| !s.is_empty()).ok_or_else(|| bad("city", "required".into()))?;
        let issued = text_of("issued_at").unwrap_or_default();
        let issued_at = parse_datetime(&issued)
            .ok_or_else(|| bad("issued_at", format!("not a date-time YYYY-MM-DDTHH:MM[+08:00]: {issued:?}")))?;
        if !crate::plausible::is_plausible(issued_at.date()) {
            return Err(bad("issued_at", crate::plausible::message(&issued)));
        }
        let d = text_of("date").unwrap_or_default();
        let date = NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| bad("date", format!("not a date YYYY-MM-DD: {d:?}")))?;
        if !crate::plausible::is_plausible(date) {
            return Err(bad("date", crate::plausible::message(&d)));
        }
        let f = ForecastRecord {
            city,
            issued_at,
            date,
            aqi: aqi_of("aqi")?.ok_or_else(|| bad("aqi", "required".into()))?,
            aqi_low: aqi_of("aqi_low")?,
            aqi_high: aqi_of("aqi_high")?,
            primary: text_of("primary").unwrap_or_default(),
            source: text_of("source").unwrap_or_default(),
            line: n,
        };
        check_forecast(path, &f, &mut dups)?;
        out.push(f);
    }
    Ok(out)
}

/// A JSON value whose objects name each key once: a repeated key (`"aqi": 100, "aqi": 300`) would
/// silently replace the first, as a repeated header column would in a CSV (issue 12 item 11).
struct UniqueKeys(serde_json::Value);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)))
    }
    fn visit_str<E>(self, v: &str) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }
    fn visit_string<E>(self, v: String) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }
    fn visit_unit<E>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(serde_json::Value::Null))
    }
    fn visit_none<E>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(serde_json::Value::Null))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
        let mut out = Vec::new();
        while let Some(UniqueKeys(v)) = seq.next_element::<UniqueKeys>()? {
            out.push(v);
        }
        Ok(UniqueKeys(serde_json::Value::Array(out)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if out.contains_key(&k) {
                return Err(serde::de::Error::custom(format!(
                    "the key {k:?} is repeated in an object: each field may be given once"
                )));
            }
            let UniqueKeys(v) = map.next_value::<UniqueKeys>()?;
            out.insert(k, v);
        }
        Ok(UniqueKeys(serde_json::Value::Object(out)))
    }
}

/// Reads the four emission columns `<pollutant><suffix>` (e.g. `so2_t`), each in thousandths.
fn emissions(row: &Row<'_>, c: &Cols<'_>, suffix: &str, max_units: i64) -> Result<[i64; 4], IngestError> {
    let mut out = [0i64; 4];
    for (k, p) in EMISSION_POLLUTANTS.iter().enumerate() {
        let name = format!("{p}{suffix}");
        out[k] = row.milli(c.opt(&name), &name, max_units)?.unwrap_or(0);
    }
    Ok(out)
}

/// Parses the key-emitter registry: the credit code is checked (GB 32100-2015, with its check
/// character), the industry must be a key industry of the 2020 guideline (or `other`), and the grade
/// must fit the industry's grading scheme.
pub fn parse_enterprises(path: &Path, text: &str) -> Result<Vec<EnterpriseRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let c = Cols::new(path, h);
    let (c_code, c_name, c_city, c_ind, c_grade) =
        (c.need("credit_code")?, c.need("name")?, c.need("city")?, c.need("industry")?, c.need("grade")?);
    let table = lantian_core::enterprises::enterprise::IndustryTable::guideline_2020()
        .map_err(|e| IngestError::file(path, format!("industry table: {e}")))?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in &rows {
        let row = Row { path, line: *line, r };
        let industry_text = row.required(c_ind, "industry")?;
        // A key industry of the 2020 guideline by code or name, or `other` (其他涉气企业: not a key
        // industry, graded by its one-plant-one-policy only).
        let industry: Option<String> = match industry_text.as_str() {
            "other" | "其他" | "其他涉气企业" | "非重点行业" => None,
            t => Some(
                table
                    .find(t)
                    .ok_or_else(|| {
                        row.err(c_ind, "industry", format!("unknown industry {t:?}: not a key industry of the 2020 guideline (or write other / 其他涉气企业)"))
                    })?
                    .code
                    .clone(),
            ),
        };
        let grade_text = row.get(Some(c_grade));
        let grade = if grade_text.is_empty() {
            lantian_core::enterprises::enterprise::PerformanceGrade::Ungraded
        } else {
            lantian_core::enterprises::enterprise::PerformanceGrade::parse(grade_text)
                .map_err(|e| row.err(c_grade, "grade", e.to_string()))?
        };
        table.validate_grade(industry.as_deref(), grade).map_err(|e| row.err(c_grade, "grade", e.to_string()))?;
        let credit_code = row.required(c_code, "credit_code")?.to_ascii_uppercase();
        lantian_core::enterprises::credit_code::CreditCode::parse(&credit_code)
            .map_err(|e| row.err(c_code, "credit_code", e.to_string()))?;
        if let Some(first) = seen.insert(credit_code.clone(), *line) {
            return Err(row.err(c_code, "credit_code", format!("{credit_code} appears twice (first on line {first})")));
        }
        let lines: Vec<String> = row
            .get(c.opt("lines"))
            .split([';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        // `name:weight` gives a line's share of the plant (any positive integers, e.g. 60 and 40).
        for l in &lines {
            if let Some((name, w)) = l.rsplit_once([':', '：']) {
                if name.trim().is_empty() || w.trim().parse::<u32>().ok().filter(|w| *w > 0).is_none() {
                    return Err(row.err(
                        c.opt("lines").unwrap_or(0),
                        "lines",
                        format!("{l:?}: a line is NAME or NAME:WEIGHT with a positive whole weight"),
                    ));
                }
            }
        }
        out.push(EnterpriseRecord {
            credit_code,
            name: row.required(c_name, "name")?,
            city: row.required(c_city, "city")?,
            county: row.get(c.opt("county")).to_string(),
            industry: industry.unwrap_or_else(|| "other".to_string()),
            grade: grade.code().to_string(),
            grade_date: row.opt_date(c.opt("grade_date"), "grade_date")?,
            grade_authority: row.get(c.opt("grade_authority")).to_string(),
            green_benchmark: row.flag(c.opt("green_benchmark"), "green_benchmark")?,
            guarantee_reason: row.get(c.opt("guarantee_reason")).to_string(),
            lines,
            annual_kg: emissions(&row, &c, "_t", 10_000_000)?,
            row: *line,
        });
    }
    Ok(out)
}

/// Parses one-plant-one-policy measures.
pub fn parse_measures(path: &Path, text: &str) -> Result<Vec<MeasureRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let c = Cols::new(path, h);
    let (c_code, c_level, c_line, c_action) =
        (c.need("credit_code")?, c.need("level")?, c.need("line")?, c.need("action")?);
    let c_param = c.opt("param");
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in &rows {
        let row = Row { path, line: *line, r };
        let credit_code = row.required(c_code, "credit_code")?.to_ascii_uppercase();
        let level_text = row.required(c_level, "level")?;
        let level = match level_code(&level_text) {
            Some(l) if l != "blue" => l.to_string(),
            _ => {
                return Err(row.err(c_level, "level", format!("expected yellow, orange or red, found {level_text:?}")))
            }
        };
        let line_name = row.required(c_line, "line")?;
        let action_text = row.required(c_action, "action")?;
        let action = action_code(&action_text).ok_or_else(|| {
            row.err(
                c_action,
                "action",
                format!("expected autonomous (自主), stop (停产), limit (限产), stop_process (停工序) or shift (错峰), found {action_text:?}"),
            )
        })?;
        let p = row.get(c_param);
        let param = if p.is_empty() {
            None
        } else {
            Some(p.trim_end_matches('%').parse::<i64>().ok().filter(|x| (0..=100).contains(x)).ok_or_else(|| {
                row.err(c_param.unwrap_or(0), "param", format!("not a whole percentage or hours 0–100: {p:?}"))
            })?)
        };
        let process = row.get(c.opt("process")).to_string();
        match action {
            "limit" if param.is_none_or(|x| x >= 100) => {
                return Err(row.err(
                    c_param.unwrap_or(c_action),
                    "param",
                    "limit needs the allowed load in percent, below 100",
                ))
            }
            "shift" if param.is_none_or(|x| x == 0 || x > 24) => {
                return Err(row.err(c_param.unwrap_or(c_action), "param", "shift needs the hours shifted, 1–24"))
            }
            "stop_process" if process.is_empty() => {
                return Err(row.err(c_action, "process", "stop_process needs the process name (column process)"))
            }
            _ => {}
        }
        if let Some(first) = seen.insert((credit_code.clone(), level.clone(), line_name.clone()), *line) {
            return Err(IngestError::at(
                path,
                *line,
                format!("{credit_code} {level} {line_name} has two measures (first on line {first})"),
            ));
        }
        out.push(MeasureRecord {
            credit_code,
            level,
            line_name,
            action: action.to_string(),
            param,
            process,
            reduction_g: emissions(&row, &c, "_kg", 100_000_000)?,
            plan_version: row.get(c.opt("plan_version")).to_string(),
            row: *line,
        });
    }
    Ok(out)
}

/// Parses city emission inventories.
pub fn parse_inventory(path: &Path, text: &str) -> Result<Vec<InventoryRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let c = Cols::new(path, h);
    let (c_city, c_year) = (c.need("city")?, c.need("year")?);
    let mut seen: HashMap<(String, i32), usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in &rows {
        let row = Row { path, line: *line, r };
        let city = row.required(c_city, "city")?;
        let y = row.get(Some(c_year));
        let year: i32 = crate::plausible::year(y).ok_or_else(|| {
            row.err(
                c_year,
                "year",
                format!("not a year {}–{}: {y:?}", crate::plausible::FIRST_YEAR, crate::plausible::LAST_YEAR),
            )
        })?;
        if let Some(first) = seen.insert((city.clone(), year), *line) {
            return Err(IngestError::at(path, *line, format!("{city} {year} appears twice (first on line {first})")));
        }
        let annual_kg = emissions(&row, &c, "_t", 100_000_000)?;
        if annual_kg.iter().all(|x| *x == 0) {
            return Err(IngestError::at(path, *line, "an inventory with no emissions at all"));
        }
        out.push(InventoryRecord {
            city,
            year,
            annual_kg,
            basis: row.get(c.opt("basis")).to_string(),
            source: row.get(c.opt("source")).to_string(),
            row: *line,
        });
    }
    Ok(out)
}

/// Parses non-industrial city measures.
pub fn parse_city_measures(path: &Path, text: &str) -> Result<Vec<CityMeasureRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let c = Cols::new(path, h);
    let (c_city, c_level, c_measure) = (c.need("city")?, c.need("level")?, c.need("measure")?);
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in &rows {
        let row = Row { path, line: *line, r };
        let level_text = row.required(c_level, "level")?;
        let level = match level_code(&level_text) {
            Some(l) if l != "blue" => l.to_string(),
            _ => {
                return Err(row.err(c_level, "level", format!("expected yellow, orange or red, found {level_text:?}")))
            }
        };
        out.push(CityMeasureRecord {
            city: row.required(c_city, "city")?,
            level,
            measure: row.required(c_measure, "measure")?,
            reduction_g: emissions(&row, &c, "_kg", 100_000_000)?,
            row: *line,
        });
    }
    Ok(out)
}

/// Parses electricity use: `time` is a date (daily kWh) or a date-time (15-minute kWh, labelled by
/// the end of the quarter hour as meters report it; `interval` = `15min` or `1d` may say so).
pub fn parse_power(path: &Path, text: &str) -> Result<Vec<PowerRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let c = Cols::new(path, h);
    let (c_code, c_time, c_kwh) = (c.need("credit_code")?, c.need("time")?, c.need("kwh")?);
    let c_int = c.opt("interval");
    let mut seen: HashMap<(String, NaiveDateTime, u32), usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in &rows {
        let row = Row { path, line: *line, r };
        let credit_code = row.required(c_code, "credit_code")?.to_ascii_uppercase();
        let t = row.get(Some(c_time));
        let (start, minutes) = if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            (d.and_time(NaiveTime::MIN), 1440)
        } else if let Some(end) = parse_datetime(t) {
            if end.and_utc().timestamp() % 900 != 0 {
                return Err(row.err(c_time, "time", format!("not on a quarter hour: {t:?}")));
            }
            (end - chrono::Duration::minutes(15), 15)
        } else {
            return Err(row.err(c_time, "time", format!("not a date or a date-time: {t:?}")));
        };
        row.plausible(c_time, "time", start.date())?;
        match row.get(c_int).to_ascii_lowercase().as_str() {
            "" => {}
            "15min" | "15m" if minutes == 15 => {}
            "1d" | "day" | "daily" if minutes == 1440 => {}
            other => {
                return Err(row.err(c_int.unwrap_or(0), "interval", format!("{other:?} does not match the time {t:?}")))
            }
        }
        let max = if minutes == 15 { 10_000_000 } else { 1_000_000_000 };
        let wh = row.milli(Some(c_kwh), "kwh", max)?.ok_or_else(|| row.err(c_kwh, "kwh", "kwh is required"))?;
        if let Some(first) = seen.insert((credit_code.clone(), start, minutes), *line) {
            return Err(IngestError::at(
                path,
                *line,
                format!("{credit_code} {t} appears twice (first on line {first})"),
            ));
        }
        out.push(PowerRecord { credit_code, start, minutes, wh, row: *line });
    }
    Ok(out)
}

/// Parses CEMS hourly emissions (kg/h per emission point; `time` = end of the hour).
pub fn parse_cems(path: &Path, text: &str) -> Result<Vec<CemsRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let c = Cols::new(path, h);
    let (c_code, c_time) = (c.need("credit_code")?, c.need("time")?);
    let cols = [c.need("so2_kg")?, c.need("nox_kg")?, c.need("pm_kg")?];
    let c_point = c.opt("point");
    let mut seen: HashMap<(String, String, NaiveDateTime), usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in &rows {
        let row = Row { path, line: *line, r };
        let credit_code = row.required(c_code, "credit_code")?.to_ascii_uppercase();
        let t = row.get(Some(c_time));
        let time = parse_datetime(t)
            .filter(|x| x.and_utc().timestamp() % 3600 == 0)
            .ok_or_else(|| row.err(c_time, "time", format!("not a whole hour YYYY-MM-DDTHH:00: {t:?}")))?;
        row.plausible(c_time, "time", time.date())?;
        let mut g = [None; 3];
        for (k, col) in cols.iter().enumerate() {
            g[k] = row.milli(Some(*col), ["so2_kg", "nox_kg", "pm_kg"][k], 100_000)?;
        }
        let point = row.get(c_point).to_string();
        if let Some(first) = seen.insert((credit_code.clone(), point.clone(), time), *line) {
            return Err(IngestError::at(
                path,
                *line,
                format!("{credit_code} {point} {t} appears twice (first on line {first})"),
            ));
        }
        out.push(CemsRecord { credit_code, point, time, g, row: *line });
    }
    Ok(out)
}

/// Parses pairing visits.
pub fn parse_visits(path: &Path, text: &str) -> Result<Vec<VisitRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let c = Cols::new(path, h);
    let (c_dep, c_city, c_from, c_to, c_rank) =
        (c.need("department")?, c.need("city")?, c.need("date_from")?, c.need("date_to")?, c.need("leader_rank")?);
    let mut out = Vec::with_capacity(rows.len());
    for (line, r) in &rows {
        let row = Row { path, line: *line, r };
        let date_from = row.date(c_from, "date_from")?;
        let date_to = row.date(c_to, "date_to")?;
        if date_to < date_from {
            return Err(row.err(c_to, "date_to", format!("{date_to} is before {date_from}")));
        }
        let rank_text = row.required(c_rank, "leader_rank")?;
        let leader_rank = match rank_text.to_lowercase().as_str() {
            "department" | "厅级" | "厅级领导" => "department",
            "division" | "处级" | "处级领导" => "division",
            "other" | "其他" => "other",
            other => {
                return Err(row.err(
                    c_rank,
                    "leader_rank",
                    format!("expected department (厅级), division (处级) or other (其他), found {other:?}"),
                ))
            }
        };
        out.push(VisitRecord {
            department: row.required(c_dep, "department")?,
            city: row.required(c_city, "city")?,
            date_from,
            date_to,
            on_site: c.opt("on_site").is_none() || row.flag(c.opt("on_site"), "on_site")?,
            leader_name: row.get(c.opt("leader_name")).to_string(),
            leader_rank: leader_rank.to_string(),
            issues_found: row.get(c.opt("issues_found")).to_string(),
            row: *line,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecast_csv_and_json_agree() {
        let p = Path::new("f.csv");
        let csv = "city,issued_at,date,aqi,aqi_low,aqi_high\n成都,2022-12-20T16:00+08:00,2022-12-21,230,210,250\n";
        let a = parse_forecasts(p, csv).expect("csv");
        let json = r#"[{"city":"成都","issued_at":"2022-12-20 16:00","date":"2022-12-21","aqi":230,"aqi_low":210,"aqi_high":250}]"#;
        let b = parse_forecast_json(Path::new("f.json"), json).expect("json");
        assert_eq!((a[0].aqi, a[0].aqi_low, a[0].issued_at), (b[0].aqi, b[0].aqi_low, b[0].issued_at));
        assert_eq!(a[0].line, 2);
    }

    #[test]
    fn forecast_errors_name_the_record() {
        let p = Path::new("f.csv");
        let e = parse_forecasts(
            p,
            "city,issued_at,date,aqi\n成都,2022-12-20T16:00,2022-12-21,230\n成都,2022-12-20T16:00,2022-12-21,240\n",
        )
        .expect_err("overlap");
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().contains("overlapping"), "{e}");
        let e = parse_forecasts(p, "city,issued_at,date,aqi\n成都,2022-12-20T16:00,2022-12-21,501\n").expect_err("501");
        assert_eq!((e.line, e.column), (Some(2), Some(4)));
        let e =
            parse_forecasts(p, "city,issued_at,date,aqi\n成都,2022-12-20T16:00,2022-12-19,100\n").expect_err("past");
        assert!(e.to_string().contains("past day"), "{e}");
        let e = parse_forecasts(
            p,
            "city,issued_at,date,aqi,aqi_low,aqi_high\n成都,2022-12-20T16:00,2022-12-21,100,120,150\n",
        )
        .expect_err("range");
        assert!(e.to_string().contains("outside"), "{e}");
        let e = parse_forecast_json(
            Path::new("f.json"),
            r#"[{"city":"成都","issued_at":"x","date":"2022-12-21","aqi":1}]"#,
        )
        .expect_err("json");
        assert!(e.to_string().contains("forecast #1, field issued_at"), "{e}");
    }

    #[test]
    fn large_amounts_are_exact() {
        let p = Path::new("p.csv");
        let v = parse_power(p, "credit_code,time,kwh\nX,2022-12-21,2500000.125\n").expect("power");
        assert_eq!(v[0].wh, 2_500_000_125);
        let e = parse_power(p, "credit_code,time,kwh\nX,2022-12-21,1.0005\n").expect_err("precision");
        assert!(e.to_string().contains("three decimals"), "{e}");
        let e = parse_power(p, "credit_code,time,kwh\nX,2022-12-21,2000000000\n").expect_err("range");
        assert!(e.to_string().contains("implausible"), "{e}");
    }

    #[test]
    fn power_intervals() {
        let p = Path::new("p.csv");
        let v = parse_power(p, "credit_code,time,kwh\nX,2022-12-21,1200.5\nX,2022-12-21T00:15,12\n").expect("power");
        assert_eq!((v[0].minutes, v[0].wh), (1440, 1_200_500));
        assert_eq!((v[1].minutes, v[1].start.to_string().as_str()), (15, "2022-12-21 00:00:00"));
        let e = parse_power(p, "credit_code,time,kwh\nX,2022-12-21T00:10,12\n").expect_err("quarter");
        assert_eq!(e.column, Some(2));
        let e = parse_power(p, "credit_code,time,kwh\nX,2022-12-21,-1\n").expect_err("negative");
        assert_eq!(e.column, Some(3));
    }
}
