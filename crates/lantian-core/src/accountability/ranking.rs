//! Composite index (综合指数), change rate (变化率) and ranking with ties (`ranking.md` §2–4).

use crate::air::conc::{round_half_even, Conc, Ratio};
use crate::air::period::PeriodStats;
use crate::air::pollutant::Pollutant;
use crate::air::standards::{Avg, Limits};

/// The pollutants of the composite index, in the order of the ranking tables.
pub const INDEX_POLLUTANTS: [Pollutant; 6] =
    [Pollutant::So2, Pollutant::No2, Pollutant::Pm10, Pollutant::Pm2_5, Pollutant::Co, Pollutant::O3];

/// A composite index with its single-item indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompositeIndex {
    /// `I_i = C_i / S_i` in [`INDEX_POLLUTANTS`] order, exact; `None` for a pollutant outside the
    /// [`basis`](CompositeIndex::basis).
    pub single: [Option<Ratio>; 6],
    /// `Σ I_i` over the basis, exact.
    pub exact: Ratio,
    /// `Σ I_i` rounded to two decimals (GB/T 8170), in hundredths: ranking and ties use this.
    pub hundredths: i64,
    /// The pollutant(s) with the largest single index (主要污染物; ties: all).
    pub main_pollutants: Vec<Pollutant>,
    /// The pollutants summed, in [`INDEX_POLLUTANTS`] order: all six (`ranking.md` §2.2), or those
    /// with a statistic when the source carries no value at all for some pollutant (the aqistudy
    /// daily files have no O3 MDA8, `docs/formats.md` §4). Indices of different bases are never
    /// compared: not in one ranking ([`rankable`]), not in a change rate ([`change_rate_between`]).
    pub basis: Vec<Pollutant>,
}

impl CompositeIndex {
    /// All six pollutants are summed, as `ranking.md` §2.2 defines the index.
    pub fn is_complete(&self) -> bool {
        self.basis.len() == INDEX_POLLUTANTS.len()
    }

    /// The pollutants of [`INDEX_POLLUTANTS`] outside the basis.
    pub fn lacks(&self) -> Vec<Pollutant> {
        INDEX_POLLUTANTS.iter().copied().filter(|p| !self.basis.contains(p)).collect()
    }

    /// The basis as codes joined by `,` (machine formats, e.g. the `index_pollutants` column).
    pub fn basis_codes(&self) -> String {
        basis_codes(&self.basis)
    }

    /// The note a Chinese table or report prints beside an index that lacks pollutants, e.g.
    /// `综合指数不含臭氧（数据源无臭氧日最大8小时值）`; `None` for a complete index.
    pub fn basis_note_zh(&self) -> Option<String> {
        basis_note_zh(&self.lacks())
    }
}

/// Pollutant codes joined by `,`.
pub fn basis_codes(pollutants: &[Pollutant]) -> String {
    pollutants.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")
}

/// `综合指数不含臭氧（数据源无臭氧日最大8小时值）` for the pollutants an index lacks; `None` when it
/// lacks none.
pub fn basis_note_zh(lacks: &[Pollutant]) -> Option<String> {
    if lacks.is_empty() {
        return None;
    }
    let names: Vec<&str> = lacks.iter().map(|p| p.name_zh()).collect();
    let values: Vec<String> = lacks
        .iter()
        .map(|p| match p {
            Pollutant::O3 => "臭氧日最大8小时值".to_string(),
            _ => format!("{}日均值", p.name_zh()),
        })
        .collect();
    Some(format!("综合指数不含{}（数据源无{}）", names.join("、"), values.join("、")))
}

/// `S_i` of the composite index: the **annual** limits for SO2, NO2, PM10, PM2.5, the 24-hour limit for
/// CO and the 8-hour limit for O3 (`ranking.md` §2.1), of the limits in force on `date` (the last day
/// of the period, `standards.md` §1).
pub fn index_limits(date: chrono::NaiveDate) -> [Conc; 6] {
    let l = Limits::for_date(date);
    let get = |p: Pollutant| match p {
        Pollutant::Co => l.get(p, Avg::H24),
        Pollutant::O3 => l.get(p, Avg::Mda8),
        _ => l.get(p, Avg::Annual),
    };
    INDEX_POLLUTANTS.map(|p| get(p).unwrap_or(Conc::units(1)))
}

/// The composite index of a period's statistics (`I_sum = Σ C_i / S_i`, `ranking.md` §2.2), from the
/// rounded statistics, over the pollutants that have one (a pollutant without any valid day in the
/// period is out of the [`CompositeIndex::basis`]); `None` when none has.
pub fn composite_index(stats: &PeriodStats) -> Option<CompositeIndex> {
    composite_index_of(INDEX_POLLUTANTS.map(|p| stats.stat(p).value), stats.period.end)
}

/// The composite index of rounded period statistics in [`INDEX_POLLUTANTS`] order (SO2, NO2, PM10,
/// PM2.5 means; CO p95; O3 p90), with the limits in force on `end`, over the statistics present;
/// `None` when none is.
pub fn composite_index_of(c: [Option<Conc>; 6], end: chrono::NaiveDate) -> Option<CompositeIndex> {
    let limits = index_limits(end);
    let mut single = [None; 6];
    for k in 0..6 {
        single[k] = c[k].map(|v| Ratio::new(i128::from(v.milli()), i128::from(limits[k].milli())).reduced());
    }
    let present: Vec<(Pollutant, Ratio)> =
        INDEX_POLLUTANTS.iter().zip(&single).filter_map(|(p, i)| i.map(|i| (*p, i))).collect();
    if present.is_empty() {
        return None;
    }
    let exact = present.iter().fold(Ratio::new(0, 1), |a, (_, b)| a + *b);
    let hundredths = round_half_even(exact.num * 100, exact.den) as i64;
    let max = present.iter().map(|(_, i)| *i).max().unwrap_or(Ratio::new(0, 1));
    let main_pollutants = present.iter().filter(|(_, i)| *i == max).map(|(p, _)| *p).collect();
    let basis = present.iter().map(|(p, _)| *p).collect();
    Some(CompositeIndex { single, exact, hundredths, main_pollutants, basis })
}

/// The pollutants a ranking of these indices compares: every pollutant in the basis of any of them
/// ([`INDEX_POLLUTANTS`] order).
pub fn scope_basis<'a>(indices: impl IntoIterator<Item = &'a CompositeIndex>) -> Vec<Pollutant> {
    let mut any = [false; 6];
    for i in indices {
        for p in &i.basis {
            if let Some(k) = INDEX_POLLUTANTS.iter().position(|x| x == p) {
                any[k] = true;
            }
        }
    }
    INDEX_POLLUTANTS.iter().zip(any).filter(|(_, a)| *a).map(|(p, _)| *p).collect()
}

/// Whether an index may be ranked among others whose bases together are `scope` ([`scope_basis`]):
/// only indices of the same basis are compared, so an index lacking a pollutant that another city of
/// the scope has is listed, not ranked. `Err` gives the reason.
pub fn rankable(index: &CompositeIndex, scope: &[Pollutant]) -> Result<(), String> {
    let missing: Vec<Pollutant> = scope.iter().copied().filter(|p| !index.basis.contains(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.iter().map(|p| p.name_zh()).collect();
    let codes: Vec<&str> = missing.iter().map(|p| p.label()).collect();
    Err(format!(
        "综合指数不含{}，与其他城市口径不同 index lacks {} that other cities have",
        names.join("、"),
        codes.join(", ")
    ))
}

/// [`change_rate_tenths`] of two indices, only when they sum the same pollutants. `Err` gives the
/// reason when the bases differ; `Ok(None)` when the base is zero.
pub fn change_rate_between(current: &CompositeIndex, base: &CompositeIndex) -> Result<Option<i64>, String> {
    if current.basis != base.basis {
        let only = |a: &CompositeIndex, b: &CompositeIndex| -> Vec<Pollutant> {
            a.basis.iter().copied().filter(|p| !b.basis.contains(p)).collect()
        };
        let (lacks_now, lacks_then) = (only(base, current), only(current, base));
        let mut zh = Vec::new();
        let mut en = Vec::new();
        for (lacks, when_zh, when_en) in [(&lacks_now, "本期", "this period"), (&lacks_then, "上年同期", "last year")]
        {
            if !lacks.is_empty() {
                zh.push(format!("{when_zh}不含{}", lacks.iter().map(|p| p.name_zh()).collect::<Vec<_>>().join("、")));
                en.push(format!("{when_en} lacks {}", lacks.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")));
            }
        }
        return Err(format!(
            "综合指数口径不同（{}），不计算变化率 index bases differ ({})",
            zh.join("，"),
            en.join("; ")
        ));
    }
    Ok(change_rate_tenths(current.hundredths, base.hundredths))
}

/// Formats hundredths as `4.22`.
pub fn fmt_hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", v.abs() / 100, v.abs() % 100)
}

/// Formats tenths as `-8.5`.
pub fn fmt_tenths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{}", v.abs() / 10, v.abs() % 10)
}

/// Change rate in percent, one decimal, in tenths: `(I − I₀) / I₀ × 100` from the two-decimal indices
/// (`ranking.md` §4, [D] `change_rate_from_rounded`). `None` when the base is zero.
pub fn change_rate_tenths(current_hundredths: i64, base_hundredths: i64) -> Option<i64> {
    (base_hundredths != 0).then(|| {
        round_half_even(i128::from(current_hundredths - base_hundredths) * 1000, i128::from(base_hundredths)) as i64
    })
}

/// Standard competition ranking ("1-2-2-4", `ranking.md` §3) of values where smaller is better;
/// `None` values are not ranked.
pub fn competition_ranks(values: &[Option<i64>]) -> Vec<Option<u32>> {
    values.iter().map(|v| v.map(|x| 1 + values.iter().flatten().filter(|y| **y < x).count() as u32)).collect()
}

/// Who takes part in the change ranking when a city already attains grade II (`ranking.md` §4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AttainedChangePolicy {
    /// Every city is ranked by its change ([D] default: no rule for the 21-city Sichuan ranking was
    /// found).
    #[default]
    Include,
    /// An attaining city does not take part in the deterioration ranking: it keeps a change rank when
    /// it improved or is unchanged, none when it deteriorated (the national scheme [S]).
    ExcludeFromWorsening,
    /// Attaining cities take no part in the change ranking ("空气质量达标县(市、区)不参与环境空气质量变化
    /// 程度排名", the Sichuan county scheme [S]).
    ExcludeEntirely,
}

impl AttainedChangePolicy {
    /// `include`, `exclude-worsening`, `exclude`.
    pub fn parse(text: &str) -> Option<AttainedChangePolicy> {
        Some(match text.trim() {
            "include" => AttainedChangePolicy::Include,
            "exclude-worsening" | "exclude_from_worsening" => AttainedChangePolicy::ExcludeFromWorsening,
            "exclude" | "exclude-entirely" => AttainedChangePolicy::ExcludeEntirely,
            _ => return None,
        })
    }

    /// Why a city's change is left out of the change ranking under this policy, if it is:
    /// `attained` from [`attains_grade_ii`], `change_tenths` the change rate.
    pub fn exclusion(self, attained: Option<bool>, change_tenths: Option<i64>) -> Option<&'static str> {
        match (self, attained, change_tenths) {
            (AttainedChangePolicy::ExcludeEntirely, Some(true), _) => {
                Some("达标城市不参与变化程度排名 attaining city: not in the change ranking")
            }
            (AttainedChangePolicy::ExcludeFromWorsening, Some(true), Some(c)) if c > 0 => {
                Some("达标城市不参与恶化排名 attaining city: not in the deterioration ranking")
            }
            _ => None,
        }
    }
}

/// Whether a period's statistics meet grade II for all six pollutants (`ranking.md` §4; GB 3095 Table
/// 1 limits in force at the end of the period, compared as HJ 663 assesses them): SO2, NO2, PM10 and
/// PM2.5 means against the annual limits, the CO 95th percentile against the 24-hour limit, the O3 90th
/// percentile of MDA8 against the 8-hour limit. `None` when a statistic is missing or below its validity
/// minimum.
pub fn attains_grade_ii(stats: &PeriodStats, limits: &Limits) -> Option<bool> {
    let mut all = true;
    for p in INDEX_POLLUTANTS {
        let st = stats.stat(p);
        if !st.meets_minimum {
            return None;
        }
        let value = st.value?;
        let limit = match p {
            Pollutant::Co => limits.get(p, Avg::H24)?,
            Pollutant::O3 => limits.get(p, Avg::Mda8)?,
            _ => limits.get(p, Avg::Annual)?,
        };
        all &= value <= limit;
    }
    Some(all)
}

/// The three-year-mean baseline (三年均值) that Sichuan reports beside the year-on-year change for PM2.5
/// and the good-day ratio (`ranking.md` §4, the 14th-five-year assessment base [S]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreeYearBaseline {
    /// Mean of the three previous same periods' PM2.5 values (each the published integer), exact.
    pub pm2_5: Option<Ratio>,
    /// Change of this period's PM2.5 against it, tenths of a percent (GB/T 8170).
    pub pm2_5_change_tenths: Option<i64>,
    /// Mean of the three previous good-day ratios (each the published one-decimal percent), in tenths
    /// of a percent, rounded half-even.
    pub good_day_ratio_tenths: Option<i64>,
    /// This period's good-day ratio minus it, in tenths of a percentage point.
    pub good_day_ratio_change_tenths: Option<i64>,
}

/// The three-year-mean baseline of `current` from the statistics of the three previous same periods
/// ([D]: the mean of the three published values; a year without a valid value leaves the baseline
/// out — no mean of two).
pub fn three_year_baseline(current: &PeriodStats, previous: &[PeriodStats; 3]) -> ThreeYearBaseline {
    let pm: Option<Vec<Conc>> = previous
        .iter()
        .map(|s| {
            let st = s.stat(Pollutant::Pm2_5);
            st.value.filter(|_| st.meets_minimum)
        })
        .collect();
    let pm2_5 = pm.map(|v| Ratio::new(v.iter().map(|c| i128::from(c.milli())).sum(), 3));
    let now = current.stat(Pollutant::Pm2_5);
    let pm2_5_change_tenths = match (pm2_5, now.value.filter(|_| now.meets_minimum)) {
        (Some(b), Some(c)) if b.num != 0 => {
            // (c − b) / b × 1000 in tenths of a percent: (3c − Σ) × 1000 / Σ.
            let diff = i128::from(c.milli()) * b.den - b.num;
            Some(round_half_even(diff * 1000, b.num) as i64)
        }
        _ => None,
    };
    let ratios: Option<Vec<i64>> = previous.iter().map(PeriodStats::good_day_ratio_tenths).collect();
    let (good_day_ratio_tenths, good_day_ratio_change_tenths) = match ratios {
        Some(v) => {
            let sum: i64 = v.iter().sum();
            let base = round_half_even(i128::from(sum), 3) as i64;
            let change = current.good_day_ratio_tenths().map(|c| round_half_even(i128::from(c * 3 - sum), 3) as i64);
            (Some(base), change)
        }
        None => (None, None),
    };
    ThreeYearBaseline { pm2_5, pm2_5_change_tenths, good_day_ratio_tenths, good_day_ratio_change_tenths }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties() {
        let r = competition_ranks(&[Some(353), Some(354), Some(353), Some(309), None, Some(377)]);
        assert_eq!(r, vec![Some(2), Some(4), Some(2), Some(1), None, Some(5)]);
        assert_eq!(fmt_hundredths(422), "4.22");
        assert_eq!(fmt_hundredths(5), "0.05");
        assert_eq!(fmt_tenths(-85), "-8.5");
        assert_eq!(change_rate_tenths(422, 461), Some(-85));
        assert_eq!(change_rate_tenths(422, 0), None);
    }

    fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    /// Five pollutants (no O3 statistic): SO2 9 / 60 + NO2 32 / 40 + PM10 58 / 70 + PM2.5 37 / 35 +
    /// CO 1.6 / 4 = 27/20 + 66/35 = 453/140 = 3.2357… → 3.24 (the six-pollutant example E20 adds
    /// O3 158 / 160: 4.22).
    #[test]
    fn an_index_over_the_pollutants_with_data() {
        let u = Conc::units;
        let c = [Some(u(9)), Some(u(32)), Some(u(58)), Some(u(37)), Some(Conc(1_600)), None];
        let five = composite_index_of(c, d(2015, 10, 31)).expect("five");
        assert_eq!(five.exact, Ratio::new(453, 140));
        assert_eq!(five.hundredths, 324);
        assert_eq!(five.single[5], None);
        assert_eq!(five.main_pollutants, vec![Pollutant::Pm2_5]);
        assert_eq!(five.basis, vec![Pollutant::So2, Pollutant::No2, Pollutant::Pm10, Pollutant::Pm2_5, Pollutant::Co]);
        assert!(!five.is_complete());
        assert_eq!(five.lacks(), vec![Pollutant::O3]);
        assert_eq!(five.basis_note_zh().as_deref(), Some("综合指数不含臭氧（数据源无臭氧日最大8小时值）"));
        let six = composite_index_of([c[0], c[1], c[2], c[3], c[4], Some(u(158))], d(2015, 10, 31)).expect("six");
        assert_eq!((six.hundredths, six.is_complete(), six.basis_note_zh()), (422, true, None));
        assert!(composite_index_of([None; 6], d(2015, 10, 31)).is_none());
        // A scope where one city lacks O3: the pollutants compared are all six; that city is not
        // ranked, the others are; alone, five-pollutant cities rank among themselves.
        let scope = scope_basis([&six, &five]);
        assert_eq!(scope, INDEX_POLLUTANTS.to_vec());
        assert!(rankable(&six, &scope).is_ok());
        let why = rankable(&five, &scope).expect_err("lacks O3");
        assert!(why.contains("臭氧") && why.contains("O3"), "{why}");
        assert!(rankable(&five, &scope_basis([&five, &five])).is_ok());
        // Change rates only between the same basis: (324 − 360) / 360 = −10.0 %.
        let base = CompositeIndex { hundredths: 360, ..five.clone() };
        assert_eq!(change_rate_between(&five, &base), Ok(Some(-100)));
        assert!(change_rate_between(&five, &six).is_err());
    }
}
