//! Responses computed once per state of the data they read (ARCHITECTURE.md invariant 9): a GET
//! answer is stored with the data areas its computation read from the store
//! ([`lantian_store::record_reads`]) and their versions ([`lantian_store::AirStore::data_versions`]), and
//! served again until one of those areas changes. An upload of targets leaves the hourly AQI answers
//! cached; a revised hour invalidates the AQI series and the rankings, not the alerts.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use chrono::NaiveDate;
use lantian_store::{AreaSet, DataArea, DataVersions};

use crate::ApiError;

/// One answer: the areas it read, their versions when it was computed, the body; and, when it read
/// hourly data only by date, the label days it read with the hourly version it was computed at (then
/// the hourly area's own version is not compared: an import of other days leaves it valid).
struct Entry {
    areas: AreaSet,
    versions: DataVersions,
    days: Option<HourlyDays>,
    body: Bytes,
}

/// Label days of hourly data read (merged ranges) and the hourly version the answer was computed at.
type HourlyDays = (Vec<(NaiveDate, NaiveDate)>, u64);

impl Entry {
    /// The areas compared by their versions (all read but hourly, when the hourly months are kept).
    fn compared(&self) -> AreaSet {
        match self.days {
            Some(_) => self.areas.without(DataArea::Hourly),
            None => self.areas,
        }
    }

    fn valid_at(&self, now: &DataVersions) -> bool {
        now.only(self.compared()) == self.versions
    }
}

/// Serialised answers keyed by request (path, query and the caller's read scope).
pub struct ResponseCache {
    map: Mutex<HashMap<String, Entry>>,
    capacity: usize,
}

impl ResponseCache {
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache { map: Mutex::new(HashMap::new()), capacity }
    }

    /// The answer for `key` if no area it read has changed since (`now`: the store's versions, read
    /// before the answer would be computed), with the hourly days that must still be checked
    /// ([`cached_body`] asks the store).
    fn get(&self, key: &str, now: &DataVersions) -> Option<(Bytes, Option<HourlyDays>)> {
        let map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(key).filter(|e| e.valid_at(now)).map(|e| (e.body.clone(), e.days.clone()))
    }

    /// Stores an answer computed from the data at `versions` (read before the computation began: an
    /// import that lands during it makes the answer look older than it is, never newer) that read
    /// `areas` (and the hourly `days`). When full, stale entries go first, then everything.
    fn put(&self, key: String, areas: AreaSet, versions: &DataVersions, days: Option<HourlyDays>, body: Bytes) {
        let mut map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= self.capacity {
            map.retain(|_, e| e.valid_at(versions));
            if map.len() >= self.capacity {
                map.clear();
            }
        }
        let mut e = Entry { areas, versions: DataVersions::default(), days, body };
        e.versions = versions.only(e.compared());
        map.insert(key, e);
    }
}

/// The body for `key`: the cached one if the data it read are unchanged, else `f`'s answer serialised
/// to JSON and cached with what `f` read (`api::cached_json` runs it on a blocking thread with a pooled
/// connection). An answer that read hourly data only by date is kept while none of the label days it
/// read changed after the hourly version it was computed at (`lantian_store::record_reads_by_day`,
/// `Store::hourly_last_change`): the ranking of November stays cached while January is imported.
pub fn cached_body<T: serde::Serialize>(
    cache: &ResponseCache,
    store: &mut dyn lantian_store::Store,
    key: String,
    f: impl FnOnce(&mut dyn lantian_store::Store) -> Result<T, ApiError>,
) -> Result<Bytes, ApiError> {
    cached_bytes(cache, store, key, |store| {
        let value = f(store)?;
        serde_json::to_vec(&value).map(Bytes::from).map_err(|e| ApiError::internal(format!("serialising: {e}")))
    })
}

/// [`cached_body`] of an answer already rendered (a page's HTML).
pub fn cached_bytes(
    cache: &ResponseCache,
    store: &mut dyn lantian_store::Store,
    key: String,
    f: impl FnOnce(&mut dyn lantian_store::Store) -> Result<Bytes, ApiError>,
) -> Result<Bytes, ApiError> {
    let versions = store.data_versions()?;
    if let Some((body, days)) = cache.get(&key, &versions) {
        match days {
            None => return Ok(body),
            Some((days, at)) => {
                if store.hourly_last_change(&days)? <= at {
                    return Ok(body);
                }
            }
        }
    }
    let (body, areas, days) = lantian_store::record_reads_by_day(|| f(store));
    let body = body?;
    // Computed at the hourly version read before it began: an import landing meanwhile records a later
    // version for its days, so the answer looks older than it is, never newer.
    let days = days.map(|d| (d, versions.get(DataArea::Hourly)));
    cache.put(key, areas, &versions, days, body.clone());
    Ok(body)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::Path;

    use chrono::NaiveDate;
    use lantian_core::accountability::points::PointsScheme;
    use lantian_core::air::aqi::RealTimeConvention;
    use lantian_core::air::period::{Period, ResultVariant};
    use lantian_service::accountability::assess;
    use lantian_store::{SqliteStore, StationFilter, Store};

    use super::*;

    fn samples() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../lantian-ingest/samples")
    }

    /// Imports through the upload's path (`lantian_service::import`).
    fn import(store: &mut dyn Store, name: &str, bytes: Vec<u8>) {
        let (meta, ready) =
            lantian_service::import::prepare(Path::new(name), bytes, "2026-01-01T00:00:00+08:00").expect("prepares");
        let o = lantian_service::import::write_one(store, &meta, &ready).expect("writes");
        assert!(o.changed() || o.revisions.count > 0, "{name} changed the store: {o:?}");
    }

    fn import_sample(store: &mut dyn Store, name: &str) {
        import(store, name, std::fs::read(samples().join(name)).expect("sample"));
    }

    /// The hourly AQI series of 成都's stations on 2023-01-20, as `/api/v1/aqi/hourly` computes it.
    fn hourly(store: &mut dyn Store) -> Result<Vec<String>, ApiError> {
        let city = store.resolve_city("成都")?.ok_or_else(|| ApiError::internal("no 成都"))?;
        let sts = store.stations(&StationFilter { codes: Vec::new(), city_ids: vec![city.id] })?;
        let day = NaiveDate::from_ymd_opt(2023, 1, 20).ok_or_else(|| ApiError::internal("date"))?;
        let mut out = Vec::new();
        lantian_service::for_each_hourly(store, &sts, day, day, RealTimeConvention::Publisher, |r| {
            out.push(format!("{} {} {:?}", r.station.code, r.time, r.result.aqi));
        })?;
        Ok(out)
    }

    /// 成都's ranking for January 2023 (dust excluded, the default), as `/api/v1/rankings` computes it.
    fn ranking(store: &mut dyn Store) -> Result<Vec<String>, ApiError> {
        let scope = assess::resolve_scope(store, Some("成都"))?;
        let period = Period::parse("2023-01").map_err(|e| ApiError::internal(e.to_string()))?;
        let rows = assess::rank_with(store, &scope, &period, &assess::RankOptions::default())?;
        Ok(rows.iter().map(|r| format!("{} {:?} {:?} {:?}", r.city.name, r.rank, r.not_ranked, r.stats)).collect())
    }

    /// 成都's points for January 2023, as `/api/v1/points` computes them.
    fn points(store: &mut dyn Store) -> Result<Vec<String>, ApiError> {
        let scheme = PointsScheme::default_scheme().map_err(|e| ApiError::internal(e.to_string()))?;
        let scope = assess::resolve_scope(store, Some("成都"))?;
        let period = Period::parse("2023-01").map_err(|e| ApiError::internal(e.to_string()))?;
        let scored = lantian_service::accountability::points::points(
            store,
            &scope,
            &period,
            &scheme,
            ResultVariant::DustExcluded,
        )?;
        Ok(scored.iter().map(|c| format!("{} {:?} {:?} {:?}", c.city.name, c.rank, c.input, c.result)).collect())
    }

    type Answer = fn(&mut dyn Store) -> Result<Vec<String>, ApiError>;
    const ANSWERS: [(&str, Answer); 3] = [("hourly", hourly), ("ranking", ranking), ("points", points)];

    /// Asks every answer through the cache; returns which were computed (not served from the cache),
    /// and checks each body against a fresh computation: a cached answer is never stale.
    fn ask(cache: &ResponseCache, store: &mut SqliteStore) -> Vec<&'static str> {
        let mut computed = Vec::new();
        for (name, f) in ANSWERS {
            let ran = Cell::new(false);
            let body = cached_body(cache, store, name.to_string(), |s| {
                ran.set(true);
                f(s)
            })
            .expect("answers");
            let fresh = serde_json::to_vec(&f(store).expect("answers")).expect("serialises");
            assert_eq!(body, fresh, "{name}: the cached body is the fresh one");
            if ran.get() {
                computed.push(name);
            }
        }
        computed
    }

    /// Issue 13 item 4 (ARCHITECTURE.md invariant 9): an answer is computed again after a change to a
    /// data area it read, and only then. Targets feed points and the dust-excluded ranking (which reads
    /// the assessment inputs), not the hourly AQI; a revised hour feeds all three; enterprises feed none.
    #[test]
    fn an_answer_is_renewed_by_changes_to_what_it_read_only() {
        let mut store = SqliteStore::memory().expect("store");
        import_sample(&mut store, "station-list.csv");
        import_sample(&mut store, "cnemc-sites.csv");
        let cache = ResponseCache::new(100);
        assert_eq!(ask(&cache, &mut store), ["hourly", "ranking", "points"], "the first request computes");
        assert!(ask(&cache, &mut store).is_empty(), "nothing changed: every answer from the cache");

        import(&mut store, "targets.csv", "city,year,pm2_5,good_day_ratio\n成都,2023,38,80.5\n".into());
        assert_eq!(ask(&cache, &mut store), ["ranking", "points"], "targets: the hourly AQI stays cached");
        assert!(ask(&cache, &mut store).is_empty());

        let before = hourly(&mut store).expect("hourly");
        // 1431A's PM2.5 at 01:00 was 24 µg/m³ (IAQI ⌈50 × 24 / 35⌉ = 35, the highest of the hour);
        // 200 µg/m³ makes it 200 + 100 × (200 − 150) / (250 − 150) = 250 (HJ 633-2012 table 1).
        import(&mut store, "rev.csv", "date,hour,type,1431A\n20230120,1,PM2.5,200\n".into());
        assert_eq!(ask(&cache, &mut store), ["hourly", "ranking", "points"], "a revised hour: all three");
        let after = hourly(&mut store).expect("hourly");
        assert_ne!(before, after);
        assert!(after.iter().any(|r| r.starts_with("1431A 2023-01-20 01:00:00 Some(250)")), "{after:?}");

        import_sample(&mut store, "enterprises.csv");
        assert!(ask(&cache, &mut store).is_empty(), "enterprises: no answer here read them");
    }

    /// A full cache drops the stale answers first and keeps the valid ones.
    #[test]
    fn a_full_cache_drops_stale_answers_first() {
        let cache = ResponseCache::new(2);
        let mut v = DataVersions::default();
        cache.put("hourly".into(), AreaSet::of(&[DataArea::Hourly]), &v, None, Bytes::from_static(b"h"));
        cache.put("points".into(), AreaSet::of(&[DataArea::Assessment]), &v, None, Bytes::from_static(b"p"));
        v.set(DataArea::Assessment, 1);
        cache.put("ranking".into(), AreaSet::of(&[DataArea::Hourly]), &v, None, Bytes::from_static(b"r"));
        let body = |k: &str| cache.get(k, &v).map(|(b, _)| b);
        assert_eq!(body("hourly"), Some(Bytes::from_static(b"h")), "still valid, kept");
        assert_eq!(body("points"), None, "stale, dropped");
        assert_eq!(body("ranking"), Some(Bytes::from_static(b"r")));
    }

    /// An answer that read the hourly data of some days is kept while other days are imported and
    /// renewed when its own days change — on a store where the generation, the daily cache and the
    /// blocks are all read (the hourly AQI and ranking answers).
    #[test]
    fn an_import_of_other_days_keeps_the_answers_of_these() {
        let mut store = SqliteStore::memory().expect("store");
        import_sample(&mut store, "station-list.csv");
        import_sample(&mut store, "cnemc-sites.csv");
        let cache = ResponseCache::new(64);
        assert_eq!(ask(&cache, &mut store), vec!["hourly", "ranking", "points"], "first: all computed");
        assert!(ask(&cache, &mut store).is_empty(), "then cached");
        // 5 February 2023: another day of hourly data for the same station. (Label day 1 February closes
        // 31 January, so the January answers read it too: a file of 1 February would renew them.)
        import(&mut store, "china_sites_20230205.csv", b"date,hour,type,1431A\n20230205,1,PM2.5,30\n".to_vec());
        let after = ask(&cache, &mut store);
        assert!(after.is_empty(), "an import of 5 February leaves January's answers cached: {after:?}");
        import(&mut store, "china_sites_20230201.csv", b"date,hour,type,1431A\n20230201,1,PM2.5,31\n".to_vec());
        let after = ask(&cache, &mut store);
        assert_eq!(after, vec!["ranking", "points"], "1 February closes 31 January: the month's answers renew");
        // January again, revised: renewed.
        import(&mut store, "china_sites_20230120.csv", b"date,hour,type,1431A\n20230120,1,PM2.5,99\n".to_vec());
        let renewed = ask(&cache, &mut store);
        assert!(renewed.contains(&"hourly"), "{renewed:?}");
    }
}
