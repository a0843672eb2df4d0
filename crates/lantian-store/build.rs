//! Lists the schema migrations of each backend (`migrations/<backend>/NNNN_name.sql`) into
//! `$OUT_DIR/migrations.rs`, which `src/schema.rs` includes: one `&[Migration]` per backend, in order,
//! the text of each file embedded with `include_str!`.
//!
//! The build fails when a directory's numbering is not 1, 2, 3, … without a gap or a repeat, or when a
//! `.sql` file is not named `NNNN_name.sql` (four digits, an underscore, lowercase letters, digits and
//! underscores): a migration left out by mistake would otherwise be skipped silently by every store
//! created from then on. Other files (a README) are ignored.

use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "build/list.rs"]
mod list;
use list::list;

/// The backends and the constant each list becomes.
const BACKENDS: [(&str, &str); 2] = [("sqlite", "SQLITE"), ("postgres", "POSTGRES")];

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("migrations");
    println!("cargo:rerun-if-changed=migrations");
    let mut out = String::new();
    for (backend, constant) in BACKENDS {
        let dir = root.join(backend);
        println!("cargo:rerun-if-changed={}", dir.display());
        let list = match list(&dir) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: schema migrations in {}: {e}", dir.display());
                std::process::exit(1);
            }
        };
        let _ = writeln!(out, "/// The {backend} migrations (`migrations/{backend}/`), in order.");
        let _ = writeln!(out, "pub const {constant}: &[Migration] = &[");
        for (number, name, path) in list {
            let _ = writeln!(
                out,
                "    Migration {{ number: {number}, name: {name:?}, sql: include_str!({:?}) }},",
                path.display().to_string()
            );
        }
        let _ = writeln!(out, "];");
    }
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        eprintln!("error: writing {}: {e}", dest.display());
        std::process::exit(1);
    }
}
