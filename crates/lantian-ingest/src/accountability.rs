//! Campaign inputs kept beside the monitoring data (`docs/formats.md` §5–6):
//!
//! * dust-affected city periods (扣沙), header `city,start,end[,source]`, dates `YYYY-MM-DD`, inclusive;
//! * annual city targets, header `city,year,pm2_5[,good_day_ratio][,heavy_days][,source]`:
//!   PM2.5 in μg/m³, the good-day ratio in percent (one decimal at most), heavy-pollution days a count.

use std::path::Path;

use chrono::NaiveDate;
use lantian_core::Conc;

use crate::error::IngestError;

/// A dust-affected period of a city.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DustRecord {
    pub city: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The document that determined it (e.g. the CNEMC notice).
    pub source: String,
    pub line: usize,
}

/// A city's annual targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRecord {
    pub city: String,
    pub year: i32,
    pub pm2_5: Option<Conc>,
    /// Good-day ratio target in tenths of a percent (89.5 % → 895).
    pub good_day_ratio_tenths: Option<i64>,
    pub heavy_days: Option<u32>,
    pub source: String,
    pub line: usize,
}

/// A recorded bonus/penalty item of a city (加减分): `city,date,item,evidence,approver`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdjustmentRecord {
    pub city: String,
    pub date: NaiveDate,
    /// An item code of `lantian_core::accountability::points::ADJUSTMENT_ITEMS`.
    pub item: String,
    pub evidence: String,
    pub approver: String,
    pub line: usize,
}

/// A city's composite-index rank among the 168 national key cities for a period, as published in the
/// national bulletin: `city,period,rank168` (period `2022-H1`, `2022-01..2022-09`, `2022`, `2022-05`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NationalRankRecord {
    pub city: String,
    /// The period's canonical label (`lantian_core::air::period::Period::label`).
    pub period: String,
    pub rank: u32,
    pub line: usize,
}

/// Parses 168-city ranks; the rank must be 1–168 and the period a period text.
pub fn parse_national_ranks(path: &Path, text: &str) -> Result<Vec<NationalRankRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let (Some(c_city), Some(c_period), Some(c_rank)) = (col(&h, "city"), col(&h, "period"), col(&h, "rank168")) else {
        return Err(IngestError::at(path, 1, "header must name city,period,rank168"));
    };
    rows.into_iter()
        .map(|(line, r)| {
            let get = |c: usize| r.get(c).unwrap_or("").to_string();
            let period = lantian_core::air::period::Period::parse(&get(c_period))
                .map_err(|e| IngestError::cell(path, line, c_period + 1, "period", e.to_string()))?;
            if !crate::plausible::is_plausible(period.start) || !crate::plausible::is_plausible(period.end) {
                return Err(IngestError::cell(
                    path,
                    line,
                    c_period + 1,
                    "period",
                    crate::plausible::message(&get(c_period)),
                ));
            }
            let rank = get(c_rank).parse::<u32>().ok().filter(|k| (1..=168).contains(k)).ok_or_else(|| {
                IngestError::cell(path, line, c_rank + 1, "rank168", format!("not a rank 1–168: {:?}", get(c_rank)))
            })?;
            let city = get(c_city);
            if city.is_empty() {
                return Err(IngestError::cell(path, line, c_city + 1, "city", "empty city"));
            }
            Ok(NationalRankRecord { city, period: period.label(), rank, line })
        })
        .collect()
}

/// A target task: `task,city,department,description,unit,kind,baseline,target,start,deadline`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRecord {
    pub code: String,
    pub city: String,
    pub department: String,
    pub description: String,
    pub unit: String,
    pub kind: lantian_core::accountability::tasks::TaskKind,
    /// Exact decimal texts.
    pub baseline: String,
    pub target: String,
    pub start: NaiveDate,
    pub deadline: NaiveDate,
    pub line: usize,
}

/// A progress report: `task,date,value,source`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskReportRecord {
    pub task: String,
    pub date: NaiveDate,
    pub value: String,
    pub source: String,
    pub line: usize,
}

fn decimal_cell(path: &Path, line: usize, c: usize, name: &str, s: &str) -> Result<String, IngestError> {
    lantian_core::air::conc::parse_decimal(s)
        .map(|_| s.trim().to_string())
        .ok_or_else(|| IngestError::cell(path, line, c + 1, name, format!("not a number: {s:?}")))
}

/// Parses target tasks.
pub fn parse_tasks(path: &Path, text: &str) -> Result<Vec<TaskRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let names =
        ["task", "city", "department", "description", "unit", "kind", "baseline", "target", "start", "deadline"];
    let c: Vec<Option<usize>> = names.iter().map(|n| col(&h, n)).collect();
    for (k, n) in names.iter().enumerate() {
        if c[k].is_none() && !matches!(*n, "description" | "unit" | "kind" | "baseline" | "start") {
            return Err(IngestError::at(path, 1, format!("header lacks {n}")));
        }
    }
    let mut seen = std::collections::HashMap::new();
    rows.into_iter()
        .map(|(line, r)| {
            let get = |k: usize| c[k].and_then(|i| r.get(i)).unwrap_or("").trim().to_string();
            let at = |k: usize| c[k].unwrap_or(0);
            let code = get(0);
            if code.is_empty() {
                return Err(IngestError::cell(path, line, at(0) + 1, "task", "empty task code"));
            }
            if let Some(first) = seen.insert(code.clone(), line) {
                return Err(IngestError::at(path, line, format!("task {code} defined twice (first on line {first})")));
            }
            let kind_text = get(5);
            let kind = if kind_text.is_empty() {
                lantian_core::accountability::tasks::TaskKind::Cumulative
            } else {
                lantian_core::accountability::tasks::TaskKind::parse(&kind_text).ok_or_else(|| {
                    IngestError::cell(
                        path,
                        line,
                        at(5) + 1,
                        "kind",
                        format!("expected cumulative or level, found {kind_text:?}"),
                    )
                })?
            };
            let deadline = date(path, line, at(9), "deadline", &get(9))?;
            let start = if get(8).is_empty() {
                NaiveDate::from_ymd_opt(chrono::Datelike::year(&deadline), 1, 1).unwrap_or(deadline)
            } else {
                date(path, line, at(8), "start", &get(8))?
            };
            if deadline <= start {
                return Err(IngestError::cell(
                    path,
                    line,
                    at(9) + 1,
                    "deadline",
                    "the deadline is not after the start",
                ));
            }
            let baseline =
                if get(6).is_empty() { "0".to_string() } else { decimal_cell(path, line, at(6), "baseline", &get(6))? };
            let target = decimal_cell(path, line, at(7), "target", &get(7))?;
            let city = get(1);
            let department = get(2);
            if city.is_empty() || department.is_empty() {
                return Err(IngestError::at(path, line, "city and department are required"));
            }
            Ok(TaskRecord {
                code,
                city,
                department,
                description: get(3),
                unit: get(4),
                kind,
                baseline,
                target,
                start,
                deadline,
                line,
            })
        })
        .collect()
}

/// Parses progress reports.
pub fn parse_task_reports(path: &Path, text: &str) -> Result<Vec<TaskReportRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let (Some(c_task), Some(c_date), Some(c_value)) = (col(&h, "task"), col(&h, "date"), col(&h, "value")) else {
        return Err(IngestError::at(path, 1, "header must name task,date,value"));
    };
    let c_source = col(&h, "source");
    rows.into_iter()
        .map(|(line, r)| {
            let get = |c: usize| r.get(c).unwrap_or("").trim().to_string();
            let task = get(c_task);
            if task.is_empty() {
                return Err(IngestError::cell(path, line, c_task + 1, "task", "empty task code"));
            }
            Ok(TaskReportRecord {
                task,
                date: date(path, line, c_date, "date", &get(c_date))?,
                value: decimal_cell(path, line, c_value, "value", &get(c_value))?,
                source: c_source.map(get).unwrap_or_default(),
                line,
            })
        })
        .collect()
}

/// Parses bonus/penalty items; an unknown item code, an empty evidence or approver is an error.
pub fn parse_adjustments(path: &Path, text: &str) -> Result<Vec<AdjustmentRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let cols = ["city", "date", "item", "evidence", "approver"].map(|n| col(&h, n));
    let [Some(c_city), Some(c_date), Some(c_item), Some(c_ev), Some(c_ap)] = cols else {
        return Err(IngestError::at(path, 1, "header must name city,date,item,evidence,approver"));
    };
    rows.into_iter()
        .map(|(line, r)| {
            let get = |c: usize| r.get(c).unwrap_or("").to_string();
            let need = |c: usize, name: &str| -> Result<String, IngestError> {
                let v = get(c);
                if v.is_empty() {
                    Err(IngestError::cell(path, line, c + 1, name, format!("{name} is required")))
                } else {
                    Ok(v)
                }
            };
            let item = need(c_item, "item")?;
            if lantian_core::accountability::points::adjustment_name(&item).is_none() {
                let codes: Vec<&str> =
                    lantian_core::accountability::points::ADJUSTMENT_ITEMS.iter().map(|(c, _)| *c).collect();
                return Err(IngestError::cell(
                    path,
                    line,
                    c_item + 1,
                    "item",
                    format!("unknown item {item:?}; one of: {}", codes.join(", ")),
                ));
            }
            Ok(AdjustmentRecord {
                city: need(c_city, "city")?,
                date: date(path, line, c_date, "date", &get(c_date))?,
                item,
                evidence: need(c_ev, "evidence")?,
                approver: need(c_ap, "approver")?,
                line,
            })
        })
        .collect()
}

/// A CSV's header and its non-empty rows with their line numbers (of the row's first line); no rows
/// is an error. Checked here for every kind with a header (issue 12 item 11): a header naming a
/// column twice (case-insensitively) is an error naming both columns; trailing empty header fields
/// (trailing commas) are dropped; a row with fewer fields than the header is an error naming the
/// first missing column, one with more is an error unless the extra fields are empty.
pub fn records(path: &Path, text: &str) -> Result<(csv::StringRecord, Vec<(usize, csv::StringRecord)>), IngestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut it = rdr.records();
    let h = match it.next() {
        None => return Err(IngestError::file(path, "empty file")),
        Some(Err(e)) => return Err(IngestError::at(path, 1, format!("unreadable header: {e}"))),
        Some(Ok(h)) => checked_header(path, h)?,
    };
    let mut out = Vec::new();
    for r in it {
        let r = r.map_err(|e| {
            IngestError::at(path, e.position().map_or(1, |p| p.line() as usize), format!("unreadable row: {e}"))
        })?;
        let line = r.position().map_or(1, |p| p.line() as usize);
        if r.iter().all(str::is_empty) {
            continue;
        }
        check_width(path, line, &h, &r)?;
        out.push((line, r));
    }
    if out.is_empty() {
        return Err(IngestError::file(path, "no rows"));
    }
    Ok((h, out))
}

/// A header without its trailing empty fields; a name given twice is an error naming both columns.
pub(crate) fn checked_header(path: &Path, mut h: csv::StringRecord) -> Result<csv::StringRecord, IngestError> {
    while h.len() > 1 && h.get(h.len() - 1).is_some_and(str::is_empty) {
        h.truncate(h.len() - 1);
    }
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::with_capacity(h.len());
    for (j, name) in h.iter().enumerate() {
        let key = name.trim_start_matches('\u{feff}').to_lowercase();
        if key.is_empty() {
            continue;
        }
        if let Some(first) = seen.insert(key, j) {
            return Err(IngestError::cell(
                path,
                1,
                j + 1,
                name,
                format!(
                    "column {} ({name}) repeats column {} ({}): a column may be named once",
                    j + 1,
                    first + 1,
                    h.get(first).unwrap_or("")
                ),
            ));
        }
    }
    Ok(h)
}

/// A row has exactly the header's fields (beyond them only empty ones).
pub(crate) fn check_width(
    path: &Path,
    line: usize,
    h: &csv::StringRecord,
    r: &csv::StringRecord,
) -> Result<(), IngestError> {
    if r.len() < h.len() {
        let missing = h.get(r.len()).unwrap_or("").trim_start_matches('\u{feff}');
        return Err(IngestError::cell(
            path,
            line,
            r.len() + 1,
            missing,
            format!("row has {} fields, the header has {}: the column {missing} is missing", r.len(), h.len()),
        ));
    }
    if let Some(k) = (h.len()..r.len()).find(|k| r.get(*k).is_some_and(|f| !f.is_empty())) {
        return Err(IngestError::cell(
            path,
            line,
            k + 1,
            "(beyond header)",
            format!("value in a column the header does not name (the header has {} fields)", h.len()),
        ));
    }
    Ok(())
}

fn col(h: &csv::StringRecord, name: &str) -> Option<usize> {
    h.iter().position(|x| x.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
}

fn date(path: &Path, line: usize, c: usize, name: &str, s: &str) -> Result<NaiveDate, IngestError> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| IngestError::cell(path, line, c + 1, name, format!("not a date YYYY-MM-DD: {s:?}")))?;
    crate::plausible::date(path, line, c + 1, name, d)
}

/// Parses dust-affected periods.
pub fn parse_dust(path: &Path, text: &str) -> Result<Vec<DustRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let (c_city, c_start, c_end) = (col(&h, "city"), col(&h, "start"), col(&h, "end"));
    let (Some(c_city), Some(c_start), Some(c_end)) = (c_city, c_start, c_end) else {
        return Err(IngestError::at(path, 1, "header must name city,start,end"));
    };
    let c_source = col(&h, "source");
    rows.into_iter()
        .map(|(line, r)| {
            let get = |c: usize| r.get(c).unwrap_or("");
            let city = get(c_city).to_string();
            if city.is_empty() {
                return Err(IngestError::cell(path, line, c_city + 1, "city", "empty city"));
            }
            let start = date(path, line, c_start, "start", get(c_start))?;
            let end = date(path, line, c_end, "end", get(c_end))?;
            if end < start {
                return Err(IngestError::cell(path, line, c_end + 1, "end", format!("{end} is before {start}")));
            }
            if (end - start).num_days() > 60 {
                return Err(IngestError::cell(
                    path,
                    line,
                    c_end + 1,
                    "end",
                    "a dust period longer than 60 days is implausible",
                ));
            }
            Ok(DustRecord { city, start, end, source: c_source.map(get).unwrap_or("").to_string(), line })
        })
        .collect()
}

/// Parses annual targets.
pub fn parse_targets(path: &Path, text: &str) -> Result<Vec<TargetRecord>, IngestError> {
    let (h, rows) = records(path, text)?;
    let (Some(c_city), Some(c_year), Some(c_pm)) = (col(&h, "city"), col(&h, "year"), col(&h, "pm2_5")) else {
        return Err(IngestError::at(path, 1, "header must name city,year,pm2_5"));
    };
    let (c_ratio, c_heavy, c_source) = (col(&h, "good_day_ratio"), col(&h, "heavy_days"), col(&h, "source"));
    let mut seen = std::collections::HashMap::new();
    rows.into_iter()
        .map(|(line, r)| {
            let get = |c: Option<usize>| c.and_then(|c| r.get(c)).unwrap_or("");
            let city = get(Some(c_city)).to_string();
            if city.is_empty() {
                return Err(IngestError::cell(path, line, c_city + 1, "city", "empty city"));
            }
            let year: i32 = crate::plausible::year(get(Some(c_year))).ok_or_else(|| {
                IngestError::cell(
                    path,
                    line,
                    c_year + 1,
                    "year",
                    format!(
                        "not a year {}–{}: {:?}",
                        crate::plausible::FIRST_YEAR,
                        crate::plausible::LAST_YEAR,
                        get(Some(c_year))
                    ),
                )
            })?;
            if let Some(first) = seen.insert((city.clone(), year), line) {
                return Err(IngestError::at(
                    path,
                    line,
                    format!("{city} {year} appears twice (first on line {first})"),
                ));
            }
            let pm = get(Some(c_pm));
            let pm2_5 = if pm.is_empty() {
                None
            } else {
                let c = Conc::parse(pm).map_err(|e| IngestError::cell(path, line, c_pm + 1, "pm2_5", e.to_string()))?;
                if c.is_negative() || c > Conc::units(500) {
                    return Err(IngestError::cell(
                        path,
                        line,
                        c_pm + 1,
                        "pm2_5",
                        format!("implausible PM2.5 target {pm}"),
                    ));
                }
                Some(c)
            };
            let ratio = get(c_ratio);
            let good_day_ratio_tenths = if ratio.is_empty() {
                None
            } else {
                let c = Conc::parse(ratio)
                    .ok()
                    .filter(|c| c.milli() % 100 == 0 && !c.is_negative() && *c <= Conc::units(100))
                    .ok_or_else(|| {
                        IngestError::cell(
                            path,
                            line,
                            c_ratio.map_or(0, |c| c + 1),
                            "good_day_ratio",
                            format!("not a percentage 0–100 with at most one decimal: {ratio:?}"),
                        )
                    })?;
                Some(c.milli() / 100)
            };
            let heavy = get(c_heavy);
            let heavy_days = if heavy.is_empty() {
                None
            } else {
                Some(heavy.parse::<u32>().ok().filter(|d| *d <= 366).ok_or_else(|| {
                    IngestError::cell(
                        path,
                        line,
                        c_heavy.map_or(0, |c| c + 1),
                        "heavy_days",
                        format!("not a day count: {heavy:?}"),
                    )
                })?)
            };
            Ok(TargetRecord {
                city,
                year,
                pm2_5,
                good_day_ratio_tenths,
                heavy_days,
                source: get(c_source).to_string(),
                line,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dust_and_targets() {
        let d = parse_dust(Path::new("d.csv"), "city,start,end,source\n阿坝州,2021-03-15,2021-03-17,总站通知\n")
            .expect("dust");
        assert_eq!(d[0].end, NaiveDate::from_ymd_opt(2021, 3, 17).expect("date"));
        let e = parse_dust(Path::new("d.csv"), "city,start,end\n阿坝州,2021-03-17,2021-03-15\n").expect_err("order");
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
        let t = parse_targets(Path::new("t.csv"), "city,year,pm2_5,good_day_ratio,heavy_days\n成都,2022,38,80.5,3\n")
            .expect("targets");
        assert_eq!(
            (t[0].pm2_5, t[0].good_day_ratio_tenths, t[0].heavy_days),
            (Some(Conc::units(38)), Some(805), Some(3))
        );
        let e =
            parse_targets(Path::new("t.csv"), "city,year,pm2_5,good_day_ratio\n成都,2022,38,180\n").expect_err("ratio");
        assert_eq!(e.column, Some(4));
    }
}
