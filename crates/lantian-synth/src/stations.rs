//! The station network: the 123 real Sichuan stations (embedded), subsets of them, and synthetic
//! stations beyond them for national-scale benchmarks.

use std::io::Write;
use std::path::Path;

use lantian_core::regions::cities::sichuan_city;

use crate::rng::{hash, text_key, unit};

/// One monitoring station of the synthetic network, with the fields of the CNEMC station list
/// (`监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区`).
#[derive(Clone, Debug, PartialEq)]
pub struct SynthStation {
    /// 监测点编码, e.g. `1431A`; synthetic stations use `7001A`, `7002A`, …
    pub code: String,
    /// 监测点名称.
    pub name: String,
    /// 城市 as the national station list writes it (`成都`, `阿坝藏族羌族自治州`, `甘孜州`, …;
    /// the real list is not uniform and is kept verbatim).
    pub city_short: String,
    /// 省级行政区 (`四川省`; `合成省` for synthetic stations).
    pub province: String,
    /// 地级行政区 (`成都市`; `合成市01` … `合成市40` for synthetic stations).
    pub prefecture: String,
    /// GB/T 2260 code of the Sichuan city (`510100`); `None` for synthetic prefectures.
    pub city_code: Option<u32>,
    /// 经度 (degrees east).
    pub lon: f64,
    /// 纬度 (degrees north).
    pub lat: f64,
    /// 对照点 (background/control station, `Y` in the list).
    pub is_control: bool,
}

impl SynthStation {
    /// Whether the station is marked as decommissioned in its name (`已停运`, `停运200627`): such
    /// stations keep their column in the daily files, always empty, as in the real files.
    pub fn is_stopped(&self) -> bool {
        self.name.contains("停运")
    }
}

/// A row of the embedded real station table.
pub(crate) struct RealStation {
    pub code: &'static str,
    pub name: &'static str,
    pub city: &'static str,
    pub lon: f64,
    pub lat: f64,
    pub control: bool,
    pub prefecture: &'static str,
}

const fn st(
    code: &'static str,
    name: &'static str,
    city: &'static str,
    lon: f64,
    lat: f64,
    control: bool,
    prefecture: &'static str,
) -> RealStation {
    RealStation { code, name, city, lon, lat, control, prefecture }
}

/// Province of the real stations.
pub(crate) const SICHUAN: &str = "四川省";
/// Province of the synthetic stations.
pub(crate) const SYNTH_PROVINCE: &str = "合成省";
/// Number of synthetic prefectures (`合成市01` … `合成市40`).
pub(crate) const SYNTH_PREFECTURES: usize = 40;
/// First synthetic station number: codes are `7001A`, `7002A`, … — outside the national range
/// 1001A–3867A.
pub(crate) const SYNTH_CODE_BASE: usize = 7000;

/// The 123 Sichuan stations of the national network (code order): code, name, 城市 (as the list
/// writes it), longitude, latitude, 对照点, 地级行政区. Public facts from the CNEMC station list.
pub(crate) static SICHUAN_STATIONS: [RealStation; 123] = [
    st("1431A", "金泉两河", "成都", 103.9728, 30.7236, false, "成都市"),
    st("1432A", "十里店", "成都", 104.1419, 30.6764, false, "成都市"),
    st("1433A", "三瓦窑", "成都", 104.0594, 30.5767, false, "成都市"),
    st("1434A", "沙河铺", "成都", 104.1122, 30.6306, false, "成都市"),
    st("1435A", "梁家巷", "成都", 104.074, 30.685, false, "成都市"),
    st("1436A", "草堂寺（已停运）", "成都", 104.026, 30.6544, false, "成都市"),
    st("1437A", "君平街", "成都", 104.0431, 30.6556, false, "成都市"),
    st("1438A", "灵岩寺(对照点)", "成都", 103.6202, 31.0201, true, "成都市"),
    st("1878A", "富乐山", "绵阳", 104.7778, 31.4741, false, "绵阳市"),
    st("1879A", "市人大", "绵阳", 104.7563, 31.4535, false, "绵阳市"),
    st("1880A", "高新区自来水公司", "绵阳", 104.6697, 31.4668, false, "绵阳市"),
    st("1881A", "三水厂", "绵阳", 104.7287, 31.5075, false, "绵阳市"),
    st("1882A", "石马中学(对照点)", "宜宾", 104.563, 28.793, true, "宜宾市"),
    st("1883A", "市委", "宜宾", 104.6201, 28.7728, false, "宜宾市"),
    st("1884A", "宜宾四中", "宜宾", 104.6055, 28.793, false, "宜宾市"),
    st("1885A", "市政府", "宜宾", 104.639, 28.7562, false, "宜宾市"),
    st("1886A", "黄金嘴", "宜宾", 104.5742, 28.7199, false, "宜宾市"),
    st("1887A", "沙坪中学(停运200627)", "宜宾", 104.6789, 28.7989, true, "宜宾市"),
    st("1888A", "弄弄坪", "攀枝花", 101.6891, 26.571, false, "攀枝花市"),
    st("1889A", "河门口", "攀枝花", 101.5769, 26.5928, false, "攀枝花市"),
    st("1890A", "炳草岗", "攀枝花", 101.7169, 26.585, false, "攀枝花市"),
    st("1891A", "仁和", "攀枝花", 101.7369, 26.5008, false, "攀枝花市"),
    st("1893A", "九狮山(对照点)", "泸州", 105.4324, 28.9634, true, "泸州市"),
    st("1894A", "小市上码头", "泸州", 105.4427, 28.9063, false, "泸州市"),
    st("1895A", "兰田宪桥", "泸州", 105.4241, 28.8573, false, "泸州市"),
    st("1896A", "市环监站", "泸州", 105.4379, 28.8833, false, "泸州市"),
    st("1897A", "大塘山(对照点)", "自贡", 104.7547, 29.3628, true, "自贡市"),
    st("1898A", "盐马路", "自贡", 104.7214, 29.3586, false, "自贡市"),
    st("1899A", "檀木林街", "自贡", 104.7747, 29.3564, false, "自贡市"),
    st("1900A", "春华路", "自贡", 104.7692, 29.3411, false, "自贡市"),
    st("1901A", "东山公园", "德阳", 104.4239, 31.1208, false, "德阳市"),
    st("1902A", "西小区", "德阳", 104.3826, 31.1317, false, "德阳市"),
    st("1903A", "市检察院", "德阳", 104.4053, 31.1167, false, "德阳市"),
    st("1904A", "耐火材料厂", "德阳", 104.3553, 31.1091, false, "德阳市"),
    st("1905A", "西山风景区(对照点)", "南充", 106.056, 30.8064, true, "南充市"),
    st("1906A", "南充市委", "南充", 106.0789, 30.8023, false, "南充市"),
    st("1907A", "南充炼油厂", "南充", 106.1031, 30.8217, false, "南充市"),
    st("1908A", "高坪区监测站", "南充", 106.1064, 30.7856, false, "南充市"),
    st("1909A", "嘉陵区环保局", "南充", 106.0642, 30.7636, false, "南充市"),
    st("1910A", "市环境监测站", "南充", 106.1087, 30.8388, false, "南充市"),
    st("2523A", "黑石坡(对照点)", "广元", 105.8945, 32.4535, true, "广元市"),
    st("2524A", "老城", "广元", 105.821, 32.4444, false, "广元市"),
    st("2525A", "南坝", "广元", 105.8153, 32.4246, false, "广元市"),
    st("2526A", "监测站", "广元", 105.8628, 32.4287, false, "广元市"),
    st("2527A", "石溪浩(对照点)", "遂宁", 105.5453, 30.5678, true, "遂宁市"),
    st("2528A", "市监测站", "遂宁", 105.5582, 30.5232, false, "遂宁市"),
    st("2529A", "行政中心", "遂宁", 105.5861, 30.5366, false, "遂宁市"),
    st("2530A", "美宁食品公司", "遂宁", 105.5918, 30.4728, false, "遂宁市"),
    st("2531A", "市监测站", "内江", 105.0703, 29.61, false, "内江市"),
    st("2532A", "东兴区政府", "内江", 105.0717, 29.5947, false, "内江市"),
    st("2533A", "内江二中", "内江", 105.0653, 29.5817, false, "内江市"),
    st("2534A", "内江日报社", "内江", 105.0406, 29.5822, false, "内江市"),
    st("2535A", "花湖湾(对照点)", "乐山", 103.7723, 29.5462, true, "乐山市"),
    st("2536A", "牛耳桥", "乐山", 103.7627, 29.5844, false, "乐山市"),
    st("2537A", "市第三水厂", "乐山", 103.7508, 29.6006, false, "乐山市"),
    st("2538A", "市监测站", "乐山", 103.7571, 29.5664, false, "乐山市"),
    st("2539A", "黑龙滩水库(对照点)", "眉山", 104.0308, 30.0478, true, "眉山市"),
    st("2540A", "气象局", "眉山", 103.8416, 30.0874, false, "眉山市"),
    st("2541A", "旭光小区", "眉山", 103.8495, 30.0691, false, "眉山市"),
    st("2542A", "市监测站", "眉山", 103.8341, 30.062, false, "眉山市"),
    st("2543A", "小平旧居(对照点)", "广安", 106.6308, 30.5278, true, "广安市"),
    st("2544A", "市委", "广安", 106.6303, 30.4576, false, "广安市"),
    st("2545A", "友谊中学", "广安", 106.6271, 30.4663, false, "广安市"),
    st("2546A", "人工湖", "广安", 106.6406, 30.4844, true, "广安市"),
    st("2547A", "广电花园", "广安", 106.6388, 30.4551, false, "广安市"),
    st("2548A", "达州职业技术学院(对照点)", "达州", 107.5277, 31.2827, true, "达州市"),
    st("2549A", "市环境监测站", "达州", 107.5086, 31.2186, false, "达州市"),
    st("2550A", "凤凰小区", "达州", 107.4988, 31.2132, false, "达州市"),
    st("2551A", "达县机关宾馆", "达州", 107.5082, 31.1986, false, "达州市"),
    st("2552A", "市政中心", "达州", 107.4644, 31.2124, false, "达州市"),
    st("2553A", "大兴526台(对照点)", "雅安", 103.009, 30.0125, true, "雅安市"),
    st("2554A", "建安厂", "雅安", 103.0475, 30.02, false, "雅安市"),
    st("2555A", "市政府", "雅安", 103.0111, 29.9833, false, "雅安市"),
    st("2556A", "川农大", "雅安", 102.9905, 29.9775, false, "雅安市"),
    st("2557A", "南龛公园", "巴中", 106.7583, 31.8475, true, "巴中市"),
    st("2558A", "市环保局", "巴中", 106.7389, 31.8711, false, "巴中市"),
    st("2559A", "巴中中学", "巴中", 106.7594, 31.8531, false, "巴中市"),
    st("2560A", "市六中", "巴中", 106.7608, 31.8456, false, "巴中市"),
    st("2561A", "莲花山(对照点)", "资阳", 104.6617, 30.1372, true, "资阳市"),
    st("2562A", "资阳中学", "资阳", 104.6356, 30.1506, false, "资阳市"),
    st("2563A", "四三一厂", "资阳", 104.6295, 30.1383, false, "资阳市"),
    st("2564A", "师范校", "资阳", 104.6463, 30.1146, false, "资阳市"),
    st("2565A", "区法院", "资阳", 104.6296, 30.1256, false, "资阳市"),
    st("2566A", "州农科所(对照点)", "阿坝藏族羌族自治州", 102.1879, 31.914, true, "阿坝藏族羌族自治州"),
    st("2567A", "州监测站", "阿坝藏族羌族自治州", 102.224, 31.9037, false, "阿坝藏族羌族自治州"),
    st("2568A", "马师校", "阿坝藏族羌族自治州", 102.2502, 31.8896, false, "阿坝藏族羌族自治州"),
    st("2569A", "将军桥", "甘孜州", 101.9628, 30.0506, false, "甘孜藏族自治州"),
    st("2570A", "水桥子", "甘孜藏族自治州", 101.9603, 30.0475, false, "甘孜藏族自治州"),
    st("2571A", "青龙寺(对照点)", "凉山彝族自治州", 102.3431, 27.8099, true, "凉山彝族自治州"),
    st("2572A", "邛海宾馆", "凉山彝族自治州", 102.2721, 27.8415, false, "凉山彝族自治州"),
    st("2573A", "西昌市政府", "凉山彝族自治州", 102.2625, 27.898, false, "凉山彝族自治州"),
    st("2574A", "凉山州政府", "凉山彝族自治州", 102.2685, 27.8851, false, "凉山彝族自治州"),
    st("2575A", "长安", "凉山彝族自治州", 102.237, 27.8914, false, "凉山彝族自治州"),
    st("2835A", "四十中小", "攀枝花", 101.7227, 26.567, false, "攀枝花市"),
    st("2880A", "大石西路", "成都", 104.0219, 30.6558, false, "成都市"),
    st("2902A", "北辰小学", "广安", 106.6351, 30.4865, false, "广安市"),
    st("2914A", "苏山坪(对照点)", "巴中", 106.7677, 31.8794, true, "巴中市"),
    st("2915A", "职业中学", "巴中", 106.7619, 31.84139, false, "巴中市"),
    st("3027A", "青杠林路", "自贡", 104.72, 29.3427, false, "自贡市"),
    st("3028A", "檀木林体育馆", "自贡", 104.776, 29.3627, false, "自贡市"),
    st("3065A", "州环保局", "甘孜藏族自治州", 101.9533, 29.9972, false, "甘孜藏族自治州"),
    st("3136A", "龙泉驿区区政府", "成都", 104.2725, 30.5589, false, "成都市"),
    st("3137A", "市委党校", "眉山", 103.8578, 30.0744, false, "眉山市"),
    st("3148A", "区人社局", "眉山", 103.8291, 30.0564, false, "眉山市"),
    st("3182A", "丽阳花园", "巴中", 106.7656, 31.8545, false, "巴中市"),
    st("3183A", "圣泉水务公司", "巴中", 106.7418, 31.8654, false, "巴中市"),
    st("3357A", "金博路", "成都", 104.0106, 30.6931, false, "成都市"),
    st("3358A", "临江路", "成都", 103.8458, 30.6994, false, "成都市"),
    st("3359A", "华阳", "成都", 104.0578, 30.5225, false, "成都市"),
    st("3360A", "南湖救助站", "自贡", 104.7894, 29.3194, false, "自贡市"),
    st("3361A", "理工大学", "乐山", 103.7311, 29.5628, false, "乐山市"),
    st("3487A", "车城东七路", "成都", 104.2394, 30.5319, false, "成都市"),
    st("3488A", "青白江技师分院", "成都", 104.3853, 30.7453, false, "成都市"),
    st("3489A", "科学城", "成都", 104.0789, 30.4072, false, "成都市"),
    st("3490A", "纳溪区环保局", "泸州", 105.3617, 28.7703, false, "泸州市"),
    st("3491A", "西科大附属小学", "绵阳", 104.69, 31.5322, false, "绵阳市"),
    st("3492A", "安州区旅游局", "绵阳", 104.5648, 31.5343, false, "绵阳市"),
    st("3616A", "市中心医院", "巴中", 106.7616, 31.8344, false, "巴中市"),
    st("3617A", "经开区", "广元", 105.8047, 32.4166, false, "广元市"),
    st("3638A", "轻化工大学", "自贡", 104.7636, 29.3338, false, "自贡市"),
    st("3639A", "市教育局", "德阳", 104.4019, 31.1244, false, "德阳市"),
    st("3700A", "康养中心(对照点)", "雅安", 103.0456, 29.9956, true, "雅安市"),
    st("3728A", "白酒学院", "宜宾", 104.68, 28.8071, false, "宜宾市"),
];

fn real(s: &RealStation) -> SynthStation {
    SynthStation {
        code: s.code.to_string(),
        name: s.name.to_string(),
        city_short: s.city.to_string(),
        province: SICHUAN.to_string(),
        prefecture: s.prefecture.to_string(),
        city_code: sichuan_city(s.prefecture).map(|c| c.code),
        lon: s.lon,
        lat: s.lat,
        is_control: s.control,
    }
}

/// Name of synthetic prefecture `i` (0-based): `合成市01` … `合成市40`.
pub(crate) fn synth_prefecture_name(i: usize) -> String {
    format!("合成市{:02}", i + 1)
}

/// Centre of synthetic prefecture `i`: an 8 × 5 grid over eastern China (lon 108.5–119.7°E,
/// lat 25.0–37.8°N), nudged so it is not a perfect lattice.
pub(crate) fn synth_prefecture_centre(i: usize) -> (f64, f64) {
    let (col, row) = ((i % 8) as f64, (i / 8) as f64);
    let h = hash(&[0x5359_4e54, i as u64]);
    let dlon = (unit(h) - 0.5) * 0.6;
    let dlat = (unit(h.rotate_left(32)) - 0.5) * 0.6;
    (108.5 + 1.6 * col + dlon, 25.0 + 3.2 * row + dlat)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Synthetic station `k` (1-based), assigned round-robin to the synthetic prefectures.
fn synthetic(k: usize) -> SynthStation {
    let pref = (k - 1) % SYNTH_PREFECTURES;
    let rank = (k - 1) / SYNTH_PREFECTURES; // rank of the station inside its prefecture
    let (clon, clat) = synth_prefecture_centre(pref);
    let h = hash(&[0x5354_4154, k as u64]);
    // Stations within ~25 km of the centre; the control station sits further out.
    let spread = if rank == 0 { 0.25 } else { 0.12 };
    let lon = clon + (unit(h) - 0.5) * 2.0 * spread;
    let lat = clat + (unit(mix_rot(h)) - 0.5) * 2.0 * spread;
    let name = synth_prefecture_name(pref);
    SynthStation {
        code: format!("{}A", SYNTH_CODE_BASE + k),
        name: if rank == 0 { format!("合成{k:04}(对照点)") } else { format!("合成{k:04}") },
        city_short: name.clone(),
        province: SYNTH_PROVINCE.to_string(),
        prefecture: name,
        city_code: None,
        lon: round4(lon),
        lat: round4(lat),
        is_control: rank == 0,
    }
}

fn mix_rot(h: u64) -> u64 {
    crate::rng::mix(h.rotate_left(29))
}

/// The station network.
///
/// - `None`: the 123 real Sichuan stations in code order (control stations included and flagged;
///   the two decommissioned ones included, their columns always empty).
/// - `Some(n)`, `n ≤ 123`: `n` real stations spread over the cities: one per city first (all 21
///   when `n ≥ 21`, Sichuan's code-table order otherwise), then round-robin over the cities;
///   within a city, operating non-control stations are preferred, then control stations, then
///   decommissioned ones. Returned in code order.
/// - `Some(n)`, `n > 123`: all 123 real stations, then `n − 123` synthetic stations `7001A`,
///   `7002A`, … assigned round-robin to `合成市01` … `合成市40` in province `合成省`.
///
/// The list does not depend on the seed; a station's data does not depend on which other
/// stations are generated with it.
pub fn stations(n: Option<usize>) -> Vec<SynthStation> {
    let all = || SICHUAN_STATIONS.iter().map(real).collect::<Vec<_>>();
    let Some(n) = n else { return all() };
    if n >= SICHUAN_STATIONS.len() {
        let mut v = all();
        v.extend((1..=n - SICHUAN_STATIONS.len()).map(synthetic));
        return v;
    }
    // Per-city queues in preference order.
    let rank = |s: &RealStation| -> u8 {
        if s.name.contains("停运") {
            2
        } else if s.control {
            1
        } else {
            0
        }
    };
    let mut queues: Vec<Vec<usize>> = lantian_core::regions::cities::SICHUAN_CITIES
        .iter()
        .map(|c| {
            let mut q: Vec<usize> = (0..SICHUAN_STATIONS.len())
                .filter(|&i| sichuan_city(SICHUAN_STATIONS[i].prefecture).map(|x| x.code) == Some(c.code))
                .collect();
            q.sort_by_key(|&i| (rank(&SICHUAN_STATIONS[i]), i));
            q.reverse(); // pop from the back
            q
        })
        .collect();
    let mut chosen = Vec::with_capacity(n);
    'outer: loop {
        let mut any = false;
        for q in queues.iter_mut() {
            if chosen.len() == n {
                break 'outer;
            }
            if let Some(i) = q.pop() {
                chosen.push(i);
                any = true;
            }
        }
        if !any {
            break;
        }
    }
    chosen.sort_unstable();
    chosen.into_iter().map(|i| real(&SICHUAN_STATIONS[i])).collect()
}

/// Writes a station list in the layout of the CNEMC list (UTF-8, LF, header
/// `监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区`).
pub fn write_station_list(path: &Path, stations: &[SynthStation]) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all("监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区\n".as_bytes())?;
    for s in stations {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{}",
            s.code,
            s.name,
            s.city_short,
            s.lon,
            s.lat,
            if s.is_control { "Y" } else { "N" },
            s.province,
            s.prefecture
        )?;
    }
    w.flush()
}

/// Key of a station for the random streams (its code).
pub(crate) fn station_key(s: &SynthStation) -> u64 {
    text_key(&s.code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn real_table_maps_to_cities() {
        let v = stations(None);
        assert_eq!(v.len(), 123);
        assert!(v.iter().all(|s| s.city_code.is_some()), "every 地级行政区 maps to a city code");
        let cities: HashSet<_> = v.iter().filter_map(|s| s.city_code).collect();
        assert_eq!(cities.len(), 21);
        assert_eq!(v.iter().filter(|s| s.is_stopped()).count(), 2);
        assert!(v.windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn subsets_spread_over_cities() {
        for n in [1, 5, 20, 21, 22, 30, 60, 100, 122, 123] {
            let v = stations(Some(n));
            assert_eq!(v.len(), n);
            let codes: HashSet<_> = v.iter().map(|s| s.code.clone()).collect();
            assert_eq!(codes.len(), n);
            let cities: HashSet<_> = v.iter().filter_map(|s| s.city_code).collect();
            assert_eq!(cities.len(), n.min(21), "n = {n}");
            if n <= 100 {
                assert!(v.iter().all(|s| !s.is_stopped()), "n = {n}");
            }
        }
        let s21 = stations(Some(21));
        assert!(s21.iter().all(|s| !s.is_control));
        assert_eq!(stations(Some(123)), stations(None));
    }

    #[test]
    fn synthetic_stations() {
        let v = stations(Some(2000));
        assert_eq!(v.len(), 2000);
        let codes: HashSet<_> = v.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes.len(), 2000);
        assert_eq!(v[123].code, "7001A");
        assert_eq!(v[1999].code, "8877A");
        let prefs: HashSet<_> = v[123..].iter().map(|s| s.prefecture.as_str()).collect();
        assert_eq!(prefs.len(), 40);
        assert!(prefs.contains("合成市01") && prefs.contains("合成市40"));
        for s in &v[123..] {
            assert_eq!(s.province, "合成省");
            assert!(s.city_code.is_none());
            assert!((100.0..125.0).contains(&s.lon) && (20.0..42.0).contains(&s.lat));
        }
    }
}
