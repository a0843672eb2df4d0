//! Output: readable tables (CJK-aware widths), CSV and JSON.

use std::io::Write;

use unicode_width::UnicodeWidthStr;

/// A table being built in memory: headers and string cells.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns aligned right (numbers).
    pub right: Vec<bool>,
}

impl Table {
    pub fn new(headers: &[&str], right: &[bool]) -> Table {
        Table { headers: headers.iter().map(|s| s.to_string()).collect(), rows: Vec::new(), right: right.to_vec() }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// Writes the table with columns padded to their display width (Chinese characters count 2).
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let n = self.headers.len();
        let mut w = vec![0usize; n];
        for (i, h) in self.headers.iter().enumerate() {
            w[i] = w[i].max(h.width());
        }
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(c.width());
            }
        }
        let line = |out: &mut dyn Write, cells: &[String], header: bool| -> std::io::Result<()> {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate().take(n) {
                let pad = w[i].saturating_sub(c.width());
                if i > 0 {
                    s.push_str("  ");
                }
                if self.right.get(i).copied().unwrap_or(false) && !header {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    if i + 1 < n {
                        s.push_str(&" ".repeat(pad));
                    }
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        line(out, &self.headers, true)?;
        let total: usize = w.iter().sum::<usize>() + 2 * n.saturating_sub(1);
        writeln!(out, "{}", "─".repeat(total))?;
        for r in &self.rows {
            line(out, r, false)?;
        }
        Ok(())
    }
}

/// Formats an optional value; empty when missing.
pub fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Like [`opt`] but `—` for tables.
pub fn opt_dash<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "—".to_string())
}

/// A JSON array written element by element (long outputs stream, never build in memory).
pub struct JsonArray<'a> {
    out: &'a mut dyn Write,
    first: bool,
}

impl<'a> JsonArray<'a> {
    pub fn new(out: &'a mut dyn Write) -> std::io::Result<JsonArray<'a>> {
        out.write_all(b"[")?;
        Ok(JsonArray { out, first: true })
    }
    pub fn push(&mut self, v: &serde_json::Value) -> std::io::Result<()> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.out.write_all(b"\n  ")?;
        serde_json::to_writer(&mut *self.out, v).map_err(std::io::Error::other)
    }
    pub fn finish(self) -> std::io::Result<()> {
        self.out.write_all(b"\n]\n")
    }
}

/// Columns whose cells are whole numbers that the API writes as JSON numbers (ranks, counts, codes,
/// AQIs); besides these, every `…_days` and `…_rank` column.
const INTEGER_COLUMNS: &[&str] =
    &["rank", "city_code", "code", "aqi", "level", "published_aqi", "hours_elapsed", "tier", "id", "pm2_5_hours"];
/// Coordinates: JSON numbers as in the API.
const FLOAT_COLUMNS: &[&str] = &["lon", "lat"];
/// Flags written `Y`/`N`, `yes`/`no` or `true`/`false` in CSV: JSON booleans.
const BOOL_COLUMNS: &[&str] = &["control", "stopped", "listed", "attained", "green_benchmark"];
/// Several codes in one CSV cell, joined by `,`: JSON arrays.
const LIST_COLUMNS: &[&str] = &["main_pollutants", "primary"];

/// One cell as JSON, typed as the API writes the same field: whole-number columns as numbers,
/// coordinates as numbers, flags as booleans, code lists as arrays; every other cell (exact decimals,
/// text) a string; an empty cell `null`. So `--format json` of the CLI agrees with the API.
pub fn json_cell(col: &str, v: &str) -> serde_json::Value {
    use serde_json::Value;
    if v.is_empty() {
        return Value::Null;
    }
    let integer = INTEGER_COLUMNS.contains(&col) || col.ends_with("_days") || col.ends_with("_rank");
    if integer {
        if let Ok(n) = v.parse::<i64>() {
            return Value::from(n);
        }
    }
    if FLOAT_COLUMNS.contains(&col) {
        if let Some(n) = v.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    if BOOL_COLUMNS.contains(&col) {
        match v {
            "Y" | "yes" | "true" => return Value::Bool(true),
            "N" | "no" | "false" => return Value::Bool(false),
            _ => {}
        }
    }
    if LIST_COLUMNS.contains(&col) {
        return Value::Array(v.split(',').map(|x| Value::String(x.to_string())).collect());
    }
    Value::String(v.to_string())
}

/// A row as a JSON object keyed by the column names ([`json_cell`]); empty cells are `null`.
pub fn row_object(cols: &[&str], row: &[String]) -> serde_json::Map<String, serde_json::Value> {
    cols.iter().zip(row).map(|(k, v)| (k.to_string(), json_cell(k, v))).collect()
}

/// Columns that hold text (left-aligned in tables); every other column is a number.
const TEXT_COLUMNS: &[&str] = &[
    "station",
    "station_name",
    "name",
    "city",
    "unit",
    "date",
    "time",
    "at",
    "period",
    "category",
    "primary",
    "main_pollutants",
    "source",
    "standard",
    "not_ranked",
    "meets_minimum",
    "variant",
    "province",
    "control",
    "stopped",
    "listed",
    "day_at_risk",
    "alerts",
    "year_pm2_5_allowance",
    "started_at",
    "since",
    "effective_from",
    "actor",
    "action",
    "level_from",
    "level_to",
    "rule_set",
    "who",
    "conditions",
    "evidence",
];

/// Writes rows as CSV (`cols` as the header), JSON (one object per row: `json` when given, else the
/// row's cells by column name) or a table with the Chinese headers `zh` (`—` for empty cells).
pub fn write_records(
    cols: &[&str],
    zh: &[&str],
    rows: &[Vec<String>],
    json: Option<&[serde_json::Value]>,
    format: crate::Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        crate::Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(cols)?;
            for r in rows {
                w.write_record(r)?;
            }
            w.flush()?;
        }
        crate::Format::Json => {
            let mut arr = JsonArray::new(out)?;
            match json {
                Some(values) => {
                    for v in values {
                        arr.push(v)?;
                    }
                }
                None => {
                    for r in rows {
                        arr.push(&serde_json::Value::Object(row_object(cols, r)))?;
                    }
                }
            }
            arr.finish()?;
        }
        crate::Format::Table => {
            let right: Vec<bool> = cols.iter().map(|c| !TEXT_COLUMNS.contains(c)).collect();
            let mut t = Table::new(zh, &right);
            for r in rows {
                t.push(r.iter().map(|c| if c.is_empty() { "—".to_string() } else { c.clone() }).collect());
            }
            t.write(out)?;
        }
    }
    Ok(())
}

/// Records with the warnings that go with them: JSON `{"rows": […], "warnings": […]}` (as the API gives
/// them), otherwise the records as [`write_records`] writes them (the caller prints warnings elsewhere).
pub fn write_records_with_warnings(
    cols: &[&str],
    zh: &[&str],
    rows: &[Vec<String>],
    warnings: &[String],
    format: crate::Format,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if format == crate::Format::Json {
        let rows: Vec<serde_json::Value> =
            rows.iter().map(|r| serde_json::Value::Object(row_object(cols, r))).collect();
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "rows": rows, "warnings": warnings }))?;
        writeln!(out)?;
        Ok(())
    } else {
        Ok(write_records(cols, zh, rows, None, format, out)?)
    }
}
