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
