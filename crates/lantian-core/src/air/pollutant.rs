#![allow(non_camel_case_types)] // glossary.md names: `Pm2_5`, `O3_8h`, …

//! Pollutants, averaging indicators and the CNEMC series types (glossary.md).

use serde::{Deserialize, Serialize};

/// The six basic pollutants of GB 3095 Table 1. Serialized as [`Pollutant::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pollutant {
    So2,
    No2,
    Co,
    O3,
    Pm10,
    Pm2_5,
}

impl Pollutant {
    pub const ALL: [Pollutant; 6] =
        [Pollutant::So2, Pollutant::No2, Pollutant::Co, Pollutant::O3, Pollutant::Pm10, Pollutant::Pm2_5];

    /// The one machine spelling of the pollutant in CSV, JSON and the API (`so2`, `no2`, `co`, `o3`,
    /// `pm10`, `pm2_5`; issue 11 output conventions): every output takes it from here.
    pub fn code(self) -> &'static str {
        match self {
            Pollutant::So2 => "so2",
            Pollutant::No2 => "no2",
            Pollutant::Co => "co",
            Pollutant::O3 => "o3",
            Pollutant::Pm10 => "pm10",
            Pollutant::Pm2_5 => "pm2_5",
        }
    }

    /// The pollutant of a code ([`Pollutant::code`]; the old enum names `Pm2_5`, … are accepted too).
    pub fn from_code(code: &str) -> Option<Pollutant> {
        Pollutant::ALL.into_iter().find(|p| p.code().eq_ignore_ascii_case(code) || format!("{p:?}") == code)
    }

    /// Display label as tables and publications write it (`SO2`, `PM2.5`).
    pub fn label(self) -> &'static str {
        match self {
            Pollutant::So2 => "SO2",
            Pollutant::No2 => "NO2",
            Pollutant::Co => "CO",
            Pollutant::O3 => "O3",
            Pollutant::Pm10 => "PM10",
            Pollutant::Pm2_5 => "PM2.5",
        }
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Pollutant::So2 => "二氧化硫",
            Pollutant::No2 => "二氧化氮",
            Pollutant::Co => "一氧化碳",
            Pollutant::O3 => "臭氧",
            Pollutant::Pm10 => "可吸入颗粒物",
            Pollutant::Pm2_5 => "细颗粒物",
        }
    }

    /// Decimals of a reported concentration: integer μg/m³, CO one decimal mg/m³
    /// (HJ 633-2026 4.2.2; the same practice for 2012 publications, `standards.md` §6.2).
    pub fn decimals(self) -> u32 {
        match self {
            Pollutant::Co => 1,
            _ => 0,
        }
    }

    /// Unit text.
    pub fn unit(self) -> &'static str {
        match self {
            Pollutant::Co => "mg/m³",
            _ => "μg/m³",
        }
    }
}

crate::serde_as_code!(Pollutant);

/// An averaging indicator: a pollutant with its averaging time. The IAQI is computed per indicator.
/// Serialized as [`Indicator::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indicator {
    So2_1h,
    So2_24h,
    No2_1h,
    No2_24h,
    Co_1h,
    Co_24h,
    O3_1h,
    O3_8h,
    Pm10_1h,
    Pm10_24h,
    Pm2_5_1h,
    Pm2_5_24h,
}

impl Indicator {
    pub fn pollutant(self) -> Pollutant {
        use Indicator::*;
        match self {
            So2_1h | So2_24h => Pollutant::So2,
            No2_1h | No2_24h => Pollutant::No2,
            Co_1h | Co_24h => Pollutant::Co,
            O3_1h | O3_8h => Pollutant::O3,
            Pm10_1h | Pm10_24h => Pollutant::Pm10,
            Pm2_5_1h | Pm2_5_24h => Pollutant::Pm2_5,
        }
    }

    pub const ALL: [Indicator; 12] = [
        Indicator::So2_1h,
        Indicator::So2_24h,
        Indicator::No2_1h,
        Indicator::No2_24h,
        Indicator::Co_1h,
        Indicator::Co_24h,
        Indicator::O3_1h,
        Indicator::O3_8h,
        Indicator::Pm10_1h,
        Indicator::Pm10_24h,
        Indicator::Pm2_5_1h,
        Indicator::Pm2_5_24h,
    ];

    /// The one machine spelling of the indicator in CSV, JSON and the API (`so2_1h`, `o3_8h`,
    /// `pm2_5_24h`, …; issue 11 output conventions): every output (primary pollutants, CSV cells,
    /// JSON arrays) takes it from here.
    pub fn code(self) -> &'static str {
        use Indicator::*;
        match self {
            So2_1h => "so2_1h",
            So2_24h => "so2_24h",
            No2_1h => "no2_1h",
            No2_24h => "no2_24h",
            Co_1h => "co_1h",
            Co_24h => "co_24h",
            O3_1h => "o3_1h",
            O3_8h => "o3_8h",
            Pm10_1h => "pm10_1h",
            Pm10_24h => "pm10_24h",
            Pm2_5_1h => "pm2_5_1h",
            Pm2_5_24h => "pm2_5_24h",
        }
    }

    /// The indicator of a code ([`Indicator::code`], case-insensitive).
    pub fn from_code(code: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.code().eq_ignore_ascii_case(code) || format!("{i:?}") == code)
    }

    /// Label as Chinese publications write it (`二氧化硫`, `臭氧8小时`, `PM2.5`): Chinese tables and
    /// pages show this, never [`Indicator::code`].
    pub fn label_zh(self) -> &'static str {
        use Indicator::*;
        match self {
            So2_1h | So2_24h => "二氧化硫",
            No2_1h | No2_24h => "二氧化氮",
            Co_1h | Co_24h => "一氧化碳",
            O3_1h => "臭氧1小时",
            O3_8h => "臭氧8小时",
            Pm10_1h | Pm10_24h => "PM10",
            Pm2_5_1h | Pm2_5_24h => "PM2.5",
        }
    }

    /// Label as English tables write it (`SO2`, `O3 8-hour`, `PM2.5`).
    pub fn label_en(self) -> &'static str {
        use Indicator::*;
        match self {
            So2_1h | So2_24h => "SO2",
            No2_1h | No2_24h => "NO2",
            Co_1h | Co_24h => "CO",
            O3_1h => "O3 1-hour",
            O3_8h => "O3 8-hour",
            Pm10_1h | Pm10_24h => "PM10",
            Pm2_5_1h | Pm2_5_24h => "PM2.5",
        }
    }
}

crate::serde_as_code!(Indicator);

/// The series of a stored label day: the 15 `type` rows of a CNEMC/quotsoft daily file, in the
/// publisher's order ([`SeriesType::FILE_SERIES`]), and [`SeriesType::Release`]. `AQI` is the
/// publisher's own hourly AQI; the `_24h` and `O3_8h` rows are its moving averages. All are stored
/// so that computed values can be compared with the published ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[repr(u8)]
pub enum SeriesType {
    Aqi = 0,
    Pm2_5 = 1,
    Pm2_5_24h = 2,
    Pm10 = 3,
    Pm10_24h = 4,
    So2 = 5,
    So2_24h = 6,
    No2 = 7,
    No2_24h = 8,
    O3 = 9,
    O3_24h = 10,
    O3_8h = 11,
    O3_8h_24h = 12,
    Co = 13,
    Co_24h = 14,
    /// What a real-time release row says beyond its concentrations (the published primary
    /// pollutants, the pollutants marked `/`), an integer bit field stored like a concentration with
    /// no decimals: see [`crate::air::publisher::ReleaseFacts`] for the bits. Not a quotsoft `type`.
    Release = 15,
}

impl SeriesType {
    /// Series of a stored label day (the codec's `u16` series mask has a bit for each).
    pub const COUNT: usize = 16;
    /// Every series, in index order.
    pub const ALL: [SeriesType; 16] = [
        SeriesType::Aqi,
        SeriesType::Pm2_5,
        SeriesType::Pm2_5_24h,
        SeriesType::Pm10,
        SeriesType::Pm10_24h,
        SeriesType::So2,
        SeriesType::So2_24h,
        SeriesType::No2,
        SeriesType::No2_24h,
        SeriesType::O3,
        SeriesType::O3_24h,
        SeriesType::O3_8h,
        SeriesType::O3_8h_24h,
        SeriesType::Co,
        SeriesType::Co_24h,
        SeriesType::Release,
    ];
    /// The 15 series a publisher file carries (the quotsoft `type` rows, the columns of a real-time
    /// release row), in the quotsoft order: indices 0…14.
    pub const FILE_SERIES: [SeriesType; 15] = {
        let mut out = [SeriesType::Aqi; 15];
        let mut k = 0;
        while k < 15 {
            out[k] = SeriesType::ALL[k];
            k += 1;
        }
        out
    };

    /// The text of the `type` column in the source files.
    pub fn file_name(self) -> &'static str {
        use SeriesType::*;
        match self {
            Aqi => "AQI",
            Pm2_5 => "PM2.5",
            Pm2_5_24h => "PM2.5_24h",
            Pm10 => "PM10",
            Pm10_24h => "PM10_24h",
            So2 => "SO2",
            So2_24h => "SO2_24h",
            No2 => "NO2",
            No2_24h => "NO2_24h",
            O3 => "O3",
            O3_24h => "O3_24h",
            O3_8h => "O3_8h",
            O3_8h_24h => "O3_8h_24h",
            Co => "CO",
            Co_24h => "CO_24h",
            Release => "release",
        }
    }

    /// Recognises a quotsoft `type` cell (exact publisher spelling, case-insensitive); one of
    /// [`SeriesType::FILE_SERIES`] only.
    pub fn from_file_name(s: &str) -> Option<SeriesType> {
        Self::FILE_SERIES.into_iter().find(|t| t.file_name().eq_ignore_ascii_case(s))
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The hourly series of a pollutant (1-hour values).
    pub fn hourly(p: Pollutant) -> SeriesType {
        match p {
            Pollutant::So2 => SeriesType::So2,
            Pollutant::No2 => SeriesType::No2,
            Pollutant::Co => SeriesType::Co,
            Pollutant::O3 => SeriesType::O3,
            Pollutant::Pm10 => SeriesType::Pm10,
            Pollutant::Pm2_5 => SeriesType::Pm2_5,
        }
    }
}
