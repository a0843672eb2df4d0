//! The city alert level from one daily forecast (`emergency.md` §3.1, worked example G).

use chrono::NaiveDate;
use serde::Serialize;

use super::{AlertLevel, AlertRuleSet, EmergencyError, LevelCondition, ResponseLevel};

/// One forecast day of one city: the forecast 24-h mean AQI of that date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ForecastDay {
    pub date: NaiveDate,
    /// The AQI the decision uses.
    pub aqi: u32,
    /// Lower end of the forecast range, kept as evidence only.
    pub aqi_low: Option<u32>,
    /// Upper end of the forecast range, kept as evidence only.
    pub aqi_high: Option<u32>,
}

impl ForecastDay {
    pub fn new(date: NaiveDate, aqi: u32) -> ForecastDay {
        ForecastDay { date, aqi, aqi_low: None, aqi_high: None }
    }
    pub fn with_range(date: NaiveDate, aqi: u32, low: u32, high: u32) -> ForecastDay {
        ForecastDay { date, aqi, aqi_low: Some(low), aqi_high: Some(high) }
    }
}

/// One pollution episode of a forecast.
///
/// [D] An episode is a maximal run of forecast days from a heavy day (AQI > `heavy_above`) to a heavy
/// day in which no two consecutive heavy days are separated by a run of at least
/// [`LiftRule::min_days`](super::LiftRule::min_days) consecutive days at AQI ≤ `lifting.aqi_at_most`
/// (the lifting condition; 2 days for 36 h). Days between 151 and 200, or shorter clean runs, do not
/// split it (emergency.md §1: a gap too short to lift the alert does not split). `start_date` is the
/// first heavy day and `end_date` the last heavy day of the episode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Episode {
    /// First day with AQI > 200 of the (merged) episode.
    pub start_date: NaiveDate,
    /// Last day with AQI > 200 of the (merged) episode.
    pub end_date: NaiveDate,
    /// The highest level whose condition the episode meets; `None` when it meets none.
    pub level: Option<AlertLevel>,
    pub response: Option<ResponseLevel>,
    /// 重污染天数: days with AQI > 200 in the episode.
    pub heavy_days: u32,
    /// 严重污染天数: days with AQI > 300 in the episode.
    pub severe_days: u32,
    /// Whether a day reaches AQI 500.
    pub hit_500: bool,
    /// The forecast days that made the level: the days counted by the level's satisfied condition
    /// (its heavy days, or for "AQI reaching 500" the days at 500); empty when `level` is `None`.
    pub trigger_days: Vec<ForecastDay>,
    /// The satisfied condition and the clause of the level rule.
    pub condition: Option<LevelCondition>,
    pub clause: Option<String>,
    /// First day of the first run after the episode of ≥ `lifting.min_days()` days at AQI ≤ 150, i.e.
    /// from when this forecast shows the lifting condition; `None` when the forecast does not show it.
    pub lift_from: Option<NaiveDate>,
}

/// The evaluation of one city's forecast under one rule set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CityEvaluation {
    pub rule_set_id: String,
    /// Episodes in date order.
    pub episodes: Vec<Episode>,
    /// The highest level of any episode.
    pub level: Option<AlertLevel>,
}

/// Checks that the days are consecutive dates in ascending order and every range is low ≤ high.
pub(crate) fn validate_days(days: &[ForecastDay]) -> Result<(), EmergencyError> {
    for w in days.windows(2) {
        if w[0].date.succ_opt() != Some(w[1].date) {
            return Err(EmergencyError::NotConsecutive { previous: w[0].date, date: w[1].date });
        }
    }
    for d in days {
        if let (Some(low), Some(high)) = (d.aqi_low, d.aqi_high) {
            if low > high {
                return Err(EmergencyError::InvertedRange { date: d.date, low, high });
            }
        }
    }
    Ok(())
}

/// The level of one city's forecast under `rules` (emergency.md §3.1): episodes are formed as
/// described on [`Episode`], then within each episode the heavy (> 200), severe (> 300) and
/// AQI-500 days are counted and the highest level whose condition holds is taken ("and not
/// meeting a higher level"). The days must be consecutive dates (an error otherwise).
pub fn evaluate_city(rules: &AlertRuleSet, days: &[ForecastDay]) -> Result<CityEvaluation, EmergencyError> {
    validate_days(days)?;
    let episodes = episodes(rules, days);
    let level = episodes.iter().filter_map(|e| e.level).max();
    Ok(CityEvaluation { rule_set_id: rules.id.clone(), episodes, level })
}

fn is_clean(rules: &AlertRuleSet, d: &ForecastDay) -> bool {
    d.aqi <= rules.lifting.aqi_at_most
}

/// Whether `days` contain a run of at least `n` consecutive clean days.
fn has_clean_run(rules: &AlertRuleSet, days: &[ForecastDay], n: usize) -> bool {
    first_clean_run(rules, days, n).is_some()
}

/// Index of the first day of the first run of `n` consecutive clean days.
pub(crate) fn first_clean_run(rules: &AlertRuleSet, days: &[ForecastDay], n: usize) -> Option<usize> {
    let mut run = 0usize;
    for (i, d) in days.iter().enumerate() {
        if is_clean(rules, d) {
            run += 1;
            if run >= n {
                return Some(i + 1 - n);
            }
        } else {
            run = 0;
        }
    }
    None
}

/// The episodes of validated, consecutive days.
pub(crate) fn episodes(rules: &AlertRuleSet, days: &[ForecastDay]) -> Vec<Episode> {
    let t = &rules.thresholds;
    let lift_days = rules.lifting.min_days();
    let heavy: Vec<usize> = (0..days.len()).filter(|&i| days[i].aqi > t.heavy_above).collect();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for &i in &heavy {
        match spans.last_mut() {
            Some((_, end)) if !has_clean_run(rules, &days[*end + 1..i], lift_days) => *end = i,
            _ => spans.push((i, i)),
        }
    }
    spans
        .into_iter()
        .map(|(s, e)| {
            let span = &days[s..=e];
            let heavy_days = span.iter().filter(|d| d.aqi > t.heavy_above).count() as u32;
            let severe_days = span.iter().filter(|d| d.aqi > t.severe_above).count() as u32;
            let extreme_days = span.iter().filter(|d| d.aqi >= t.extreme_at_least).count() as u32;
            let met = rules.levels.iter().rev().find_map(|l| {
                l.any_of
                    .iter()
                    .find(|c| {
                        heavy_days >= c.min_heavy_days
                            && severe_days >= c.min_severe_days
                            && extreme_days >= c.min_extreme_days
                    })
                    .map(|c| (l, *c))
            });
            let trigger_days = match met {
                None => Vec::new(),
                Some((_, c)) => {
                    let above = |d: &&ForecastDay| {
                        if c.min_heavy_days > 0 {
                            d.aqi > t.heavy_above
                        } else if c.min_severe_days > 0 {
                            d.aqi > t.severe_above
                        } else {
                            d.aqi >= t.extreme_at_least
                        }
                    };
                    span.iter().filter(above).copied().collect()
                }
            };
            let lift_from = first_clean_run(rules, &days[e + 1..], lift_days).map(|k| days[e + 1 + k].date);
            Episode {
                start_date: days[s].date,
                end_date: days[e].date,
                level: met.map(|(l, _)| l.level),
                response: met.and_then(|(l, _)| l.response),
                heavy_days,
                severe_days,
                hit_500: extreme_days > 0,
                trigger_days,
                condition: met.map(|(_, c)| c),
                clause: met.map(|(l, _)| l.clause.clone()),
                lift_from,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emergency::rule_set;

    fn series(aqi: &[u32]) -> Vec<ForecastDay> {
        let start = NaiveDate::from_ymd_opt(2022, 12, 1).expect("date");
        aqi.iter().enumerate().map(|(i, &a)| ForecastDay::new(start + chrono::Days::new(i as u64), a)).collect()
    }

    #[test]
    fn gaps_and_ranges_are_rejected() {
        let rules = rule_set("sichuan-2022").expect("shipped");
        let mut days = series(&[210, 220, 230]);
        days.remove(1);
        assert!(matches!(evaluate_city(rules, &days), Err(EmergencyError::NotConsecutive { .. })));
        let mut days = series(&[210, 220]);
        days[1].aqi_low = Some(250);
        days[1].aqi_high = Some(200);
        assert!(matches!(evaluate_city(rules, &days), Err(EmergencyError::InvertedRange { .. })));
        assert_eq!(evaluate_city(rules, &[]).map(|e| e.episodes.len()), Ok(0));
    }

    #[test]
    fn lift_from_is_the_first_clean_run_after_the_episode() {
        let rules = rule_set("sichuan-2022").expect("shipped");
        let e = evaluate_city(rules, &series(&[210, 220, 180, 140, 160, 150, 120])).expect("valid");
        assert_eq!(e.episodes.len(), 1);
        assert_eq!(e.episodes[0].lift_from, Some(series(&[0; 6])[5].date));
    }
}
