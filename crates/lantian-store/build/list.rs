//! The listing of a migration directory, shared by `build.rs` and its test (`schema.rs`).

use std::path::{Path, PathBuf};

/// The migrations of one directory: (number, `NNNN_name`, path), numbered 1… without a gap.
pub fn list(dir: &Path) -> Result<Vec<(u32, String, PathBuf)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list the directory: {e}"))?;
    let mut found: Vec<(u32, String, PathBuf)> = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot list the directory: {e}"))?.path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()).map(str::to_string) else { continue };
        let Some(stem) = file.strip_suffix(".sql") else { continue };
        let (digits, name) = stem.split_at_checked(4).unwrap_or((stem, ""));
        let well_named = digits.len() == 4
            && digits.bytes().all(|b| b.is_ascii_digit())
            && name.len() > 1
            && name.starts_with('_')
            && name[1..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_named {
            return Err(format!("{file}: a migration is named NNNN_name.sql (e.g. 0015_data_versions.sql)"));
        }
        let number: u32 = digits.parse().map_err(|_| format!("{file}: bad number"))?;
        found.push((number, stem.to_string(), path.canonicalize().unwrap_or(path.clone())));
    }
    found.sort();
    for (k, (number, name, _)) in found.iter().enumerate() {
        let expected = k as u32 + 1;
        if *number != expected {
            let before = if k == 0 { "the start".to_string() } else { found[k - 1].1.clone() };
            return Err(if *number < expected {
                format!("migration number {number} is used twice ({before} and {name})")
            } else {
                format!(
                    "migration {expected:04} is missing: {name} follows {before}; numbers run 1, 2, 3, … without a gap"
                )
            });
        }
    }
    Ok(found)
}
