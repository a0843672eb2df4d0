//! Daily city values.
//!
//! 1. The project's documented long CSV (`docs/formats.md`): header
//!    `city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8[,o3_max_1h]` in any column order; `city` a name,
//!    alias or code (`成都`, `成都市`, `510100`); `date` `YYYY-MM-DD`; concentrations in μg/m³ (CO
//!    mg/m³); an empty cell is missing. `aqi` is the published AQI, kept beside the computed one.
//! 2. aqistudy.cn history files (no header, UTF-8 with BOM): `City, Date, AQI, AQI range, level,
//!    PM2.5, PM10, SO2, CO, NO2, O3, Rank`. Their `O3` is the **daily maximum 1-hour** O3, read into
//!    `o3_max_1h`; the files carry no daily maximum 8-hour mean (`o3_mda8` stays empty). Evidence,
//!    from the 18,964 rows of the 21 Sichuan files (`shared/data/cities/aqistudy/sichuan-daily/`):
//!    `AQI range` is `min~max` of the day's hourly AQIs, and an hour's AQI rates its 1-hour O3 on the
//!    1-hour breakpoints. Rated that way, the O3 column's IAQI is at most the day's largest hourly AQI
//!    in every row and equal to it in 504 (ozone made the worst hour): 阿坝州 2015-10-29, O3 199,
//!    range 25~99, IAQI_1h(199) = 50 + 39 × 50 / 40 = 98.75 → 99. Read as an MDA8 its IAQI would
//!    exceed the day's largest hourly AQI in 3,466 rows — impossible, since an MDA8 never exceeds
//!    the day's largest 1-hour value (`shared/data/README.md` §3 had only believed it to be the MDA8).

use std::path::Path;

use chrono::NaiveDate;
use lantian_core::Conc;

use crate::error::IngestError;

/// One city-day as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CityDailyRecord {
    /// The city as written in the file (resolved against the store on import).
    pub city: String,
    pub date: NaiveDate,
    /// The AQI the source published.
    pub aqi: Option<u32>,
    pub so2: Option<Conc>,
    pub no2: Option<Conc>,
    pub co: Option<Conc>,
    pub pm10: Option<Conc>,
    pub pm2_5: Option<Conc>,
    pub o3_mda8: Option<Conc>,
    pub o3_max_1h: Option<Conc>,
    /// 1-based line in the file, for error messages on import.
    pub line: usize,
    /// When this is the file's last row and the file ends without a line end: the row's last cell
    /// as (1-based column, field), when it is a value field. The cell may have been cut inside
    /// (`140` → `14`); the import flags it when it changes a stored value (issue 12 item 10).
    pub unterminated: Option<(usize, &'static str)>,
}

/// Which daily-city layout a file has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CityDailyLayout {
    Long,
    Aqistudy,
}

pub const LONG_HEADER: [&str; 9] = ["city", "date", "aqi", "so2", "no2", "co", "pm10", "pm2_5", "o3_mda8"];

/// aqistudy rows: 12 fields, the second a `YYYY-MM-DD` date, the fourth `min~max`.
pub fn looks_like_aqistudy(first_line: &str) -> bool {
    let f: Vec<&str> = first_line.trim_start_matches('\u{feff}').split(',').collect();
    f.len() == 12 && NaiveDate::parse_from_str(f[1], "%Y-%m-%d").is_ok() && f[3].contains('~')
}

fn conc(path: &Path, line: usize, col: usize, field: &str, s: &str) -> Result<Option<Conc>, IngestError> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("NA") || s == "-" || s == "—" {
        return Ok(None);
    }
    let c = Conc::parse(s).map_err(|e| IngestError::cell(path, line, col, field, e.to_string()))?;
    if c.is_negative() {
        return Err(IngestError::cell(path, line, col, field, format!("negative concentration {s}")));
    }
    Ok(Some(c))
}

fn aqi(path: &Path, line: usize, col: usize, s: &str) -> Result<Option<u32>, IngestError> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("NA") {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(v) if v <= 500 => Ok(Some(v)),
        _ => Err(IngestError::cell(path, line, col, "aqi", format!("not an AQI 0–500: {s:?}"))),
    }
}

/// The fields of a daily-city record, in the order of the reader's column table.
const FIELDS: [&str; 10] = ["city", "date", "aqi", "so2", "no2", "co", "pm10", "pm2_5", "o3_mda8", "o3_max_1h"];

/// Parses a daily-city file (decoded text). Every row has the header's width (aqistudy: 12 fields);
/// dates lie in the plausible range ([`crate::plausible`]).
pub fn parse_city_daily(path: &Path, text: &str, layout: CityDailyLayout) -> Result<Vec<CityDailyRecord>, IngestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut idx = [usize::MAX; 10];
    let names = FIELDS;
    let (width, rows) = match layout {
        CityDailyLayout::Long => {
            let (h, rows) = crate::accountability::records(path, text)?;
            for (k, n) in names.iter().enumerate() {
                if let Some(p) = h.iter().position(|x| x.trim_start_matches('\u{feff}').eq_ignore_ascii_case(n)) {
                    idx[k] = p;
                } else if k < 9 {
                    return Err(IngestError::at(path, 1, format!("header lacks the column {n}")));
                }
            }
            (h.len(), rows)
        }
        CityDailyLayout::Aqistudy => {
            // City, Date, AQI, range, level, PM2.5, PM10, SO2, CO, NO2, O3, Rank: O3 is the daily
            // maximum 1-hour value (module doc), and there is no MDA8 column.
            idx = [0, 1, 2, 7, 9, 8, 6, 5, usize::MAX, 10];
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .trim(csv::Trim::All)
                .from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for rec in rdr.records() {
                let rec = rec.map_err(|e| {
                    IngestError::at(path, e.position().map_or(1, |p| p.line() as usize), format!("unreadable row: {e}"))
                })?;
                let line = rec.position().map_or(1, |p| p.line() as usize);
                if rec.iter().all(str::is_empty) {
                    continue;
                }
                if rec.len() != 12 {
                    let (col, field) = if rec.len() < 12 {
                        (rec.len() + 1, AQISTUDY_COLUMNS[rec.len()])
                    } else {
                        (13, "(beyond the 12 columns)")
                    };
                    return Err(IngestError::cell(
                        path,
                        line,
                        col,
                        field,
                        format!("row has {} fields, an aqistudy row has 12", rec.len()),
                    ));
                }
                rows.push((line, rec));
            }
            (12, rows)
        }
    };
    // The last row's last cell, when the text ends without a line end.
    let open_end = !text.ends_with('\n') && !text.ends_with('\r');
    let last_field = names.iter().enumerate().find(|(k, _)| idx[*k] == width - 1).map(|(_, n)| *n);
    let mut out = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let n_rows = rows.len();
    for (i, (line, rec)) in rows.iter().enumerate() {
        let line = *line;
        let get = |k: usize| if idx[k] == usize::MAX { "" } else { rec.get(idx[k]).unwrap_or("") };
        let col = |k: usize| idx[k] + 1;
        let city = get(0).trim_start_matches('\u{feff}').to_string();
        if city.is_empty() {
            return Err(IngestError::cell(path, line, col(0), "city", "empty city"));
        }
        let date = NaiveDate::parse_from_str(get(1), "%Y-%m-%d").map_err(|_| {
            IngestError::cell(path, line, col(1), "date", format!("not a date YYYY-MM-DD: {:?}", get(1)))
        })?;
        let date = crate::plausible::date(path, line, col(1), "date", date)?;
        if let Some(first) = seen.insert((city.clone(), date), line) {
            return Err(IngestError::at(path, line, format!("{city} {date} appears twice (first on line {first})")));
        }
        let c = |k: usize| conc(path, line, col(k), names[k], get(k));
        out.push(CityDailyRecord {
            aqi: aqi(path, line, col(2), get(2))?,
            so2: c(3)?,
            no2: c(4)?,
            co: c(5)?,
            pm10: c(6)?,
            pm2_5: c(7)?,
            o3_mda8: if idx[8] == usize::MAX { None } else { c(8)? },
            o3_max_1h: if idx[9] == usize::MAX { None } else { c(9)? },
            city,
            date,
            line,
            unterminated: if open_end && i + 1 == n_rows { last_field.map(|f| (width, f)) } else { None },
        });
    }
    if out.is_empty() {
        return Err(IngestError::file(path, "no rows"));
    }
    Ok(out)
}

/// The columns of an aqistudy row, for errors.
const AQISTUDY_COLUMNS: [&str; 12] =
    ["City", "Date", "AQI", "AQI range", "level", "PM2.5", "PM10", "SO2", "CO", "NO2", "O3", "Rank"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_layout() {
        let t = "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2022-01-01,92,12,45,1.1,98,68,150\n510300,2022-01-01,,,,,,,\n";
        let r = parse_city_daily(Path::new("d.csv"), t, CityDailyLayout::Long).expect("parses");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].co, Some(Conc(1100)));
        assert_eq!(r[1].pm2_5, None);
        let bad = "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2022-01-01,92,12,45,1.1,98,6x8,150\n";
        let e = parse_city_daily(Path::new("d.csv"), bad, CityDailyLayout::Long).expect_err("bad");
        assert_eq!((e.line, e.column, e.field.as_deref()), (Some(2), Some(8), Some("pm2_5")));
    }

    #[test]
    fn aqistudy_layout() {
        let t = "\u{feff}成都,2013-12-02,236,216~256,重度污染,215.1,311.4,39.4,1.95,117.8,68,92\n";
        assert!(looks_like_aqistudy(t.lines().next().unwrap_or("")));
        let r = parse_city_daily(Path::new("a.csv"), t, CityDailyLayout::Aqistudy).expect("parses");
        assert_eq!(r[0].pm2_5, Some(Conc(215_100)));
        assert_eq!(r[0].co, Some(Conc(1_950)));
        assert_eq!(r[0].no2, Some(Conc(117_800)));
        assert_eq!(r[0].o3_max_1h, Some(Conc(68_000)), "the O3 column is the daily maximum 1-hour value");
        assert_eq!(r[0].o3_mda8, None, "aqistudy files carry no MDA8");
    }
}
