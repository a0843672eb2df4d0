//! CNEMC / quotsoft daily wide files: `china_sites_YYYYMMDD.csv` (columns are station codes) and
//! `china_cities_YYYYMMDD.csv` (columns are city names).
//!
//! Layout: header `date,hour,type,<columns…>`; one row per (hour, type) with `date` = `YYYYMMDD`,
//! `hour` = 0…23 labelling the **end** of the averaging hour, `type` one of the 15 series
//! ([`SeriesType`]). Real quirks handled: trailing empty header fields (trailing commas), a truncated
//! last row (its missing cells are empty), empty cells (missing values), CRLF line ends, a BOM,
//! several days concatenated under one header.

use std::path::Path;

use chrono::NaiveDate;
use lantian_core::air::conc::{MAX_UNITS, MILLI};
use lantian_core::air::hours::LabelDay;
use lantian_core::{Conc, SeriesType};

use crate::error::IngestError;
use crate::text;

/// The most value columns (stations or cities) one wide file may have: five times the national
/// network (2,026 station columns in the 2023 files, codes up to 3867A; about 370 city columns). A
/// header of 100,000 invented names took over a minute and created as many cities (issue 12 item
/// 9); beyond the limit the file is rejected at its header. Real-time release rows count their
/// distinct stations against the same limit.
pub const MAX_WIDE_COLUMNS: usize = 10_000;

/// The most label days (dates × columns) one wide file may hold: a label day takes 1.5 kB while
/// the file is imported, so this bounds that memory to about 150 MB whatever the file's shape. A
/// month of national files under one header is 31 × 2,026 = 62,806.
pub const MAX_LABEL_DAYS: usize = 100_000;

/// What the columns of a wide file are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WideKind {
    /// Station codes (`1001A`).
    Sites,
    /// City names (`成都`).
    Cities,
}

/// Which publisher layout a [`WideFile`] was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WideSource {
    /// A quotsoft daily file (`date,hour,type,…`).
    Quotsoft,
    /// Rows of the CNEMC real-time release (`timepoint,stationcode,…`, [`crate::air::realtime`]).
    RealTimeRelease,
}

/// What a real-time release row says about its station (name, city, coordinates); a station the
/// store does not know is created from it.
#[derive(Clone, Debug, PartialEq)]
pub struct StationDescription {
    pub name: String,
    /// `area`: the full city name (`成都市`, `阿坝藏族羌族自治州`).
    pub area: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// The line the description was read from.
    pub line: usize,
}

/// A parsed wide file.
#[derive(Debug)]
pub struct WideFile {
    pub kind: WideKind,
    pub source: WideSource,
    /// Column names (station codes or city names), in file order.
    pub columns: Vec<String>,
    /// For each label date in the file: one [`LabelDay`] per column (same order as `columns`).
    pub days: Vec<(NaiveDate, Vec<LabelDay>)>,
    /// For each entry of `days`: per series, a bit per label hour whose row the file contains. Only
    /// covered cells are replaced on import (an empty cell in a covered row deletes an old value).
    /// A quotsoft row that covers an hour's `AQI` also covers that hour's [`SeriesType::Release`]
    /// cell (the published primary pollutant belongs to the published AQI).
    pub covered: Vec<[u32; SeriesType::COUNT]>,
    /// For each entry of `days`, per column: the label hours the file has for that column, when they
    /// differ between columns (release rows: one station-hour each); `None` = every column has every
    /// covered hour (quotsoft rows span all columns). A cell is covered when both say so.
    pub column_hours: Option<Vec<Vec<u32>>>,
    /// Per column, what the file says about the station (release rows); empty for quotsoft files.
    pub descriptions: Vec<Option<StationDescription>>,
    /// Data rows read.
    pub rows: usize,
    /// Non-empty value cells.
    pub values: u64,
    /// Things worth telling the user that did not stop the import.
    pub warnings: Vec<String>,
    /// Rows shorter than the header (a quotsoft file's truncated last row): their missing cells are
    /// unknown, so they are not covered — the stored values there are kept.
    pub short_rows: Vec<ShortRow>,
    /// When the file ends without a line end: its last cell, which may have been cut inside
    /// (`74` → `7`); the import flags it when it changes a stored value (issue 12 item 10).
    pub unterminated: Option<CellRef>,
}

/// A row shorter than the header: the cells of columns `width..` of its series and hour are not
/// in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortRow {
    /// Entry of [`WideFile::days`].
    pub day: usize,
    pub series: SeriesType,
    pub hour: usize,
    /// Value columns the row has.
    pub width: usize,
}

/// One cell of a wide file: where it sits in [`WideFile`] and where it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellRef {
    /// Entry of [`WideFile::days`].
    pub day: usize,
    /// Entry of [`WideFile::columns`].
    pub column: usize,
    pub series: SeriesType,
    pub hour: usize,
    /// 1-based line and column of the file.
    pub line: usize,
    pub file_column: usize,
}

impl WideFile {
    /// The label hours, per series, whose cells of column `j` on day entry `di` the file covers
    /// (and the import replaces): the rows present, less the hours a column lacks (release rows)
    /// and the cells beyond a short row.
    pub fn coverage(&self, di: usize, j: usize) -> [u32; SeriesType::COUNT] {
        let mut c = self.covered.get(di).copied().unwrap_or([0; SeriesType::COUNT]);
        if let Some(hours) = self.column_hours.as_ref().and_then(|c| c.get(di)) {
            let h = hours.get(j).copied().unwrap_or(0);
            for m in &mut c {
                *m &= h;
            }
        }
        for r in &self.short_rows {
            if r.day == di && j >= r.width {
                c[r.series.index()] &= !(1u32 << r.hour);
                if r.series == SeriesType::Aqi {
                    c[SeriesType::Release.index()] &= !(1u32 << r.hour);
                }
            }
        }
        c
    }

    /// Short name of the file's kind, for summaries and the import log: `cnemc-sites`,
    /// `cnemc-cities` or `cnemc-realtime`.
    pub fn kind_name(&self) -> &'static str {
        match (self.source, self.kind) {
            (WideSource::RealTimeRelease, _) => "cnemc-realtime",
            (WideSource::Quotsoft, WideKind::Sites) => "cnemc-sites",
            (WideSource::Quotsoft, WideKind::Cities) => "cnemc-cities",
        }
    }
}

/// Lines of a buffer with their 1-based numbers (memchr; a trailing `\r` is dropped).
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    n: usize,
}

impl<'a> Lines<'a> {
    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        if self.pos > self.bytes.len() || (self.pos == self.bytes.len() && self.n > 0) {
            return None;
        }
        let rest = &self.bytes[self.pos..];
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..end];
        self.pos += end + 1;
        self.n += 1;
        Some((self.n, line.strip_suffix(b"\r").unwrap_or(line)))
    }
}

/// Comma-separated fields of a line; [`Fields::remainder`] hands the rest of the line over unsplit.
struct Fields<'a> {
    line: &'a [u8],
    /// Start of the next field; `None` once the last field was returned.
    pos: Option<usize>,
}

impl<'a> Fields<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.pos?;
        match self.line[start..].iter().position(|c| *c == b',') {
            Some(k) => {
                self.pos = Some(start + k + 1);
                Some(&self.line[start..start + k])
            }
            None => {
                self.pos = None;
                Some(&self.line[start..])
            }
        }
    }

    /// The unsplit rest of the line after the fields returned so far (`None` if there is none).
    fn remainder(&self) -> Option<&'a [u8]> {
        self.pos.map(|p| &self.line[p..])
    }
}

/// Whether a header text is a CNEMC station code (`1001A`, `2647A`, `7001A`).
pub fn is_station_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4].is_ascii_uppercase()
}

/// Whether the first line of a text looks like a CNEMC wide header.
pub fn looks_like_wide(first_line: &str) -> bool {
    let l = first_line.trim_start_matches('\u{feff}').to_ascii_lowercase();
    l.starts_with("date,hour,type,")
}

fn parse_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |a, c| a * 10 + u32::from(c - b'0'));
    NaiveDate::from_ymd_opt(n(0..4) as i32, n(4..6), n(6..8))
}

/// Parses a wide file's bytes (already decompressed).
pub fn parse_wide(path: &Path, bytes: &[u8]) -> Result<WideFile, IngestError> {
    // A byte-order mark inside the file: rows of concatenated files; rejected with its line.
    text::reject_inner_bom(path, bytes)?;
    let whole = bytes;
    let skip = if bytes.starts_with(text::BOM) { text::BOM.len() } else { 0 };
    let bytes = &bytes[skip..];
    let mut lines = Lines { bytes, pos: 0, n: 0 };
    let (_, header_bytes) = lines.next().ok_or_else(|| IngestError::file(path, "empty file"))?;
    let (header, _) = text::decode(path, &whole[..skip + header_bytes.len()])?;
    if !looks_like_wide(&header) {
        return Err(IngestError::at(path, 1, "not a CNEMC wide file: the header must start with date,hour,type"));
    }
    let mut fields: Vec<&str> = header.split(',').collect();
    let mut trailing_empty = 0;
    while fields.last().is_some_and(|f| f.trim().is_empty()) && fields.len() > 3 {
        fields.pop();
        trailing_empty += 1;
    }
    if fields.len() - 3 > MAX_WIDE_COLUMNS {
        return Err(IngestError::cell(
            path,
            1,
            MAX_WIDE_COLUMNS + 4,
            "header",
            format!(
                "the header names {} columns, more than the {MAX_WIDE_COLUMNS} a wide file may have \
                 (docs/formats.md §0b); split the file",
                fields.len() - 3
            ),
        ));
    }
    let columns: Vec<String> = fields[3..].iter().map(|s| s.trim().to_string()).collect();
    if columns.is_empty() {
        return Err(IngestError::at(path, 1, "the header names no station or city columns"));
    }
    let mut seen = std::collections::HashMap::with_capacity(columns.len());
    for (j, c) in columns.iter().enumerate() {
        if c.is_empty() {
            return Err(IngestError::cell(path, 1, j + 4, "header", "empty column name"));
        }
        if c.contains('"') {
            return Err(IngestError::cell(
                path,
                1,
                j + 4,
                c.clone(),
                "quoted header fields are not part of the CNEMC layout",
            ));
        }
        if let Some(first) = seen.insert(c.as_str(), j) {
            return Err(IngestError::cell(
                path,
                1,
                j + 4,
                c.clone(),
                format!("column repeated (first in column {})", first + 4),
            ));
        }
    }
    // All station codes: a site file; none: a city file; a mixture is an error (a mistyped code would
    // otherwise turn a site file into a city file).
    let codes = columns.iter().filter(|c| is_station_code(c)).count();
    let kind = if codes == columns.len() {
        WideKind::Sites
    } else if codes == 0 {
        WideKind::Cities
    } else {
        let (j, c) = columns.iter().enumerate().find(|(_, c)| !is_station_code(c)).unwrap_or((0, &columns[0]));
        return Err(IngestError::cell(
            path,
            1,
            j + 4,
            c.clone(),
            "not a station code (NNNNA) in a header of station codes",
        ));
    };
    let mut warnings = Vec::new();
    if trailing_empty > 0 {
        warnings.push(format!("{}: header has {trailing_empty} trailing empty fields (ignored)", path.display()));
    }
    let ncols = columns.len();
    let mut days: Vec<(NaiveDate, Vec<LabelDay>)> = Vec::new();
    let mut day_index: std::collections::HashMap<NaiveDate, usize> = std::collections::HashMap::new();
    let mut short_rows = Vec::new();
    let mut unterminated = None;
    // The file ends inside its last line (no line end after it).
    let open_end = !bytes.ends_with(b"\n")
        && !bytes[bytes.iter().rposition(|c| *c == b'\n').map_or(0, |p| p + 1)..].iter().all(u8::is_ascii_whitespace);
    // Per day: for each series, a bit per label hour already seen (duplicate detection).
    let mut seen_rows: Vec<[u32; SeriesType::COUNT]> = Vec::new();
    let mut rows = 0usize;
    let mut values = 0u64;
    // The last non-blank line may be truncated; find its number without splitting the whole file.
    let last_line = {
        let mut tail = Lines { bytes, pos: 0, n: 0 };
        let mut last = None;
        while let Some((n, l)) = tail.next() {
            if !l.iter().all(u8::is_ascii_whitespace) {
                last = Some(n);
            }
        }
        last
    };
    while let Some((lineno, line)) = lines.next() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let mut it = Fields { line, pos: Some(0) };
        let date_b = it.next().unwrap_or_default();
        let date = parse_date(date_b.trim_ascii()).ok_or_else(|| {
            IngestError::cell(
                path,
                lineno,
                1,
                "date",
                format!("not a date YYYYMMDD: {:?}", String::from_utf8_lossy(date_b)),
            )
        })?;
        let date = crate::plausible::date(path, lineno, 1, "date", date)?;
        let hour_b = it.next().ok_or_else(|| IngestError::cell(path, lineno, 2, "hour", "missing"))?;
        let hour = std::str::from_utf8(hour_b.trim_ascii())
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|h| *h < 24)
            .ok_or_else(|| {
                IngestError::cell(
                    path,
                    lineno,
                    2,
                    "hour",
                    format!("not an hour 0–23: {:?}", String::from_utf8_lossy(hour_b)),
                )
            })?;
        let type_b = it.next().ok_or_else(|| IngestError::cell(path, lineno, 3, "type", "missing"))?;
        let ty =
            std::str::from_utf8(type_b.trim_ascii()).ok().and_then(SeriesType::from_file_name).ok_or_else(|| {
                IngestError::cell(
                    path,
                    lineno,
                    3,
                    "type",
                    format!("unknown type {:?}", String::from_utf8_lossy(type_b)),
                )
            })?;
        let di = match day_index.get(&date) {
            Some(i) => *i,
            None => {
                if (days.len() + 1) * ncols > MAX_LABEL_DAYS {
                    return Err(IngestError::cell(
                        path,
                        lineno,
                        1,
                        "date",
                        format!(
                            "{} dates × {ncols} columns exceed the {MAX_LABEL_DAYS} label days one wide file may \
                             hold (docs/formats.md §0b); split the file",
                            days.len() + 1
                        ),
                    ));
                }
                days.push((date, vec![LabelDay::default(); ncols]));
                seen_rows.push([0; SeriesType::COUNT]);
                day_index.insert(date, days.len() - 1);
                days.len() - 1
            }
        };
        let bit = 1u32 << hour;
        if seen_rows[di][ty.index()] & bit != 0 {
            return Err(IngestError::at(
                path,
                lineno,
                format!("duplicate row for {date} hour {hour} type {}", ty.file_name()),
            ));
        }
        seen_rows[di][ty.index()] |= bit;
        if ty == SeriesType::Aqi {
            seen_rows[di][SeriesType::Release.index()] |= bit;
        }
        let cols = &mut days[di].1;
        let row = ty.index();
        let is_aqi = ty == SeriesType::Aqi;
        let mut j = 0usize;
        // The value cells, scanned in one pass: the common case (digits with an optional point) is
        // parsed inline; anything else goes through `Conc::parse_bytes` for its exact error.
        if let Some(rest) = it.remainder() {
            let n = rest.len();
            let mut p = 0usize;
            loop {
                let start = p;
                let (mut int, mut frac, mut frac_digits, mut digits) = (0i64, 0i64, 0u32, 0u32);
                let (mut dot, mut simple) = (false, true);
                while p < n {
                    let c = rest[p];
                    if c == b',' {
                        break;
                    }
                    let d = c.wrapping_sub(b'0');
                    if d < 10 {
                        digits += 1;
                        if !dot {
                            if int < MAX_UNITS {
                                int = int * 10 + i64::from(d);
                            }
                            simple &= int < MAX_UNITS;
                        } else if frac_digits < 3 {
                            frac = frac * 10 + i64::from(d);
                            frac_digits += 1;
                        } else {
                            simple &= d == 0;
                        }
                    } else if c == b'.' && !dot {
                        dot = true;
                    } else {
                        simple = false;
                    }
                    p += 1;
                }
                let cell = &rest[start..p];
                if j >= ncols {
                    if !cell.trim_ascii().is_empty() {
                        return Err(IngestError::cell(
                            path,
                            lineno,
                            j + 4,
                            "(beyond header)",
                            "value in a column the header does not name",
                        ));
                    }
                } else if simple && digits > 0 {
                    for _ in frac_digits..3 {
                        frac *= 10;
                    }
                    let v = int * MILLI + frac;
                    if is_aqi && (v % MILLI != 0 || v > 500 * MILLI) {
                        return Err(aqi_error(path, lineno, j, &columns[j], cell));
                    }
                    cols[j].values[row][hour] = v as i32;
                    values += 1;
                } else if !cell.is_empty() {
                    let value = cell.trim_ascii();
                    if value.contains(&b'"') {
                        return Err(IngestError::cell(
                            path,
                            lineno,
                            j + 4,
                            format!("{} {}", columns[j], ty.file_name()),
                            "quoted fields are not part of the CNEMC layout",
                        ));
                    }
                    if !value.is_empty() {
                        let v = Conc::parse_bytes(value).map_err(|_| {
                            let text = String::from_utf8_lossy(cell).to_string();
                            let msg = match Conc::parse(text.trim()) {
                                Err(e) => format!("{e} (cell {text:?})"),
                                Ok(_) => format!("unparseable value {text:?}"),
                            };
                            IngestError::cell(path, lineno, j + 4, format!("{} {}", columns[j], ty.file_name()), msg)
                        })?;
                        // A minus sign is never a valid reading (HJ 633: a negative concentration is
                        // an invalid measurement, with no IAQI; `-0` included).
                        if value.first() == Some(&b'-') {
                            if is_aqi {
                                return Err(aqi_error(path, lineno, j, &columns[j], cell));
                            }
                            return Err(IngestError::cell(
                                path,
                                lineno,
                                j + 4,
                                format!("{} {}", columns[j], ty.file_name()),
                                format!(
                                    "negative concentration {:?}: an invalid measurement (HJ 633), \
                                     never stored",
                                    String::from_utf8_lossy(value)
                                ),
                            ));
                        }
                        if is_aqi && (v.milli() % MILLI != 0 || v.milli() > 500 * MILLI) {
                            return Err(aqi_error(path, lineno, j, &columns[j], cell));
                        }
                        // In range by `Conc::parse_bytes` (below 1,000,000 units).
                        cols[j].values[row][hour] = v.milli() as i32;
                        values += 1;
                    }
                }
                j += 1;
                if p >= n {
                    break;
                }
                p += 1;
            }
        }
        if open_end && Some(lineno) == last_line && j > 0 {
            let column = j.min(ncols) - 1;
            unterminated = Some(CellRef { day: di, column, series: ty, hour, line: lineno, file_column: column + 4 });
        }
        if j < ncols {
            if Some(lineno) == last_line {
                warnings.push(format!(
                    "{}:{lineno}: last row truncated to {} of {} fields; its missing cells are not in the \
                     file and stay as stored",
                    path.display(),
                    j + 3,
                    ncols + 3
                ));
                short_rows.push(ShortRow { day: di, series: ty, hour, width: j });
            } else {
                return Err(IngestError::cell(
                    path,
                    lineno,
                    j + 4,
                    format!("{} {}", columns[j], ty.file_name()),
                    format!(
                        "row has {} fields, the header has {}: the cells from here on are missing",
                        j + 3,
                        ncols + 3
                    ),
                ));
            }
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(IngestError::file(path, "no data rows"));
    }
    warnings.extend(missing_rows_warning(path, &days, &seen_rows));
    Ok(WideFile {
        kind,
        source: WideSource::Quotsoft,
        columns,
        days,
        covered: seen_rows,
        column_hours: None,
        descriptions: Vec::new(),
        rows,
        values,
        warnings,
        short_rows,
        unterminated,
    })
}

/// The error of a published AQI cell that is not a whole number 0–500.
fn aqi_error(path: &Path, line: usize, j: usize, column: &str, cell: &[u8]) -> IngestError {
    IngestError::cell(
        path,
        line,
        j + 4,
        format!("{column} AQI"),
        format!("not a published AQI (a whole number 0–500): {:?}", String::from_utf8_lossy(cell)),
    )
}

/// The layout has every series of the file at every hour it has: an hour that lacks series the file
/// has for other hours was cut (at a row boundary: the file ends inside an hour) or lost rows. One
/// warning names how many hours, and the first few with their missing series (issue 12 item 10).
fn missing_rows_warning(
    path: &Path,
    days: &[(NaiveDate, Vec<LabelDay>)],
    seen: &[[u32; SeriesType::COUNT]],
) -> Option<String> {
    let file_series: Vec<SeriesType> =
        SeriesType::FILE_SERIES.iter().copied().filter(|t| seen.iter().any(|d| d[t.index()] != 0)).collect();
    let mut gaps = Vec::new();
    let mut n = 0usize;
    let mut order: Vec<usize> = (0..days.len()).collect();
    order.sort_by_key(|i| days[*i].0);
    for di in order {
        let s = &seen[di];
        for h in 0..24 {
            let bit = 1u32 << h;
            if file_series.iter().all(|t| s[t.index()] & bit == 0) {
                continue;
            }
            let missing: Vec<&str> =
                file_series.iter().filter(|t| s[t.index()] & bit == 0).map(|t| t.file_name()).collect();
            if missing.is_empty() {
                continue;
            }
            n += 1;
            if gaps.len() < 3 {
                gaps.push(format!("{} hour {h} lacks {}", days[di].0, missing.join(", ")));
            }
        }
    }
    (n > 0).then(|| {
        format!(
            "{}: {n} hours lack rows of series the file has for other hours (the file may be truncated or rows \
             lost; the cells of the missing rows stay as stored): {}{}",
            path.display(),
            gaps.join("; "),
            if n > gaps.len() { "; …" } else { "" }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("t.csv")
    }

    #[test]
    fn quirks_import() {
        let f = "date,hour,type,1001A,1002A,,\n20230120,0,AQI,20,\n20230120,0,PM2.5,6,5\n20230120,1,PM2.5,7";
        let w = parse_wide(p(), f.as_bytes()).expect("parses");
        assert_eq!(w.columns, vec!["1001A", "1002A"]);
        assert_eq!(w.kind, WideKind::Sites);
        assert_eq!(w.rows, 3);
        assert_eq!(w.values, 4);
        // The header's trailing fields, the truncated last row, hour 1 without its AQI row.
        assert_eq!(w.warnings.len(), 3, "{:?}", w.warnings);
        assert!(w.warnings[2].contains("1 hours lack") && w.warnings[2].contains("2023-01-20 hour 1 lacks AQI"));
        assert_eq!(w.short_rows, vec![ShortRow { day: 0, series: SeriesType::Pm2_5, hour: 1, width: 1 }]);
        assert_eq!(w.coverage(0, 0)[SeriesType::Pm2_5.index()], 0b11);
        assert_eq!(w.coverage(0, 1)[SeriesType::Pm2_5.index()], 0b01, "1002A lacks the cut cell");
        let cut = w.unterminated.expect("the file ends without a line end");
        assert_eq!((cut.column, cut.line, cut.file_column, cut.hour), (0, 4, 4, 1));
        let d = &w.days[0].1;
        assert_eq!(d[0].get(SeriesType::Aqi, 0), Some(Conc::units(20)));
        assert_eq!(d[1].get(SeriesType::Aqi, 0), None);
        assert_eq!(d[1].get(SeriesType::Pm2_5, 1), None);
    }

    #[test]
    fn bad_value_names_line_and_column() {
        let f = "date,hour,type,1001A,1002A\n20230120,0,AQI,20,3\n20230120,0,PM2.5,6,x5\n";
        let e = parse_wide(p(), f.as_bytes()).expect_err("rejects");
        assert_eq!((e.line, e.column), (Some(3), Some(5)));
        assert_eq!(e.field.as_deref(), Some("1002A PM2.5"));
        assert!(e.to_string().starts_with("t.csv:3:5"), "{e}");
    }

    #[test]
    fn short_row_in_the_middle_is_an_error() {
        let f = "date,hour,type,1001A,1002A\n20230120,0,AQI,20\n20230120,0,PM2.5,6,5\n";
        assert!(parse_wide(p(), f.as_bytes()).is_err());
    }

    #[test]
    fn unknown_type_and_bad_hour() {
        let f = "date,hour,type,1001A\n20230120,0,PM1,20\n";
        assert_eq!(parse_wide(p(), f.as_bytes()).expect_err("type").column, Some(3));
        let f = "date,hour,type,1001A\n20230120,24,AQI,20\n";
        assert_eq!(parse_wide(p(), f.as_bytes()).expect_err("hour").column, Some(2));
        let f = "date,hour,type,1001A\n20230120,1,AQI,20\n20230120,1,AQI,21\n";
        assert_eq!(parse_wide(p(), f.as_bytes()).expect_err("dup").line, Some(3));
    }

    /// A row of `AQI` covers the hour's release facts too (they belong to the published AQI); other
    /// rows do not.
    #[test]
    fn an_aqi_row_covers_the_release_cell() {
        let f = "date,hour,type,1001A\n20230120,1,AQI,20\n20230120,2,PM2.5,7\n";
        let w = parse_wide(p(), f.as_bytes()).expect("parses");
        assert_eq!(w.covered[0][SeriesType::Release.index()], 1 << 1);
        assert_eq!(w.covered[0][SeriesType::Aqi.index()], 1 << 1);
        assert_eq!(w.covered[0][SeriesType::Pm2_5.index()], 1 << 2);
        assert_eq!(w.source, WideSource::Quotsoft);
        assert!(w.column_hours.is_none() && w.descriptions.is_empty());
        // "release" is not a quotsoft type.
        let f = "date,hour,type,1001A\n20230120,1,release,20\n";
        assert_eq!(parse_wide(p(), f.as_bytes()).expect_err("type").column, Some(3));
    }

    #[test]
    fn cities_layout() {
        let f = "date,hour,type,北京,成都\n20230120,0,AQI,20,30\n";
        assert_eq!(parse_wide(p(), f.as_bytes()).map(|w| w.kind), Ok(WideKind::Cities));
    }
}
