//! The national station list (站点列表): `监测点编码,监测点名称,城市,经度,纬度,对照点[,省级行政区,地级行政区]`,
//! GB18030 or UTF-8 (detected). Quirks: names carry status text (`(停运200627)`, `（已停运）`,
//! `(对照点)`); `对照点` = `Y` marks background stations and some stopped ones; coordinates may be
//! empty or `-`; `城市` uses short names inconsistently, so grouping uses `地级行政区` when present.

use std::path::Path;

use crate::error::IngestError;

/// One station of the list.
#[derive(Clone, Debug, PartialEq)]
pub struct StationRecord {
    pub code: String,
    pub name: String,
    /// `城市` as written (`成都`, `甘孜州`).
    pub city_label: String,
    /// `省级行政区` (may be empty in the older lists).
    pub province: String,
    /// `地级行政区` (may be empty; then `city_label` names the city).
    pub prefecture: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// `对照点 = Y`: a control (clean reference) station, excluded from city values.
    pub is_control: bool,
    /// The name says the station stopped (停运).
    pub is_stopped: bool,
}

/// Parses a station list (decoded text).
pub fn parse_station_list(path: &Path, text: &str) -> Result<(Vec<StationRecord>, Vec<String>), IngestError> {
    // The header is checked (a column named twice is an error), every row has its width.
    let (headers, rows) = crate::accountability::records(path, text)?;
    let col = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name);
    let need =
        |name: &str| col(name).ok_or_else(|| IngestError::at(path, 1, format!("station list header lacks {name}")));
    let (c_code, c_name, c_city) = (need("监测点编码")?, need("监测点名称")?, need("城市")?);
    let (c_lon, c_lat, c_ctrl, c_prov, c_pref) =
        (col("经度"), col("纬度"), col("对照点"), col("省级行政区"), col("地级行政区"));
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (line, rec) in &rows {
        let (line, rec) = (*line, rec);
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").to_string();
        let code = get(Some(c_code));
        if code.is_empty() {
            return Err(IngestError::cell(path, line, c_code + 1, "监测点编码", "empty station code"));
        }
        // Every code of the national list has this shape (2,026 of 2,026); anything else — a
        // second header of a concatenated file, a damaged code — would become a phantom station.
        if !crate::air::cnemc::is_station_code(&code) {
            return Err(IngestError::cell(
                path,
                line,
                c_code + 1,
                "监测点编码",
                format!("not a station code (four digits and a capital letter, e.g. 1001A): {code:?}"),
            ));
        }
        if let Some(first) = seen.insert(code.clone(), line) {
            return Err(IngestError::cell(
                path,
                line,
                c_code + 1,
                "监测点编码",
                format!("station {code} listed twice (first on line {first})"),
            ));
        }
        let coord = |c: Option<usize>, name: &str, lo: f64, hi: f64| -> Result<Option<f64>, IngestError> {
            let s = get(c);
            if s.is_empty() || s == "-" {
                return Ok(None);
            }
            match s.parse::<f64>() {
                Ok(v) if (lo..=hi).contains(&v) => Ok(Some(v)),
                _ => Err(IngestError::cell(
                    path,
                    line,
                    c.map_or(0, |c| c + 1),
                    name,
                    format!("not a coordinate in {lo}…{hi}: {s:?}"),
                )),
            }
        };
        let lon = coord(c_lon, "经度", -180.0, 180.0)?;
        let lat = coord(c_lat, "纬度", -90.0, 90.0)?;
        let ctrl = get(c_ctrl);
        let is_control = match ctrl.as_str() {
            "Y" | "y" | "是" | "1" => true,
            "N" | "n" | "否" | "0" | "" => false,
            other => {
                return Err(IngestError::cell(
                    path,
                    line,
                    c_ctrl.map_or(0, |c| c + 1),
                    "对照点",
                    format!("expected Y or N, found {other:?}"),
                ))
            }
        };
        let name = get(Some(c_name));
        let is_stopped = name.contains("停运");
        if lon.is_none() && c_lon.is_some() {
            warnings.push(format!("{}:{line}: station {code} has no coordinates", path.display()));
        }
        out.push(StationRecord {
            code,
            name,
            city_label: get(Some(c_city)),
            province: get(c_prov),
            prefecture: get(c_pref),
            lon,
            lat,
            is_control,
            is_stopped,
        });
    }
    if out.is_empty() {
        return Err(IngestError::file(path, "station list has no stations"));
    }
    Ok((out, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quirks() {
        let t = "监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区\n1001A,万寿西宫,北京,116.3621,39.8784,N,北京市,北京市\n1045A,X(停运200627),北京,,,Y,北京市,北京市\n";
        let (s, w) = parse_station_list(Path::new("s.csv"), t).expect("parses");
        assert_eq!(s.len(), 2);
        assert!(s[1].is_stopped && s[1].is_control && s[1].lon.is_none());
        assert_eq!(w.len(), 1);
        let bad = "监测点编码,监测点名称,城市,经度,纬度,对照点\n1001A,A,北京,abc,39,N\n";
        let e = parse_station_list(Path::new("s.csv"), bad).expect_err("bad lon");
        assert_eq!((e.line, e.column), (Some(2), Some(4)));
    }
}
