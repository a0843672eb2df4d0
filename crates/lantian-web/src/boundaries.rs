//! City boundaries from a GeoJSON file supplied by the operator (`lantian serve --boundaries FILE`): a
//! FeatureCollection whose features carry the city's GB/T 2260 code in `properties.adcode` and a Polygon or
//! MultiPolygon geometry in longitude/latitude. The outlines are projected once at start-up
//! (equirectangular, scaled by the cosine of the mean latitude) into SVG paths for the overview map.

use std::path::Path;

/// Projected outlines, one SVG path per city.
#[derive(Clone, Debug)]
pub struct Boundaries {
    /// `(city code, SVG path data)`.
    pub paths: Vec<(u32, String)>,
    pub width: f64,
    pub height: f64,
    /// The projection: the west and north edges (degrees), the cosine of the mean latitude, pixels per
    /// degree of latitude.
    west: f64,
    north: f64,
    k: f64,
    scale: f64,
}

fn rings_of(geometry: &serde_json::Value) -> Result<Vec<Vec<(f64, f64)>>, String> {
    let kind = geometry.get("type").and_then(|t| t.as_str()).unwrap_or("");
    let coords = geometry.get("coordinates").ok_or("geometry without coordinates")?;
    let polygons: Vec<&serde_json::Value> = match kind {
        "Polygon" => vec![coords],
        "MultiPolygon" => coords.as_array().ok_or("MultiPolygon coordinates are not an array")?.iter().collect(),
        other => return Err(format!("geometry type {other:?}: expected Polygon or MultiPolygon")),
    };
    let mut rings = Vec::new();
    for p in polygons {
        for ring in p.as_array().ok_or("polygon is not an array of rings")? {
            let pts = ring
                .as_array()
                .ok_or("ring is not an array")?
                .iter()
                .map(|xy| {
                    let a = xy.as_array().filter(|a| a.len() >= 2).ok_or("a position is not [lon, lat]")?;
                    match (a[0].as_f64(), a[1].as_f64()) {
                        (Some(x), Some(y)) if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) => {
                            Ok((x, y))
                        }
                        _ => Err("a position is not [lon, lat] in degrees"),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            rings.push(pts);
        }
    }
    Ok(rings)
}

impl Boundaries {
    /// Reads and projects a GeoJSON file; errors name the file and the feature.
    pub fn load(path: &Path, width: f64) -> Result<Boundaries, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        Boundaries::parse(&text, width).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and projects GeoJSON text into a drawing `width` wide.
    pub fn parse(text: &str, width: f64) -> Result<Boundaries, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let features = v.get("features").and_then(|f| f.as_array()).ok_or("not a GeoJSON FeatureCollection")?;
        let mut cities = Vec::new();
        for (k, f) in features.iter().enumerate() {
            let code = f
                .pointer("/properties/adcode")
                .and_then(|c| c.as_u64().or_else(|| c.as_str().and_then(|s| s.parse().ok())))
                .ok_or_else(|| format!("feature {k}: properties.adcode missing or not a code"))?;
            let geometry = f.get("geometry").ok_or_else(|| format!("feature {k}: no geometry"))?;
            let rings = rings_of(geometry).map_err(|e| format!("feature {k} ({code}): {e}"))?;
            cities.push((code as u32, rings));
        }
        let all = cities.iter().flat_map(|(_, r)| r.iter().flatten());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in all {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if cities.is_empty() || x1 <= x0 || y1 <= y0 {
            return Err("no outlines in the file".into());
        }
        let k = ((y0 + y1) / 2.0).to_radians().cos();
        let scale = (width - 10.0) / ((x1 - x0) * k);
        let height = (y1 - y0) * scale + 10.0;
        let paths = cities
            .into_iter()
            .map(|(code, rings)| {
                let mut d = String::new();
                for ring in rings {
                    for (i, (x, y)) in ring.iter().enumerate() {
                        let (px, py) = (5.0 + (x - x0) * k * scale, 5.0 + (y1 - y) * scale);
                        d.push_str(&format!("{}{px:.1},{py:.1}", if i == 0 { "M" } else { "L" }));
                    }
                    d.push('Z');
                }
                (code, d)
            })
            .collect();
        Ok(Boundaries { paths, width, height, west: x0, north: y1, k, scale })
    }

    /// A point (longitude, latitude) on the drawing, projected as the outlines are (the cities' labels).
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        (5.0 + (lon - self.west) * self.k * self.scale, 5.0 + (self.north - lat) * self.scale)
    }
}
