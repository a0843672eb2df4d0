//! 激励约束: the provincial incentive/constraint fund (Notice §8; `management.md` §2.2) as
//! configuration — fund total and split, the tiers of the target fund's claw-back, the equal deduction
//! of local funds, and the improvement fund shared by improvement rate. Money is exact, in fen (分).

use crate::air::conc::{parse_decimal, round_half_even, Conc, Ratio};

/// A configuration could not be used; the message names the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("incentive config: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

fn err(key: &str, m: impl Into<String>) -> ConfigError {
    ConfigError { key: key.to_string(), message: m.into() }
}

/// A tier: the first whose `up_to` is ≥ the measured gap applies, paying `payout` of the share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tier {
    pub up_to: Ratio,
    pub payout: Ratio,
}

/// The shipped default (`schemes/incentives-default-2020.toml`).
pub const DEFAULT_INCENTIVES_TOML: &str = include_str!("../../schemes/incentives-default-2020.toml");

/// A validated incentive configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncentiveConfig {
    pub id: String,
    pub version: String,
    pub source: String,
    /// Total yearly fund, fen.
    pub total_fen: i128,
    /// The configuration's text as loaded (stored with every published settlement).
    pub text: String,
    pub target_share: Ratio,
    pub improvement_share: Ratio,
    pub units: u32,
    pub pm2_5_share: Ratio,
    pub good_rate_share: Ratio,
    pub deduct_equal_local_funds: bool,
    pub pm2_5_tiers: Vec<Tier>,
    pub good_rate_tiers: Vec<Tier>,
}

fn dec(t: &toml::Table, path: &str, key: &str) -> Result<Ratio, ConfigError> {
    let full = format!("{path}.{key}");
    let v = t.get(key).ok_or_else(|| err(&full, "missing"))?;
    let text = match v {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) if f.is_finite() => format!("{f}"),
        _ => return Err(err(&full, "expected a number")),
    };
    parse_decimal(&text).ok_or_else(|| err(&full, format!("not a decimal number: {text:?}")))
}

fn sub<'a>(t: &'a toml::Table, key: &str) -> Result<&'a toml::Table, ConfigError> {
    t.get(key).and_then(toml::Value::as_table).ok_or_else(|| err(key, "missing table"))
}

fn tiers(t: &toml::Table, key: &str) -> Result<Vec<Tier>, ConfigError> {
    let arr = t.get(key).and_then(toml::Value::as_array).ok_or_else(|| err(&format!("target.{key}"), "missing"))?;
    let mut out: Vec<Tier> = Vec::new();
    for (k, v) in arr.iter().enumerate() {
        let path = format!("target.{key}[{k}]");
        let tt = v.as_table().ok_or_else(|| err(&path, "expected a table"))?;
        let tier = Tier { up_to: dec(tt, &path, "up_to")?, payout: dec(tt, &path, "payout")? };
        if tier.payout < Ratio::new(0, 1) || tier.payout > Ratio::new(1, 1) {
            return Err(err(&format!("{path}.payout"), "must be between 0 and 1"));
        }
        if out.last().is_some_and(|p| tier.up_to <= p.up_to) {
            return Err(err(&format!("{path}.up_to"), "tiers overlap: list them with increasing up_to"));
        }
        out.push(tier);
    }
    if out.is_empty() {
        return Err(err(&format!("target.{key}"), "no tiers"));
    }
    Ok(out)
}

impl IncentiveConfig {
    pub fn default_config() -> Result<IncentiveConfig, ConfigError> {
        IncentiveConfig::parse(DEFAULT_INCENTIVES_TOML)
    }

    /// Parses and validates: shares must add up to 1, tiers must not overlap.
    pub fn parse(text: &str) -> Result<IncentiveConfig, ConfigError> {
        let root: toml::Table = text.parse().map_err(|e: toml::de::Error| err("(file)", e.to_string()))?;
        let meta = sub(&root, "scheme")?;
        let s = |k: &str| -> Result<String, ConfigError> {
            meta.get(k)
                .and_then(toml::Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| err(&format!("scheme.{k}"), "missing"))
        };
        let fund = sub(&root, "fund")?;
        let target = sub(&root, "target")?;
        let total = dec(fund, "fund", "total_cny")?;
        let units = dec(fund, "fund", "units")?;
        if units.den != 1 || units.num < 1 {
            return Err(err("fund.units", "must be a positive whole number"));
        }
        let c = IncentiveConfig {
            id: s("id")?,
            version: s("version")?,
            source: s("source")?,
            total_fen: total.num * 100 / total.den,
            text: text.to_string(),
            target_share: dec(fund, "fund", "target_share")?,
            improvement_share: dec(fund, "fund", "improvement_share")?,
            units: units.num as u32,
            pm2_5_share: dec(target, "target", "pm2_5_share")?,
            good_rate_share: dec(target, "target", "good_rate_share")?,
            deduct_equal_local_funds: target
                .get("deduct_equal_local_funds")
                .and_then(toml::Value::as_bool)
                .unwrap_or(true),
            pm2_5_tiers: tiers(target, "pm2_5_tiers")?,
            good_rate_tiers: tiers(target, "good_rate_tiers")?,
        };
        if c.target_share + c.improvement_share != Ratio::new(1, 1) {
            return Err(err("fund.target_share", "target_share + improvement_share must be 1"));
        }
        if c.pm2_5_share + c.good_rate_share != Ratio::new(1, 1) {
            return Err(err("target.pm2_5_share", "pm2_5_share + good_rate_share must be 1"));
        }
        Ok(c)
    }

    /// Each unit's yearly target fund (等额预分), fen, exact.
    pub fn target_fund_per_unit(&self) -> Ratio {
        Ratio::new(self.total_fen * self.target_share.num, self.target_share.den * i128::from(self.units)).reduced()
    }

    /// The target fund accrued to one unit over `months` of the year, rounded to the fen.
    pub fn accrued_fen(&self, months: u32) -> i128 {
        let r = self.target_fund_per_unit();
        round_half_even(r.num * i128::from(months), r.den * 12)
    }
}

/// Formats fen as 元 with two decimals.
pub fn fmt_yuan(fen: i128) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

fn tier_payout(tiers: &[Tier], gap: Ratio) -> Ratio {
    tiers.iter().find(|t| gap <= t.up_to).map_or(Ratio::new(0, 1), |t| t.payout)
}

/// What a city's settlement is computed from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SettlementInput {
    pub pm2_5_annual: Option<Conc>,
    pub pm2_5_target: Option<Conc>,
    /// Good-day rate and target, percent.
    pub good_rate: Option<Ratio>,
    pub good_rate_target: Option<Ratio>,
    /// Composite index of the year and the year before (hundredths).
    pub index: Option<i64>,
    pub index_last_year: Option<i64>,
}

/// A city's settlement (fen) with the reasons.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Settlement {
    pub pre_allocated: i128,
    pub target_kept: i128,
    pub clawed_back: i128,
    pub local_deduction: i128,
    pub improvement: i128,
    /// kept + improvement − local deduction.
    pub net: i128,
    pub reasons: Vec<String>,
}

/// The improvement rate (I₀ − I) / I₀ when positive.
fn improvement_rate(x: &SettlementInput) -> Option<Ratio> {
    match (x.index, x.index_last_year) {
        (Some(i), Some(i0)) if i0 > 0 && i < i0 => Some(Ratio::new(i128::from(i0 - i), i128::from(i0))),
        _ => None,
    }
}

/// Settles the year for every unit: target fund by tier (分档扣收, 等额扣罚) and the improvement fund
/// shared in proportion to the improvement rates. Amounts are rounded to the fen once, at the end.
pub fn settle(c: &IncentiveConfig, units: &[SettlementInput]) -> Vec<Settlement> {
    let per = c.target_fund_per_unit();
    let pool = Ratio::new(c.total_fen * c.improvement_share.num, c.improvement_share.den);
    let rates: Vec<Option<Ratio>> = units.iter().map(improvement_rate).collect();
    let sum_rates = rates.iter().flatten().fold(Ratio::new(0, 1), |a, r| a + *r);
    let fen = |r: Ratio| round_half_even(r.num, r.den);
    units
        .iter()
        .zip(&rates)
        .map(|(x, rate)| {
            let mut reasons = Vec::new();
            let pm_pay = match (x.pm2_5_annual, x.pm2_5_target) {
                (Some(a), Some(t)) => {
                    let gap = Ratio::new(i128::from(a.milli() - t.milli()), i128::from(t.milli().max(1)));
                    let p = tier_payout(&c.pm2_5_tiers, gap);
                    reasons.push(format!(
                        "PM2.5 {a} vs 目标 {t}: 档位兑现 {}",
                        crate::accountability::points::fmt_ratio(p, 2)
                    ));
                    p
                }
                (Some(_), None) => {
                    reasons.push("PM2.5 未设目标：不考核，全额兑现".into());
                    Ratio::new(1, 1)
                }
                (None, _) => {
                    reasons.push("PM2.5 无有效年均值：不兑现".into());
                    Ratio::new(0, 1)
                }
            };
            let rate_pay = match (x.good_rate, x.good_rate_target) {
                (Some(r), Some(t)) => {
                    let p = tier_payout(&c.good_rate_tiers, t - r);
                    reasons.push(format!(
                        "优良天数率 {}% vs 目标 {}%: 档位兑现 {}",
                        crate::accountability::points::fmt_ratio(r, 1),
                        crate::accountability::points::fmt_ratio(t, 1),
                        crate::accountability::points::fmt_ratio(p, 2)
                    ));
                    p
                }
                (Some(_), None) => {
                    reasons.push("优良天数率 未设目标：不考核，全额兑现".into());
                    Ratio::new(1, 1)
                }
                (None, _) => {
                    reasons.push("优良天数率 无有效数据：不兑现".into());
                    Ratio::new(0, 1)
                }
            };
            let keep_share = Ratio::new(
                pm_pay.num * c.pm2_5_share.num * rate_pay.den * c.good_rate_share.den
                    + rate_pay.num * c.good_rate_share.num * pm_pay.den * c.pm2_5_share.den,
                pm_pay.den * c.pm2_5_share.den * rate_pay.den * c.good_rate_share.den,
            );
            let kept = Ratio::new(per.num * keep_share.num, per.den * keep_share.den);
            let pre = fen(per);
            let kept_fen = fen(kept);
            let clawed = pre - kept_fen;
            let local = if c.deduct_equal_local_funds { clawed } else { 0 };
            if clawed > 0 {
                reasons.push(format!(
                    "扣收 {} 元{}",
                    fmt_yuan(clawed),
                    if local > 0 { "，等额扣罚地方资金" } else { "" }
                ));
            }
            let improvement = match rate {
                Some(r) if sum_rates.num > 0 => {
                    let share = Ratio::new(r.num * sum_rates.den, r.den * sum_rates.num);
                    reasons.push(format!(
                        "综合指数改善率 {}%，分得改善资金 {}",
                        crate::accountability::points::fmt_ratio(Ratio::new(r.num * 100, r.den), 2),
                        crate::accountability::points::fmt_ratio(share, 4)
                    ));
                    fen(Ratio::new(pool.num * share.num, pool.den * share.den))
                }
                _ => {
                    reasons.push("综合指数未改善：无改善资金".into());
                    0
                }
            };
            Settlement {
                pre_allocated: pre,
                target_kept: kept_fen,
                clawed_back: clawed,
                local_deduction: local,
                improvement,
                net: kept_fen + improvement - local,
                reasons,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// worked-examples.md E24: 1.5 亿 × 70 % ÷ 21 = 5,000,000 元 per city per year, accrued monthly.
    #[test]
    fn e24_target_fund_accrual() {
        let c = IncentiveConfig::default_config().expect("default");
        assert_eq!(c.target_fund_per_unit(), Ratio::new(500_000_000, 1));
        assert_eq!(fmt_yuan(c.accrued_fen(1)), "416666.67");
        assert_eq!(fmt_yuan(c.accrued_fen(7)), "2916666.67");
        assert_eq!(fmt_yuan(c.accrued_fen(6)), "2500000.00");
        assert_eq!(fmt_yuan(c.accrued_fen(9)), "3750000.00");
        assert_eq!(fmt_yuan(c.accrued_fen(11)), "4583333.33");
    }

    #[test]
    fn tiers_and_improvement_scenarios() {
        let c = IncentiveConfig::default_config().expect("default");
        let u = |pm: i64, rate: i128, idx: i64, idx0: i64| SettlementInput {
            pm2_5_annual: Some(Conc::units(pm)),
            pm2_5_target: Some(Conc::units(40)),
            good_rate: Some(Ratio::new(rate, 10)),
            good_rate_target: Some(Ratio::new(850, 10)),
            index: Some(idx),
            index_last_year: Some(idx0),
        };
        // A: both met, index 400 ← 500 (20 % better); B: PM2.5 41 (2.5 % over → half), rate 84.0 (1 point
        // short → half), index 450 ← 500 (10 %); C: PM2.5 45 (12.5 % over → none), rate 80 (5 short → none),
        // index worse.
        let s = settle(&c, &[u(38, 860, 400, 500), u(41, 840, 450, 500), u(45, 800, 520, 500)]);
        assert_eq!(s[0].target_kept, 500_000_000);
        assert_eq!(s[1].target_kept, 250_000_000);
        assert_eq!((s[2].target_kept, s[2].clawed_back, s[2].local_deduction), (0, 500_000_000, 500_000_000));
        // Improvement pool 4,500 万: shares 20 : 10 → 3,000 万 and 1,500 万.
        assert_eq!(s[0].improvement, 3_000_000_000);
        assert_eq!(s[1].improvement, 1_500_000_000);
        assert_eq!(s[2].improvement, 0);
        assert_eq!(s[2].net, -500_000_000);
        let bad = DEFAULT_INCENTIVES_TOML.replace("improvement_share = \"0.30\"", "improvement_share = \"0.40\"");
        assert_eq!(IncentiveConfig::parse(&bad).expect_err("shares").key, "fund.target_share");
    }
}
