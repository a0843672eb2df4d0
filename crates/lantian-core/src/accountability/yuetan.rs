//! Interview (约谈) triggers of 《四川省环境质量改善不力约谈办法》 (Notice §8; `management.md` §2.3), air part,
//! as data: three tiers, each triggered by any one of its conditions over a fixed window of the year.

use serde::Serialize;

/// The window of the year a condition looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Window {
    /// January–June (上半年).
    HalfYear,
    /// January–September (1—9月).
    JanSep,
    /// The whole year.
    Year,
    /// From 1 January to the day of evaluation (heavy-pollution days "in the year").
    YearToDate,
}

impl Window {
    pub fn label_zh(self) -> &'static str {
        match self {
            Window::HalfYear => "上半年",
            Window::JanSep => "1—9月",
            Window::Year => "全年",
            Window::YearToDate => "年内累计",
        }
    }
    /// The window's last month (`None` for year-to-date).
    pub fn end_month(self) -> Option<u32> {
        match self {
            Window::HalfYear => Some(6),
            Window::JanSep => Some(9),
            Window::Year => Some(12),
            Window::YearToDate => None,
        }
    }
}

/// One trigger condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Condition {
    /// The composite-index rank among the 168 national key cities fell year on year and is worse
    /// (numerically greater) than `below`.
    Rank168Fell { window: Window, below: u32 },
    /// Good days fell by at least `days` against the same window last year.
    GoodDaysDown { window: Window, days: u32 },
    /// At least `days` heavy-pollution days (AQI > 200) in the year so far.
    HeavyDays { days: u32 },
    /// The annual air target (PM2.5 or good-day rate) was not met.
    AnnualTargetMissed,
    /// No improvement within three months after an interview: the composite index of the three
    /// months after it is not lower than that of the same months a year earlier ([D] reading).
    NoImprovementAfterInterview,
}

impl Condition {
    /// A code for files and JSON (`heavy_days>=3`, `good_days_down:jan_sep>=8`, …).
    pub fn code(self) -> String {
        let w = |w: Window| match w {
            Window::HalfYear => "half_year",
            Window::JanSep => "jan_sep",
            Window::Year => "year",
            Window::YearToDate => "ytd",
        };
        match self {
            Condition::Rank168Fell { window, below } => format!("rank168_fell:{}>{below}", w(window)),
            Condition::GoodDaysDown { window, days } => format!("good_days_down:{}>={days}", w(window)),
            Condition::HeavyDays { days } => format!("heavy_days>={days}"),
            Condition::AnnualTargetMissed => "annual_target_missed".into(),
            Condition::NoImprovementAfterInterview => "no_improvement_after_interview".into(),
        }
    }

    /// The condition in Chinese.
    pub fn label_zh(self) -> String {
        match self {
            Condition::Rank168Fell { window, below } => {
                format!("{}168城市排名同比下降且位于{below}名后", window.label_zh())
            }
            Condition::GoodDaysDown { window, days } => format!("{}优良天数同比减少{days}天及以上", window.label_zh()),
            Condition::HeavyDays { days } => format!("年内重污染天数{days}天及以上"),
            Condition::AnnualTargetMissed => "年度环境空气质量目标未完成".into(),
            Condition::NoImprovementAfterInterview => "约谈后3个月内未改善".into(),
        }
    }
}

/// A tier and its conditions (any one triggers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tier {
    pub tier: u8,
    pub who_zh: &'static str,
    pub conditions: Vec<Condition>,
}

/// The source of the rule table.
pub const SOURCE: &str = "《四川省环境质量改善不力约谈办法》（2022年5月）大气部分";

/// The three tiers (`management.md` §2.3). "重度污染2天/3天/4天及以上" is read as days with AQI > 200.
pub fn tiers_2022() -> Vec<Tier> {
    vec![
        Tier {
            tier: 1,
            who_zh: "分管副省长约谈市（州）政府分管负责同志",
            conditions: vec![
                Condition::Rank168Fell { window: Window::HalfYear, below: 100 },
                Condition::GoodDaysDown { window: Window::HalfYear, days: 5 },
                Condition::HeavyDays { days: 2 },
            ],
        },
        Tier {
            tier: 2,
            who_zh: "省长（或委托副省长）约谈市（州）政府主要负责同志",
            conditions: vec![
                Condition::AnnualTargetMissed,
                Condition::Rank168Fell { window: Window::JanSep, below: 100 },
                Condition::GoodDaysDown { window: Window::JanSep, days: 8 },
                Condition::HeavyDays { days: 3 },
            ],
        },
        Tier {
            tier: 3,
            who_zh: "省长约谈市（州）政府主要负责同志",
            conditions: vec![
                Condition::NoImprovementAfterInterview,
                Condition::Rank168Fell { window: Window::Year, below: 100 },
                Condition::GoodDaysDown { window: Window::Year, days: 10 },
                Condition::HeavyDays { days: 4 },
            ],
        },
    ]
}

/// What the triggers are evaluated on, for one city in one year, as far as known at the evaluation
/// date (`None` = not known yet, e.g. a window not yet complete).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct YuetanFacts {
    /// 168-city rank of the window this year and last year.
    pub rank168: Vec<(Window, Option<u32>, Option<u32>)>,
    /// Good days of the window this year and last year.
    pub good_days: Vec<(Window, Option<u32>, Option<u32>)>,
    /// Heavy-pollution days of the year so far.
    pub heavy_days_ytd: u32,
    /// Whether the annual target was missed (known only after the year).
    pub annual_target_missed: Option<bool>,
    /// For an interview: (its date, the composite index in hundredths of the 3 months after, of the
    /// same months a year earlier).
    pub after_interview: Vec<(chrono::NaiveDate, Option<i64>, Option<i64>)>,
}

/// A condition that holds, with its evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Triggered {
    pub tier: u8,
    pub condition: Condition,
    pub evidence: String,
}

fn lookup(v: &[(Window, Option<u32>, Option<u32>)], w: Window) -> (Option<u32>, Option<u32>) {
    v.iter().find(|(x, _, _)| *x == w).map_or((None, None), |(_, a, b)| (*a, *b))
}

/// Evaluates the tiers on a city's facts; every condition that holds is returned.
pub fn evaluate(tiers: &[Tier], f: &YuetanFacts) -> Vec<Triggered> {
    let mut out = Vec::new();
    for t in tiers {
        for c in &t.conditions {
            let evidence = match *c {
                Condition::Rank168Fell { window, below } => match lookup(&f.rank168, window) {
                    (Some(now), Some(before)) if now > before && now > below => Some(format!(
                        "{}168城市排名 {now}（上年同期 {before}），下降且在 {below} 名之后",
                        window.label_zh()
                    )),
                    _ => None,
                },
                Condition::GoodDaysDown { window, days } => match lookup(&f.good_days, window) {
                    (Some(now), Some(before)) if before >= now + days => Some(format!(
                        "{}优良天数 {now} 天（上年同期 {before} 天），减少 {} 天 ≥ {days}",
                        window.label_zh(),
                        before - now
                    )),
                    _ => None,
                },
                Condition::HeavyDays { days } if f.heavy_days_ytd >= days => {
                    Some(format!("年内重污染天数 {} 天 ≥ {days}", f.heavy_days_ytd))
                }
                Condition::HeavyDays { .. } => None,
                Condition::AnnualTargetMissed => {
                    (f.annual_target_missed == Some(true)).then(|| "年度空气质量目标未完成".to_string())
                }
                Condition::NoImprovementAfterInterview => {
                    f.after_interview.iter().find_map(|(d, after, before)| match (after, before) {
                        (Some(a), Some(b)) if a >= b => Some(format!(
                            "{d} 约谈后3个月综合指数 {}（上年同期 {}），未改善",
                            crate::accountability::ranking::fmt_hundredths(*a),
                            crate::accountability::ranking::fmt_hundredths(*b)
                        )),
                        _ => None,
                    })
                }
            };
            if let Some(evidence) = evidence {
                out.push(Triggered { tier: t.tier, condition: *c, evidence });
            }
        }
    }
    out
}

/// A city's 约谈 decision: the highest tier it meets, who interviews whom at that tier, and every
/// condition that holds — the highest tier's first, the lower tiers' after them as further evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub tier: u8,
    pub who_zh: &'static str,
    pub triggered: Vec<Triggered>,
}

impl Outcome {
    /// The conditions of the tier decided on (the highest).
    pub fn decisive(&self) -> impl Iterator<Item = &Triggered> {
        self.triggered.iter().filter(move |t| t.tier == self.tier)
    }
}

/// The decision from the conditions that hold ([`evaluate`]): a city is interviewed once, at the
/// highest tier it meets (the tiers escalate who interviews whom, `management.md` §2.3); the lower
/// tiers' conditions are kept as evidence. `None` when nothing holds.
pub fn outcome(tiers: &[Tier], triggered: &[Triggered]) -> Option<Outcome> {
    let top = triggered.iter().map(|t| t.tier).max()?;
    let who_zh = tiers.iter().find(|t| t.tier == top).map_or("", |t| t.who_zh);
    let mut all = triggered.to_vec();
    // Highest tier first; within a tier, the rule table's order (a stable sort keeps it).
    all.sort_by_key(|t| std::cmp::Reverse(t.tier));
    Some(Outcome { tier: top, who_zh, triggered: all })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scenario per tier, from the heavy-day thresholds 2 / 3 / 4.
    #[test]
    fn heavy_day_scenarios() {
        let tiers = tiers_2022();
        let tiers_of = |h: u32| -> Vec<u8> {
            let f = YuetanFacts { heavy_days_ytd: h, ..YuetanFacts::default() };
            evaluate(&tiers, &f).iter().map(|t| t.tier).collect()
        };
        assert_eq!(tiers_of(1), Vec::<u8>::new());
        assert_eq!(tiers_of(2), vec![1]);
        assert_eq!(tiers_of(3), vec![1, 2]);
        assert_eq!(tiers_of(4), vec![1, 2, 3]);
    }

    /// Issue 11 §3.9: a city meeting tiers 1–3 is interviewed once, at tier 3 (省长约谈), with the tier 2
    /// and tier 1 conditions as evidence after the decisive one.
    #[test]
    fn the_highest_tier_decides_and_the_rest_is_evidence() {
        let tiers = tiers_2022();
        let f = YuetanFacts {
            heavy_days_ytd: 4,
            good_days: vec![(Window::HalfYear, Some(150), Some(158))],
            ..YuetanFacts::default()
        };
        let hit = evaluate(&tiers, &f);
        assert_eq!(hit.len(), 4, "H1 good days −8 (tier 1) and 4 heavy days (tiers 1, 2, 3)");
        let o = outcome(&tiers, &hit).expect("an interview");
        assert_eq!(o.tier, 3);
        assert_eq!(o.who_zh, "省长约谈市（州）政府主要负责同志");
        let order: Vec<(u8, Condition)> = o.triggered.iter().map(|t| (t.tier, t.condition)).collect();
        assert_eq!(
            order,
            vec![
                (3, Condition::HeavyDays { days: 4 }),
                (2, Condition::HeavyDays { days: 3 }),
                (1, Condition::GoodDaysDown { window: Window::HalfYear, days: 5 }),
                (1, Condition::HeavyDays { days: 2 }),
            ]
        );
        assert_eq!(o.decisive().map(|t| t.condition).collect::<Vec<_>>(), vec![Condition::HeavyDays { days: 4 }]);
        assert_eq!(outcome(&tiers, &[]), None);
    }

    #[test]
    fn rank_and_good_day_scenarios() {
        let tiers = tiers_2022();
        let f = YuetanFacts {
            // H1 rank fell from 95 to 120 (tier 1); Jan–Sep rank fell from 80 to 99 (not below 100).
            rank168: vec![(Window::HalfYear, Some(120), Some(95)), (Window::JanSep, Some(99), Some(80))],
            // Jan–Sep good days 200 vs 208: down 8 (tier 2); full year 300 vs 309: down 9 (< 10).
            good_days: vec![(Window::JanSep, Some(200), Some(208)), (Window::Year, Some(300), Some(309))],
            ..YuetanFacts::default()
        };
        let got: Vec<(u8, Condition)> = evaluate(&tiers, &f).into_iter().map(|t| (t.tier, t.condition)).collect();
        assert_eq!(
            got,
            vec![
                (1, Condition::Rank168Fell { window: Window::HalfYear, below: 100 }),
                (2, Condition::GoodDaysDown { window: Window::JanSep, days: 8 }),
            ]
        );
        // Rank improved, or unknown last year: no trigger.
        let f = YuetanFacts { rank168: vec![(Window::Year, Some(150), None)], ..YuetanFacts::default() };
        assert!(evaluate(&tiers, &f).is_empty());
        // Target missed at year end → tier 2; no improvement after an interview → tier 3.
        let d = chrono::NaiveDate::from_ymd_opt(2022, 3, 10).expect("date");
        let f = YuetanFacts {
            annual_target_missed: Some(true),
            after_interview: vec![(d, Some(412), Some(405))],
            ..YuetanFacts::default()
        };
        let tiers_hit: Vec<u8> = evaluate(&tiers, &f).iter().map(|t| t.tier).collect();
        assert_eq!(tiers_hit, vec![2, 3]);
    }
}
