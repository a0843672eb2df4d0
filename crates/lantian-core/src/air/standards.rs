//! Versioned rule tables: GB 3095 limits and validity minimums, HJ 633 breakpoints and special
//! rules, HJ 663 daily-validity rules. A rule set is chosen by the **date of the data**
//! (`standards.md` §1), never by today's date.

use chrono::NaiveDate;
use serde::Serialize;

use crate::air::conc::Conc;
use crate::air::pollutant::{Indicator, Pollutant};

/// The national standard set in force for a date (`standards.md` §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum StandardSet {
    /// GB 3095-2012 (with the 2018 amendment) + HJ 633-2012 + HJ 663-2013: data before 2026-03-01.
    Y2012,
    /// GB 3095-2026 + HJ 633-2026 + HJ 663-2026: data from 2026-03-01.
    Y2026,
}

/// Stage of the concentration limits (GB 3095-2026 4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LimitStage {
    /// GB 3095-2012 limits.
    Y2012,
    /// GB 3095-2026 transition-stage limits, 2026-03-01 … 2030-12-31.
    Transition,
    /// GB 3095-2026 final limits, from 2031-01-01.
    Final,
}

const fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, day) {
        Some(v) => v,
        None => panic!("invalid constant date"),
    }
}

/// First day of the 2026 standards (HJ 633-2026 and GB 3095-2026 covers: "2026-03-01实施").
pub const Y2026_FROM: NaiveDate = d(2026, 3, 1);
/// First day of the GB 3095-2026 final limits (4.4).
pub const FINAL_LIMITS_FROM: NaiveDate = d(2031, 1, 1);

impl StandardSet {
    /// The set in force on the date of the data.
    pub fn for_date(date: NaiveDate) -> StandardSet {
        if date < Y2026_FROM {
            StandardSet::Y2012
        } else {
            StandardSet::Y2026
        }
    }

    /// The machine spelling of the set in CSV and JSON (`y2012`, `y2026`).
    pub fn code(self) -> &'static str {
        match self {
            StandardSet::Y2012 => "y2012",
            StandardSet::Y2026 => "y2026",
        }
    }

    /// The AQI standard of the set as Chinese tables name it.
    pub fn label_zh(self) -> &'static str {
        match self {
            StandardSet::Y2012 => "HJ 633-2012",
            StandardSet::Y2026 => "HJ 633-2026",
        }
    }

    /// The AQI rules of this set.
    pub fn aqi_rules(self) -> &'static AqiRules {
        match self {
            StandardSet::Y2012 => &HJ633_2012,
            StandardSet::Y2026 => &HJ633_2026,
        }
    }

    /// The assessment validity rules of this set.
    pub fn validity(self) -> &'static ValidityRules {
        match self {
            StandardSet::Y2012 => &VALIDITY_2012,
            StandardSet::Y2026 => &VALIDITY_2026,
        }
    }
}

/// IAQI values at the breakpoints (HJ 633 Table 1 / Table 3, first column).
pub const IAQI_STEPS: [u32; 8] = [0, 50, 100, 150, 200, 300, 400, 500];

/// One breakpoint column: concentrations at IAQI 0, 50, 100, … (as many as the column defines).
#[derive(Clone, Copy, Debug)]
pub struct Breakpoints(pub &'static [Conc]);

const fn u(v: i64) -> Conc {
    Conc::units(v)
}

/// What to do when a concentration lies above the last breakpoint of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AboveTable {
    /// IAQI 500 with `beyond_table` flagged (`standards.md` §5.3 [D]; the publisher does this for PM,
    /// e.g. 1908A 2023-01-22 06h PM10 709 → AQI 500).
    Cap500,
    /// The IAQI is fixed (HJ 633-2026: SO2 1-h > 800 → 200; O3 8-h > 800 → 300).
    Fixed(u32),
    /// HJ 633-2012 note 2: SO2 1-h > 800 is not rated; the SO2 24-h value is rated instead.
    UseSo2_24h,
    /// HJ 633-2012 note 3: O3 8-h > 800 is not rated; the O3 1-h value is rated instead.
    UseO3_1h,
}

/// How a missing indicator affects the published AQI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MissingRule {
    /// HJ 633-2012 tables 3–4: AQI from the available indicators, the missing ones shown as NA.
    MaxOfAvailable,
    /// HJ 633-2026 5.3.1: with a missing pollutant the AQI, level and primary pollutant are published
    /// only when the AQI from the others exceeds 100; otherwise they are NA.
    PublishOnlyAbove100,
    /// [`MissingRule::PublishOnlyAbove100`] where a pollutant marked `/` (outside the station's
    /// monitoring plan) does not count as missing (HJ 633-2026 5.3.2). Needs the not-monitored mask
    /// of the hour (real-time release rows); used by the literal real-time reading
    /// (`crate::air::publisher::LITERAL`).
    PublishOnlyAbove100NotMonitoredExempt,
}

/// HJ 633 rules for one edition: breakpoint table, special rules and the daily indicator set.
#[derive(Debug)]
pub struct AqiRules {
    pub set: StandardSet,
    pub name: &'static str,
    /// Where the numbers come from.
    pub source: &'static str,
    pub so2_24h: Breakpoints,
    pub so2_1h: Breakpoints,
    pub no2_24h: Breakpoints,
    pub no2_1h: Breakpoints,
    pub pm10_24h: Breakpoints,
    pub co_24h: Breakpoints,
    pub co_1h: Breakpoints,
    pub o3_1h: Breakpoints,
    pub o3_8h: Breakpoints,
    pub pm2_5_24h: Breakpoints,
    /// SO2 1-hour above 800 μg/m³ in the **literal** reading of the standard.
    pub so2_1h_above: AboveTable,
    /// O3 8-hour above 800 μg/m³.
    pub o3_8h_above: AboveTable,
    /// The indicators of the daily report (日报).
    pub daily_indicators: &'static [Indicator],
    /// Whether "over-standard pollutant" (超标污染物, IAQI > 100) exists (deleted in HJ 633-2026).
    pub has_exceeding_pollutants: bool,
    pub missing_rule: MissingRule,
}

impl AqiRules {
    /// The breakpoint column an indicator is rated on. 1-hour PM values are rated on the 24-hour
    /// (daily) column (HJ 633-2026 4.2.4; the publisher's practice under HJ 633-2012 too).
    pub fn column(&self, ind: Indicator) -> Breakpoints {
        use Indicator::*;
        match ind {
            So2_1h => self.so2_1h,
            So2_24h => self.so2_24h,
            No2_1h => self.no2_1h,
            No2_24h => self.no2_24h,
            Co_1h => self.co_1h,
            Co_24h => self.co_24h,
            O3_1h => self.o3_1h,
            O3_8h => self.o3_8h,
            Pm10_1h | Pm10_24h => self.pm10_24h,
            Pm2_5_1h | Pm2_5_24h => self.pm2_5_24h,
        }
    }
}

/// HJ 633-2012 Table 1 (`standards.md` §5.1, verified against the standard's text). SO2 24-h is
/// 0/50/150/475/800/1600/2100/2620 — not the 1-hour column that some open-source tables copy.
pub static HJ633_2012: AqiRules = AqiRules {
    set: StandardSet::Y2012,
    name: "HJ 633-2012",
    source: "HJ 633-2012 环境空气质量指数（AQI）技术规定（试行）表1, 5.1–6.2",
    so2_24h: Breakpoints(&[u(0), u(50), u(150), u(475), u(800), u(1600), u(2100), u(2620)]),
    so2_1h: Breakpoints(&[u(0), u(150), u(500), u(650), u(800)]),
    no2_24h: Breakpoints(&[u(0), u(40), u(80), u(180), u(280), u(565), u(750), u(940)]),
    no2_1h: Breakpoints(&[u(0), u(100), u(200), u(700), u(1200), u(2340), u(3090), u(3840)]),
    pm10_24h: Breakpoints(&[u(0), u(50), u(150), u(250), u(350), u(420), u(500), u(600)]),
    co_24h: Breakpoints(&[u(0), u(2), u(4), u(14), u(24), u(36), u(48), u(60)]),
    co_1h: Breakpoints(&[u(0), u(5), u(10), u(35), u(60), u(90), u(120), u(150)]),
    o3_1h: Breakpoints(&[u(0), u(160), u(200), u(300), u(400), u(800), u(1000), u(1200)]),
    o3_8h: Breakpoints(&[u(0), u(100), u(160), u(215), u(265), u(800)]),
    pm2_5_24h: Breakpoints(&[u(0), u(35), u(75), u(115), u(150), u(250), u(350), u(500)]),
    so2_1h_above: AboveTable::UseSo2_24h,
    o3_8h_above: AboveTable::UseO3_1h,
    daily_indicators: &[
        Indicator::So2_24h,
        Indicator::No2_24h,
        Indicator::Pm10_24h,
        Indicator::Pm2_5_24h,
        Indicator::Co_24h,
        Indicator::O3_1h,
        Indicator::O3_8h,
    ],
    has_exceeding_pollutants: true,
    missing_rule: MissingRule::MaxOfAvailable,
};

/// HJ 633-2026 Table 3 (`standards.md` §5.2, verified from the official PDF's page images): as 2012
/// except PM10 100 → 120 and PM2.5 100 → 60 at IAQI 100, SO2 1-h > 800 → 200, O3 8-h > 800 → 300,
/// no O3 1-h max in the daily report, no over-standard pollutant, NA when a pollutant is missing
/// and the AQI ≤ 100 (5.3.1; the daily report — the real-time report's missing-value rule is in
/// `crate::air::publisher`, where the publisher's practice differs).
pub static HJ633_2026: AqiRules = AqiRules {
    set: StandardSet::Y2026,
    name: "HJ 633-2026",
    source: "HJ 633-2026 环境空气质量指数（AQI）技术规定 表3, 4.1–5.3",
    so2_24h: Breakpoints(&[u(0), u(50), u(150), u(475), u(800), u(1600), u(2100), u(2620)]),
    so2_1h: Breakpoints(&[u(0), u(150), u(500), u(650), u(800)]),
    no2_24h: Breakpoints(&[u(0), u(40), u(80), u(180), u(280), u(565), u(750), u(940)]),
    no2_1h: Breakpoints(&[u(0), u(100), u(200), u(700), u(1200), u(2340), u(3090), u(3840)]),
    pm10_24h: Breakpoints(&[u(0), u(50), u(120), u(250), u(350), u(420), u(500), u(600)]),
    co_24h: Breakpoints(&[u(0), u(2), u(4), u(14), u(24), u(36), u(48), u(60)]),
    co_1h: Breakpoints(&[u(0), u(5), u(10), u(35), u(60), u(90), u(120), u(150)]),
    o3_1h: Breakpoints(&[u(0), u(160), u(200), u(300), u(400), u(800), u(1000), u(1200)]),
    o3_8h: Breakpoints(&[u(0), u(100), u(160), u(215), u(265), u(800)]),
    pm2_5_24h: Breakpoints(&[u(0), u(35), u(60), u(115), u(150), u(250), u(350), u(500)]),
    so2_1h_above: AboveTable::Fixed(200),
    o3_8h_above: AboveTable::Fixed(300),
    daily_indicators: &[
        Indicator::So2_24h,
        Indicator::No2_24h,
        Indicator::Pm10_24h,
        Indicator::Pm2_5_24h,
        Indicator::Co_24h,
        Indicator::O3_8h,
    ],
    has_exceeding_pollutants: false,
    missing_rule: MissingRule::PublishOnlyAbove100,
};

/// Averaging times of GB 3095.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Avg {
    Annual,
    H24,
    H1,
    Mda8,
}

/// GB 3095 grade II concentration limits used for city assessment (二类区).
#[derive(Debug)]
pub struct Limits {
    pub stage: LimitStage,
    pub name: &'static str,
    pub source: &'static str,
    /// Annual means of SO2, NO2, PM10, PM2.5 (CO and O3 have no annual limit).
    pub annual: [(Pollutant, Conc); 4],
    /// 24-hour (daily) means of SO2, NO2, CO, PM10, PM2.5.
    pub daily: [(Pollutant, Conc); 5],
    /// 1-hour values of SO2, NO2, CO, O3.
    pub hourly: [(Pollutant, Conc); 4],
    /// O3 daily maximum 8-hour mean.
    pub o3_mda8: Conc,
}

impl Limits {
    /// The limit of a pollutant for an averaging time, if one is set.
    pub fn get(&self, p: Pollutant, avg: Avg) -> Option<Conc> {
        let table: &[(Pollutant, Conc)] = match avg {
            Avg::Annual => &self.annual,
            Avg::H24 => &self.daily,
            Avg::H1 => &self.hourly,
            Avg::Mda8 => return (p == Pollutant::O3).then_some(self.o3_mda8),
        };
        table.iter().find(|(q, _)| *q == p).map(|(_, c)| *c)
    }

    /// The limits in force on a date.
    pub fn for_date(date: NaiveDate) -> &'static Limits {
        if date < Y2026_FROM {
            &GB3095_2012_II
        } else if date < FINAL_LIMITS_FROM {
            &GB3095_2026_TRANSITION_II
        } else {
            &GB3095_2026_FINAL_II
        }
    }
}

/// GB 3095-2012 Table 1, grade II (`standards.md` §2.1).
pub static GB3095_2012_II: Limits = Limits {
    stage: LimitStage::Y2012,
    name: "GB 3095-2012 二级",
    source: "GB 3095-2012 表1 (2018 修改单)",
    annual: [(Pollutant::So2, u(60)), (Pollutant::No2, u(40)), (Pollutant::Pm10, u(70)), (Pollutant::Pm2_5, u(35))],
    daily: [
        (Pollutant::So2, u(150)),
        (Pollutant::No2, u(80)),
        (Pollutant::Co, u(4)),
        (Pollutant::Pm10, u(150)),
        (Pollutant::Pm2_5, u(75)),
    ],
    hourly: [(Pollutant::So2, u(500)), (Pollutant::No2, u(200)), (Pollutant::Co, u(10)), (Pollutant::O3, u(200))],
    o3_mda8: u(160),
};

/// GB 3095-2026 Table 1, transition-stage grade II, 2026-03-01 … 2030-12-31 (`standards.md` §2.3).
pub static GB3095_2026_TRANSITION_II: Limits = Limits {
    stage: LimitStage::Transition,
    name: "GB 3095-2026 过渡阶段二级",
    source: "GB 3095-2026 表1 过渡阶段浓度限值, 4.4",
    annual: [(Pollutant::So2, u(60)), (Pollutant::No2, u(40)), (Pollutant::Pm10, u(60)), (Pollutant::Pm2_5, u(30))],
    daily: [
        (Pollutant::So2, u(150)),
        (Pollutant::No2, u(80)),
        (Pollutant::Co, u(4)),
        (Pollutant::Pm10, u(120)),
        (Pollutant::Pm2_5, u(60)),
    ],
    hourly: [(Pollutant::So2, u(500)), (Pollutant::No2, u(200)), (Pollutant::Co, u(10)), (Pollutant::O3, u(200))],
    o3_mda8: u(160),
};

/// GB 3095-2026 Table 1, final grade II, from 2031-01-01 (`standards.md` §2.3).
pub static GB3095_2026_FINAL_II: Limits = Limits {
    stage: LimitStage::Final,
    name: "GB 3095-2026 二级",
    source: "GB 3095-2026 表1, 4.4",
    annual: [(Pollutant::So2, u(20)), (Pollutant::No2, u(30)), (Pollutant::Pm10, u(50)), (Pollutant::Pm2_5, u(25))],
    daily: [
        (Pollutant::So2, u(50)),
        (Pollutant::No2, u(50)),
        (Pollutant::Co, u(4)),
        (Pollutant::Pm10, u(100)),
        (Pollutant::Pm2_5, u(50)),
    ],
    hourly: [(Pollutant::So2, u(150)), (Pollutant::No2, u(200)), (Pollutant::Co, u(10)), (Pollutant::O3, u(200))],
    o3_mda8: u(160),
};

/// Data-validity minimums (GB 3095 Table 4) and the HJ 663 daily rules built on them.
#[derive(Debug)]
pub struct ValidityRules {
    pub source: &'static str,
    /// A 24-hour mean needs at least this many valid hourly values (GB 3095 Table 4).
    pub daily_min_hours: usize,
    /// An 8-hour O3 window needs at least this many valid hourly values (GB 3095 Table 4).
    pub window_min_hours: usize,
    /// The day's MDA8 needs at least this many valid windows of the 17 ending 08:00–24:00 …
    pub mda8_min_windows: usize,
    /// … unless the maximum of the valid windows exceeds the O3 8-hour limit (HJ 663 6.1.2).
    pub mda8_exceedance_rescues: bool,
    /// [D] The O3 daily maximum 1-hour value needs this many valid hours (no rule found; the
    /// 24-hour minimum is used), or fewer when the maximum already exceeds the 1-hour limit.
    pub o3_max_1h_min_hours: usize,
    /// Period statistics: valid days a month needs (February: `month_min_days_feb`).
    pub month_min_days: usize,
    pub month_min_days_feb: usize,
    /// Valid days a year needs for an annual mean.
    pub year_min_days: usize,
}

pub static VALIDITY_2012: ValidityRules = ValidityRules {
    source: "GB 3095-2012 表4; HJ 663-2013 6.1.2",
    daily_min_hours: 20,
    window_min_hours: 6,
    mda8_min_windows: 14,
    mda8_exceedance_rescues: true,
    o3_max_1h_min_hours: 20,
    month_min_days: 27,
    month_min_days_feb: 25,
    year_min_days: 324,
};

pub static VALIDITY_2026: ValidityRules = ValidityRules {
    source: "GB 3095-2026 表4, 6.4; HJ 663-2026 6.1.2",
    daily_min_hours: 20,
    window_min_hours: 6,
    mda8_min_windows: 14,
    mda8_exceedance_rescues: true,
    o3_max_1h_min_hours: 20,
    month_min_days: 27,
    month_min_days_feb: 25,
    year_min_days: 324,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_is_chosen_by_the_data_date() {
        assert_eq!(StandardSet::for_date(d(2026, 2, 28)), StandardSet::Y2012);
        assert_eq!(StandardSet::for_date(d(2026, 3, 1)), StandardSet::Y2026);
        assert_eq!(Limits::for_date(d(2030, 12, 31)).stage, LimitStage::Transition);
        assert_eq!(Limits::for_date(d(2031, 1, 1)).stage, LimitStage::Final);
        assert_eq!(Limits::for_date(d(2022, 5, 1)).get(Pollutant::Pm2_5, Avg::Annual), Some(u(35)));
        assert_eq!(Limits::for_date(d(2027, 5, 1)).get(Pollutant::Pm10, Avg::H24), Some(u(120)));
        assert_eq!(Limits::for_date(d(2027, 5, 1)).get(Pollutant::O3, Avg::Annual), None);
    }

    #[test]
    fn breakpoint_columns_increase() {
        for r in [&HJ633_2012, &HJ633_2026] {
            for ind in [
                Indicator::So2_1h,
                Indicator::So2_24h,
                Indicator::No2_1h,
                Indicator::No2_24h,
                Indicator::Co_1h,
                Indicator::Co_24h,
                Indicator::O3_1h,
                Indicator::O3_8h,
                Indicator::Pm10_24h,
                Indicator::Pm2_5_24h,
            ] {
                let c = r.column(ind).0;
                assert!(c.len() <= IAQI_STEPS.len());
                assert!(c.windows(2).all(|w| w[0] < w[1]), "{} {:?}", r.name, ind);
            }
        }
    }
}
