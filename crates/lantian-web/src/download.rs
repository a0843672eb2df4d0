//! Downloads of the tables (issue 14 item 4): an API answer as CSV or xlsx (`?format=csv|xlsx`), the same
//! rows as its JSON. CSV is the machine format — the JSON field names as its header, values as the API
//! writes them (decimal text, codes), UTF-8 without a byte-order mark, as `lantian … --format csv`;
//! xlsx is for people — a header in the page's language (`lang=en`, default Chinese), numbers as numbers.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// The format an answer is asked in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

impl Format {
    /// `json` (default), `csv` or `xlsx`.
    pub fn parse(s: Option<&str>) -> Result<Format, ApiError> {
        match s.unwrap_or("json") {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(ApiError::bad_request(format!("format {other:?}: expected json, csv or xlsx"))),
        }
    }
}

/// One column: its machine name (the JSON field) and its header for people.
pub struct Column {
    pub key: String,
    pub zh: String,
    pub en: String,
    /// Its cells are codes: people's xlsx shows their words (`(cell, english)` → words).
    pub words: Option<fn(&str, bool) -> String>,
}

impl Column {
    pub fn new(key: &str, zh: &str, en: &str) -> Column {
        Column { key: key.into(), zh: zh.into(), en: en.into(), words: None }
    }

    /// A column of codes (categories, pollutants, indicators, alert levels; `;`-separated), shown to
    /// people as words ([`words`]).
    pub fn coded(self) -> Column {
        self.with_words(words)
    }

    /// A column of codes shown to people by `words`.
    pub fn with_words(mut self, words: fn(&str, bool) -> String) -> Column {
        self.words = Some(words);
        self
    }
}

/// The words of a cell of codes for people (`pm2_5_24h;o3_8h` → `PM2.5、臭氧8小时`): AQI categories,
/// indicators and pollutants by their one machine spelling; anything else unchanged.
pub fn words(cell: &str, english: bool) -> String {
    use lantian_core::air::aqi::AqiCategory;
    use lantian_core::air::pollutant::Indicator;
    use lantian_core::Pollutant;
    let word = |code: &str| -> String {
        if let Some(c) = AqiCategory::ALL.iter().find(|c| c.code() == code) {
            return if english { c.name_en() } else { c.name_zh() }.to_string();
        }
        if let Some(i) = Indicator::from_code(code) {
            return if english { i.label_en() } else { i.label_zh() }.to_string();
        }
        if let Some(p) = Pollutant::from_code(code) {
            return p.label().to_string();
        }
        if let Some(l) = lantian_core::emergency::AlertLevel::from_code(code) {
            return if english { l.name_en() } else { l.name_zh() }.to_string();
        }
        if let Some(r) = lantian_core::emergency::ResponseLevel::from_code(code) {
            return if english { r.name_en() } else { r.name_zh() }.to_string();
        }
        code.to_string()
    };
    let parts: Vec<String> = cell.split(';').filter(|c| !c.is_empty()).map(word).collect();
    parts.join(if english { ", " } else { "、" })
}

/// A table of an answer.
pub struct Sheet {
    /// The file's name without extension (ASCII).
    pub file: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

/// An answer that is a table.
pub trait Tabular {
    fn sheet(&self) -> Sheet;
}

/// Text of an optional value (empty when absent).
pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or(String::new(), ToString::to_string)
}

/// The sheet as CSV bytes.
pub fn csv(sheet: &Sheet) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::internal(format!("writing CSV: {e}"));
    w.write_record(sheet.columns.iter().map(|c| c.key.as_str())).map_err(fail)?;
    for r in &sheet.rows {
        w.write_record(r).map_err(fail)?;
    }
    w.into_inner().map_err(|e| ApiError::internal(format!("writing CSV: {e}")))
}

/// The sheet as an xlsx workbook with one worksheet: the header in `english` or Chinese, bold and
/// frozen; values that are decimal numbers written as numbers, the others as text.
pub fn xlsx(sheet: &Sheet, english: bool) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("writing xlsx: {e}"));
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let bold = XFormat::new().set_bold();
    for (j, c) in sheet.columns.iter().enumerate() {
        let col = u16::try_from(j).map_err(|_| ApiError::internal("too many columns"))?;
        ws.write_string_with_format(0, col, if english { &c.en } else { &c.zh }, &bold).map_err(fail)?;
        ws.set_column_width(col, 12).map_err(fail)?;
    }
    for (i, r) in sheet.rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| ApiError::internal("too many rows"))?;
        for (j, v) in r.iter().enumerate() {
            let col = u16::try_from(j).map_err(|_| ApiError::internal("too many columns"))?;
            match (sheet.columns.get(j).and_then(|c| c.words), number(v)) {
                (Some(words), _) => ws.write_string(row, col, words(v, english)).map_err(fail)?,
                (None, Some(n)) => ws.write_number(row, col, n).map_err(fail)?,
                (None, None) => ws.write_string(row, col, v).map_err(fail)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

/// A decimal number as written by the API (`-12.5`, `35`): at most 15 significant digits, so that the
/// spreadsheet's double holds it exactly as shown; codes with leading zeros stay text.
fn number(v: &str) -> Option<f64> {
    let digits = v.trim_start_matches('-');
    let plain = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && !digits.starts_with('.')
        && !digits.ends_with('.')
        && !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."))
        && digits.chars().filter(char::is_ascii_digit).count() <= 15;
    if plain {
        v.parse().ok()
    } else {
        None
    }
}

/// The download response: CSV or xlsx bytes, named `FILE.csv` / `FILE.xlsx`.
pub fn response(sheet: &Sheet, format: Format, english: bool) -> Result<Response, ApiError> {
    let (bytes, kind, ext) = match format {
        Format::Csv => (csv(sheet)?, "text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (xlsx(sheet, english)?, XLSX, "xlsx"),
        Format::Json => return Err(ApiError::internal("a JSON answer is not a download")),
    };
    Ok(file_response(bytes, kind, &sheet.file, ext))
}

/// The media type of xlsx.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A download of `bytes` named `FILE.EXT` (the name reduced to ASCII letters, digits, `-`, `_`, `.`).
pub fn file_response(bytes: Vec<u8>, kind: &str, file: &str, ext: &str) -> Response {
    let name: String =
        file.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\"")),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_words_for_people() {
        assert_eq!(words("pm2_5_24h;o3_8h", false), "PM2.5、臭氧8小时");
        assert_eq!(words("pm2_5_24h;o3_8h", true), "PM2.5, O3 8-hour");
        assert_eq!(words("light", false), "轻度污染");
        assert_eq!(words("moderate", true), "Moderately polluted");
        assert_eq!(words("pm2_5", false), "PM2.5");
        assert_eq!(words("", false), "");
        assert_eq!(words("orange", false), "橙色预警");
        assert_eq!(words("ii", true), "Level II response");
    }

    #[test]
    fn decimal_text_becomes_a_number_and_codes_stay_text() {
        assert_eq!(number("35"), Some(35.0));
        assert_eq!(number("-12.5"), Some(-12.5));
        assert_eq!(number("0.75"), Some(0.75));
        assert_eq!(number("0"), Some(0.0));
        assert_eq!(number("007"), None);
        assert_eq!(number("1431A"), None);
        assert_eq!(number(""), None);
        assert_eq!(number("1."), None);
        assert_eq!(number("1234567890123456"), None);
        assert_eq!(number("PM2_5"), None);
    }
}
