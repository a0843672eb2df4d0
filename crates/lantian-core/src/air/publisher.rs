//! The real-time (hourly) AQI rules as dated data: what the publisher (CNEMC's national real-time
//! release) does in each period, checked against its published rows, and the literal readings of
//! HJ 633-2012 / HJ 633-2026 as the named non-default alternative. Every field carries its source:
//! the clause of the standard, or the published rows that show it.
//!
//! An entry applies to the hours whose **natural day** ([`natural_day_of_hour`]) is on or after its
//! `from` date; [`RealTimeRules::of`] picks the entry of a standard set once, so the per-hour work of
//! [`crate::air::aqi::realtime_aqi`] is a few predictable branches on a `&'static` table.
//!
//! Evidence files: `shared/data/cnemc/quotsoft-sites/2023-01` (157,750 published station-hours,
//! HJ 633-2012) and `shared/data/cnemc/realtime-2026` (the real-time release rows of the hours
//! stamped 2026-02-28T23, rated under HJ 633-2012, and 2026-03-01T01, rated under HJ 633-2026).

use chrono::NaiveDate;
use serde::Serialize;

use crate::air::aqi::{IndicatorSet, RealTimeConvention};
use crate::air::conc::Conc;
use crate::air::pollutant::{Indicator, Pollutant};
use crate::air::standards::{MissingRule, StandardSet, Y2026_FROM};

/// A rule's value and where it comes from (a clause, or the published rows that show it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    pub source: &'static str,
}

/// Which particulate-matter values enter the real-time AQI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PmTerm {
    /// The 1-hour PM10 / PM2.5 values, rated on the 24-hour (daily) breakpoint columns.
    OneHourOnDailyBreakpoints,
    /// The 24-hour moving means (HJ 633-2012 Table 4, literal).
    MovingMean24h,
}

/// How an SO2 1-hour value above 800 μg/m³ (beyond the 1-hour column) is rated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum So2Above800 {
    /// A fixed IAQI.
    Iaqi(u32),
    /// Not rated; the SO2 24-hour moving mean is rated instead (HJ 633-2012 Table 1 note 2).
    From24hMean,
}

/// How ties for the primary pollutant are decided (one rule found in every period; `AqiResult`'s
/// primary pollutants are computed on the integer IAQIs accordingly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PrimaryTies {
    /// Every pollutant whose **rounded-up** (integer) IAQI equals the AQI is primary.
    RoundedIaqi,
}

/// The real-time AQI rules of one period under one reading.
#[derive(Debug, Serialize)]
pub struct RealTimeRules {
    /// What this entry is (`publisher, HJ 633-2026 period`).
    pub name: &'static str,
    /// First natural day ([`natural_day_of_hour`]) of the period.
    pub from: NaiveDate,
    /// The edition (breakpoint tables) that rates the hours of the period.
    pub edition: Sourced<StandardSet>,
    pub pm: Sourced<PmTerm>,
    /// Whether the O3 8-hour moving mean is rated.
    pub o3_8h_term: Sourced<bool>,
    pub so2_above_800: Sourced<So2Above800>,
    pub primary_ties: Sourced<PrimaryTies>,
    /// Whether an AQI is published when a pollutant is missing or marked `/` (not monitored).
    pub missing: Sourced<MissingRule>,
}

const fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, day) {
        Some(v) => v,
        None => panic!("invalid constant date"),
    }
}

/// The start of the HJ 633-2012 periods: the tables hold no earlier data than the real-time release
/// (2013), so the first entries apply to everything before 2026-03-01.
const Y2012_PERIOD_FROM: NaiveDate = d(2012, 1, 1);

const TIES_ROUNDED: &str = "published ties are decided on the rounded-up IAQI: 28 Feb file 2195A PM10 124 \
     (IAQI 87) and PM2.5 64 (86.25 → 87), 1071A PM10 63 (56.5 → 57) and PM2.5 40 (56.25 → 57), both \
     published \"颗粒物(PM10),细颗粒物(PM2.5)\"; 1 March file 4034A PM10 69 (63.57 → 64) and PM2.5 42 (64) \
     likewise; HeQinWill/CNEMC Archive/2026-03-01/2026-03-01T00.csv (commit 0aa5bf62) 1761A PM10 147 \
     (98.5 → 99) and PM2.5 74 (98.75 → 99), both primary. Tied pollutants are all primary: HJ 633-2012 \
     3.3, standards.md §5.5";

/// What the publisher does, per period (`ARCHITECTURE.md`, "What the publisher does").
pub static PUBLISHER: [RealTimeRules; 2] = [
    RealTimeRules {
        name: "publisher (CNEMC real-time release), HJ 633-2012 period",
        from: Y2012_PERIOD_FROM,
        edition: Sourced {
            value: StandardSet::Y2012,
            source: "HJ 633-2012 in force before 2026-03-01 (HJ 633-2026 cover: 2026-03-01实施); the 28 Feb \
                     2026 release rows (hour stamped 2026-02-28T23) reproduce on the 2012 tables, 29 of 29",
        },
        pm: Sourced {
            value: PmTerm::OneHourOnDailyBreakpoints,
            source: "not HJ 633-2012 Table 4 (24-hour moving PM) but the publisher's practice: all 157,750 \
                     published station-hours of the quotsoft files of 2023-01-20…23 reproduce with the \
                     1-hour PM values on the 24-hour breakpoints (the literal reading: about 2 %)",
        },
        o3_8h_term: Sourced {
            value: false,
            source: "the same 157,750 station-hours reproduce without an O3 8-hour IAQI",
        },
        so2_above_800: Sourced {
            value: So2Above800::Iaqi(200),
            source: "station 2647A, 2023-01-22 12:00: SO2 952, SO2_24h 131 (IAQI 91), published AQI 200 — \
                     not HJ 633-2012 note 2 (rate the 24-hour mean)",
        },
        primary_ties: Sourced { value: PrimaryTies::RoundedIaqi, source: TIES_ROUNDED },
        missing: Sourced {
            value: MissingRule::MaxOfAvailable,
            source: "HJ 633-2012 tables 3–4 (AQI of the available indicators, missing ones NA). The \
                     publisher is inconsistent here: 2,768 station-hours of the 2023-01 quotsoft files have \
                     pollutant values and no published AQI, on both sides of AQI 100 for the same missing \
                     pollutant; 28 Feb 2026 rows: 3569A published (83) without PM10, 2594A not published \
                     (only CO missing; the others give 59), 3568A not published (only PM10, 90 → 70). No \
                     rule separates them, so the AQI of the available pollutants is computed and outputs \
                     name the missing pollutants beside the (empty) published AQI",
        },
    },
    RealTimeRules {
        name: "publisher (CNEMC real-time release), HJ 633-2026 period",
        from: Y2026_FROM,
        edition: Sourced {
            value: StandardSet::Y2026,
            source: "HJ 633-2026 from 2026-03-01, by the natural day of the hour: the hour stamped \
                     2026-03-01T00 (23:00–24:00 of 28 Feb) is still rated on the 2012 tables — \
                     HeQinWill/CNEMC Archive/2026-03-01/2026-03-01T00.csv (commit 0aa5bf62): 4117A PM2.5 60, \
                     PM10 NA, others low, published AQI 82 (2012: 50 + 25 × 50 / 40 = 81.25 → 82; 2026 would \
                     give 100); 1001A PM2.5 55 → 75 (2012). The hour stamped 2026-03-01T01 is the first rated \
                     on the 2026 tables: all 152 published AQIs of the 1 March file reproduce",
        },
        pm: Sourced {
            value: PmTerm::OneHourOnDailyBreakpoints,
            source: "HJ 633-2026 4.2.3–4.2.4 (1-hour PM10/PM2.5 on the daily breakpoints, IAQI 100 at PM10 \
                     120 and PM2.5 60); all 152 published AQIs of the 1 March 2026 file reproduce",
        },
        o3_8h_term: Sourced {
            value: false,
            source: "HJ 633-2026 4.2.3 (real-time report: the six 1-hour values); the 152 published AQIs of \
                     the 1 March 2026 file reproduce without it",
        },
        so2_above_800: Sourced {
            value: So2Above800::Iaqi(200),
            source: "HJ 633-2026 Table 3 note (SO2 1-hour above 800 μg/m³: IAQI 200); no such hour in the \
                     1 March 2026 rows",
        },
        primary_ties: Sourced { value: PrimaryTies::RoundedIaqi, source: TIES_ROUNDED },
        missing: Sourced {
            value: MissingRule::MaxOfAvailable,
            source: "published from the available pollutants whenever at least one is present — NOT \
                     HJ 633-2026 5.3.1's \"only if AQI > 100\": 1 March 2026 file, PM10 missing (NA) in 14 \
                     rated rows, all published, 12 of them with AQI ≤ 100 (2644A 10, 1336A 26, 1730A 50, \
                     …); SO2 and CO marked `/` at 1957A (AQI 119 published), CO `/` at 4263A (AQI 50 \
                     published); the only unpublished row, 2311A, has all six pollutants NA. [D] Other \
                     pollutants missing: no evidence yet, the same rule is assumed",
        },
    },
];

/// The literal reading of the standard in force (non-default, `--convention literal`).
pub static LITERAL: [RealTimeRules; 2] = [
    RealTimeRules {
        name: "literal HJ 633-2012",
        from: Y2012_PERIOD_FROM,
        edition: Sourced { value: StandardSet::Y2012, source: "HJ 633-2012" },
        pm: Sourced { value: PmTerm::MovingMean24h, source: "HJ 633-2012 Table 4 (real-time report)" },
        o3_8h_term: Sourced { value: true, source: "HJ 633-2012 Table 4 (O3 8-hour moving mean)" },
        so2_above_800: Sourced { value: So2Above800::From24hMean, source: "HJ 633-2012 Table 1 note 2" },
        primary_ties: Sourced {
            value: PrimaryTies::RoundedIaqi,
            source: "HJ 633-2012 3.3 (ties all primary), 6.2 (IAQI rounded up)",
        },
        missing: Sourced { value: MissingRule::MaxOfAvailable, source: "HJ 633-2012 tables 3–4" },
    },
    RealTimeRules {
        name: "literal HJ 633-2026",
        from: Y2026_FROM,
        edition: Sourced { value: StandardSet::Y2026, source: "HJ 633-2026 (2026-03-01实施)" },
        pm: Sourced { value: PmTerm::OneHourOnDailyBreakpoints, source: "HJ 633-2026 4.2.3–4.2.4" },
        o3_8h_term: Sourced { value: false, source: "HJ 633-2026 4.2.3" },
        so2_above_800: Sourced { value: So2Above800::Iaqi(200), source: "HJ 633-2026 Table 3 note" },
        primary_ties: Sourced {
            value: PrimaryTies::RoundedIaqi,
            source: "HJ 633-2026 4.2.6 (IAQI rounded up); ties all primary, standards.md §5.5",
        },
        missing: Sourced {
            value: MissingRule::PublishOnlyAbove100NotMonitoredExempt,
            source: "HJ 633-2026 5.3.1 (a pollutant missing or invalid: AQI, level and primary pollutant \
                     published only when the AQI of the others exceeds 100, else NA) and 5.3.2 (a pollutant \
                     outside the station's monitoring plan, `/`, does not stop publication; [D] its second \
                     condition — never the primary pollutant of a lightly polluted or worse day in three \
                     years — cannot be checked from hourly data and is taken as met)",
        },
    },
];

impl RealTimeRules {
    /// The rules of a reading for the hours rated with `set` (one match: no search per hour).
    #[inline]
    pub fn of(conv: RealTimeConvention, set: StandardSet) -> &'static RealTimeRules {
        let table = match conv {
            RealTimeConvention::Publisher => &PUBLISHER,
            RealTimeConvention::LiteralHj633_2012 => &LITERAL,
        };
        match set {
            StandardSet::Y2012 => &table[0],
            StandardSet::Y2026 => &table[1],
        }
    }

    /// The entry of a reading for the hours of natural day `day` (the last entry starting on or
    /// before it).
    pub fn for_natural_day(conv: RealTimeConvention, day: NaiveDate) -> &'static RealTimeRules {
        let table = match conv {
            RealTimeConvention::Publisher => &PUBLISHER,
            RealTimeConvention::LiteralHj633_2012 => &LITERAL,
        };
        table.iter().rev().find(|r| r.from <= day).unwrap_or(&table[0])
    }
}

/// The natural day an end-labelled hour belongs to: the day its interval lies in, i.e. the label date
/// for label hours 1–23 and the day before for label hour 0 (23:00–24:00). Editions change with the
/// natural day: the hour stamped 2026-03-01T00 closes 28 February and is rated with HJ 633-2012
/// (evidence: [`PUBLISHER`]`[1].edition`).
pub fn natural_day_of_hour(label_date: NaiveDate, h: usize) -> NaiveDate {
    if h == 0 {
        label_date.pred_opt().unwrap_or(label_date)
    } else {
        label_date
    }
}

/// The standard set that rates label hour `h` of `label_date` in the real-time report.
pub fn edition_of_hour(label_date: NaiveDate, h: usize) -> StandardSet {
    RealTimeRules::for_natural_day(RealTimeConvention::Publisher, natural_day_of_hour(label_date, h)).edition.value
}

/// What a real-time release row says beyond its concentrations, stored per hour as the
/// [`crate::SeriesType::Release`] series (an integer, no decimals). Bits:
///
/// * 0–5: the published primary pollutants, in [`Pollutant`] order (SO2, NO2, CO, O3 1-hour, PM10,
///   PM2.5);
/// * 6: primary pollutant `臭氧8小时` (O3 8-hour);
/// * 8–13: the pollutants marked `/` (not monitored at the station), in [`Pollutant`] order;
/// * 15: the hour came from a release row — so that "no primary because AQI ≤ 50" differs from "no
///   information" (a quotsoft file, which carries no primary pollutant).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ReleaseFacts(pub u16);

impl ReleaseFacts {
    /// Bit 15: the hour came from a release row.
    pub const FROM_RELEASE: u16 = 1 << 15;
    /// Bit 6: `臭氧8小时` published as primary.
    pub const PRIMARY_O3_8H: u16 = 1 << 6;

    /// The bit of a published primary pollutant (1-hour O3 for [`Pollutant::O3`]).
    pub const fn primary_bit(p: Pollutant) -> u16 {
        1 << p as u16
    }

    /// The bit of a pollutant marked `/`.
    pub const fn not_monitored_bit(p: Pollutant) -> u16 {
        1 << (8 + p as u16)
    }

    /// The bit of a publisher's primary-pollutant label (`细颗粒物(PM2.5)`, `臭氧8小时`, …; the
    /// parentheses half- or full-width); `None` for any other text.
    pub fn primary_label_bit(label: &str) -> Option<u16> {
        let l = label.trim().replace('（', "(").replace('）', ")");
        Some(match l.as_str() {
            "二氧化硫" => Self::primary_bit(Pollutant::So2),
            "二氧化氮" => Self::primary_bit(Pollutant::No2),
            "一氧化碳" => Self::primary_bit(Pollutant::Co),
            "臭氧1小时" => Self::primary_bit(Pollutant::O3),
            "臭氧8小时" => Self::PRIMARY_O3_8H,
            "颗粒物(PM10)" => Self::primary_bit(Pollutant::Pm10),
            "细颗粒物(PM2.5)" => Self::primary_bit(Pollutant::Pm2_5),
            _ => return None,
        })
    }

    /// The stored value.
    pub fn to_conc(self) -> Conc {
        Conc::units(i64::from(self.0))
    }

    /// From a stored value; `None` if it is not a whole number within 16 bits.
    pub fn from_conc(c: Conc) -> Option<ReleaseFacts> {
        let m = c.milli();
        if m % 1000 != 0 {
            return None;
        }
        u16::try_from(m / 1000).ok().map(ReleaseFacts)
    }

    /// Whether the hour came from a release row.
    pub fn is_release(self) -> bool {
        self.0 & Self::FROM_RELEASE != 0
    }

    /// The published primary pollutants as indicators of the real-time report (the 1-hour indicator of
    /// each pollutant; `O3_8h` for `臭氧8小时`), comparable with [`crate::AqiResult::primary`].
    pub fn published_primary(self) -> IndicatorSet {
        let mut s = IndicatorSet::default();
        for (k, ind) in [
            Indicator::So2_1h,
            Indicator::No2_1h,
            Indicator::Co_1h,
            Indicator::O3_1h,
            Indicator::Pm10_1h,
            Indicator::Pm2_5_1h,
            Indicator::O3_8h,
        ]
        .into_iter()
        .enumerate()
        {
            if self.0 & (1 << k) != 0 {
                s.insert(ind);
            }
        }
        s
    }

    /// The pollutants marked `/`: bit `p as u8` per [`Pollutant`].
    pub fn not_monitored(self) -> u8 {
        (self.0 >> 8) as u8 & 0x3f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_dated_and_agree_with_the_standard_sets() {
        for conv in [RealTimeConvention::Publisher, RealTimeConvention::LiteralHj633_2012] {
            for day in [d(2013, 1, 1), d(2023, 1, 22), d(2026, 2, 28), d(2026, 3, 1), d(2031, 6, 1)] {
                let r = RealTimeRules::for_natural_day(conv, day);
                assert_eq!(r.edition.value, StandardSet::for_date(day), "{conv:?} {day}");
                assert!(std::ptr::eq(r, RealTimeRules::of(conv, r.edition.value)), "{conv:?} {day}");
            }
        }
        assert!(PUBLISHER.iter().chain(&LITERAL).all(|r| !r.edition.source.is_empty() && !r.missing.source.is_empty()));
    }

    /// The hour stamped 2026-03-01T00 (23:00–24:00 of 28 February) belongs to 28 February.
    #[test]
    fn label_hour_zero_belongs_to_the_day_before() {
        assert_eq!(natural_day_of_hour(d(2026, 3, 1), 0), d(2026, 2, 28));
        assert_eq!(edition_of_hour(d(2026, 3, 1), 0), StandardSet::Y2012);
        assert_eq!(edition_of_hour(d(2026, 3, 1), 1), StandardSet::Y2026);
        assert_eq!(edition_of_hour(d(2026, 3, 2), 0), StandardSet::Y2026);
    }

    /// The bit layout of the module documentation, worked by hand.
    #[test]
    fn release_bits_worked_by_hand() {
        // PM10 and PM2.5 primary (bits 4, 5 = 16 + 32), SO2 and CO marked `/` (bits 8, 10 = 256 +
        // 1024), from a release row (32768): 16 + 32 + 256 + 1024 + 32768 = 34,096.
        let f = ReleaseFacts(
            ReleaseFacts::primary_label_bit("颗粒物(PM10)").unwrap_or(0)
                | ReleaseFacts::primary_label_bit("细颗粒物（PM2.5）").unwrap_or(0)
                | ReleaseFacts::not_monitored_bit(Pollutant::So2)
                | ReleaseFacts::not_monitored_bit(Pollutant::Co)
                | ReleaseFacts::FROM_RELEASE,
        );
        assert_eq!(f.0, 34_096);
        assert_eq!(f.to_conc(), Conc::units(34_096));
        assert_eq!(ReleaseFacts::from_conc(Conc::units(34_096)), Some(f));
        assert_eq!(ReleaseFacts::from_conc(Conc(34_096_500)), None);
        assert!(f.is_release());
        assert_eq!(f.not_monitored(), 0b101);
        assert_eq!(f.published_primary().iter().collect::<Vec<_>>(), vec![Indicator::Pm10_1h, Indicator::Pm2_5_1h]);
        assert_eq!(ReleaseFacts::primary_label_bit("臭氧8小时"), Some(64));
        assert_eq!(ReleaseFacts(64).published_primary().iter().collect::<Vec<_>>(), vec![Indicator::O3_8h]);
        assert_eq!(ReleaseFacts::primary_label_bit("臭氧1小时"), Some(8));
        assert_eq!(ReleaseFacts::primary_label_bit("PM2.5"), None);
        assert_eq!(ReleaseFacts::primary_label_bit("NA"), None);
    }
}
