//! Real data: recomputes the Sichuan city adjacency from the DataV GeoJSON in shared/data (README §4)
//! and compares it with the committed `rules/sichuan-adjacency.toml` (made by tools/adjacency.py).
//!
//! The data folder is `$LANTIAN_SHARED_DATA`, else `<CARGO_MANIFEST_DIR>/../../../shared/data`. When it
//! is missing the test is skipped with a message — except under CI (`$CI` set), where it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use lantian_core::emergency::sichuan_adjacency;

type Point = (i64, i64);

fn data_dir() -> PathBuf {
    match std::env::var_os("LANTIAN_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// Integer micro-degrees, as the script does (the file has 6 decimals).
fn micro(v: &serde_json::Value) -> Option<i64> {
    v.as_f64().map(|f| (f * 1_000_000.0).round() as i64)
}

fn edges(geometry: &serde_json::Value) -> Result<BTreeSet<(Point, Point)>, String> {
    let kind = geometry["type"].as_str().ok_or("geometry without type")?;
    let coords = &geometry["coordinates"];
    let polygons: Vec<&serde_json::Value> = match kind {
        "Polygon" => vec![coords],
        "MultiPolygon" => coords.as_array().ok_or("coordinates not an array")?.iter().collect(),
        other => return Err(format!("unexpected geometry {other}")),
    };
    let mut out = BTreeSet::new();
    for poly in polygons {
        for ring in poly.as_array().ok_or("polygon not an array")? {
            let mut pts: Vec<Point> = Vec::new();
            for p in ring.as_array().ok_or("ring not an array")? {
                let x = micro(&p[0]).ok_or("bad longitude")?;
                let y = micro(&p[1]).ok_or("bad latitude")?;
                pts.push((x, y));
            }
            for w in pts.windows(2) {
                if w[0] != w[1] {
                    out.insert(if w[0] < w[1] { (w[0], w[1]) } else { (w[1], w[0]) });
                }
            }
        }
    }
    Ok(out)
}

#[test]
fn adjacency_matches_the_datav_boundaries() {
    let path = data_dir().join("geo/sichuan_510000_datav_v3_2021.geojson");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if std::env::var_os("CI").is_some() => panic!("CI: {} unreadable: {e}", path.display()),
        Err(e) => {
            eprintln!("SKIPPED: {} unreadable ({e}); set LANTIAN_SHARED_DATA", path.display());
            return;
        }
    };
    let json: serde_json::Value = serde_json::from_str(&text).expect("the DataV file is valid JSON");
    let features = json["features"].as_array().expect("a FeatureCollection");
    assert_eq!(features.len(), 21);
    let mut cities: BTreeMap<u32, (String, BTreeSet<(Point, Point)>)> = BTreeMap::new();
    for f in features {
        let code = f["properties"]["adcode"].as_u64().and_then(|c| u32::try_from(c).ok()).expect("adcode");
        let name = f["properties"]["name"].as_str().expect("name").to_string();
        cities.insert(code, (name, edges(&f["geometry"]).expect("geometry")));
    }
    let table = sichuan_adjacency();
    let mut computed = Vec::new();
    let codes: Vec<u32> = cities.keys().copied().collect();
    for (i, a) in codes.iter().enumerate() {
        for b in &codes[i + 1..] {
            let shared = cities[a].1.intersection(&cities[b].1).count() as u32;
            if shared >= table.meta.min_shared_edges {
                computed.push((*a, cities[a].0.clone(), *b, cities[b].0.clone(), shared));
            }
        }
    }
    let committed: Vec<_> =
        table.pairs.iter().map(|p| (p.a, p.a_name.clone(), p.b, p.b_name.clone(), p.shared_edges)).collect();
    assert_eq!(computed, committed);
    assert_eq!(committed.len(), 45);
}
