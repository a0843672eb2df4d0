//! Schema migrations: numbered SQL files per backend (`migrations/<backend>/NNNN_name.sql`), listed
//! by `build.rs` and embedded in the program, applied in order. Each store records every migration it
//! applied in `schema_migration` with the checksum of its text (see [`Migration::checksum`]); a
//! recorded checksum that differs from the program's file means the file was edited after it was
//! released, and the store is not opened. `meta.schema_version` keeps the number of the last
//! migration applied, as it did before `schema_migration` existed (and as older programs read it).

/// One migration of one backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Migration {
    /// 1, 2, 3, … (the file's `NNNN`).
    pub number: u32,
    /// The file name without `.sql`, e.g. `0007_tasks`.
    pub name: &'static str,
    /// The file's text.
    pub sql: &'static str,
}

/// The algorithm of [`Migration::checksum`], as recorded in `schema_migration.algorithm`.
pub const CHECKSUM_ALGORITHM: &str = "blake3";

impl Migration {
    /// BLAKE3 of the file's text with `\r\n` read as `\n` (hex): the same file checked out with
    /// Windows line ends has the same checksum; any other edit changes it. BLAKE3 as for imported
    /// files (`import_file.content_hash`).
    pub fn checksum(&self) -> String {
        let mut h = blake3::Hasher::new();
        let mut rest = self.sql;
        while let Some(i) = rest.find("\r\n") {
            h.update(&rest.as_bytes()[..i]);
            h.update(b"\n");
            rest = &rest[i + 2..];
        }
        h.update(rest.as_bytes());
        h.finalize().to_hex().to_string()
    }
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// Checks the migrations a store recorded (`number, name, checksum, algorithm`, in order) against the
/// program's `list`, on either backend: a recorded migration whose name differs was made by another
/// program; one whose checksum differs was edited after it was released — the store is not opened.
pub(crate) fn check_recorded<'a>(
    done: impl IntoIterator<Item = (u32, &'a str, &'a str, &'a str)>,
    list: &[Migration],
) -> crate::Result<()> {
    for ((number, name, checksum, algorithm), m) in done.into_iter().zip(list) {
        if name != m.name {
            return Err(crate::StoreError::Input(format!(
                "migration {number} of the store is {name}, but this program's migration {number} is {}: the \
                 store was made by another program (or a migration was renamed after it was released)",
                m.name
            )));
        }
        if algorithm != CHECKSUM_ALGORITHM || checksum != m.checksum() {
            return Err(crate::StoreError::Input(format!(
                "migration {name} was edited after it was released: the store applied a text whose \
                 {algorithm} is {checksum}, this program's file has {CHECKSUM_ALGORITHM} {}. A released \
                 migration is never edited (a store that applied the old text would differ from a new one): \
                 restore the file and add a new migration",
                m.checksum()
            )));
        }
    }
    Ok(())
}

/// The SQLite migrations, in order; never edit a released one, add a new file.
pub const MIGRATIONS: &[Migration] = SQLITE;

#[cfg(test)]
#[path = "../build/list.rs"]
mod build_list;

#[cfg(test)]
mod tests {
    use super::*;

    /// The build's listing (`build.rs`) refuses a gap, a repeated number and a badly named file, and
    /// ignores what is not `.sql`.
    #[test]
    fn the_build_refuses_a_gap_in_the_numbering() {
        let dir = std::env::temp_dir().join(format!("lantian-migrations-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let put = |name: &str| std::fs::write(dir.join(name), "SELECT 1;").expect("write");
        let names =
            || -> Result<Vec<String>, String> { Ok(build_list::list(&dir)?.into_iter().map(|(_, n, _)| n).collect()) };
        assert_eq!(names(), Ok(vec![]));
        put("README.md");
        put("0001_first.sql");
        put("0002_second.sql");
        assert_eq!(names(), Ok(vec!["0001_first".to_string(), "0002_second".to_string()]));
        put("0004_fourth.sql");
        let err = names().expect_err("a gap");
        assert!(err.contains("migration 0003 is missing: 0004_fourth follows 0002_second"), "{err}");
        put("0003_third.sql");
        assert_eq!(names().map(|n| n.len()), Ok(4));
        put("0003_again.sql");
        assert!(names().expect_err("a repeat").contains("migration number 3 is used twice"));
        std::fs::remove_file(dir.join("0003_again.sql")).expect("rm");
        for bad in ["0005-fifth.sql", "5_fifth.sql", "0005_Fifth.sql", "0005_.sql"] {
            put(bad);
            assert!(names().expect_err(bad).contains("NNNN_name.sql"), "{bad}");
            std::fs::remove_file(dir.join(bad)).expect("rm");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The build lists every file, numbered from 1 without a gap, each named by its number.
    #[test]
    fn the_lists_are_numbered_without_a_gap() {
        for list in [SQLITE, POSTGRES] {
            for (k, m) in list.iter().enumerate() {
                assert_eq!(m.number as usize, k + 1, "{}", m.name);
                assert!(m.name.starts_with(&format!("{:04}_", m.number)), "{}", m.name);
                assert!(!m.sql.trim().is_empty(), "{} is empty", m.name);
            }
        }
        assert!(SQLITE.len() >= 14, "the 14 migrations of schema.rs before the files");
        assert_eq!(SQLITE[6].name, "0007_tasks");
        assert!(SQLITE[0].sql.contains("CREATE TABLE day_block"));
    }

    /// The PostgreSQL list keeps in step with SQLite's: the same numbers and names, so that a store of
    /// either backend at schema N has the same tables, columns and meaning. A migration added to one
    /// backend only fails here.
    #[test]
    fn the_backends_list_the_same_migrations() {
        let names = |l: &[Migration]| l.iter().map(|m| (m.number, m.name)).collect::<Vec<_>>();
        assert_eq!(names(POSTGRES), names(SQLITE), "the PostgreSQL migrations differ from SQLite's");
    }

    /// The checksum is BLAKE3 of the text (the official vector of the empty input), Windows line ends
    /// read as `\n`, any other change seen.
    #[test]
    fn the_checksum_is_blake3_of_the_text_with_unix_line_ends() {
        let m = |sql| Migration { number: 1, name: "0001_x", sql };
        assert_eq!(m("").checksum(), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
        assert_eq!(m("a;\r\nb;\r\n").checksum(), m("a;\nb;\n").checksum());
        assert_eq!(m("a;\nb;\n").checksum(), blake3::hash(b"a;\nb;\n").to_hex().to_string());
        assert_ne!(m("a;\nb;\n").checksum(), m("a;\nb; \n").checksum());
    }
}
