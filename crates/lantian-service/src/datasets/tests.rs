//! The registry: recognition by header set (one kind per file, ambiguity an error), a valid sample per
//! kind, owners that agree with the declared owner class, the help and the documentation table.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::*;

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../lantian-ingest/samples")
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(samples_dir().join(name)).unwrap_or_else(|e| panic!("sample {name}: {e}"))
}

#[test]
fn names_are_unique() {
    let mut seen = HashSet::new();
    for k in REGISTRY {
        assert!(seen.insert(k.info().name), "{} is registered twice", k.info().name);
    }
}

/// Every kind recognised by a header is recognised by its documented header — all its columns,
/// required and optional — and by no other kind: no kind's header set contains another's.
#[test]
fn every_documented_header_is_recognised_as_its_kind_alone() {
    let mut headers = 0;
    for k in REGISTRY {
        let Recognition::Header { required, optional, .. } = k.info().recognition else { continue };
        headers += 1;
        let full: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
        for first in [required.join(","), full.join(","), full.iter().rev().copied().collect::<Vec<_>>().join(",")] {
            let text = format!("{first}\n");
            let found: Vec<&str> = REGISTRY
                .iter()
                .filter(|o| o.info().recognition.matches(&first, &text))
                .map(|o| o.info().name)
                .collect();
            assert_eq!(found, [k.info().name], "{first}");
        }
    }
    assert!(headers >= 15, "{headers}");
}

/// Every kind names a valid sample; the sample is recognised as that kind alone, reads cleanly, and
/// the owners its module names are of the declared class. Every sample belongs to a kind.
#[test]
fn every_kind_has_a_valid_sample_with_owners_of_its_class() {
    let mut named = HashSet::new();
    for k in REGISTRY {
        let info = k.info();
        assert!(!info.samples.is_empty(), "{} has no sample", info.name);
        for s in info.samples {
            named.insert(s.to_string());
            let ready = parse_bytes(Path::new(s), &sample(s)).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(ready.info().name, info.name, "{s}");
            assert!(ready.rows() > 0, "{s}");
            let owners = ready.owners();
            match info.owned_by {
                OwnedBy::Province(_) => assert!(owners.is_empty(), "{s}"),
                class => {
                    assert_eq!(owners.len() as u64, ready.rows(), "{s}: an owner per record");
                    assert!(owners.iter().all(|o| o.class() == class), "{s}: {owners:?}");
                }
            }
        }
    }
    for e in std::fs::read_dir(samples_dir()).expect("samples") {
        let n = e.expect("entry").file_name().to_string_lossy().to_string();
        if n.ends_with(".csv") || n.ends_with(".json") {
            assert!(named.contains(&n), "sample {n} belongs to no kind");
        }
    }
}

/// Issue 13 item 1: a header that matches two kinds is an error naming both, whichever is listed first
/// — never read silently as one of them.
#[test]
fn a_header_matching_two_kinds_is_an_error_naming_both() {
    let text = "city,start,end,year,pm2_5\n成都,2022-03-01,2022-03-02,2022,30\n";
    let e = parse_bytes(Path::new("both.csv"), text.as_bytes()).expect_err("ambiguous");
    assert_eq!(e.line, Some(1), "{e}");
    let m = e.to_string();
    assert!(m.starts_with("both.csv:1: the header matches 2 kinds"), "{m}");
    assert!(m.contains("dust-events (city,start,end[,source])"), "{m}");
    assert!(m.contains("city-targets (city,year,pm2_5[,good_day_ratio,heavy_days,source])"), "{m}");
    // The fast path of the wide files recognises their header like any other.
    let text = "date,hour,type,city,start,end\n20230120,0,AQI,1,2,3\n";
    let e = parse_bytes(Path::new("wide.csv"), text.as_bytes()).expect_err("ambiguous");
    let m = e.to_string();
    assert!(m.contains("cnemc-sites / cnemc-cities") && m.contains("dust-events"), "{m}");
    // The same columns without the second kind's are read as the one kind.
    let ok = parse_bytes(Path::new("dust.csv"), "city,start,end\n成都,2022-03-01,2022-03-02\n".as_bytes());
    assert_eq!(ok.map(|r| r.kind_name()).ok(), Some("dust-events"));
}

/// A quoted header names the same columns (a station list exported with quotes was recognised before
/// the registry, when its header was searched for the two names).
#[test]
fn a_quoted_header_is_recognised() {
    let text =
        "\"监测点编码\",\"监测点名称\",\"城市\",\"经度\",\"纬度\",\"对照点\"\n1001A,万寿西宫,北京,116.3621,39.8784,N\n";
    let r = parse_bytes(Path::new("s.csv"), text.as_bytes()).expect("a station list");
    assert_eq!((r.kind_name(), r.rows()), ("station-list", 1));
    let dust = "\"city\",\"start\",\"end\"\n成都,2022-03-01,2022-03-02\n";
    assert_eq!(parse_bytes(Path::new("d.csv"), dust.as_bytes()).map(|r| r.kind_name()).ok(), Some("dust-events"));
}

#[test]
fn an_unrecognised_file_names_every_kind() {
    let e = parse_bytes(Path::new("x.csv"), b"a,b,c\n1,2,3\n").expect_err("unrecognised");
    assert_eq!(e.line, Some(1));
    for k in REGISTRY {
        assert!(e.message.contains(k.info().name), "{}: {e}", k.info().name);
    }
}

/// `import --help` lists every kind with what identifies it.
#[test]
fn the_help_names_every_kind_and_its_signature() {
    let h = help();
    for k in REGISTRY {
        assert!(h.contains(k.info().name) && h.contains(&k.info().recognition.signature()), "{}", k.info().name);
    }
}

/// The table of kinds in `docs/formats.md` is the registry's ([`doc_table`]); regenerate it with
/// `LANTIAN_WRITE_DOCS=1 cargo test -p lantian-service datasets::tests::the_formats_document`.
#[test]
fn the_formats_document_lists_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/formats.md");
    let doc = std::fs::read_to_string(&path).expect("docs/formats.md");
    let (begin, end) = ("<!-- datasets:begin -->\n", "<!-- datasets:end -->");
    let a = doc.find(begin).expect("the begin marker") + begin.len();
    let b = doc.find(end).expect("the end marker");
    let table = doc_table();
    if doc[a..b] != table && std::env::var_os("LANTIAN_WRITE_DOCS").is_some() {
        std::fs::write(&path, format!("{}{table}{}", &doc[..a], &doc[b..])).expect("write");
        return;
    }
    assert_eq!(doc[a..b], table, "docs/formats.md lists other kinds than the registry; the registry's table:\n{table}");
}
