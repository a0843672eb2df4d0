//! The statistical model: city profiles, city-level hourly fields (season, weather, episodes,
//! diurnal cycles) and station-level values with noise and gaps.
//!
//! Time is the absolute label hour `t = day · 24 + h`, with `day` the chrono day number
//! (`num_days_from_ce`) of the file date and `h` the label hour (the hour *ending* at `h`). Every
//! function here is pure in `(seed, entity, t)`.

use std::f64::consts::TAU;

use lantian_core::regions::cities::{sichuan_city, RegionId};

use crate::rng::{hash, mix, normal_of, text_key, unit, value_noise, Rng};
use crate::stations::{synth_prefecture_centre, SynthStation, SICHUAN_STATIONS, SYNTH_PREFECTURES, SYNTH_PROVINCE};

/// Number of pollutants, in the order of their hourly rows in the file.
pub(crate) const NP: usize = 6;
pub(crate) const PM25: usize = 0;
pub(crate) const PM10: usize = 1;
pub(crate) const SO2: usize = 2;
pub(crate) const NO2: usize = 3;
pub(crate) const O3: usize = 4;
pub(crate) const CO: usize = 5;

// Tags of the random streams.
const T_MET_REGION: u64 = 0x4d45_5452;
const T_MET_ZONE: u64 = 0x4d45_545a;
const T_MET_CITY: u64 = 0x4d45_5443;
const T_MET_SLOW: u64 = 0x4d45_5453;
const T_SUN_REGION: u64 = 0x5355_4e52;
const T_SUN_CITY: u64 = 0x5355_4e43;
const T_EPISODE: u64 = 0x4550_4953;
const T_NOISE: u64 = 0x4e4f_4953;
const T_GAPS: u64 = 0x4741_5053;
const T_OUTAGE: u64 = 0x4f55_5447;
const T_INSTRUMENT: u64 = 0x494e_5354;
const T_NETWORK: u64 = 0x4e45_5457;
const T_STATION: u64 = 0x5354_4e50;

/// Broad climate of a city: sets the seasonal cycles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Climate {
    /// Sichuan basin: winter haze, summer ozone.
    Basin,
    /// 攀西 (Panzhihua, Liangshan): dry-season (spring) maximum, little basin haze.
    Panxi,
    /// 川西北 plateau: clean, spring ozone background.
    Plateau,
    /// Synthetic eastern-China plains city.
    Plains,
}

/// Which group of episode centres a city belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Zone {
    Sichuan,
    Synthetic,
}

/// Long-term character of a city: annual mean levels (μg/m³; CO mg/m³) and behaviour.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Profile {
    pm25: f64,
    pm10_ratio: f64,
    so2: f64,
    no2: f64,
    co: f64,
    /// Ozone background (μg/m³) and photochemical afternoon amplitude at the summer peak.
    o3_bg: f64,
    o3_amp: f64,
    /// Probability per station-hour of an industrial SO2 plume.
    so2_plume: f64,
    climate: Climate,
    /// Exposure to the winter PM2.5 and summer O3 episodes of the zone (0–1).
    pm_episode: f64,
    o3_episode: f64,
}

#[allow(clippy::too_many_arguments)]
const fn prof(
    pm25: f64,
    pm10_ratio: f64,
    so2: f64,
    no2: f64,
    co: f64,
    o3_bg: f64,
    o3_amp: f64,
    so2_plume: f64,
    climate: Climate,
    pm_episode: f64,
    o3_episode: f64,
) -> Profile {
    Profile { pm25, pm10_ratio, so2, no2, co, o3_bg, o3_amp, so2_plume, climate, pm_episode, o3_episode }
}

/// Profiles of the 21 Sichuan cities (by GB/T 2260 code). Levels are of the order of the cities'
/// published annual means of the early 2020s: 攀枝花 high SO2 (steel), 成都 high NO2, basin cities
/// hazy in winter, the plateau clean.
fn sichuan_profile(code: u32) -> Profile {
    use Climate::*;
    match code {
        510100 => prof(36.0, 1.55, 4.0, 34.0, 0.65, 38.0, 108.0, 0.0, Basin, 1.0, 1.0), // 成都
        510300 => prof(42.0, 1.35, 7.0, 26.0, 0.70, 37.0, 102.0, 0.0, Basin, 1.0, 1.0), // 自贡
        510400 => prof(28.0, 1.75, 21.0, 30.0, 1.60, 50.0, 70.0, 0.03, Panxi, 0.1, 0.3), // 攀枝花
        510500 => prof(37.0, 1.35, 9.0, 27.0, 0.70, 36.0, 96.0, 0.004, Basin, 1.0, 1.0), // 泸州
        510600 => prof(35.0, 1.55, 6.0, 26.0, 0.70, 40.0, 100.0, 0.006, Basin, 1.0, 1.0), // 德阳
        510700 => prof(32.0, 1.60, 6.0, 24.0, 0.75, 40.0, 95.0, 0.0, Basin, 1.0, 0.9),  // 绵阳
        510800 => prof(25.0, 1.70, 8.0, 21.0, 0.80, 44.0, 80.0, 0.006, Basin, 0.6, 0.5), // 广元
        510900 => prof(31.0, 1.50, 6.0, 22.0, 0.70, 38.0, 86.0, 0.0, Basin, 1.0, 0.8),  // 遂宁
        511000 => prof(38.0, 1.35, 7.0, 24.0, 0.70, 36.0, 96.0, 0.0, Basin, 1.0, 1.0),  // 内江
        511100 => prof(38.0, 1.45, 8.0, 25.0, 0.80, 40.0, 96.0, 0.01, Basin, 1.0, 1.0), // 乐山
        511300 => prof(35.0, 1.45, 7.0, 24.0, 0.70, 36.0, 86.0, 0.0, Basin, 1.0, 0.7),  // 南充
        511400 => prof(37.0, 1.45, 6.0, 25.0, 0.70, 40.0, 100.0, 0.0, Basin, 1.0, 1.0), // 眉山
        511500 => prof(40.0, 1.35, 9.0, 27.0, 0.70, 36.0, 100.0, 0.005, Basin, 1.0, 1.0), // 宜宾
        511600 => prof(32.0, 1.50, 8.0, 22.0, 0.80, 36.0, 86.0, 0.0, Basin, 1.0, 0.7),  // 广安
        511700 => prof(38.0, 1.40, 11.0, 30.0, 1.00, 34.0, 80.0, 0.01, Basin, 1.0, 0.6), // 达州
        511800 => prof(28.0, 1.50, 5.0, 20.0, 0.60, 42.0, 86.0, 0.0, Basin, 0.7, 0.8),  // 雅安
        511900 => prof(28.0, 1.55, 6.0, 20.0, 0.75, 38.0, 80.0, 0.0, Basin, 0.8, 0.6),  // 巴中
        512000 => prof(33.0, 1.45, 6.0, 22.0, 0.65, 40.0, 96.0, 0.0, Basin, 1.0, 1.0),  // 资阳
        513200 => prof(11.0, 2.00, 6.0, 8.0, 0.35, 62.0, 40.0, 0.0, Plateau, 0.0, 0.0), // 阿坝州
        513300 => prof(12.0, 2.00, 7.0, 9.0, 0.40, 64.0, 40.0, 0.0, Plateau, 0.0, 0.0), // 甘孜州
        513400 => prof(22.0, 1.90, 12.0, 16.0, 0.80, 52.0, 60.0, 0.005, Panxi, 0.05, 0.2), // 凉山州
        _ => prof(30.0, 1.5, 8.0, 22.0, 0.7, 40.0, 85.0, 0.0, Basin, 0.5, 0.5),
    }
}

/// Profile of synthetic prefecture `i`: a plains city whose levels grow towards the north.
fn synth_profile(i: usize, lat: f64) -> Profile {
    let h = hash(&[0x5052_4f46, i as u64]);
    let (a, b, c) = (normal_of(h), normal_of(mix(h)), normal_of(mix(mix(h))));
    let n = (lat - 25.0).max(0.0);
    prof(
        (26.0 + 2.0 * n + 5.0 * a).max(12.0),
        1.45 + 0.03 * n,
        (5.0 + 0.9 * n + 2.0 * b.abs()).max(2.0),
        (24.0 + 6.0 * c).clamp(12.0, 45.0),
        0.6 + 0.03 * n,
        40.0,
        80.0 + 2.0 * n,
        0.004,
        Climate::Plains,
        1.0,
        0.8,
    )
}

/// A prefecture of the generated network.
pub(crate) struct CityModel {
    key: u64,
    region_key: u64,
    lon: f64,
    lat: f64,
    zone: Zone,
    /// Delay (hours) of the zone-wide weather at this city.
    zone_lag_h: i64,
    profile: Profile,
}

/// Centroid of the operating non-control real stations of a prefecture (from the full embedded
/// list, so a subset of stations sees the same city).
fn sichuan_centroid(prefecture: &str) -> Option<(f64, f64)> {
    let pts: Vec<(f64, f64)> = SICHUAN_STATIONS
        .iter()
        .filter(|s| s.prefecture == prefecture && !s.control && !s.name.contains("停运"))
        .map(|s| (s.lon, s.lat))
        .collect();
    if pts.is_empty() {
        return None;
    }
    let n = pts.len() as f64;
    Some((pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n))
}

fn region_key(r: RegionId) -> u64 {
    0x5245_4700 + r as u64
}

impl CityModel {
    /// The city of a station (any station: real, synthetic, or a caller-made one).
    pub(crate) fn for_station(s: &SynthStation) -> CityModel {
        if s.province == SYNTH_PROVINCE {
            if let Some(i) = (0..SYNTH_PREFECTURES).find(|&i| crate::stations::synth_prefecture_name(i) == s.prefecture)
            {
                let (lon, lat) = synth_prefecture_centre(i);
                return CityModel {
                    key: text_key(&s.prefecture),
                    region_key: 0x5359_5200 + (i / 8) as u64,
                    lon,
                    lat,
                    zone: Zone::Synthetic,
                    zone_lag_h: 0,
                    profile: synth_profile(i, lat),
                };
            }
        }
        let city = s.city_code.and_then(|c| sichuan_city(&c.to_string())).or_else(|| sichuan_city(&s.prefecture));
        match city {
            Some(c) => {
                let (lon, lat) = sichuan_centroid(c.name).unwrap_or((s.lon, s.lat));
                CityModel {
                    key: u64::from(c.code),
                    region_key: region_key(c.region),
                    lon,
                    lat,
                    zone: Zone::Sichuan,
                    zone_lag_h: (km(CHENGDU, (lon, lat)) / WEATHER_SPEED_KM_H) as i64,
                    profile: sichuan_profile(c.code),
                }
            }
            None => CityModel {
                // Unknown prefecture: a generic basin-like city at the station.
                key: text_key(&s.prefecture),
                region_key: text_key(&s.province),
                lon: s.lon,
                lat: s.lat,
                zone: Zone::Synthetic,
                zone_lag_h: 0,
                profile: sichuan_profile(0),
            },
        }
    }

    /// Key of the zone-wide weather: the Sichuan basin, or each synthetic region on its own.
    fn zone_key(&self) -> u64 {
        match self.zone {
            Zone::Sichuan => 0x5343,
            Zone::Synthetic => self.region_key,
        }
    }

    /// Whether two station records belong to the same modelled city.
    pub(crate) fn same(&self, other: &CityModel) -> bool {
        self.key == other.key && self.zone == other.zone
    }
}

/// Centre of the Chengdu plain, reference of the basin-wide weather.
const CHENGDU: (f64, f64) = (104.07, 30.66);
/// Speed at which basin-wide weather moves away from Chengdu (km/h; ≈ 400 km/day).
const WEATHER_SPEED_KM_H: f64 = 16.0;

/// Distance in km (equirectangular; fine at these scales).
fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let lat = (a.1 + b.1).to_radians() / 2.0;
    let dx = (b.0 - a.0) * 111.32 * lat.cos();
    let dy = (b.1 - a.1) * 110.57;
    (dx * dx + dy * dy).sqrt()
}

/// `exp(a·cos(2π(doy − peak)/365.25))`, normalised to an annual mean of about 1.
fn seasonal(doy: f64, peak: f64, a: f64) -> f64 {
    (a * (TAU * (doy - peak) / 365.25).cos()).exp() / (1.0 + a * a / 4.0 + a.powi(4) / 64.0)
}

/// Circular day-of-year distance.
fn doy_dist(doy: f64, peak: f64) -> f64 {
    let d = (doy - peak).rem_euclid(365.25);
    d.min(365.25 - d)
}

fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Winter weight: 1 in mid-January, 0 in mid-July.
fn winter(doy: f64) -> f64 {
    0.5 * (1.0 + (TAU * (doy - 15.0) / 365.25).cos())
}

// Diurnal shapes by label hour (the hour ending at h), mean ≈ 1.
/// Primary PM under a winter boundary layer: night and morning high, afternoon low.
const PM_DIURNAL: [f64; 24] = [
    1.06, 1.08, 1.08, 1.07, 1.06, 1.06, 1.07, 1.09, 1.12, 1.15, 1.14, 1.08, 0.98, 0.90, 0.84, 0.81, 0.80, 0.83, 0.88,
    0.93, 0.97, 1.00, 1.03, 1.04,
];
/// NO2: morning (08–10) and evening (19–22) rush hours, afternoon photolysis minimum.
const NO2_DIURNAL: [f64; 24] = [
    1.03, 0.97, 0.91, 0.86, 0.83, 0.84, 0.91, 1.03, 1.19, 1.27, 1.17, 1.01, 0.89, 0.81, 0.76, 0.75, 0.79, 0.89, 1.03,
    1.19, 1.28, 1.27, 1.19, 1.10,
];
/// SO2: daytime fumigation of elevated plumes.
const SO2_DIURNAL: [f64; 24] = [
    0.88, 0.86, 0.85, 0.84, 0.84, 0.85, 0.87, 0.91, 0.98, 1.08, 1.18, 1.24, 1.25, 1.22, 1.16, 1.10, 1.04, 1.00, 0.97,
    0.95, 0.93, 0.92, 0.90, 0.89,
];

/// The six expected concentrations of a city for each label hour of one day.
pub(crate) struct CityDay {
    pub(crate) v: [[f64; NP]; 24],
}

/// One episode as seen from a city.
struct Episode {
    onset: f64,
    end: f64,
    strength: f64,
}

#[derive(Clone, Copy)]
struct EpisodeKind {
    tag: u64,
    slot_days: i64,
    p_max: f64,
    dur_days: (f64, f64),
    intensity: (f64, f64),
    /// Spread of onset (km/day) and of clearance (km/day).
    spread: f64,
    clear: f64,
    scale_km: f64,
    o3: bool,
}

const PM_EPISODES: EpisodeKind = EpisodeKind {
    tag: 0x504d,
    slot_days: 7,
    p_max: 0.6,
    dur_days: (3.0, 7.5),
    intensity: (1.6, 3.4),
    spread: 170.0,
    clear: 450.0,
    scale_km: 250.0,
    o3: false,
};

const O3_EPISODES: EpisodeKind = EpisodeKind {
    tag: 0x4f33,
    slot_days: 6,
    p_max: 0.6,
    dur_days: (2.0, 5.0),
    intensity: (1.25, 1.65),
    spread: 300.0,
    clear: 600.0,
    scale_km: 300.0,
    o3: true,
};

/// Sichuan centres: the Chengdu plain, 川南 (自贡–内江), 川东北 (南充–达州); ozone episodes only
/// start on the plain and in 川南.
const SICHUAN_PM_CENTRES: [(f64, f64, f64); 3] = [(104.07, 30.66, 0.5), (104.90, 29.45, 0.25), (106.60, 31.00, 0.25)];
const SICHUAN_O3_CENTRES: [(f64, f64, f64); 2] = [(104.07, 30.66, 0.6), (104.85, 29.35, 0.4)];

impl EpisodeKind {
    fn probability(&self, doy: f64) -> f64 {
        if self.o3 {
            let d = doy_dist(doy, 185.0) / 55.0;
            self.p_max * (-d * d).exp()
        } else {
            let c = (TAU * (doy - 15.0) / 365.25).cos().max(0.0);
            self.p_max * c * c
        }
    }

    /// The strongest episode factor (≥ 1) acting on a city at label hour `t`.
    fn factor(&self, seed: u64, city: &CityModel, t: i64) -> f64 {
        let exposure = if self.o3 { city.profile.o3_episode } else { city.profile.pm_episode };
        if exposure <= 0.0 {
            return 1.0;
        }
        let day = t.div_euclid(24);
        let slot_len = self.slot_days;
        let newest = day.div_euclid(slot_len);
        let oldest = (day - 14).div_euclid(slot_len);
        let mut best = 1.0f64;
        for slot in oldest..=newest {
            if let Some(e) = self.episode(seed, city, slot) {
                let th = t as f64;
                let up = smoothstep((th - e.onset) / 24.0);
                let down = 1.0 - smoothstep((th - e.end) / 12.0);
                let f = 1.0 + (e.strength - 1.0) * exposure * up * down;
                best = best.max(f);
            }
        }
        best
    }

    fn episode(&self, seed: u64, city: &CityModel, slot: i64) -> Option<Episode> {
        let zone_key = match city.zone {
            Zone::Sichuan => 1,
            Zone::Synthetic => 2,
        };
        let mut r = Rng::new(hash(&[seed, T_EPISODE, self.tag, zone_key, slot as u64]));
        let start_day = slot * self.slot_days;
        if r.uniform() >= self.probability(doy_of_day(start_day)) {
            return None;
        }
        let centre = match city.zone {
            Zone::Sichuan => {
                let list: &[(f64, f64, f64)] = if self.o3 { &SICHUAN_O3_CENTRES } else { &SICHUAN_PM_CENTRES };
                let u = r.uniform();
                let mut acc = 0.0;
                let mut c = (list[0].0, list[0].1);
                for &(lon, lat, w) in list {
                    acc += w;
                    c = (lon, lat);
                    if u < acc {
                        break;
                    }
                }
                c
            }
            Zone::Synthetic => synth_prefecture_centre((r.next_u64() % SYNTH_PREFECTURES as u64) as usize),
        };
        let start = (start_day * 24) as f64 + r.range(0.0, (self.slot_days * 24) as f64);
        let dur = r.range(self.dur_days.0, self.dur_days.1) * 24.0;
        let u = r.uniform();
        let strength = self.intensity.0 + (self.intensity.1 - self.intensity.0) * u.powf(1.4);
        let d = km(centre, (city.lon, city.lat));
        let reach = (-(d / self.scale_km).powi(2)).exp();
        if reach < 0.02 {
            return None;
        }
        Some(Episode {
            onset: start + d / self.spread * 24.0,
            end: start + dur + d / self.clear * 24.0,
            strength: 1.0 + (strength - 1.0) * reach,
        })
    }
}

/// Day of year (1-based, fractional part ignored) of a chrono day number.
fn doy_of_day(day: i64) -> f64 {
    chrono::NaiveDate::from_num_days_from_ce_opt(day as i32).map_or(1.0, |d| f64::from(chrono::Datelike::ordinal(&d)))
}

struct ClimateParams {
    pm_peak: f64,
    pm_a: f64,
    pm_diurnal: f64,
    o3_bg_peak: f64,
    o3_photo_peak: f64,
    o3_photo_width: f64,
    o3_photo_floor: f64,
    met_sigma: (f64, f64),
    zone_weather: f64,
}

fn climate_params(c: Climate) -> ClimateParams {
    match c {
        Climate::Basin => ClimateParams {
            pm_peak: 10.0,
            pm_a: 0.62,
            pm_diurnal: 1.0,
            o3_bg_peak: 150.0,
            o3_photo_peak: 185.0,
            o3_photo_width: 62.0,
            o3_photo_floor: 0.22,
            met_sigma: (0.27, 0.17),
            zone_weather: 0.6,
        },
        Climate::Panxi => ClimateParams {
            pm_peak: 75.0,
            pm_a: 0.45,
            pm_diurnal: 0.8,
            o3_bg_peak: 110.0,
            o3_photo_peak: 115.0,
            o3_photo_width: 60.0,
            o3_photo_floor: 0.4,
            met_sigma: (0.28, 0.08),
            zone_weather: 0.25,
        },
        Climate::Plateau => ClimateParams {
            pm_peak: 60.0,
            pm_a: 0.3,
            pm_diurnal: 0.7,
            o3_bg_peak: 130.0,
            o3_photo_peak: 150.0,
            o3_photo_width: 80.0,
            o3_photo_floor: 0.45,
            met_sigma: (0.26, 0.04),
            zone_weather: 0.2,
        },
        Climate::Plains => ClimateParams {
            pm_peak: 5.0,
            pm_a: 0.6,
            pm_diurnal: 1.0,
            o3_bg_peak: 150.0,
            o3_photo_peak: 175.0,
            o3_photo_width: 55.0,
            o3_photo_floor: 0.2,
            met_sigma: (0.27, 0.15),
            zone_weather: 0.5,
        },
    }
}

/// Expected concentrations of a city for the 24 label hours of a day.
pub(crate) fn city_day(seed: u64, city: &CityModel, day: i64) -> CityDay {
    let p = &city.profile;
    let cp = climate_params(p.climate);
    let mut out = CityDay { v: [[0.0; NP]; 24] };
    for h in 0..24 {
        let t = day * 24 + h as i64;
        // Slightly fractional day of year so that seasons move smoothly within the day.
        let doy = doy_of_day(day) + h as f64 / 24.0;
        let w = winter(doy);
        // Weather: a basin-wide synoptic term that reaches cities later the farther they are from
        // Chengdu, a regional term (2 days), a city term (18 h) and a slow regional term (6 days).
        let m = cp.zone_weather * value_noise(seed, T_MET_ZONE ^ city.zone_key(), t - city.zone_lag_h, 60)
            + 0.4 * value_noise(seed, city.region_key ^ T_MET_REGION, t, 48)
            + 0.4 * value_noise(seed, city.key ^ T_MET_CITY, t, 18)
            + 0.35 * value_noise(seed, city.region_key ^ T_MET_SLOW, t, 144);
        let var_m = cp.zone_weather * cp.zone_weather + 0.4 * 0.4 * 2.0 + 0.35 * 0.35;
        let sm = cp.met_sigma.0 + cp.met_sigma.1 * w;
        let met = (sm * m - 0.5 * sm * sm * var_m).exp();
        let e_pm = PM_EPISODES.factor(seed, city, t);
        let e_o3 = O3_EPISODES.factor(seed, city, t);

        let pm_amp = cp.pm_diurnal * (0.45 + 0.55 * w);
        let pm_d = 1.0 + (PM_DIURNAL[h] - 1.0) * pm_amp;
        let pm25 = p.pm25 * seasonal(doy, cp.pm_peak, cp.pm_a) * met * e_pm * pm_d;
        let ratio = 1.0 + (p.pm10_ratio - 1.0) * e_pm.powf(-0.7);
        let pm10 = pm25 * ratio;

        let no2_d = NO2_DIURNAL[h].powf(0.8 + 0.4 * (1.0 - w));
        let no2 = p.no2 * seasonal(doy, 10.0, 0.25) * met.powf(0.55) * e_pm.powf(0.35) * no2_d;
        let co_d = 0.5 * (NO2_DIURNAL[h].sqrt() + pm_d);
        let co = p.co * seasonal(doy, 10.0, 0.3) * met.powf(0.6) * e_pm.powf(0.45) * co_d;
        let so2 = p.so2 * seasonal(doy, 10.0, 0.2) * met.powf(0.4) * e_pm.powf(0.25) * SO2_DIURNAL[h];

        // Ozone: background mixed down in the day, titrated at night under stagnant winter air, plus
        // an afternoon photochemical term peaking at label hour 15 (14–16 h).
        let sun = (0.30 * value_noise(seed, city.region_key ^ T_SUN_REGION, t, 24)
            + 0.12 * value_noise(seed, city.key ^ T_SUN_CITY, t, 12)
            - 0.05)
            .exp();
        let hf = h as f64;
        let mixing = smoothstep((hf - 7.0) / 6.0) * (1.0 - smoothstep((hf - 18.0) / 6.0));
        let titration = (-0.35 * m.max(0.0) * w * (1.0 - mixing)).exp();
        let night = 0.5 + 0.3 * (1.0 - w);
        let bg = p.o3_bg * seasonal(doy, cp.o3_bg_peak, 0.22) * (night + (1.0 - night) * mixing) * titration;
        let dd = doy_dist(doy, cp.o3_photo_peak) / cp.o3_photo_width;
        let photo_season = cp.o3_photo_floor + (1.0 - cp.o3_photo_floor) * (-dd * dd).exp();
        // Faster rise in the morning than decline in the evening.
        let width = if hf <= 15.0 { 3.0 } else { 4.0 };
        let shape = if (6..=23).contains(&h) { (-((hf - 15.0) / width).powi(2)).exp() } else { 0.0 };
        let amp = p.o3_amp * photo_season * sun * e_o3 / e_pm.powf(0.3);
        let mut o3 = bg + amp * shape;
        if o3 > 220.0 {
            o3 = 220.0 + 60.0 * ((o3 - 220.0) / 60.0).tanh();
        }

        let v = &mut out.v[h];
        v[PM25] = pm25;
        v[PM10] = pm10;
        v[SO2] = so2;
        v[NO2] = no2;
        v[O3] = o3;
        v[CO] = co;
    }
    out
}

/// Station-level parameters.
pub(crate) struct StationModel {
    pub(crate) key: u64,
    pub(crate) city: usize,
    fac: [f64; NP],
    control: bool,
    pub(crate) stopped: bool,
    so2_plume: f64,
}

/// AR(1) coefficients of the hourly station noise and its standard deviation (log scale).
const PHI: [f64; NP] = [0.9, 0.88, 0.75, 0.8, 0.85, 0.88];
const SIGMA: [f64; NP] = [0.16, 0.14, 0.30, 0.22, 0.12, 0.15];

impl StationModel {
    pub(crate) fn new(s: &SynthStation, city: usize, city_model: &CityModel) -> StationModel {
        let key = crate::stations::station_key(s);
        let mut r = Rng::new(hash(&[T_STATION, key]));
        // Urban intensity: traffic-heavy sites have more NO2/CO and less O3.
        let u = r.normal();
        let mut fac = [0.0; NP];
        fac[PM25] = (0.06 * u + 0.08 * r.normal()).exp();
        fac[PM10] = fac[PM25] * (0.06 * r.normal()).exp();
        fac[SO2] = (0.25 * r.normal()).exp();
        fac[NO2] = (0.18 * u + 0.10 * r.normal()).exp();
        fac[O3] = (-0.05 * u + 0.05 * r.normal()).exp();
        fac[CO] = (0.08 * u + 0.12 * r.normal()).exp();
        if s.is_control {
            fac[PM25] *= 0.78;
            fac[PM10] *= 0.74;
            fac[SO2] *= 0.7;
            fac[NO2] *= 0.45;
            fac[O3] *= 1.08;
            fac[CO] *= 0.8;
        }
        StationModel {
            key,
            city,
            fac,
            control: s.is_control,
            stopped: s.is_stopped(),
            so2_plume: city_model.profile.so2_plume,
        }
    }
}

/// White noise of one station-day (24 × 6 standard normals).
pub(crate) fn white_day(seed: u64, key: u64, day: i64) -> [[f64; NP]; 24] {
    let mut r = Rng::new(hash(&[seed, T_NOISE, key, day as u64]));
    let mut w = [[0.0; NP]; 24];
    for row in w.iter_mut() {
        for x in row.iter_mut() {
            *x = r.normal();
        }
    }
    w
}

/// The AR(1) state after running a day's white noise from zero: the carry-over into the next day.
/// (The carry is truncated at one day, so a day depends on its own noise and the previous day's
/// only — the generation can start anywhere and give the same numbers.)
pub(crate) fn tail_of(white: &[[f64; NP]; 24]) -> [f64; NP] {
    let mut x = [0.0; NP];
    for row in white {
        for p in 0..NP {
            x[p] = PHI[p] * x[p] + (1.0 - PHI[p] * PHI[p]).sqrt() * row[p];
        }
    }
    x
}

/// Probabilities of the gap processes.
const P_HOUR_MISSING: f64 = 0.009;
const P_VALUE_MISSING: f64 = 0.007;
const P_OUTAGE_START: f64 = 1.0 / 110.0;
const P_INSTRUMENT_DAY: f64 = 1.0 / 450.0;
const P_NETWORK_HOUR: f64 = 1.0 / 1500.0;

/// Missing-value marker in the integer tables.
pub(crate) const MISSING: i32 = -1;

/// Upper bounds (output units; CO in tenths) keeping the tails sane.
const MAX: [i32; NP] = [800, 1500, 2000, 500, 450, 200];

/// Hours `[start, end)` (absolute) of an outage starting on `day`, if any.
fn outage(seed: u64, key: u64, day: i64) -> Option<(i64, i64)> {
    let h = hash(&[seed, T_OUTAGE, key, day as u64]);
    if unit(h) >= P_OUTAGE_START {
        return None;
    }
    let h2 = mix(h);
    let start = day * 24 + (unit(h2) * 24.0) as i64;
    let len = 6 + (unit(mix(h2)) * 35.0) as i64; // 6–40 h
    Some((start, start + len))
}

/// Generates one station-day: values in output units (μg/m³ integers; CO in tenths of mg/m³) with
/// [`MISSING`] for gaps. `white` is the day's noise, `carry` the previous day's [`tail_of`].
pub(crate) fn station_day(
    seed: u64,
    st: &StationModel,
    city: &CityDay,
    day: i64,
    white: &[[f64; NP]; 24],
    carry: &[f64; NP],
    out: &mut [[i32; NP]; 24],
) {
    if st.stopped {
        *out = [[MISSING; NP]; 24];
        return;
    }
    let mut x = *carry;
    let mut r = Rng::new(hash(&[seed, T_GAPS, st.key, day as u64]));
    // Multi-hour outages that reach into this day (started up to two days before).
    let outages = [outage(seed, st.key, day - 2), outage(seed, st.key, day - 1), outage(seed, st.key, day)];
    let mut down = [false; NP];
    for (p, d) in down.iter_mut().enumerate() {
        *d = unit(hash(&[seed, T_INSTRUMENT, st.key, day as u64, p as u64])) < P_INSTRUMENT_DAY;
    }
    for h in 0..24 {
        for p in 0..NP {
            x[p] = PHI[p] * x[p] + (1.0 - PHI[p] * PHI[p]).sqrt() * white[h][p];
        }
        let c = &city.v[h];
        let mut v = [0.0; NP];
        for p in 0..NP {
            let z = match p {
                PM10 => 0.85 * x[PM25] + 0.53 * x[PM10],
                CO => 0.5 * x[PM25] + 0.87 * x[CO],
                _ => x[p],
            };
            v[p] = c[p] * st.fac[p] * (SIGMA[p] * z - 0.5 * SIGMA[p] * SIGMA[p]).exp();
        }
        // Control stations keep more ozone at night (little NO titration).
        if st.control && !(8..=19).contains(&h) {
            v[O3] *= 1.25;
        }
        if v[PM10] < v[PM25] * 1.03 {
            v[PM10] = v[PM25] * 1.03;
        }
        let plume = r.uniform();
        if plume < st.so2_plume {
            v[SO2] *= 2.0 + 6.0 * r.uniform();
        }
        let t = day * 24 + h as i64;
        let hour_gap = r.uniform() < P_HOUR_MISSING
            || outages.iter().flatten().any(|&(a, b)| (a..b).contains(&t))
            || unit(hash(&[seed, T_NETWORK, t as u64])) < P_NETWORK_HOUR;
        let row = &mut out[h];
        for p in 0..NP {
            let gap = r.uniform() < P_VALUE_MISSING;
            row[p] = if hour_gap || gap || down[p] {
                MISSING
            } else {
                let scaled = if p == CO { v[p] * 10.0 } else { v[p] };
                (scaled.round() as i32).clamp(1, MAX[p])
            };
        }
    }
}

/// Groups stations into cities: returns the distinct city models and each station's city index.
pub(crate) fn build(stations: &[SynthStation]) -> (Vec<CityModel>, Vec<StationModel>) {
    let mut cities: Vec<CityModel> = Vec::new();
    let mut models = Vec::with_capacity(stations.len());
    for s in stations {
        let cm = CityModel::for_station(s);
        let idx = match cities.iter().position(|c| c.same(&cm)) {
            Some(i) => i,
            None => {
                cities.push(cm);
                cities.len() - 1
            }
        };
        models.push(StationModel::new(s, idx, &cities[idx]));
    }
    (cities, models)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasonal_is_normalised() {
        for a in [0.2, 0.45, 0.6] {
            let m: f64 = (0..3653).map(|i| seasonal(i as f64 / 10.0, 10.0, a)).sum::<f64>() / 3653.0;
            assert!((m - 1.0).abs() < 0.01, "{a}: {m}");
        }
    }

    #[test]
    fn diurnal_tables_average_one() {
        for t in [PM_DIURNAL, NO2_DIURNAL, SO2_DIURNAL] {
            let m = t.iter().sum::<f64>() / 24.0;
            assert!((m - 1.0).abs() < 0.03, "{m}");
        }
    }

    #[test]
    fn episodes_spread_with_lag() {
        // Chengdu is reached before Luzhou by any episode centred on the plain.
        let st = crate::stations::stations(None);
        let (cities, models) = build(&st);
        let city_of = |code: &str| {
            let i = st.iter().position(|s| s.code == code).unwrap_or(0);
            &cities[models[i].city]
        };
        let (cd, lz) = (city_of("1431A"), city_of("1894A"));
        assert!(km((cd.lon, cd.lat), (lz.lon, lz.lat)) > 200.0);
        let d = km((cd.lon, cd.lat), (SICHUAN_PM_CENTRES[0].0, SICHUAN_PM_CENTRES[0].1));
        assert!(d < 15.0, "{d}");
    }
}
