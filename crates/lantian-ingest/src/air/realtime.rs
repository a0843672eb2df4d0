//! Rows of the CNEMC national real-time release (实时发布), the layout the public release platform
//! serves every hour and that users collect (e.g. the `HeQinWill/CNEMC` archive, one file per hour):
//!
//! ```text
//! timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,pm10_24h,
//! pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h
//! 2026-03-01T0100,2568A,102.2503,31.8896,阿坝藏族羌族自治州,马师校,NA,22,20,16,7,9,68,68,NA,NA,5,5,4,5,0.4,0.3
//! ```
//!
//! One row per station-hour: `timepoint` is the **end** of the averaging hour (`2026-03-01T0100` =
//! 00:00–01:00 on 1 March = quotsoft label date 2026-03-01 hour 1; `2026-03-01T0000` = label hour 0,
//! 23:00–24:00 of 28 February); the 15 value columns are exactly the quotsoft series (the published
//! `aqi` and 14 concentration series; μg/m³, CO mg/m³). Real quirks: `NA` or an empty cell is a
//! missing value; `/` means the pollutant is not monitored at the station; `primarypollutant` is a
//! publisher label (`细颗粒物(PM2.5)`, …), a quoted comma list for ties, and empty or `NA` when the
//! AQI is ≤ 50; `area` is the full city name; station codes may be newer than the station list.
//!
//! The rows become the same [`WideFile`] the quotsoft reader produces (station columns, one
//! [`LabelDay`] per station and label date, coverage of exactly the station-hours present), so the
//! store imports them through the same path and every AQI downstream is computed by the same code.
//! What a row says beyond its values — the published primary pollutants and the pollutants marked `/`
//! — is kept in the [`SeriesType::Release`] series ([`ReleaseFacts`]).

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use lantian_core::air::hours::LabelDay;
use lantian_core::air::publisher::ReleaseFacts;
use lantian_core::{Conc, Pollutant, SeriesType};

use crate::air::cnemc::{
    is_station_code, CellRef, StationDescription, WideFile, WideKind, WideSource, MAX_LABEL_DAYS, MAX_WIDE_COLUMNS,
};
use crate::error::IngestError;

/// The columns of the layout, in the publisher's order.
const HEADER: [&str; 22] = [
    "timepoint",
    "stationcode",
    "longitude",
    "latitude",
    "area",
    "positionname",
    "primarypollutant",
    "aqi",
    "pm10",
    "pm10_24h",
    "pm2_5",
    "pm2_5_24h",
    "o3",
    "o3_24h",
    "o3_8h",
    "o3_8h_24h",
    "no2",
    "no2_24h",
    "so2",
    "so2_24h",
    "co",
    "co_24h",
];

/// The series of a value column, and the pollutant whose 1-hour value it is (for `/`).
fn series_of(name: &str) -> Option<(SeriesType, Option<Pollutant>)> {
    use SeriesType as S;
    Some(match name {
        "aqi" => (S::Aqi, None),
        "pm10" => (S::Pm10, Some(Pollutant::Pm10)),
        "pm10_24h" => (S::Pm10_24h, None),
        "pm2_5" => (S::Pm2_5, Some(Pollutant::Pm2_5)),
        "pm2_5_24h" => (S::Pm2_5_24h, None),
        "o3" => (S::O3, Some(Pollutant::O3)),
        "o3_24h" => (S::O3_24h, None),
        "o3_8h" => (S::O3_8h, None),
        "o3_8h_24h" => (S::O3_8h_24h, None),
        "no2" => (S::No2, Some(Pollutant::No2)),
        "no2_24h" => (S::No2_24h, None),
        "so2" => (S::So2, Some(Pollutant::So2)),
        "so2_24h" => (S::So2_24h, None),
        "co" => (S::Co, Some(Pollutant::Co)),
        "co_24h" => (S::Co_24h, None),
        _ => return None,
    })
}

/// Whether the first line of a text is a real-time release header.
pub fn looks_like_realtime(first_line: &str) -> bool {
    let l = first_line.trim_start_matches('\u{feff}').trim_start().to_ascii_lowercase();
    l.starts_with("timepoint,stationcode")
}

/// The end of the hour a `timepoint` names, as (label date, label hour): `2026-03-01T0100`,
/// `2026-03-01T01:00`, `2026-03-01 01:00:00`. Minutes and seconds must be zero, the hour 0–23.
fn parse_timepoint(s: &str) -> Option<(NaiveDate, usize)> {
    let s = s.trim();
    let date = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    let sep = s.as_bytes().get(10)?;
    if *sep != b'T' && *sep != b' ' {
        return None;
    }
    let t = s.get(11..)?;
    let digits: String = t.chars().filter(|c| *c != ':').collect();
    let colons = t.matches(':').count();
    let ok_shape = match digits.len() {
        4 => colons == 0 || (colons == 1 && t.as_bytes().get(2) == Some(&b':')),
        6 => colons == 0 || (colons == 2 && t.as_bytes().get(2) == Some(&b':') && t.as_bytes().get(5) == Some(&b':')),
        _ => false,
    };
    if !ok_shape || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hour: usize = digits[..2].parse().ok()?;
    if hour > 23 || digits[2..].bytes().any(|c| c != b'0') {
        return None;
    }
    Some((date, hour))
}

/// A coordinate cell: empty, `NA` or `-` = unknown.
fn coordinate(
    path: &Path,
    line: usize,
    col: usize,
    name: &str,
    s: &str,
    range: (f64, f64),
) -> Result<Option<f64>, IngestError> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("NA") || s == "-" {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v >= range.0 && v <= range.1 => Ok(Some(v)),
        _ => {
            Err(IngestError::cell(path, line, col, name, format!("not a coordinate in {}…{}: {s:?}", range.0, range.1)))
        }
    }
}

/// One parsed row.
struct Row {
    col: usize,
    date: NaiveDate,
    hour: usize,
    values: [i32; 15],
    release: ReleaseFacts,
}

/// Parses a real-time release file (decoded text).
pub fn parse_realtime(path: &Path, text: &str) -> Result<WideFile, IngestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(IngestError::at(path, 1, format!("unreadable header: {e}"))),
        None => return Err(IngestError::file(path, "empty file")),
    };
    // Column → what it holds; every column of the layout exactly once.
    let mut pos: HashMap<&str, usize> = HashMap::new();
    for (j, h) in header.iter().enumerate() {
        let name = h.trim();
        let Some(known) = HEADER.iter().find(|k| k.eq_ignore_ascii_case(name)) else {
            return Err(IngestError::cell(
                path,
                1,
                j + 1,
                name,
                format!("not a column of the real-time release layout ({})", HEADER.join(",")),
            ));
        };
        if let Some(first) = pos.insert(known, j) {
            return Err(IngestError::cell(
                path,
                1,
                j + 1,
                name,
                format!("column repeated (first in column {})", first + 1),
            ));
        }
    }
    if let Some(missing) = HEADER.iter().find(|k| !pos.contains_key(**k)) {
        return Err(IngestError::at(path, 1, format!("the header lacks the column {missing}")));
    }
    let at = |name: &str| pos.get(name).copied().unwrap_or(0);
    let (c_time, c_code, c_lon, c_lat, c_area, c_name, c_primary) = (
        at("timepoint"),
        at("stationcode"),
        at("longitude"),
        at("latitude"),
        at("area"),
        at("positionname"),
        at("primarypollutant"),
    );
    // The value columns: (column, series, pollutant of a 1-hour column).
    let value_cols: Vec<(usize, SeriesType, Option<Pollutant>)> =
        HEADER[7..].iter().filter_map(|n| series_of(n).map(|(t, p)| (at(n), t, p))).collect();
    let width = header.len();

    let mut columns: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut descriptions: Vec<Option<StationDescription>> = Vec::new();
    let mut seen: HashMap<(usize, NaiveDate, usize), usize> = HashMap::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut warnings = Vec::new();
    let mut values = 0u64;
    // The file ends inside its last line: (row index, header column of the row's last cell).
    let open_end = !text.ends_with('\n') && !text.ends_with('\r');
    let mut last_cell: Option<(usize, usize, usize)> = None;
    for rec in records {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            IngestError::at(path, line, format!("unreadable row: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() != width {
            let (col, field) = if rec.len() < width {
                (rec.len() + 1, header.get(rec.len()).unwrap_or("").trim().to_string())
            } else {
                (width + 1, "(beyond header)".to_string())
            };
            return Err(IngestError::cell(
                path,
                line,
                col,
                field,
                format!("row has {} fields, the header has {width}", rec.len()),
            ));
        }
        let get = |c: usize| rec.get(c).unwrap_or("").trim();
        let (date, hour) = parse_timepoint(get(c_time)).ok_or_else(|| {
            IngestError::cell(
                path,
                line,
                c_time + 1,
                "timepoint",
                format!("not the end of an hour YYYY-MM-DDTHHMM (hour 00–23, minutes 00): {:?}", get(c_time)),
            )
        })?;
        let date = crate::plausible::date(path, line, c_time + 1, "timepoint", date)?;
        let code = get(c_code);
        if !is_station_code(code) {
            return Err(IngestError::cell(
                path,
                line,
                c_code + 1,
                "stationcode",
                format!("not a station code (NNNNA): {code:?}"),
            ));
        }
        let lon = coordinate(path, line, c_lon + 1, "longitude", get(c_lon), (-180.0, 180.0))?;
        let lat = coordinate(path, line, c_lat + 1, "latitude", get(c_lat), (-90.0, 90.0))?;
        let description =
            StationDescription { name: get(c_name).to_string(), area: get(c_area).to_string(), lon, lat, line };
        let col = match index.get(code) {
            Some(&j) => {
                if let Some(first) = &descriptions[j] {
                    if first.name != description.name || first.area != description.area {
                        warnings.push(format!(
                            "{}:{line}: station {code} is {} ({}) here but {} ({}) on line {}; the first is kept",
                            path.display(),
                            description.name,
                            description.area,
                            first.name,
                            first.area,
                            first.line
                        ));
                    }
                }
                j
            }
            None => {
                if columns.len() == MAX_WIDE_COLUMNS {
                    return Err(IngestError::cell(
                        path,
                        line,
                        c_code + 1,
                        "stationcode",
                        format!(
                            "more than {MAX_WIDE_COLUMNS} stations in one file (docs/formats.md §0b); split the file"
                        ),
                    ));
                }
                columns.push(code.to_string());
                index.insert(code.to_string(), columns.len() - 1);
                descriptions.push(Some(description));
                columns.len() - 1
            }
        };
        if let Some(first) = seen.insert((col, date, hour), line) {
            return Err(IngestError::cell(
                path,
                line,
                c_code + 1,
                "stationcode",
                format!("duplicate station-hour: {code} at {} (first on line {first})", get(c_time)),
            ));
        }
        // Primary pollutants: publisher labels, a comma list for ties; empty or NA when AQI ≤ 50.
        let mut bits = ReleaseFacts::FROM_RELEASE;
        let primary = get(c_primary);
        if !primary.is_empty() && !primary.eq_ignore_ascii_case("NA") {
            for label in primary.split([',', '，']) {
                let b = ReleaseFacts::primary_label_bit(label).ok_or_else(|| {
                    IngestError::cell(
                        path,
                        line,
                        c_primary + 1,
                        "primarypollutant",
                        format!(
                            "unknown primary pollutant {:?} (expected 二氧化硫, 二氧化氮, 一氧化碳, 臭氧1小时, \
                             臭氧8小时, 颗粒物(PM10), 细颗粒物(PM2.5), a comma list of them, empty or NA)",
                            label.trim()
                        ),
                    )
                })?;
                bits |= b;
            }
        }
        let mut row = [lantian_core::air::hours::MISSING; 15];
        for &(c, t, p) in &value_cols {
            let cell = get(c);
            if cell.is_empty() || cell.eq_ignore_ascii_case("NA") {
                continue;
            }
            if cell == "/" {
                // Not monitored at this station (HJ 633-2026 5.3.2): kept for the 1-hour value.
                if let Some(p) = p {
                    bits |= ReleaseFacts::not_monitored_bit(p);
                }
                continue;
            }
            let field = HEADER[7..].iter().find(|n| at(n) == c).copied().unwrap_or("value");
            let v = Conc::parse(cell)
                .map_err(|e| IngestError::cell(path, line, c + 1, field, format!("{e} (cell {cell:?})")))?;
            if t == SeriesType::Aqi && (cell.starts_with('-') || v.milli() % 1000 != 0 || v > Conc::units(500)) {
                return Err(IngestError::cell(
                    path,
                    line,
                    c + 1,
                    field,
                    format!("not a published AQI (a whole number 0–500): {cell:?}"),
                ));
            }
            // A minus sign is never a valid reading (HJ 633: a negative concentration is an invalid
            // measurement, with no IAQI; `-0` included).
            if cell.starts_with('-') {
                return Err(IngestError::cell(
                    path,
                    line,
                    c + 1,
                    field,
                    format!("negative concentration {cell:?}: an invalid measurement (HJ 633), never stored"),
                ));
            }
            // In range by `Conc::parse` (below 1,000,000 units).
            row[t.index()] = v.milli() as i32;
            values += 1;
        }
        rows.push(Row { col, date, hour, values: row, release: ReleaseFacts(bits) });
        last_cell = Some((rows.len() - 1, line, width - 1));
    }
    if rows.is_empty() {
        return Err(IngestError::file(path, "no data rows"));
    }
    // Label days: one per station and label date, covering exactly the station-hours present.
    let ncols = columns.len();
    let mut days: Vec<(NaiveDate, Vec<LabelDay>)> = Vec::new();
    let mut covered: Vec<[u32; SeriesType::COUNT]> = Vec::new();
    let mut column_hours: Vec<Vec<u32>> = Vec::new();
    let mut day_index: HashMap<NaiveDate, usize> = HashMap::new();
    let mut unterminated = None;
    for (i, r) in rows.iter().enumerate() {
        let di = match day_index.get(&r.date) {
            Some(i) => *i,
            None => {
                if (days.len() + 1) * ncols > MAX_LABEL_DAYS {
                    return Err(IngestError::file(
                        path,
                        format!(
                            "{} label dates × {ncols} stations exceed the {MAX_LABEL_DAYS} label days one file may \
                             hold (docs/formats.md §0b); split the file",
                            days.len() + 1
                        ),
                    ));
                }
                day_index.insert(r.date, days.len());
                days.push((r.date, vec![LabelDay::default(); ncols]));
                covered.push([0; SeriesType::COUNT]);
                column_hours.push(vec![0; ncols]);
                days.len() - 1
            }
        };
        let day = &mut days[di].1[r.col];
        for (t, v) in r.values.iter().enumerate() {
            day.values[t][r.hour] = *v;
        }
        day.set(SeriesType::Release, r.hour, Some(r.release.to_conc()));
        for c in covered[di].iter_mut() {
            *c |= 1 << r.hour;
        }
        column_hours[di][r.col] |= 1 << r.hour;
        if let Some((_, line, c)) = last_cell.filter(|(last, _, _)| open_end && *last == i) {
            // The last cell is a value column: which series.
            if let Some((t, _)) = HEADER.iter().find(|n| at(n) == c).and_then(|n| series_of(n)) {
                unterminated =
                    Some(CellRef { day: di, column: r.col, series: t, hour: r.hour, line, file_column: c + 1 });
            }
        }
    }
    Ok(WideFile {
        kind: WideKind::Sites,
        source: WideSource::RealTimeRelease,
        columns,
        days,
        covered,
        column_hours: Some(column_hours),
        descriptions,
        rows: rows.len(),
        values,
        warnings,
        short_rows: Vec::new(),
        unterminated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,\
                        pm10_24h,pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h";

    fn p() -> &'static Path {
        Path::new("rt.csv")
    }

    fn parse(body: &str) -> Result<WideFile, IngestError> {
        parse_realtime(p(), &format!("{HEAD}\n{body}"))
    }

    #[test]
    fn real_rows_become_label_days() {
        // Two rows of the 1 March 2026 release (1957A with `/`, a tie list) and one of 28 February.
        let w = parse(
            "2026-03-01T0100,1957A,86.1971,41.7166,巴音郭楞蒙古自治州,棉纺厂,颗粒物(PM10),119,167,153,38,42,11,11,NA,NA,64,26,/,/,/,/\n\
             2026-03-01T0100,2271A,117.3606,32.9428,蚌埠市,百货大楼,\"颗粒物(PM10),细颗粒物(PM2.5)\",70,78,47,45,26,69,69,NA,NA,13,15,5,5,0.6,0.5\n\
             2026-02-28T2300,2271A,117.3606,32.9428,蚌埠市,百货大楼,,40,,,,,,,,,,,,,0,\n",
        )
        .expect("parses");
        assert_eq!((w.kind, w.source), (WideKind::Sites, WideSource::RealTimeRelease));
        assert_eq!(w.columns, vec!["1957A", "2271A"]);
        assert_eq!(w.rows, 3);
        // Values: 1957A 9 (aqi, pm10, pm10_24h, pm2_5, pm2_5_24h, o3, o3_24h, no2, no2_24h), 2271A 15 − 2
        // NA = 13, 28 Feb: aqi and co = 2.
        assert_eq!(w.values, 9 + 13 + 2);
        assert_eq!(w.days.len(), 2);
        let (d1, cols) = &w.days[0];
        assert_eq!(*d1, NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"));
        let a = &cols[0];
        assert_eq!(a.get(SeriesType::Aqi, 1), Some(Conc::units(119)));
        assert_eq!(a.get(SeriesType::Pm10, 1), Some(Conc::units(167)));
        assert_eq!(a.get(SeriesType::So2, 1), None);
        assert_eq!(a.get(SeriesType::O3_8h, 1), None);
        let f = a.release(1).expect("release facts");
        assert!(f.is_release());
        assert_eq!(f.published_primary().codes(), "pm10_1h");
        assert_eq!(f.not_monitored(), (1 << Pollutant::So2 as u8) | (1 << Pollutant::Co as u8));
        let b = &cols[1];
        assert_eq!(b.get(SeriesType::Co, 1), Some(Conc(600)));
        assert_eq!(b.release(1).map(|f| f.published_primary().codes()).as_deref(), Some("pm10_1h,pm2_5_1h"));
        assert_eq!(b.release(2), None);
        // 28 February 23:00 = label date 2026-02-28 hour 23; no primary (AQI ≤ 50), still a release row.
        let (d0, cols0) = &w.days[1];
        assert_eq!(*d0, NaiveDate::from_ymd_opt(2026, 2, 28).expect("date"));
        assert_eq!(cols0[1].get(SeriesType::Co, 23), Some(Conc(0)));
        assert_eq!(cols0[1].release(23), Some(ReleaseFacts(ReleaseFacts::FROM_RELEASE)));
        assert!(cols0[0].is_empty(), "1957A has no row on 28 February");
        // Coverage: every series at the hours present, per station.
        assert!(w.covered[0].iter().all(|m| *m == 1 << 1));
        assert_eq!(w.column_hours.as_ref().map(|c| c[1].clone()), Some(vec![0, 1 << 23]));
        let desc = w.descriptions[0].as_ref().expect("description");
        assert_eq!(
            (desc.name.as_str(), desc.area.as_str(), desc.lon, desc.lat),
            ("棉纺厂", "巴音郭楞蒙古自治州", Some(86.1971), Some(41.7166))
        );
    }

    #[test]
    fn end_labelled_timepoints() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        assert_eq!(parse_timepoint("2026-03-01T0000"), Some((d(3, 1), 0)));
        assert_eq!(parse_timepoint("2026-03-01T0100"), Some((d(3, 1), 1)));
        assert_eq!(parse_timepoint("2026-02-28T23:00"), Some((d(2, 28), 23)));
        assert_eq!(parse_timepoint("2026-02-28 23:00:00"), Some((d(2, 28), 23)));
        for bad in [
            "2026-03-01T2400",
            "2026-03-01T0130",
            "2026-02-30T0100",
            "2026-03-01",
            "2026-03-01T1",
            "20260301T0100",
            "2026-03-01T01:00:30",
        ] {
            assert_eq!(parse_timepoint(bad), None, "{bad}");
        }
    }

    const ROW: &str = "2026-03-01T0100,1001A,116.3611,39.8786,北京市,万寿西宫,细颗粒物(PM2.5),80,72,71,50,52,41,41,NA,NA,20,22,2,3,0.8,0.8";

    /// Bad input names file, line, column and field.
    #[test]
    fn bad_rows_are_rejected_with_line_column_and_field() {
        let short =
            parse(&format!("{ROW}\n2026-03-01T0100,1003A,116.4,39.9,北京市,东四,NA,40,30\n")).expect_err("short");
        assert_eq!((short.line, short.column, short.field.as_deref()), (Some(3), Some(10), Some("pm10_24h")));
        assert!(short.to_string().starts_with("rt.csv:3:10 (field pm10_24h)"), "{short}");
        let long = parse(&format!("{ROW},7\n")).expect_err("long");
        assert_eq!((long.line, long.column), (Some(2), Some(23)));
        let time = parse(&ROW.replace("T0100", "T2500")).expect_err("time");
        assert_eq!((time.line, time.column, time.field.as_deref()), (Some(2), Some(1), Some("timepoint")));
        let num = parse(&ROW.replace(",0.8,0.8", ",0.8x,0.8")).expect_err("number");
        assert_eq!((num.line, num.column, num.field.as_deref()), (Some(2), Some(21), Some("co")));
        assert!(num.message.contains("0.8x"), "{num}");
        let label = parse(&ROW.replace("细颗粒物(PM2.5)", "PM2.5")).expect_err("label");
        assert_eq!((label.line, label.column, label.field.as_deref()), (Some(2), Some(7), Some("primarypollutant")));
        let tie = parse(&ROW.replace("细颗粒物(PM2.5)", "\"细颗粒物(PM2.5),可吸入颗粒物\"")).expect_err("tie");
        assert!(tie.message.contains("可吸入颗粒物"), "{tie}");
        let dup = parse(&format!("{ROW}\n{}\n{ROW}\n", ROW.replace("1001A", "1003A"))).expect_err("dup");
        assert_eq!((dup.line, dup.column, dup.field.as_deref()), (Some(4), Some(2), Some("stationcode")));
        assert!(dup.message.contains("first on line 2"), "{dup}");
        let code = parse(&ROW.replace("1001A", "1001")).expect_err("code");
        assert_eq!((code.line, code.column), (Some(2), Some(2)));
        let lon = parse(&ROW.replace("116.3611", "516.3")).expect_err("lon");
        assert_eq!((lon.line, lon.column, lon.field.as_deref()), (Some(2), Some(3), Some("longitude")));
        let head =
            parse_realtime(p(), &format!("{}\n{ROW}\n", HEAD.replace("o3_8h_24h", "o3_8h24h"))).expect_err("header");
        assert_eq!((head.line, head.column), (Some(1), Some(16)));
        assert!(parse("").is_err(), "no data rows");
    }

    #[test]
    fn several_timepoints_and_quirks() {
        // CRLF, a BOM, a blank line, the same station at two hours of two label dates.
        let text = format!(
            "\u{feff}{HEAD}\r\n{ROW}\r\n\r\n{}\r\n",
            ROW.replace("2026-03-01T0100", "2026-03-01T0000").replace("细颗粒物(PM2.5)", "NA")
        );
        let w = parse_realtime(p(), &text).expect("parses");
        assert_eq!(w.rows, 2);
        assert_eq!(w.days.len(), 1);
        assert_eq!(w.column_hours.as_ref().map(|c| c[0][0]), Some(0b11));
        assert!(looks_like_realtime(&format!("\u{feff}{HEAD}")));
        assert!(!looks_like_realtime("date,hour,type,1001A"));
    }
}
