//! Black-box tests of the `lantian` binary against bad and awkward input: each runs the real
//! command on a fresh SQLite store in its own temporary folder and checks the exit code, the
//! message and that a rejected file leaves the store exactly as it was (compared through the CLI's
//! own CSV output: hourly AQI, station and city daily values, the station list).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temporary folder with a store `t.db`, removed on drop.
struct Sandbox {
    dir: PathBuf,
    db: String,
}

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// stdout and stderr together (messages may go to either).
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    fn expect_code(&self, code: i32, what: &str) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    fn expect_contains(&self, needle: &str, what: &str) -> &Run {
        assert!(
            self.all().contains(needle),
            "{what}: output lacks {needle:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// The number after `label` on the summary line that holds it.
    fn summary_number(&self, label: &str) -> u64 {
        let line = self
            .stdout
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no summary line with {label:?} in\n{}", self.stdout));
        line.split_whitespace()
            .last()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no number at the end of {line:?}"))
    }
}

/// The store as the CLI shows it.
#[derive(Debug, PartialEq, Eq)]
struct Dump {
    hourly: String,
    daily: String,
    city_daily: String,
    stations: String,
}

impl Sandbox {
    fn new(tag: &str) -> Sandbox {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("lantian-bad-input-{tag}-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the temporary folder");
        let db = format!("sqlite:{}", dir.join("t.db").display());
        // A fresh, empty store (commands that only read refuse a store that does not exist).
        drop(lantian_store::open_sqlite(&db).expect("create the store"));
        Sandbox { dir, db }
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, bytes).expect("write a test file");
        p
    }

    /// Runs `lantian --db <this store> ARGS…`.
    fn run(&self, args: &[&str]) -> Run {
        run_with_db(&self.db, args)
    }

    fn import(&self, files: &[&Path]) -> Run {
        let mut args = vec!["import", "--jobs", "1"];
        let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        args.extend(names.iter().map(String::as_str));
        self.run(&args)
    }

    fn dump(&self) -> Dump {
        let range = ["--from", "2023-01-01", "--to", "2023-03-31", "--format", "csv"];
        let get = |args: &[&str]| {
            let mut a: Vec<&str> = args.to_vec();
            if args[0] == "aqi" {
                a.extend(range);
            } else {
                a.extend(["--format", "csv"]);
            }
            let r = self.run(&a);
            r.expect_code(0, &format!("dump {args:?}"));
            r.stdout
        };
        Dump {
            hourly: get(&["aqi", "--hourly"]),
            daily: get(&["aqi", "--daily"]),
            city_daily: get(&["aqi", "--daily", "--level", "city"]),
            stations: get(&["stations"]),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run_with_db(db: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_lantian"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("LANTIAN_DB")
        .output()
        .expect("run the lantian binary");
    let r = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!r.all().contains("panicked"), "lantian {args:?} panicked\n{}", r.all());
    assert!(r.code.is_some(), "lantian {args:?} was killed by a signal\n{}", r.all());
    r
}

/// A complete wide file for two stations and label hours 1 and 2 of 2023-01-20.
const GOOD: &str = "date,hour,type,1001A,1002A
20230120,1,AQI,50,57
20230120,1,PM2.5,35,40
20230120,1,PM2.5_24h,30,38
20230120,1,PM10,50,60
20230120,1,PM10_24h,48,55
20230120,1,SO2,5,6
20230120,1,SO2_24h,5,6
20230120,1,NO2,20,30
20230120,1,NO2_24h,22,28
20230120,1,O3,60,70
20230120,1,O3_24h,40,45
20230120,1,O3_8h,50,55
20230120,1,O3_8h_24h,52,58
20230120,1,CO,0.5,0.6
20230120,1,CO_24h,0.5,0.6
20230120,2,AQI,52,60
20230120,2,PM2.5,36,42
20230120,2,PM10,52,66
20230120,2,SO2,5,7
20230120,2,NO2,21,33
20230120,2,O3,58,66
20230120,2,CO,0.5,0.7
";

/// The hourly dump's columns.
const COL_STATION: usize = 0;
const COL_TIME: usize = 3;
const COL_AQI: usize = 4;
const COL_PM2_5: usize = 13;

/// The fields of a station-hour's row in the hourly CSV dump (the values carry no commas).
fn hourly_row(hourly_csv: &str, station: &str, time: &str) -> Option<Vec<String>> {
    hourly_csv
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .find(|f| f.len() > COL_PM2_5 && f[COL_STATION] == station && f[COL_TIME] == time)
}

const T1: &str = "2023-01-20T01:00:00+08:00";
const T2: &str = "2023-01-20T02:00:00+08:00";

/// A store holding [`GOOD`], and its dump.
fn with_good_data(tag: &str) -> (Sandbox, Dump) {
    let sb = Sandbox::new(tag);
    let good = sb.write("china_sites_20230120.csv", GOOD);
    sb.import(&[&good]).expect_code(0, "import the good file");
    let d = sb.dump();
    assert!(hourly_row(&d.hourly, "1002A", T1).is_some(), "the good data is visible\n{}", d.hourly);
    (sb, d)
}

fn assert_unchanged(sb: &Sandbox, before: &Dump, what: &str) {
    let after = sb.dump();
    assert_eq!(&after, before, "{what}: the store changed");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// Deterministic pseudo-random bytes (xorshift64*).
fn pseudo_random(n: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.extend_from_slice(&seed.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(n);
    out
}

// ---------------------------------------------------------------------------------------------
// Unparseable values
// ---------------------------------------------------------------------------------------------

#[test]
fn unparseable_value_is_reported_with_line_column_and_field_and_changes_nothing() {
    let (sb, before) = with_good_data("badvalue");
    // Line 2 is valid and would change 1001A/1002A and create station 3001A; line 3 column 5 is bad.
    let bad = sb.write(
        "bad_value.csv",
        "date,hour,type,1001A,1002A,3001A\n20230120,1,PM10,99,98,97\n20230120,1,PM2.5,35,3x5,12\n",
    );
    let r = sb.import(&[&bad]);
    r.expect_code(2, "a file with an unparseable value")
        .expect_contains(&format!("{}:3:5", bad.display()), "names file, line and column")
        .expect_contains("1002A PM2.5", "names the field")
        .expect_contains("3x5", "quotes the value");
    assert!(r.stdout.contains("rejected"), "the summary lists it as rejected\n{}", r.stdout);
    assert_unchanged(&sb, &before, "after a rejected file");
    assert!(!before.stations.contains("3001A"));
}

#[test]
fn value_errors_of_other_kinds_are_rejected_too() {
    let (sb, before) = with_good_data("badvalues");
    let cases: [(&str, &str, &str); 4] = [
        ("too_precise.csv", "date,hour,type,1001A,1002A\n20230120,1,CO,0.5,0.6125\n", ":2:5"),
        ("exponent.csv", "date,hour,type,1001A,1002A\n20230120,1,PM10,1e3,5\n", ":2:4"),
        ("bad_hour.csv", "date,hour,type,1001A,1002A\n20230120,24,PM10,1,5\n", ":2:2"),
        ("bad_type.csv", "date,hour,type,1001A,1002A\n20230120,1,PM1,1,5\n", ":2:3"),
    ];
    for (name, text, at) in cases {
        let p = sb.write(name, text);
        sb.import(&[&p]).expect_code(2, name).expect_contains(&format!("{}{at}", p.display()), name);
    }
    assert_unchanged(&sb, &before, "after rejected files");
}

// ---------------------------------------------------------------------------------------------
// Binary and compressed garbage
// ---------------------------------------------------------------------------------------------

#[test]
fn random_bytes_are_not_a_text_file() {
    let (sb, before) = with_good_data("random");
    let mut bytes = pseudo_random(4096, 0x9E37_79B9_7F4A_7C15);
    if bytes.starts_with(&[0x1f, 0x8b]) {
        bytes[0] = 0;
    }
    assert!(bytes.contains(&0));
    let p = sb.write("random.csv", &bytes);
    sb.import(&[&p])
        .expect_code(2, "random bytes")
        .expect_contains(&p.display().to_string(), "names the file")
        .expect_contains("not a text file", "says why");
    // The same without NUL bytes: neither valid UTF-8 nor valid GB18030.
    let no_nul: Vec<u8> = bytes.iter().map(|b| if *b == 0 { 0xff } else { *b }).collect();
    assert!(std::str::from_utf8(&no_nul).is_err());
    let p = sb.write("random_no_nul.csv", &no_nul);
    sb.import(&[&p])
        .expect_code(2, "random bytes without NUL")
        .expect_contains(&p.display().to_string(), "names the file")
        .expect_contains("not a text file", "says why");
    // Random bytes behind a valid gzip wrapper.
    let p = sb.write("random.csv.gz", gzip(&bytes));
    sb.import(&[&p])
        .expect_code(2, "gzipped random bytes")
        .expect_contains(&p.display().to_string(), "names the file")
        .expect_contains("not a text file", "says why");
    assert_unchanged(&sb, &before, "after random bytes");
}

#[test]
fn truncated_gzip_is_rejected_and_the_full_one_imports() {
    let (sb, before) = with_good_data("gzip");
    let other = GOOD.replace("20230120", "20230121");
    let gz = gzip(other.as_bytes());
    let cut = sb.write("china_sites_20230121.csv.gz", &gz[..gz.len() / 2]);
    sb.import(&[&cut])
        .expect_code(2, "a truncated gzip")
        .expect_contains(&cut.display().to_string(), "names the file")
        .expect_contains("gzip", "says it is the gzip");
    // A gzip whose header is cut (only the magic number).
    let magic = sb.write("magic_only.csv.gz", &gz[..2]);
    sb.import(&[&magic]).expect_code(2, "gzip magic only").expect_contains("gzip", "says it is the gzip");
    assert_unchanged(&sb, &before, "after a truncated gzip");
    // Control: the complete gzip of the same content imports.
    let full = sb.write("full_20230121.csv.gz", &gz);
    sb.import(&[&full]).expect_code(0, "the complete gzip");
    let after = sb.dump();
    assert!(hourly_row(&after.hourly, "1002A", "2023-01-21T01:00:00+08:00").is_some(), "{}", after.hourly);
}

// ---------------------------------------------------------------------------------------------
// Wrong formats
// ---------------------------------------------------------------------------------------------

#[test]
fn wrong_formats_are_unrecognised() {
    let (sb, before) = with_good_data("format");
    let cases: [(&str, &[u8]); 3] = [
        ("notes.txt", b"Meeting notes\nnothing to import here\n"),
        ("people.csv", b"name,age,city\nWang,34,Chengdu\nLi,29,Mianyang\n"),
        ("semicolons.csv", b"date;hour;type;1001A\n20230120;1;PM2.5;35\n"),
    ];
    for (name, bytes) in cases {
        let p = sb.write(name, bytes);
        sb.import(&[&p])
            .expect_code(2, name)
            .expect_contains(&p.display().to_string(), name)
            .expect_contains("unrecognised format", name);
    }
    assert_unchanged(&sb, &before, "after unrecognised files");
}

#[test]
fn empty_and_header_only_files_are_rejected() {
    let (sb, before) = with_good_data("empty");
    let empty = sb.write("empty.csv", b"");
    sb.import(&[&empty]).expect_code(2, "empty file").expect_contains("empty file", "empty");
    let header = sb.write("header_only.csv", "date,hour,type,1001A,1002A\n");
    sb.import(&[&header]).expect_code(2, "header only").expect_contains("no data rows", "header only");
    assert_unchanged(&sb, &before, "after empty files");
}

// ---------------------------------------------------------------------------------------------
// Idempotence and revisions
// ---------------------------------------------------------------------------------------------

#[test]
fn reimport_is_a_no_op_and_a_revision_replaces() {
    let sb = Sandbox::new("reimport");
    let good = sb.write("china_sites_20230120.csv", GOOD);
    let first = sb.import(&[&good]);
    first.expect_code(0, "first import").expect_contains("2 inserted, 0 updated", "two station-days");
    let d1 = sb.dump();

    let again = sb.import(&[&good]);
    again
        .expect_code(0, "second import")
        .expect_contains("0 inserted, 0 updated", "nothing changes")
        .expect_contains("(0 new, 0 rejected)", "the file is known");
    assert_eq!(sb.dump(), d1, "re-import changed the store");

    // The same content under another name is the same data.
    let copy = sb.write("copy_of_20230120.csv", GOOD);
    sb.import(&[&copy]).expect_code(0, "a copy").expect_contains("0 inserted, 0 updated", "a copy changes nothing");
    assert_eq!(sb.dump(), d1, "importing a copy changed the store");

    // Revision: 1002A PM2.5 at label hour 1 from 40 to 80.
    let revised_text = GOOD.replace("20230120,1,PM2.5,35,40", "20230120,1,PM2.5,35,80");
    assert_ne!(revised_text, GOOD);
    let revised = sb.write("china_sites_20230120_revised.csv", revised_text);
    sb.import(&[&revised])
        .expect_code(0, "revised import")
        .expect_contains("0 inserted, 1 updated, 1 unchanged", "one station-day revised");
    let d2 = sb.dump();

    let old = hourly_row(&d1.hourly, "1002A", T1).expect("row before");
    let new = hourly_row(&d2.hourly, "1002A", T1).expect("row after");
    assert_eq!(old[COL_PM2_5], "40");
    assert_eq!(new[COL_PM2_5], "80");
    // By hand (HJ 633 formula (1), PM on the 24-hour column 35/75 → 50/100, rounded up):
    // PM2.5 40 → 50 + 50·5/40 = 56.25 → 57; PM2.5 80 → 100 + 50·5/40 = 106.25 → 107.
    assert_eq!(old[COL_AQI], "57");
    assert_eq!(new[COL_AQI], "107");
    // Nothing else changed in the hourly dump.
    let diff: Vec<(&str, &str)> = d1.hourly.lines().zip(d2.hourly.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(d1.hourly.lines().count(), d2.hourly.lines().count());
    assert_eq!(d1.stations, d2.stations);

    // Re-importing the original restores the original values.
    sb.import(&[&good]).expect_code(0, "back to the original").expect_contains("0 inserted, 1 updated", "reverted");
    assert_eq!(sb.dump(), d1, "reverting did not restore the store");
}

#[test]
fn an_empty_cell_in_a_revised_row_deletes_the_old_value() {
    let (sb, _) = with_good_data("revision-empty");
    // A partial revision: only the PM2.5 row of hour 2, with 1002A now empty.
    let rev = sb.write("rev.csv", "date,hour,type,1001A,1002A\n20230120,2,PM2.5,36,\n");
    sb.import(&[&rev]).expect_code(0, "partial revision").expect_contains("0 inserted, 1 updated", "one station-day");
    let d = sb.dump();
    let row = hourly_row(&d.hourly, "1002A", T2).expect("hour 2 still has other pollutants");
    assert_eq!(row[COL_PM2_5], "", "{row:?}");
    // Other values of the same hour are kept.
    let row1 = hourly_row(&d.hourly, "1001A", T2).expect("1001A hour 2");
    assert_eq!(row1[COL_PM2_5], "36");
}

// ---------------------------------------------------------------------------------------------
// Mixed runs
// ---------------------------------------------------------------------------------------------

/// Consecutive wide files share a transaction (batches of 32), each file still all or nothing: bad
/// files between good ones, and a station list in the middle (which closes the batch), leave exactly
/// what importing the good files one run at a time leaves.
#[test]
fn bad_files_inside_a_batch_of_wide_files() {
    // File d (1–40) holds 2023-01-01 … 2023-02-12 (28 days a month here, for brevity).
    let date = |d: u32| format!("2023{:02}{:02}", 1 + (d - 1) / 28, (d - 1) % 28 + 1);
    let day = |d: u32, v: u32| {
        let t = date(d);
        format!("date,hour,type,1001A,1002A\n{t},1,PM10,{v},{}\n{t},1,PM2.5,{},{}\n", v + 1, v / 2, v / 3)
    };
    let batched = Sandbox::new("batch-run");
    let mut files = Vec::new();
    for d in 1..=40u32 {
        files.push(batched.write(&format!("f{d:02}_good.csv"), day(d, 40 + d)));
        if d % 13 == 0 {
            let bad = format!("date,hour,type,1001A\n{},2,PM10,4.4.4\n", date(d));
            files.push(batched.write(&format!("f{d:02}_xbad.csv"), &bad));
        }
        if d == 20 {
            files.push(batched.write("f20_zstations.csv", "监测点编码,监测点名称,城市\n1001A,甲,成都市\n"));
        }
    }
    let paths: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    let r = batched.import(&paths);
    r.expect_code(2, "three files rejected").expect_contains("(41 new, 3 rejected)", "counts");
    let one_by_one = Sandbox::new("batch-single");
    for p in files.iter().filter(|p| !p.to_string_lossy().contains("xbad")) {
        let name = p.file_name().and_then(|n| n.to_str()).expect("name");
        let copy = one_by_one.write(name, std::fs::read_to_string(p).expect("read"));
        one_by_one.import(&[&copy]).expect_code(0, "a good file alone");
    }
    let (a, b) = (batched.dump(), one_by_one.dump());
    assert_eq!(a.hourly, b.hourly, "hourly values");
    assert_eq!(a.daily, b.daily, "daily values");
    assert_eq!(a.stations, b.stations, "stations");
    assert!(a.hourly.lines().count() > 40, "{}", a.hourly);
}

#[test]
fn a_good_and_a_bad_file_in_one_run() {
    let sb = Sandbox::new("mixed");
    let before = sb.dump();
    let good = sb.write("a_good.csv", GOOD);
    let bad = sb.write("b_bad.csv", "date,hour,type,2001A,2002A\n20230120,1,PM10,10,11\n20230120,1,PM2.5,5,5..5\n");
    let r = sb.import(&[&good, &bad]);
    r.expect_code(2, "one file rejected")
        .expect_contains("(1 new, 1 rejected)", "counts")
        .expect_contains(&format!("{}:3:5", bad.display()), "names the bad file");
    let rejected_at = r.stdout.find("rejected (").expect("a rejected section");
    assert!(
        r.stdout[rejected_at..].contains(&bad.display().to_string()),
        "the bad file is listed under rejected\n{}",
        r.stdout
    );
    assert!(
        !r.stdout[rejected_at..].contains(&good.display().to_string()),
        "the good file is not listed as rejected\n{}",
        r.stdout
    );
    let after = sb.dump();
    assert_ne!(after, before);
    assert_eq!(hourly_row(&after.hourly, "1002A", T1).map(|r| r[COL_PM2_5].clone()), Some("40".to_string()));
    assert!(after.stations.contains("1001A") && after.stations.contains("1002A"));
    assert!(!after.stations.contains("2001A"), "a station from the rejected file was created\n{}", after.stations);

    // The other order gives the same store.
    let sb2 = Sandbox::new("mixed2");
    let good2 = sb2.write("z_good.csv", GOOD);
    let bad2 = sb2.write("a_bad.csv", std::fs::read(&bad).expect("read"));
    sb2.import(&[&bad2, &good2]).expect_code(2, "bad first");
    assert_eq!(sb2.dump(), after);
}

#[test]
fn a_folder_with_a_bad_file_imports_the_good_ones() {
    let sb = Sandbox::new("folder");
    let folder = sb.dir.join("in");
    std::fs::create_dir_all(folder.join("sub")).expect("mkdir");
    std::fs::write(folder.join("china_sites_20230120.csv"), GOOD).expect("write");
    std::fs::write(folder.join("sub").join("broken.csv"), "date,hour,type,1001A\n20230121,1,PM10,x\n").expect("write");
    std::fs::write(folder.join("readme.md"), "not data, not imported").expect("write");
    let r = sb.run(&["import", "--jobs", "1", &folder.display().to_string()]);
    r.expect_code(2, "folder with a bad file").expect_contains("broken.csv", "names the bad file");
    assert!(!r.all().contains("readme.md"), "non-data files are skipped\n{}", r.all());
    r.expect_contains("2 (1 new, 1 rejected)", "two data files, one rejected");
    let d = sb.dump();
    assert!(hourly_row(&d.hourly, "1001A", T1).is_some());
}

// ---------------------------------------------------------------------------------------------
// Real-file quirks
// ---------------------------------------------------------------------------------------------

#[test]
fn real_file_quirks_import_with_warnings() {
    let sb = Sandbox::new("quirks");
    // BOM, CRLF, trailing empty header fields, empty cells, a truncated last row (and so hour 2 lacks
    // the AQI and PM10 rows hour 1 has).
    let text = "\u{feff}date,hour,type,1001A,1002A,,\r\n\
                20230120,1,AQI,50,\r\n\
                20230120,1,PM2.5,35,\r\n\
                20230120,1,PM10,,60\r\n\
                20230120,2,PM2.5,36";
    let p = sb.write("china_sites_20230120.csv", text);
    let r = sb.import(&[&p]);
    r.expect_code(0, "quirks import")
        .expect_contains("trailing empty fields", "warns of the header")
        .expect_contains("truncated", "warns of the last row")
        .expect_contains("2023-01-20 hour 2 lacks AQI, PM10", "warns of the rows hour 2 lacks");
    assert_eq!(r.summary_number("warnings"), 3, "{}", r.stdout);
    assert_eq!(r.summary_number("rows"), 4, "{}", r.stdout);
    assert_eq!(r.summary_number("values"), 4, "{}", r.stdout);
    assert!(!r.stdout.contains("rejected ("), "{}", r.stdout);
    let d = sb.dump();
    let a1 = hourly_row(&d.hourly, "1001A", T1).expect("1001A hour 1");
    assert_eq!((a1[COL_PM2_5].as_str(), a1[12].as_str()), ("35", ""), "{a1:?}");
    let b1 = hourly_row(&d.hourly, "1002A", T1).expect("1002A hour 1");
    assert_eq!((b1[COL_PM2_5].as_str(), b1[12].as_str()), ("", "60"), "{b1:?}");
    assert_eq!(hourly_row(&d.hourly, "1001A", T2).map(|r| r[COL_PM2_5].clone()), Some("36".to_string()));
    assert!(hourly_row(&d.hourly, "1002A", T2).is_none(), "the truncated cell is empty\n{}", d.hourly);
}

#[test]
fn a_short_row_that_is_not_the_last_is_rejected() {
    let (sb, before) = with_good_data("shortrow");
    let p = sb.write("short.csv", "date,hour,type,1001A,1002A\n20230120,3,PM10,5\n20230120,3,PM2.5,6,7\n");
    sb.import(&[&p])
        .expect_code(2, "short row in the middle")
        .expect_contains(&format!("{}:2", p.display()), "names line 2");
    assert_unchanged(&sb, &before, "after a short row");
}

// ---------------------------------------------------------------------------------------------
// Station lists in GB18030 and UTF-8
// ---------------------------------------------------------------------------------------------

/// `监测点编码,监测点名称,城市,经度,纬度,对照点` / `1431A,金泉两河,成都,104.0437,30.7044,N` /
/// `1432A,十里店(停运),成都,,,Y`, encoded by hand in GB18030 (GBK range).
const STATIONS_GB18030: &[u8] = b"\xbc\xe0\xb2\xe2\xb5\xe3\xb1\xe0\xc2\xeb,\xbc\xe0\xb2\xe2\xb5\xe3\xc3\xfb\xb3\xc6,\
\xb3\xc7\xca\xd0,\xbe\xad\xb6\xc8,\xce\xb3\xb6\xc8,\xb6\xd4\xd5\xd5\xb5\xe3\n\
1431A,\xbd\xf0\xc8\xaa\xc1\xbd\xba\xd3,\xb3\xc9\xb6\xbc,104.0437,30.7044,N\n\
1432A,\xca\xae\xc0\xef\xb5\xea(\xcd\xa3\xd4\xcb),\xb3\xc9\xb6\xbc,,,Y\n";

const STATIONS_UTF8: &str = "监测点编码,监测点名称,城市,经度,纬度,对照点\n\
1431A,金泉两河,成都,104.0437,30.7044,N\n\
1432A,十里店(停运),成都,,,Y\n";

#[test]
fn station_list_in_gb18030_equals_utf8() {
    let gb_bytes: &[u8] = std::hint::black_box(STATIONS_GB18030);
    assert!(std::str::from_utf8(gb_bytes).is_err(), "the GB18030 bytes are not UTF-8");
    // "成都" in GB18030 is B3C9 B6BC.
    assert!(STATIONS_GB18030.windows(4).any(|w| w == b"\xb3\xc9\xb6\xbc"));

    let gb = Sandbox::new("gb18030");
    let p = gb.write("站点列表.csv", STATIONS_GB18030);
    gb.import(&[&p]).expect_code(0, "GB18030 list").expect_contains("station-list 1", "detected as a station list");
    let utf = Sandbox::new("utf8");
    let p = utf.write("stations.csv", STATIONS_UTF8);
    utf.import(&[&p]).expect_code(0, "UTF-8 list");
    // And UTF-8 with a BOM.
    let bom = Sandbox::new("utf8bom");
    let p = bom.write("stations_bom.csv", format!("\u{feff}{STATIONS_UTF8}"));
    bom.import(&[&p]).expect_code(0, "UTF-8 list with BOM");

    let s_gb = gb.run(&["stations", "--format", "csv"]);
    let s_utf = utf.run(&["stations", "--format", "csv"]);
    let s_bom = bom.run(&["stations", "--format", "csv"]);
    s_gb.expect_code(0, "stations");
    assert_eq!(s_gb.stdout, s_utf.stdout);
    assert_eq!(s_bom.stdout, s_utf.stdout);
    // Decoded correctly, not merely identically: the Chinese text and the Sichuan city code.
    let lines: Vec<&str> = s_utf.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", s_utf.stdout);
    assert!(lines[1].starts_with("1431A,金泉两河,成都,510100,"), "{}", lines[1]);
    assert!(lines[1].ends_with(",N,N,Y"), "{}", lines[1]);
    assert!(lines[2].starts_with("1432A,十里店(停运),成都,510100,"), "{}", lines[2]);
    assert!(lines[2].ends_with(",,,Y,Y,Y"), "control and stopped: {}", lines[2]);
    // The city selects the stations by its Chinese name in either store.
    let by_city = gb.run(&["stations", "--city", "成都市", "--format", "csv"]);
    by_city.expect_code(0, "--city 成都市");
    assert_eq!(by_city.stdout, s_utf.stdout);
}

// ---------------------------------------------------------------------------------------------
// Store-level rejections are atomic too
// ---------------------------------------------------------------------------------------------

#[test]
fn city_daily_file_with_an_unknown_city_changes_nothing() {
    let (sb, before) = with_good_data("citydaily");
    // The first row is valid (成都); the second names a city the store does not know.
    let p = sb.write(
        "city_daily.csv",
        "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2023-01-20,92,12,45,1.1,98,68,150\n火星市,2023-01-20,50,1,1,0.1,1,1,1\n",
    );
    sb.import(&[&p])
        .expect_code(2, "unknown city in a daily file")
        .expect_contains("火星市", "names the city")
        .expect_contains(&p.display().to_string(), "names the file");
    assert_unchanged(&sb, &before, "after a city-daily file with an unknown city");
    // Control: without the bad row it imports and shows up.
    let ok = sb.write(
        "city_daily_ok.csv",
        "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2023-01-20,92,12,45,1.1,98,68,150\n",
    );
    sb.import(&[&ok]).expect_code(0, "valid city daily");
    assert_ne!(sb.dump().city_daily, before.city_daily);
}

// ---------------------------------------------------------------------------------------------
// Query arguments
// ---------------------------------------------------------------------------------------------

#[test]
fn aqi_with_unknown_city_or_station_names_it() {
    let (sb, _) = with_good_data("unknown");
    for args in [
        vec!["aqi", "--hourly", "--city", "火星市"],
        vec!["aqi", "--daily", "--level", "city", "--city", "火星市"],
        vec!["stations", "--city", "火星市"],
    ] {
        let r = sb.run(&args);
        r.expect_code(2, &format!("{args:?}")).expect_contains("火星市", "names the city");
        assert!(r.stderr.contains("unknown city"), "{args:?}: {}", r.stderr);
    }
    for args in [vec!["aqi", "--hourly", "--station", "9999Z"], vec!["aqi", "--daily", "--station", "9999Z"]] {
        let r = sb.run(&args);
        r.expect_code(2, &format!("{args:?}")).expect_contains("9999Z", "names the station");
        assert!(r.stderr.contains("unknown station"), "{args:?}: {}", r.stderr);
    }
    // A known station still works (control).
    sb.run(&["aqi", "--hourly", "--station", "1001A", "--format", "csv"]).expect_code(0, "known station");
}

#[test]
fn to_before_from_is_an_error() {
    let (sb, _) = with_good_data("range");
    for report in ["--hourly", "--daily"] {
        let r = sb.run(&["aqi", report, "--from", "2023-01-21", "--to", "2023-01-20"]);
        r.expect_code(2, report)
            .expect_contains("2023-01-20", "names --to")
            .expect_contains("2023-01-21", "names --from");
        assert!(r.stderr.contains("before"), "{report}: {}", r.stderr);
    }
    // Equal dates are fine.
    sb.run(&["aqi", "--daily", "--from", "2023-01-20", "--to", "2023-01-20"]).expect_code(0, "one day");
    // A malformed date is rejected by the argument parser.
    sb.run(&["aqi", "--daily", "--from", "2023-13-01"])
        .expect_code(2, "bad date")
        .expect_contains("2023-13-01", "quotes it");
}

#[test]
fn an_unreachable_postgres_server_is_a_clear_error() {
    let sb = Sandbox::new("pg");
    let good = sb.write("good.csv", GOOD);
    let good = good.display().to_string();
    // Port 1: nothing listens there, so the connection is refused whatever runs on the machine.
    for (url, shown) in [
        ("postgres://lantian@127.0.0.1:1/lantian", "postgres://lantian@127.0.0.1:1/lantian"),
        ("postgresql://lantian:secret@127.0.0.1:1/lantian", "postgresql://lantian:***@127.0.0.1:1/lantian"),
    ] {
        for args in [vec!["stations"], vec!["aqi", "--daily"], vec!["import", good.as_str()]] {
            let r = run_with_db(url, &args);
            let what = format!("{url} {args:?}");
            r.expect_code(2, &what)
                .expect_contains("while connecting to PostgreSQL", &what)
                .expect_contains(&format!("cannot open the database {shown}"), "names the database, no password");
            assert!(!r.all().contains("secret"), "{what}: the password is not shown\n{}", r.all());
        }
    }
}

#[test]
fn an_empty_store_explains_itself() {
    let sb = Sandbox::new("emptystore");
    let r = sb.run(&["aqi", "--hourly"]);
    r.expect_code(2, "no data").expect_contains("no hourly data", "says the store is empty");
}

#[test]
fn a_missing_input_path_or_db_folder_is_named() {
    let sb = Sandbox::new("missing");
    let nowhere = sb.dir.join("no_such_file.csv");
    sb.run(&["import", &nowhere.display().to_string()])
        .expect_code(2, "missing input")
        .expect_contains("no_such_file.csv", "names the path");
    let db = format!("sqlite:{}", sb.dir.join("no_such_folder").join("t.db").display());
    run_with_db(&db, &["stations"])
        .expect_code(2, "missing db folder")
        .expect_contains("no_such_folder", "names the folder");
    assert!(!sb.dir.join("no_such_folder").exists(), "the folder was created");
}

#[test]
fn a_file_that_is_not_a_database_is_left_alone() {
    let sb = Sandbox::new("notadb");
    let junk = pseudo_random(8192, 42);
    let p = sb.write("t.db", &junk);
    let good = sb.write("good.csv", GOOD);
    for args in [vec!["stations"], vec!["import", &good.display().to_string()]] {
        let r = sb.run(&args.iter().map(|s| s.as_ref()).collect::<Vec<&str>>());
        r.expect_code(2, "not a database").expect_contains("not a database", "says so");
    }
    assert_eq!(std::fs::read(&p).expect("read"), junk, "the non-database file was modified");
}

// ---------------------------------------------------------------------------------------------
// Bugs found by these tests (ignored until fixed; see each reason)
// ---------------------------------------------------------------------------------------------

/// Label hour 0 of a file for date D is the hour 23:00–24:00 of natural day D−1. `aqi --hourly`
/// without `--from` starts at the first *label* date, so that hour is silently left out, although
/// `--from` is documented as "first natural day; default: the first day with data".
#[test]
fn hourly_default_range_shows_every_imported_hour() {
    let sb = Sandbox::new("hour0");
    let p = sb.write(
        "china_sites_20230120.csv",
        "date,hour,type,1001A,1002A\n20230120,0,PM2.5,35,40\n20230120,1,PM2.5,36,41\n",
    );
    sb.import(&[&p]).expect_code(0, "import");
    let default = sb.run(&["aqi", "--hourly", "--format", "csv"]);
    default.expect_code(0, "default range");
    let explicit = sb.run(&["aqi", "--hourly", "--format", "csv", "--from", "2023-01-19", "--to", "2023-01-20"]);
    explicit.expect_code(0, "explicit range");
    assert_eq!(explicit.stdout.lines().count(), 5, "the header and four station-hours\n{}", explicit.stdout);
    assert!(hourly_row(&default.stdout, "1001A", "2023-01-20T00:00:00+08:00").is_some(), "{}", default.stdout);
    assert_eq!(default.stdout, explicit.stdout);
}

/// A header whose columns are not all station codes is taken for a `china_cities` file, so a
/// station file with one malformed code (`100A`) silently stores every station's data as cities
/// named `1001A`, `1002A`, … instead of being rejected.
#[test]
fn a_header_mixing_station_codes_and_other_names_is_rejected() {
    let (sb, before) = with_good_data("mixedheader");
    let p = sb.write("china_sites_20230121.csv", "date,hour,type,1001A,1002A,100A\n20230121,1,PM2.5,35,40,3\n");
    let r = sb.import(&[&p]);
    // Whatever the product decides, station codes must not become cities.
    let as_city = sb.run(&["stations", "--city", "1001A"]);
    assert_eq!(as_city.code, Some(2), "a city named 1001A was created\n{}", as_city.all());
    r.expect_code(2, "mixed header").expect_contains("100A", "names the odd column");
    assert_unchanged(&sb, &before, "after a mixed header");
}

/// A value cell with surrounding blanks (` 35`) is rejected with the message
/// `unparseable value "35"`, quoting a text that is a valid number. It should either be read as 35
/// (the date, hour and type cells are trimmed) or be reported as written (`" 35"`).
#[test]
fn a_blank_padded_value_is_read_or_reported_as_written() {
    let sb = Sandbox::new("padded");
    let p = sb.write("padded.csv", "date,hour,type,1001A,1002A\n20230120,1,PM2.5, 35,40\n");
    let r = sb.import(&[&p]);
    if r.code == Some(0) {
        let d = sb.dump();
        assert_eq!(hourly_row(&d.hourly, "1001A", T1).map(|r| r[COL_PM2_5].clone()), Some("35".to_string()));
    } else {
        r.expect_code(2, "padded value").expect_contains("\" 35\"", "quotes the cell as written");
    }
}
