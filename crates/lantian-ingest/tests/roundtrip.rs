//! Property test: a random CNEMC wide file, written as CSV text, parses back to exactly the cells
//! that were written (`cnemc::parse_wide`).

use std::collections::BTreeMap;
use std::path::Path;

use lantian_core::{Conc, SeriesType};
use lantian_ingest::air::cnemc::parse_wide;
use lantian_ingest::WideKind;
use proptest::prelude::*;

/// One cell as written: `None` = empty; `Some((int, tenths))` = `int` or `int.d`.
type Cell = Option<(u32, Option<u8>)>;

#[derive(Clone, Debug)]
struct Row {
    date: usize,
    hour: usize,
    ty: usize,
    cells: Vec<Cell>,
}

#[derive(Clone, Debug)]
struct Spec {
    stations: Vec<String>,
    /// Label dates as `YYYYMMDD`.
    dates: Vec<String>,
    rows: Vec<Row>,
    crlf: bool,
    bom: bool,
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        1 => Just(None),
        4 => (0u32..=2000, proptest::option::of(0u8..=9)).prop_map(Some),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let stations = proptest::collection::btree_set((1000u32..=9999, proptest::char::range('A', 'Z')), 1..=6)
        .prop_map(|s| s.into_iter().map(|(n, c)| format!("{n}{c}")).collect::<Vec<_>>())
        // Distinct codes only (the set is of (number, letter) pairs, so codes are distinct).
        .prop_shuffle();
    let dates = proptest::collection::btree_set(0i64..3650, 1..=3).prop_map(|s| {
        s.into_iter()
            .map(|n| {
                let d = chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default() + chrono::Duration::days(n);
                d.format("%Y%m%d").to_string()
            })
            .collect::<Vec<_>>()
    });
    (stations, dates, any::<bool>(), any::<bool>()).prop_flat_map(|(stations, dates, crlf, bom)| {
        let ncols = stations.len();
        let ndates = dates.len();
        // A random non-empty subset of (date, hour, type), in random order.
        let keys =
            proptest::collection::btree_set((0..ndates, 0usize..24, 0usize..SeriesType::FILE_SERIES.len()), 1..=40)
                .prop_map(|s| s.into_iter().collect::<Vec<_>>())
                .prop_shuffle();
        keys.prop_flat_map(move |keys| {
            let n = keys.len();
            let stations = stations.clone();
            let dates = dates.clone();
            proptest::collection::vec(proptest::collection::vec(cell(), ncols), n).prop_map(move |cells| Spec {
                stations: stations.clone(),
                dates: dates.clone(),
                rows: keys
                    .iter()
                    .zip(cells)
                    .map(|(&(date, hour, ty), cells)| {
                        // The published AQI is a whole number 0–500 (`docs/formats.md` §1).
                        let cells = if SeriesType::FILE_SERIES[ty] == SeriesType::Aqi {
                            cells.into_iter().map(|c| c.map(|(i, _)| (i % 501, None))).collect()
                        } else {
                            cells
                        };
                        Row { date, hour, ty, cells }
                    })
                    .collect(),
                crlf,
                bom,
            })
        })
    })
}

fn cell_text(c: &Cell) -> String {
    match c {
        None => String::new(),
        Some((i, None)) => i.to_string(),
        Some((i, Some(d))) => format!("{i}.{d}"),
    }
}

fn cell_value(c: &Cell) -> Option<Conc> {
    c.map(|(i, d)| Conc(i64::from(i) * 1000 + i64::from(d.unwrap_or(0)) * 100))
}

fn write(spec: &Spec) -> Vec<u8> {
    let nl = if spec.crlf { "\r\n" } else { "\n" };
    let mut s = String::new();
    if spec.bom {
        s.push('\u{feff}');
    }
    s.push_str("date,hour,type,");
    s.push_str(&spec.stations.join(","));
    s.push_str(nl);
    for r in &spec.rows {
        let cells: Vec<String> = r.cells.iter().map(cell_text).collect();
        s.push_str(&format!(
            "{},{},{},{}{nl}",
            spec.dates[r.date],
            r.hour,
            SeriesType::FILE_SERIES[r.ty].file_name(),
            cells.join(",")
        ));
    }
    s.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn every_cell_round_trips(spec in spec()) {
        let bytes = write(&spec);
        let w = parse_wide(Path::new("roundtrip.csv"), &bytes)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&bytes))))?;

        prop_assert_eq!(w.kind, WideKind::Sites);
        prop_assert_eq!(&w.columns, &spec.stations);
        prop_assert_eq!(w.rows, spec.rows.len());
        let written: u64 = spec.rows.iter().map(|r| r.cells.iter().filter(|c| c.is_some()).count() as u64).sum();
        prop_assert_eq!(w.values, written);
        // Hours that lack some series the file has at other hours: one warning counting them.
        let series: std::collections::BTreeSet<usize> = spec.rows.iter().map(|r| r.ty).collect();
        let mut hours: BTreeMap<(usize, usize), std::collections::BTreeSet<usize>> = BTreeMap::new();
        for r in &spec.rows {
            hours.entry((r.date, r.hour)).or_default().insert(r.ty);
        }
        let incomplete = hours.values().filter(|s| **s != series).count();
        if incomplete == 0 {
            prop_assert!(w.warnings.is_empty(), "{:?}", w.warnings);
        } else {
            prop_assert_eq!(w.warnings.len(), 1, "{:?}", w.warnings);
            let lack = format!(": {incomplete} hours lack rows");
            prop_assert!(w.warnings[0].contains(&lack), "{:?}", w.warnings);
        }

        // The label dates that have rows, in order of first appearance.
        let mut want_dates: Vec<&str> = Vec::new();
        for r in &spec.rows {
            let d = spec.dates[r.date].as_str();
            if !want_dates.contains(&d) {
                want_dates.push(d);
            }
        }
        let got_dates: Vec<String> = w.days.iter().map(|(d, _)| d.format("%Y%m%d").to_string()).collect();
        prop_assert_eq!(&got_dates, &want_dates);
        prop_assert_eq!(w.covered.len(), w.days.len());

        // Every (date, type, hour, station) cell: the written value, or missing where the file had
        // an empty cell or no row at all.
        let mut cells: BTreeMap<(&str, usize, usize, usize), Option<Conc>> = BTreeMap::new();
        for r in &spec.rows {
            for (j, c) in r.cells.iter().enumerate() {
                cells.insert((spec.dates[r.date].as_str(), r.ty, r.hour, j), cell_value(c));
            }
        }
        for (di, (date, cols)) in w.days.iter().enumerate() {
            let date_s = date.format("%Y%m%d").to_string();
            prop_assert_eq!(cols.len(), spec.stations.len());
            // A row of AQI covers the hour's release facts too; no file cell sets them.
            prop_assert_eq!(w.covered[di][SeriesType::Release.index()], w.covered[di][SeriesType::Aqi.index()]);
            prop_assert!(cols.iter().all(|d| d.values[SeriesType::Release.index()].iter().all(|v| *v == lantian_core::air::hours::MISSING)));
            for t in SeriesType::FILE_SERIES {
                for h in 0..24 {
                    let has_row = spec.rows.iter().any(|r| spec.dates[r.date] == date_s && r.ty == t.index() && r.hour == h);
                    prop_assert_eq!(w.covered[di][t.index()] & (1 << h) != 0, has_row, "covered {} {:?} {}", date_s, t, h);
                    for (j, day) in cols.iter().enumerate() {
                        let want = cells.get(&(date_s.as_str(), t.index(), h, j)).copied().flatten();
                        prop_assert_eq!(
                            day.get(t, h), want,
                            "{} {} {} hour {}", date_s, spec.stations[j], t.file_name(), h
                        );
                    }
                }
            }
        }
    }
}

/// A fixed example of the property, checked by hand.
#[test]
fn hand_example() {
    let f = "date,hour,type,1001A,2647A\n20230120,5,CO,0.8,\n20230121,0,PM2.5,35,12.5\n";
    let w = parse_wide(Path::new("x.csv"), f.as_bytes()).expect("parses");
    assert_eq!(w.days.len(), 2);
    assert_eq!(w.days[0].1[0].get(SeriesType::Co, 5), Some(Conc(800)));
    assert_eq!(w.days[0].1[1].get(SeriesType::Co, 5), None);
    assert_eq!(w.days[1].1[1].get(SeriesType::Pm2_5, 0), Some(Conc(12_500)));
    assert_eq!(w.days[1].1[0].get(SeriesType::Pm2_5, 1), None);
    assert_eq!(w.values, 3);
}
