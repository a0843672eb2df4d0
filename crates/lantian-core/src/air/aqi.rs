//! HJ 633 Air Quality Index: IAQI, AQI, levels, categories, colours, primary and over-standard
//! pollutants, for the real-time (hourly) and the daily report, under both editions.
//!
//! Arithmetic is on integers only: `IAQI = ceil((I_lo·ΔBP + ΔI·(C − BP_lo)) / ΔBP)` with C in
//! thousandths of a unit (HJ 633-2012 6.2, HJ 633-2026 4.2.6: "向上进位取整数"). Concentrations are
//! rounded per GB/T 8170 (integer μg/m³, CO one decimal) before the IAQI (HJ 633-2026 4.2.2).

use serde::Serialize;

use crate::air::conc::Conc;
use crate::air::pollutant::{Indicator, Pollutant};
use crate::air::publisher::{PmTerm, RealTimeRules, So2Above800};
use crate::air::standards::{AboveTable, AqiRules, Breakpoints, MissingRule, StandardSet, IAQI_STEPS};

/// Kind of report (glossary: 日报 / 实时报 / 预报).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ReportKind {
    RealTime,
    Daily,
    Forecast,
}

/// Outcome of rating one concentration on one breakpoint column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rated {
    /// The IAQI.
    Value(u32),
    /// Above the last breakpoint of the column.
    AboveTable,
    /// Negative concentration: an invalid measurement, no IAQI.
    Invalid,
}

/// Rates a (rounded) concentration on a breakpoint column: HJ 633-2012 formula (1) / 6.2,
/// HJ 633-2026 4.2.5–4.2.6. Exact integers; the result is rounded up.
pub fn rate(col: Breakpoints, c: Conc) -> Rated {
    let bp = col.0;
    if c.is_negative() {
        return Rated::Invalid;
    }
    let Some(&top) = bp.last() else {
        return Rated::Invalid;
    };
    if c > top {
        return Rated::AboveTable;
    }
    // First segment whose upper breakpoint is ≥ c; a value on a breakpoint gives the same IAQI from
    // either adjacent segment, because the function is continuous.
    let mut i = 1;
    while i < bp.len() && c > bp[i] {
        i += 1;
    }
    if i >= bp.len() {
        return Rated::Value(IAQI_STEPS[bp.len() - 1]);
    }
    // IAQI = I_lo + ceil(ΔI·(C − BP_lo) / ΔBP). u32 is exact here: C ≤ the top breakpoint
    // (≤ 3,840,000 thousandths), so ΔI·(C − BP_lo) ≤ 100 × 3,840,000 < 2^32.
    let (lo, hi) = (bp[i - 1].milli(), bp[i].milli());
    let (ilo, ihi) = (IAQI_STEPS[i - 1], IAQI_STEPS[i]);
    let dbp = (hi - lo) as u32;
    let num = (ihi - ilo) * (c.milli() - lo) as u32;
    Rated::Value(ilo + num / dbp + u32::from(!num.is_multiple_of(dbp)))
}

/// The IAQI of every concentration on an indicator's reporting grid (integer μg/m³; CO 0.1 mg/m³)
/// from 0 up to the column's last breakpoint, computed once per standard set by [`rate`] itself.
/// Rating an hour is then a lookup instead of a breakpoint search and two divisions by a variable;
/// a test checks every entry against [`rate`].
struct IaqiTables([Vec<u16>; 12]);

impl IaqiTables {
    fn build(rules: &AqiRules) -> IaqiTables {
        IaqiTables(std::array::from_fn(|k| {
            let ind = ALL_INDICATORS[k];
            let step = grid_step(ind.pollutant());
            let col = rules.column(ind);
            let top = col.0.last().map_or(0, |c| c.milli() / step);
            (0..=top)
                .map(|i| match rate(col, Conc(i * step)) {
                    Rated::Value(v) => v as u16,
                    // Not reached: every grid value up to the last breakpoint is rated.
                    Rated::AboveTable | Rated::Invalid => u16::MAX,
                })
                .collect()
        }))
    }

    fn of(set: StandardSet) -> &'static IaqiTables {
        static T2012: std::sync::OnceLock<IaqiTables> = std::sync::OnceLock::new();
        static T2026: std::sync::OnceLock<IaqiTables> = std::sync::OnceLock::new();
        let cell = match set {
            StandardSet::Y2012 => &T2012,
            StandardSet::Y2026 => &T2026,
        };
        cell.get_or_init(|| IaqiTables::build(set.aqi_rules()))
    }
}

/// The reporting grid of a pollutant in thousandths: 1,000 (integer μg/m³) or 100 (CO, one decimal).
#[inline]
fn grid_step(p: Pollutant) -> i64 {
    10i64.pow(3 - p.decimals().min(3))
}

/// [`rate`] of the concentration rounded to its pollutant's decimals, for indicator `ind` of `rules`:
/// a table lookup when the value lies on the reporting grid (as measured values do), else [`rate`].
#[inline]
fn rate_rounded(rules: &AqiRules, ind: Indicator, c: Conc) -> Rated {
    let m = c.milli();
    // Constant divisors per arm (a division by a variable step would cost more than the lookup).
    let on_grid = match ind.pollutant() {
        Pollutant::Co => (m % 100 == 0).then_some(m / 100),
        _ => (m % 1000 == 0).then_some(m / 1000),
    };
    if let Some(i) = on_grid.filter(|i| *i >= 0) {
        let table = &IaqiTables::of(rules.set).0[ind as usize];
        return match usize::try_from(i).ok().and_then(|i| table.get(i)) {
            Some(&v) if v != u16::MAX => Rated::Value(u32::from(v)),
            _ => rate(rules.column(ind), c),
        };
    }
    rate(rules.column(ind), rounded(ind.pollutant(), c))
}

/// IAQI of an indicator with no special rule: above the table → 500 (`standards.md` §5.3 [D]).
fn rate_capped(col: Breakpoints, c: Conc) -> Option<(u32, bool)> {
    capped(rate(col, c))
}

fn capped(r: Rated) -> Option<(u32, bool)> {
    match r {
        Rated::Value(v) => Some((v, false)),
        Rated::AboveTable => Some((500, true)),
        Rated::Invalid => None,
    }
}

/// The six AQI categories (`standards.md` §5.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum AqiCategory {
    Excellent,
    Good,
    Light,
    Moderate,
    Heavy,
    Severe,
}

/// An official colour (HJ 633 Table 2 / 2026 Table 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryColor {
    pub name_zh: &'static str,
    pub hex: &'static str,
    pub rgb: (u8, u8, u8),
    pub cmyk: (u8, u8, u8, u8),
}

impl AqiCategory {
    pub const ALL: [AqiCategory; 6] = [
        AqiCategory::Excellent,
        AqiCategory::Good,
        AqiCategory::Light,
        AqiCategory::Moderate,
        AqiCategory::Heavy,
        AqiCategory::Severe,
    ];

    /// Category of an integer AQI: ≤50 → 1, ≤100 → 2, ≤150 → 3, ≤200 → 4, ≤300 → 5, else 6.
    pub fn of(aqi: u32) -> AqiCategory {
        match aqi {
            0..=50 => AqiCategory::Excellent,
            51..=100 => AqiCategory::Good,
            101..=150 => AqiCategory::Light,
            151..=200 => AqiCategory::Moderate,
            201..=300 => AqiCategory::Heavy,
            _ => AqiCategory::Severe,
        }
    }

    /// Level 1–6 (空气质量指数级别).
    pub fn level(self) -> u8 {
        self as u8 + 1
    }

    /// 一级 … 六级.
    pub fn level_zh(self) -> &'static str {
        ["一级", "二级", "三级", "四级", "五级", "六级"][self as usize]
    }

    pub fn name_zh(self) -> &'static str {
        ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"][self as usize]
    }

    pub fn name_en(self) -> &'static str {
        ["Excellent", "Good", "Lightly polluted", "Moderately polluted", "Heavily polluted", "Severely polluted"]
            [self as usize]
    }

    /// Code for files and JSON.
    pub fn code(self) -> &'static str {
        ["excellent", "good", "light", "moderate", "heavy", "severe"][self as usize]
    }

    /// The official colour.
    pub fn color(self) -> CategoryColor {
        const C: [CategoryColor; 6] = [
            CategoryColor { name_zh: "绿色", hex: "#00E400", rgb: (0, 228, 0), cmyk: (40, 0, 100, 0) },
            CategoryColor { name_zh: "黄色", hex: "#FFFF00", rgb: (255, 255, 0), cmyk: (0, 0, 100, 0) },
            CategoryColor { name_zh: "橙色", hex: "#FF7E00", rgb: (255, 126, 0), cmyk: (0, 52, 100, 0) },
            CategoryColor { name_zh: "红色", hex: "#FF0000", rgb: (255, 0, 0), cmyk: (0, 100, 100, 0) },
            CategoryColor { name_zh: "紫色", hex: "#99004C", rgb: (153, 0, 76), cmyk: (10, 100, 40, 30) },
            CategoryColor { name_zh: "褐红色", hex: "#7E0023", rgb: (126, 0, 35), cmyk: (30, 100, 100, 30) },
        ];
        C[self as usize]
    }

    /// Health effect (HJ 633-2012 Table 2, 对健康影响情况).
    pub fn health_effect_zh(self) -> &'static str {
        [
            "空气质量令人满意，基本无空气污染",
            "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
            "易感人群症状有轻度加剧，健康人群出现刺激症状",
            "进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
            "心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
            "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
        ][self as usize]
    }

    /// Recommended measures (HJ 633-2012 Table 2, 建议采取的措施).
    pub fn advice_zh(self) -> &'static str {
        [
            "各类人群可正常活动",
            "极少数异常敏感人群应减少户外活动",
            "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",
            "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动",
            "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动",
            "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动",
        ][self as usize]
    }
}

/// A small set of indicators (bit set), for primary and over-standard pollutants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IndicatorSet(pub u16);

const ALL_INDICATORS: [Indicator; 12] = Indicator::ALL;

impl IndicatorSet {
    pub fn insert(&mut self, i: Indicator) {
        self.0 |= 1 << (i as u16);
    }
    pub fn contains(self, i: Indicator) -> bool {
        self.0 & (1 << (i as u16)) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Indicator> {
        ALL_INDICATORS.into_iter().filter(move |i| self.contains(*i))
    }
    /// Codes ([`Indicator::code`]) joined by `,` (e.g. `o3_8h,pm2_5_24h`): the CSV cell.
    pub fn codes(self) -> String {
        self.iter().map(Indicator::code).collect::<Vec<_>>().join(",")
    }
    /// Chinese labels joined by `、`.
    pub fn labels_zh(self) -> String {
        self.iter().map(Indicator::label_zh).collect::<Vec<_>>().join("、")
    }
}

/// The AQI of one report (an hour or a day) with everything a publication shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AqiResult {
    pub set: StandardSet,
    pub report: ReportKind,
    /// IAQI per indicator (index `Indicator as usize`); [`NOT_RATED`] where not rated (missing or not
    /// used). Read through [`AqiResult::iaqi_of`].
    iaqi: [u16; 12],
    /// Indicators of the report that were missing or invalid (published as NA).
    pub missing: IndicatorSet,
    /// Max of the available IAQIs, before the HJ 633-2026 NA rule.
    pub computed_aqi: Option<u32>,
    /// The AQI as published (`None` = NA).
    pub aqi: Option<u32>,
    /// Pollutants with the largest IAQI when AQI > 50 (ties: all), empty otherwise.
    pub primary: IndicatorSet,
    /// IAQI > 100 (HJ 633-2012 only).
    pub exceeding: IndicatorSet,
    /// Some concentration lay above its column's last breakpoint (rated 500, [D]).
    pub beyond_table: bool,
}

impl AqiResult {
    pub fn category(&self) -> Option<AqiCategory> {
        self.aqi.map(AqiCategory::of)
    }
    pub fn iaqi_of(&self, ind: Indicator) -> Option<u32> {
        let v = self.iaqi[ind as usize];
        (v != NOT_RATED).then_some(u32::from(v))
    }

    /// The day as its source published it: an imported daily value whose AQI the publisher computed
    /// from data that are not imported (the aqistudy daily AQI is an aggregate of the day's hourly
    /// values and lies inside the day's hourly AQI range in all 18,964 rows of the Sichuan files, but
    /// daily means rated by HJ 633 reproduce it in only about a quarter of them; `docs/formats.md` §4).
    /// The published AQI and its level decide the day; this result keeps the IAQIs and
    /// [`AqiResult::computed_aqi`] computed from the daily values beside it.
    ///
    /// The source names no primary pollutant. [D] When the published AQI exceeds 50 the primary
    /// pollutants are those with the largest IAQI computed from the daily values (ties: all), as
    /// HJ 633 determines them; at 50 or below there is none (HJ 633-2012 5.2). Over-standard
    /// pollutants (HJ 633-2012 only) are those rated above 100, listed when the published AQI exceeds
    /// 100.
    pub fn with_published_aqi(&self, published: u32) -> AqiResult {
        let vals: [u16; 12] = self.iaqi.map(|v| if v == NOT_RATED { 0 } else { v });
        let present = mask_where(&self.iaqi, |v| v != NOT_RATED);
        let max = vals.iter().copied().max().unwrap_or(0);
        let mut out = *self;
        out.aqi = Some(published);
        out.primary =
            IndicatorSet(if published > 50 && present != 0 { mask_where(&vals, |v| v == max) & present } else { 0 });
        out.exceeding = IndicatorSet(if self.set.aqi_rules().has_exceeding_pollutants && published > 100 {
            mask_where(&vals, |v| v > 100) & present
        } else {
            0
        });
        out
    }

    /// The result from the IAQIs rated (inlined to keep them in registers: this runs once per
    /// station-hour, and passing them through memory stalled on store forwarding). `missing_rule`
    /// decides publication with missing indicators; `not_monitored` (indicator bits) are the missing
    /// ones that [`MissingRule::PublishOnlyAbove100NotMonitoredExempt`] does not count.
    #[inline(always)]
    fn finish(
        set: StandardSet,
        report: ReportKind,
        a: &Acc,
        missing_rule: MissingRule,
        not_monitored: u16,
    ) -> AqiResult {
        let rules = set.aqi_rules();
        let (iaqi, present, missing) = (a.iaqi, a.present, a.missing);
        // Branch-free over fixed arrays: absent IAQIs count as 0, which never changes the maximum of
        // the present ones.
        let vals: [u16; 12] = iaqi.map(|v| if v == NOT_RATED { 0 } else { v });
        let computed = (present != 0).then(|| u32::from(vals.iter().copied().max().unwrap_or(0)));
        let only_above_100 = |counted: u16| {
            if counted == 0 || computed.is_some_and(|a| a > 100) {
                computed
            } else {
                None
            }
        };
        let publish = match missing_rule {
            MissingRule::MaxOfAvailable => computed,
            MissingRule::PublishOnlyAbove100 => only_above_100(missing.0),
            MissingRule::PublishOnlyAbove100NotMonitoredExempt => only_above_100(missing.0 & !not_monitored),
        };
        let mut primary = IndicatorSet::default();
        let mut exceeding = IndicatorSet::default();
        if let Some(a) = publish {
            // Ties on the rounded-up IAQI (`publisher::PrimaryTies::RoundedIaqi`, the rule of every
            // period with its evidence): `vals` are the integer IAQIs.
            if a > 50 {
                primary.0 = mask_where(&vals, |v| u32::from(v) == a) & present;
            }
            if rules.has_exceeding_pollutants && a > 100 {
                exceeding.0 = mask_where(&vals, |v| v > 100) & present;
            }
        }
        AqiResult {
            set,
            report,
            iaqi,
            missing,
            computed_aqi: computed,
            aqi: publish,
            primary,
            exceeding,
            beyond_table: a.beyond,
        }
    }
}

/// An indicator not rated (missing or not used) in [`AqiResult`]'s table; no IAQI reaches it.
const NOT_RATED: u16 = u16::MAX;

/// Bit k set where `f(vals[k])`.
#[inline]
fn mask_where(vals: &[u16; 12], f: impl Fn(u16) -> bool) -> u16 {
    vals.iter().enumerate().fold(0u16, |m, (k, v)| m | (u16::from(f(*v)) << k))
}

/// Rounds a concentration as HJ 633-2026 4.2.2 prescribes before rating it.
fn rounded(p: Pollutant, c: Conc) -> Conc {
    c.round(p.decimals())
}

/// Which rules rate the real-time (hourly) AQI: the dated tables of [`crate::air::publisher`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub enum RealTimeConvention {
    /// **Default.** What CNEMC publishes ([`crate::air::publisher::PUBLISHER`], `standards.md` §5.4): the
    /// 1-hour values of all six pollutants, PM10/PM2.5 on the 24-hour (daily) breakpoints, no O3 8-hour
    /// term, a value above the table rated 500, SO2 1-hour above 800 μg/m³ rated **200**, ties on the
    /// rounded IAQI, and the AQI of the available pollutants (published so under HJ 633-2026 whenever
    /// one is present; inconsistently under HJ 633-2012). Verified against every one of the 157,750
    /// published station-hours in the four national files of 2023-01-20…23 and every published AQI of
    /// the real-time release rows of 28 February and 1 March 2026.
    #[default]
    Publisher,
    /// A literal reading of the edition in force (non-default, [`crate::air::publisher::LITERAL`]). HJ
    /// 633-2012 Table 4: SO2, NO2, CO, O3 1-hour values, the O3 8-hour moving mean and the PM10/PM2.5
    /// 24-hour moving means; SO2 1-hour above 800 rated from the SO2 24-hour moving mean (reproduces
    /// about 2 % of the published values). HJ 633-2026: the six 1-hour values (4.2.3) with 5.3.1 — a
    /// missing pollutant makes the AQI NA unless it exceeds 100 — and the 5.3.2 exemption of
    /// pollutants marked `/` (not monitored).
    LiteralHj633_2012,
}

/// The concentrations of one hour (real-time report). 1-hour values plus the moving means that the
/// literal HJ 633-2012 reading needs, and the pollutants marked `/` (not monitored) that the
/// literal HJ 633-2026 reading exempts from its missing-value rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HourlyInput {
    pub so2: Option<Conc>,
    pub no2: Option<Conc>,
    pub co: Option<Conc>,
    pub o3: Option<Conc>,
    pub pm10: Option<Conc>,
    pub pm2_5: Option<Conc>,
    pub so2_24h: Option<Conc>,
    pub o3_8h: Option<Conc>,
    pub pm10_24h: Option<Conc>,
    pub pm2_5_24h: Option<Conc>,
    /// Pollutants marked `/` in a real-time release row: bit `p as u8` per [`Pollutant`]
    /// ([`crate::air::publisher::ReleaseFacts::not_monitored`]); 0 when unknown.
    pub not_monitored: u8,
}

/// The indicator bits ([`IndicatorSet`]) of the pollutants in a pollutant mask (bit `p as u8`): both
/// indicators of each (pollutant k holds indicators 2k and 2k + 1).
#[inline]
fn indicators_of(pollutants: u8) -> u16 {
    (0..6).fold(0u16, |m, k| if pollutants & (1 << k) != 0 { m | 0b11 << (2 * k) } else { m })
}

struct Acc {
    /// IAQI per indicator, [`NOT_RATED`] where none; `present` has a bit for each rated one.
    iaqi: [u16; 12],
    present: u16,
    missing: IndicatorSet,
    beyond: bool,
}

impl Acc {
    fn new() -> Acc {
        Acc { iaqi: [NOT_RATED; 12], present: 0, missing: IndicatorSet::default(), beyond: false }
    }
    #[inline]
    fn put(&mut self, ind: Indicator, r: Option<(u32, bool)>) {
        match r {
            Some((v, b)) => {
                // IAQIs are at most 500.
                self.iaqi[ind as usize] = v.min(u32::from(NOT_RATED - 1)) as u16;
                self.present |= 1 << (ind as u16);
                self.beyond |= b;
            }
            None => self.missing.insert(ind),
        }
    }
    fn plain(&mut self, rules: &AqiRules, ind: Indicator, c: Option<Conc>) {
        let r = c.and_then(|c| capped(rate_rounded(rules, ind, c)));
        self.put(ind, r);
    }
}

/// Real-time (hourly) AQI of one station or city hour, under the rules of `conv` for the hours rated
/// with `set` ([`RealTimeRules::of`]: chosen once, not searched per hour).
pub fn realtime_aqi(set: StandardSet, conv: RealTimeConvention, h: &HourlyInput) -> AqiResult {
    let rules = set.aqi_rules();
    let rt = RealTimeRules::of(conv, set);
    let mut a = Acc::new();
    // SO2 1-hour, with the rule above 800 μg/m³.
    match h.so2 {
        None => a.missing.insert(Indicator::So2_1h),
        Some(c) => match rate_rounded(rules, Indicator::So2_1h, c) {
            Rated::Value(v) => a.put(Indicator::So2_1h, Some((v, false))),
            Rated::Invalid => a.missing.insert(Indicator::So2_1h),
            Rated::AboveTable => match rt.so2_above_800.value {
                So2Above800::Iaqi(v) => a.put(Indicator::So2_1h, Some((v, false))),
                So2Above800::From24hMean => {
                    let r = h.so2_24h.and_then(|c| rate_capped(rules.so2_24h, rounded(Pollutant::So2, c)));
                    a.put(Indicator::So2_24h, r);
                }
            },
        },
    }
    a.plain(rules, Indicator::No2_1h, h.no2);
    a.plain(rules, Indicator::Co_1h, h.co);
    a.plain(rules, Indicator::O3_1h, h.o3);
    if rt.o3_8h_term.value {
        match h.o3_8h.map(|c| rounded(Pollutant::O3, c)) {
            None => a.missing.insert(Indicator::O3_8h),
            // Note 3: above 800 the 8-hour value is not rated; O3 1-hour is already rated.
            Some(c) => match rate(rules.o3_8h, c) {
                Rated::Value(v) => a.put(Indicator::O3_8h, Some((v, false))),
                Rated::AboveTable => {}
                Rated::Invalid => a.missing.insert(Indicator::O3_8h),
            },
        }
    }
    match rt.pm.value {
        PmTerm::OneHourOnDailyBreakpoints => {
            a.plain(rules, Indicator::Pm10_1h, h.pm10);
            a.plain(rules, Indicator::Pm2_5_1h, h.pm2_5);
        }
        PmTerm::MovingMean24h => {
            a.plain(rules, Indicator::Pm10_24h, h.pm10_24h);
            a.plain(rules, Indicator::Pm2_5_24h, h.pm2_5_24h);
        }
    }
    let not_monitored = if h.not_monitored == 0 { 0 } else { indicators_of(h.not_monitored) };
    AqiResult::finish(set, ReportKind::RealTime, &a, rt.missing.value, not_monitored)
}

/// The seven (HJ 633-2012) or six (HJ 633-2026) daily indicators of one station or city day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DailyInput {
    pub so2: Option<Conc>,
    pub no2: Option<Conc>,
    pub co: Option<Conc>,
    pub pm10: Option<Conc>,
    pub pm2_5: Option<Conc>,
    pub o3_max_1h: Option<Conc>,
    pub o3_mda8: Option<Conc>,
}

/// Daily AQI (日报): HJ 633-2012 5.1.2 (7 indicators, O3 8-hour > 800 rated from the O3 1-hour
/// maximum) or HJ 633-2026 4.2.2 (6 indicators, O3 8-hour > 800 → 300, NA rule 5.3.1).
pub fn daily_aqi(set: StandardSet, d: &DailyInput) -> AqiResult {
    let rules = set.aqi_rules();
    let mut a = Acc::new();
    a.plain(rules, Indicator::So2_24h, d.so2);
    a.plain(rules, Indicator::No2_24h, d.no2);
    a.plain(rules, Indicator::Pm10_24h, d.pm10);
    a.plain(rules, Indicator::Pm2_5_24h, d.pm2_5);
    a.plain(rules, Indicator::Co_24h, d.co);
    let has_o3_1h = rules.daily_indicators.contains(&Indicator::O3_1h);
    if has_o3_1h {
        a.plain(rules, Indicator::O3_1h, d.o3_max_1h);
    }
    match d.o3_mda8.map(|c| rounded(Pollutant::O3, c)) {
        None => a.missing.insert(Indicator::O3_8h),
        Some(c) => match rate(rules.o3_8h, c) {
            Rated::Value(v) => a.put(Indicator::O3_8h, Some((v, false))),
            Rated::Invalid => a.missing.insert(Indicator::O3_8h),
            Rated::AboveTable => {
                // HJ 633-2012 note 3: not rated; the O3 1-hour value is rated instead, which the 2012
                // daily report rates anyway. HJ 633-2026: a fixed IAQI.
                match rules.o3_8h_above {
                    AboveTable::Fixed(v) => a.put(Indicator::O3_8h, Some((v, false))),
                    // Without an O3 1-hour value to rate instead, ozone is missing from the report.
                    _ if a.present & (1 << Indicator::O3_1h as u16) == 0 => a.missing.insert(Indicator::O3_8h),
                    _ => {}
                }
            }
        },
    }
    AqiResult::finish(set, ReportKind::Daily, &a, rules.missing_rule, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(so2: i64, no2: i64, co_tenths: i64, o3: i64, pm10: Option<i64>, pm2_5: i64) -> HourlyInput {
        HourlyInput {
            so2: Some(Conc::units(so2)),
            no2: Some(Conc::units(no2)),
            co: Some(Conc(co_tenths * 100)),
            o3: Some(Conc::units(o3)),
            pm10: pm10.map(Conc::units),
            pm2_5: Some(Conc::units(pm2_5)),
            ..HourlyInput::default()
        }
    }

    const PUB: RealTimeConvention = RealTimeConvention::Publisher;
    const LIT: RealTimeConvention = RealTimeConvention::LiteralHj633_2012;

    #[test]
    fn pollutant_bits_map_to_both_indicators() {
        assert_eq!(indicators_of(1 << Pollutant::So2 as u8), 0b11);
        assert_eq!(
            indicators_of(1 << Pollutant::Pm10 as u8),
            (1 << Indicator::Pm10_1h as u16) | (1 << Indicator::Pm10_24h as u16)
        );
        assert_eq!(
            indicators_of(1 << Pollutant::O3 as u8),
            (1 << Indicator::O3_1h as u16) | (1 << Indicator::O3_8h as u16)
        );
        assert_eq!(indicators_of(0x3f), 0x0fff);
    }

    /// HJ 633-2026 5.3.1 / 5.3.2 in the literal reading, worked by hand on the 2026 tables. SO2 5 (1-h
    /// column 0/150: 5 × 50 / 150 = 1.67 → 2), NO2 20 (0/100: 10), CO 0.5 (0/5: 5), O3 60 (0/160: 18.75
    /// → 19), PM2.5 45 (35/60: 50 + 10 × 50 / 25 = 70): AQI 70 with PM10 missing.
    #[test]
    fn literal_2026_missing_rule_worked_by_hand() {
        let y = StandardSet::Y2026;
        let h = hour(5, 20, 5, 60, None, 45);
        let lit = realtime_aqi(y, LIT, &h);
        assert_eq!((lit.computed_aqi, lit.aqi), (Some(70), None), "missing PM10, AQI ≤ 100: NA");
        assert!(lit.primary.is_empty() && lit.category().is_none());
        assert_eq!(lit.missing.iter().collect::<Vec<_>>(), vec![Indicator::Pm10_1h]);
        // The publisher publishes it (1 March 2026 rows, `publisher::PUBLISHER`).
        let p = realtime_aqi(y, PUB, &h);
        assert_eq!((p.computed_aqi, p.aqi), (Some(70), Some(70)));
        assert_eq!(p.primary.iter().collect::<Vec<_>>(), vec![Indicator::Pm2_5_1h]);
        // PM10 marked `/` (not monitored): exempt (5.3.2), published.
        let nm = HourlyInput { not_monitored: 1 << Pollutant::Pm10 as u8, ..h };
        assert_eq!(realtime_aqi(y, LIT, &nm).aqi, Some(70));
        // `/` for PM10 but CO missing as well: CO still counts, NA.
        let co = HourlyInput { co: None, ..nm };
        assert_eq!(realtime_aqi(y, LIT, &co).aqi, None);
        // Exactly 100 does not exceed 100: PM2.5 60 is IAQI 100 on the 2026 column → NA.
        assert_eq!(realtime_aqi(y, LIT, &hour(5, 20, 5, 60, None, 60)).aqi, None);
        // PM2.5 90: 100 + 30 × 50 / 55 = 127.27 → 128 > 100: published although PM10 is missing.
        let high = realtime_aqi(y, LIT, &hour(5, 20, 5, 60, None, 90));
        assert_eq!(high.aqi, Some(128));
        assert_eq!(high.primary.iter().collect::<Vec<_>>(), vec![Indicator::Pm2_5_1h]);
        // Nothing missing: published as computed.
        assert_eq!(realtime_aqi(y, LIT, &hour(5, 20, 5, 60, Some(40), 45)).aqi, Some(70));
        // Under 2012 the literal reading rates the moving means and keeps the AQI of the available ones.
        let l12 = realtime_aqi(StandardSet::Y2012, LIT, &HourlyInput { pm2_5_24h: Some(Conc::units(45)), ..h });
        assert_eq!(l12.aqi, l12.computed_aqi);
    }

    /// The publisher under HJ 633-2026, 1 March 2026 01:00, station 2644A: PM10 NA, SO2 3 (1), NO2 14
    /// (7), CO 0.7 (7), O3 29 (29 × 50 / 160 = 9.06 → 10), PM2.5 3 (3 × 50 / 35 = 4.29 → 5): published
    /// AQI 10 although PM10 is missing and the AQI is ≤ 100.
    #[test]
    fn publisher_2026_publishes_from_the_available_pollutants() {
        let h = hour(3, 14, 7, 29, None, 3);
        let r = realtime_aqi(StandardSet::Y2026, PUB, &h);
        assert_eq!(r.aqi, Some(10));
        assert!(r.primary.is_empty(), "AQI ≤ 50: no primary pollutant");
        assert_eq!(realtime_aqi(StandardSet::Y2026, LIT, &h).aqi, None);
        // No pollutant at all: nothing to publish.
        let none = HourlyInput::default();
        assert_eq!(realtime_aqi(StandardSet::Y2026, PUB, &none).aqi, None);
    }

    /// Ties on the rounded IAQI (28 Feb 2026 23:00, station 2195A, HJ 633-2012 tables): PM10 124 →
    /// 50 + 74 × 50 / 100 = 87 exactly, PM2.5 64 → 50 + 29 × 50 / 40 = 86.25 → 87; published AQI 87
    /// with both primary ("颗粒物(PM10),细颗粒物(PM2.5)"). O3 28, NO2 52, SO2 12, CO 0.9 stay below.
    #[test]
    fn primary_ties_are_decided_on_the_rounded_iaqi() {
        let r = realtime_aqi(StandardSet::Y2012, PUB, &hour(12, 52, 9, 28, Some(124), 64));
        assert_eq!(r.aqi, Some(87));
        assert_eq!(r.iaqi_of(Indicator::Pm10_1h), Some(87));
        assert_eq!(r.iaqi_of(Indicator::Pm2_5_1h), Some(87));
        assert_eq!(r.primary.iter().collect::<Vec<_>>(), vec![Indicator::Pm10_1h, Indicator::Pm2_5_1h]);
    }

    fn day(so2: i64, no2: i64, co_tenths: i64, pm10: i64, pm2_5: i64, o3_1h: i64) -> DailyInput {
        DailyInput {
            so2: Some(Conc::units(so2)),
            no2: Some(Conc::units(no2)),
            co: Some(Conc(co_tenths * 100)),
            pm10: Some(Conc::units(pm10)),
            pm2_5: Some(Conc::units(pm2_5)),
            o3_max_1h: Some(Conc::units(o3_1h)),
            o3_mda8: None,
        }
    }

    /// A published daily AQI decides the day; the IAQIs and the computed AQI stay. Hand-worked on the
    /// HJ 633-2012 daily columns.
    #[test]
    fn a_published_aqi_decides_the_day() {
        let set = StandardSet::Y2012;
        // 阿坝州 2015-10-29 (aqistudy, rounded): SO2 23 → 23, NO2 13 → 13 × 50 / 40 = 16.25 → 17,
        // CO 0.4 → 10, PM10 36 → 36, PM2.5 16 → 16 × 50 / 35 = 22.9 → 23, O3 1-hour 199 →
        // 50 + 39 × 50 / 40 = 98.75 → 99: computed 99 (良); published 39 (优).
        let computed = daily_aqi(set, &day(23, 13, 4, 36, 16, 199));
        assert_eq!(computed.aqi, Some(99));
        assert_eq!(computed.primary.codes(), "o3_1h");
        let r = computed.with_published_aqi(39);
        assert_eq!((r.aqi, r.category(), r.computed_aqi), (Some(39), Some(AqiCategory::Excellent), Some(99)));
        assert!(r.primary.is_empty(), "no primary pollutant at 50 or below");
        assert_eq!(r.iaqi_of(Indicator::O3_1h), Some(99), "the IAQIs are kept");
        // PM2.5 80 → 100 + 5 × 50 / 40 = 106.25 → 107, PM10 100 → 75, O3 1-hour 100 → 31.25 → 32.
        let computed = daily_aqi(set, &day(10, 20, 5, 100, 80, 100));
        assert_eq!(computed.aqi, Some(107));
        let r = computed.with_published_aqi(120);
        assert_eq!((r.aqi, r.category()), (Some(120), Some(AqiCategory::Light)));
        assert_eq!(r.primary.codes(), "pm2_5_24h");
        assert_eq!(r.exceeding.codes(), "pm2_5_24h");
        let r = computed.with_published_aqi(95);
        assert_eq!((r.primary.codes(), r.exceeding.is_empty()), ("pm2_5_24h".to_string(), true));
        // Computed 40 (PM10 40), published 60: the primary is the largest IAQI all the same.
        let r = daily_aqi(set, &day(5, 20, 3, 40, 20, 50)).with_published_aqi(60);
        assert_eq!((r.aqi, r.computed_aqi, r.primary.codes()), (Some(60), Some(40), "pm10_24h".to_string()));
    }

    #[test]
    fn indicator_order_matches_the_table_index() {
        for (k, ind) in ALL_INDICATORS.iter().enumerate() {
            assert_eq!(*ind as usize, k, "{ind:?}");
        }
    }

    /// The lookup equals rating the rounded value: every grid value up to past the last breakpoint,
    /// every seventh thousandth in between (off the grid: rounded first), and negative values.
    #[test]
    fn table_lookup_equals_rating_the_rounded_value() {
        for set in [StandardSet::Y2012, StandardSet::Y2026] {
            let rules = set.aqi_rules();
            for ind in ALL_INDICATORS {
                let p = ind.pollutant();
                let col = rules.column(ind);
                let top = col.0.last().map_or(0, |c| c.milli());
                let step = grid_step(p);
                let grid = (0..=top / step + 3).map(|i| i * step);
                let off = (-3000..=top + 3000).step_by(7);
                let mut n = 0;
                for m in grid.chain(off) {
                    let c = Conc(m);
                    let expected = rate(col, rounded(p, c));
                    assert_eq!(rate_rounded(rules, ind, c), expected, "{set:?} {ind:?} {m}");
                    n += 1;
                }
                assert!(n > 100, "{ind:?}");
            }
        }
    }
}
