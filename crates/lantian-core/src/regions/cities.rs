//! The 21 prefecture-level cities (市州) of Sichuan, their GB/T 2260 codes, economic regions and
//! joint-control leads (`management.md` §3; Notice §1 for the leads).

use serde::Serialize;

/// Sichuan's five economic regions (经济区). Serialized as [`RegionId::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionId {
    ChengduPlain,
    SouthSichuan,
    NortheastSichuan,
    Panxi,
    NorthwestSichuan,
}

impl RegionId {
    pub const ALL: [RegionId; 5] = [
        RegionId::ChengduPlain,
        RegionId::SouthSichuan,
        RegionId::NortheastSichuan,
        RegionId::Panxi,
        RegionId::NorthwestSichuan,
    ];
    /// The machine spelling (`chengdu_plain`, `south_sichuan`, `northeast_sichuan`, `panxi`,
    /// `northwest_sichuan`).
    pub fn code(self) -> &'static str {
        match self {
            RegionId::ChengduPlain => "chengdu_plain",
            RegionId::SouthSichuan => "south_sichuan",
            RegionId::NortheastSichuan => "northeast_sichuan",
            RegionId::Panxi => "panxi",
            RegionId::NorthwestSichuan => "northwest_sichuan",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            RegionId::ChengduPlain => "成都平原",
            RegionId::SouthSichuan => "川南",
            RegionId::NortheastSichuan => "川东北",
            RegionId::Panxi => "攀西",
            RegionId::NorthwestSichuan => "川西北生态示范区",
        }
    }
    /// The English name (pages in English).
    pub fn name_en(self) -> &'static str {
        match self {
            RegionId::ChengduPlain => "Chengdu Plain",
            RegionId::SouthSichuan => "South Sichuan",
            RegionId::NortheastSichuan => "Northeast Sichuan",
            RegionId::Panxi => "Panxi",
            RegionId::NorthwestSichuan => "Northwest Sichuan ecological zone",
        }
    }
    /// Lead city of the region's joint prevention and control (Notice §1); 川西北 has none.
    pub fn lead_city(self) -> Option<u32> {
        match self {
            RegionId::ChengduPlain => Some(510100),
            RegionId::SouthSichuan => Some(510300),
            RegionId::NortheastSichuan => Some(511300),
            RegionId::Panxi => Some(510400),
            RegionId::NorthwestSichuan => None,
        }
    }
}

crate::serde_as_code!(RegionId);

/// A Sichuan 市州.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SichuanCity {
    /// GB/T 2260 code.
    pub code: u32,
    /// Full name (成都市, 阿坝藏族羌族自治州).
    pub name: &'static str,
    /// Short name used by the monitoring network (成都, 阿坝州).
    pub short: &'static str,
    pub name_en: &'static str,
    pub region: RegionId,
}

macro_rules! city {
    ($code:expr, $name:expr, $short:expr, $en:expr, $region:ident) => {
        SichuanCity { code: $code, name: $name, short: $short, name_en: $en, region: RegionId::$region }
    };
}

/// The 21 cities in the order of the provincial code table.
pub static SICHUAN_CITIES: [SichuanCity; 21] = [
    city!(510100, "成都市", "成都", "Chengdu", ChengduPlain),
    city!(510300, "自贡市", "自贡", "Zigong", SouthSichuan),
    city!(510400, "攀枝花市", "攀枝花", "Panzhihua", Panxi),
    city!(510500, "泸州市", "泸州", "Luzhou", SouthSichuan),
    city!(510600, "德阳市", "德阳", "Deyang", ChengduPlain),
    city!(510700, "绵阳市", "绵阳", "Mianyang", ChengduPlain),
    city!(510800, "广元市", "广元", "Guangyuan", NortheastSichuan),
    city!(510900, "遂宁市", "遂宁", "Suining", ChengduPlain),
    city!(511000, "内江市", "内江", "Neijiang", SouthSichuan),
    city!(511100, "乐山市", "乐山", "Leshan", ChengduPlain),
    city!(511300, "南充市", "南充", "Nanchong", NortheastSichuan),
    city!(511400, "眉山市", "眉山", "Meishan", ChengduPlain),
    city!(511500, "宜宾市", "宜宾", "Yibin", SouthSichuan),
    city!(511600, "广安市", "广安", "Guang'an", NortheastSichuan),
    city!(511700, "达州市", "达州", "Dazhou", NortheastSichuan),
    city!(511800, "雅安市", "雅安", "Ya'an", ChengduPlain),
    city!(511900, "巴中市", "巴中", "Bazhong", NortheastSichuan),
    city!(512000, "资阳市", "资阳", "Ziyang", ChengduPlain),
    city!(513200, "阿坝藏族羌族自治州", "阿坝州", "Aba", NorthwestSichuan),
    city!(513300, "甘孜藏族自治州", "甘孜州", "Garzê", NorthwestSichuan),
    city!(513400, "凉山彝族自治州", "凉山州", "Liangshan", Panxi),
];

/// Short form of a city name as people write it: `成都市` → `成都`, `阿坝藏族羌族自治州` → `阿坝`,
/// `甘孜州` → `甘孜`. Used to match names across sources.
pub fn name_key(name: &str) -> String {
    let n = name.trim();
    for suffix in ["藏族羌族自治州", "藏族自治州", "彝族自治州", "自治州", "地区", "市", "州", "盟"]
    {
        if let Some(s) = n.strip_suffix(suffix) {
            if s.chars().count() >= 2 {
                return s.to_string();
            }
        }
    }
    n.to_string()
}

/// Finds a Sichuan city by code (`510100`), full name (`成都市`), short name (`成都`, `阿坝州`),
/// any suffix form (`阿坝`, `阿坝藏族羌族自治州`) or English name (`Chengdu`).
pub fn sichuan_city(query: &str) -> Option<&'static SichuanCity> {
    let q = query.trim();
    if let Ok(code) = q.parse::<u32>() {
        return SICHUAN_CITIES.iter().find(|c| c.code == code);
    }
    let k = name_key(q);
    SICHUAN_CITIES.iter().find(|c| name_key(c.name) == k || name_key(c.short) == k || c.name_en.eq_ignore_ascii_case(q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        for q in ["成都", "成都市", "510100", "Chengdu"] {
            assert_eq!(sichuan_city(q).map(|c| c.code), Some(510100), "{q}");
        }
        for q in ["阿坝州", "阿坝藏族羌族自治州", "阿坝"] {
            assert_eq!(sichuan_city(q).map(|c| c.code), Some(513200), "{q}");
        }
        assert_eq!(sichuan_city("甘孜州").map(|c| c.code), Some(513300));
        assert!(sichuan_city("北京").is_none());
        assert!(sichuan_city("999999").is_none());
        assert_eq!(SICHUAN_CITIES.len(), 21);
    }
}
