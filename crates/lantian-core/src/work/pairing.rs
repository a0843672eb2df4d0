//! Pairing assistance (结对帮扶, Notice §1 and annex 结对帮扶包片分组表; `management.md` §4): the seven
//! department groups and their cities as data (`rules/pairing-groups-2022.toml`, [V]), visit records,
//! and the rule that during every heavy-pollution response (yellow or higher) in a paired city a
//! department-level (厅级) leader of the paired department supervises on site.

use chrono::NaiveDate;
use serde::Serialize;

use crate::emergency::control::ControlLevel;

/// Provincial departments of the pairing table (glossary `Dept`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dept {
    EconInfo,
    EcoEnv,
    Housing,
    Transport,
    Agriculture,
    Emergency,
    Forestry,
}

impl Dept {
    fn parse(s: &str) -> Option<Dept> {
        Some(match s {
            "EconInfo" => Dept::EconInfo,
            "EcoEnv" => Dept::EcoEnv,
            "Housing" => Dept::Housing,
            "Transport" => Dept::Transport,
            "Agriculture" => Dept::Agriculture,
            "Emergency" => Dept::Emergency,
            "Forestry" => Dept::Forestry,
            _ => return None,
        })
    }
}

/// One pairing group (第一组 … 第七组).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PairingGroup {
    /// `G1` … `G7`.
    pub id: String,
    pub name: String,
    pub department: Dept,
    pub department_zh: String,
    /// GB/T 2260 codes of the paired cities.
    pub cities: Vec<u32>,
}

/// The pairing table as loaded, with its source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PairingTable {
    pub id: String,
    pub source: String,
    pub mark: String,
    pub groups: Vec<PairingGroup>,
}

/// The table could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("pairing table: {key}: {message}")]
pub struct PairingTableError {
    pub key: String,
    pub message: String,
}

fn perr(key: impl Into<String>, message: impl Into<String>) -> PairingTableError {
    PairingTableError { key: key.into(), message: message.into() }
}

/// The Notice's 2022 table.
pub const PAIRING_2022_TOML: &str = include_str!("../../rules/pairing-groups-2022.toml");

impl PairingTable {
    pub fn notice_2022() -> Result<PairingTable, PairingTableError> {
        PairingTable::parse(PAIRING_2022_TOML)
    }

    /// Parses a table; every city must be a Sichuan city and paired at most once.
    pub fn parse(text: &str) -> Result<PairingTable, PairingTableError> {
        let root: toml::Table = text.parse().map_err(|e: toml::de::Error| perr("(file)", e.to_string()))?;
        let meta = root.get("table").and_then(toml::Value::as_table).ok_or_else(|| perr("table", "missing"))?;
        let s = |t: &toml::Table, path: &str, k: &str| -> Result<String, PairingTableError> {
            t.get(k)
                .and_then(toml::Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| perr(format!("{path}.{k}"), "missing or not a string"))
        };
        let list = root.get("group").and_then(toml::Value::as_array).ok_or_else(|| perr("group", "missing array"))?;
        let mut groups: Vec<PairingGroup> = Vec::new();
        for (i, v) in list.iter().enumerate() {
            let path = format!("group[{i}]");
            let t = v.as_table().ok_or_else(|| perr(&path, "expected a table"))?;
            let dept_text = s(t, &path, "department")?;
            let department = Dept::parse(&dept_text)
                .ok_or_else(|| perr(format!("{path}.department"), format!("unknown department {dept_text:?}")))?;
            let cities_v = t
                .get("cities")
                .and_then(toml::Value::as_array)
                .ok_or_else(|| perr(format!("{path}.cities"), "missing array"))?;
            let mut cities = Vec::new();
            for c in cities_v {
                let code = c
                    .as_integer()
                    .and_then(|x| u32::try_from(x).ok())
                    .ok_or_else(|| perr(format!("{path}.cities"), "expected city codes"))?;
                if !crate::regions::cities::SICHUAN_CITIES.iter().any(|x| x.code == code) {
                    return Err(perr(format!("{path}.cities"), format!("{code} is not a Sichuan city")));
                }
                if groups.iter().any(|g| g.cities.contains(&code)) || cities.contains(&code) {
                    return Err(perr(format!("{path}.cities"), format!("{code} is paired twice")));
                }
                cities.push(code);
            }
            groups.push(PairingGroup {
                id: s(t, &path, "id")?,
                name: s(t, &path, "name")?,
                department,
                department_zh: s(t, &path, "department_zh")?,
                cities,
            });
        }
        Ok(PairingTable {
            id: s(meta, "table", "id")?,
            source: s(meta, "table", "source")?,
            mark: s(meta, "table", "mark")?,
            groups,
        })
    }

    /// The group a city is paired with, if any.
    pub fn group_of(&self, city_code: u32) -> Option<&PairingGroup> {
        self.groups.iter().find(|g| g.cities.contains(&city_code))
    }
}

/// Rank of the visiting leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaderRank {
    /// 厅级.
    DepartmentLevel,
    /// 处级.
    DivisionLevel,
    Other,
}

/// A pairing visit record (`management.md` §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PairingVisit {
    /// `G1` … `G7`.
    pub group: String,
    pub department: Dept,
    pub city: u32,
    /// Inclusive dates.
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
    pub on_site: bool,
    pub leader_name: String,
    pub leader_rank: LeaderRank,
    /// The alert the visit was made for, when recorded.
    pub during_alert: Option<String>,
    pub issues_found: Vec<String>,
    pub follow_ups: Vec<String>,
    pub attachments: Vec<String>,
}

/// A response (yellow or higher) in a city, inclusive dates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ResponseWindow {
    pub alert_id: String,
    pub city: u32,
    pub level: ControlLevel,
    pub date_from: NaiveDate,
    pub date_to: NaiveDate,
}

/// A response without the required department-level on-site visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingLeaderVisit {
    pub response: ResponseWindow,
    pub group: String,
    pub department: Dept,
    pub department_zh: String,
    /// Visits by the paired department overlapping the window that do not qualify, with why.
    pub near_misses: Vec<String>,
    pub message_zh: String,
    pub message_en: String,
}

/// The result of [`response_leader_ok`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeaderReport {
    pub table_id: String,
    /// Responses in paired cities that were checked.
    pub checked: usize,
    /// Responses in cities without a pairing group (not subject to the duty).
    pub unpaired: usize,
    pub missing: Vec<MissingLeaderVisit>,
    pub ok: bool,
}

/// `response_leader_ok` (`management.md` §4 [D] from the annex's duty 3 [V]): for every response in a
/// paired city, at least one visit by the paired group's department with `on_site = true`,
/// `leader_rank = DepartmentLevel`, to that city, whose dates overlap the response window.
pub fn response_leader_ok(table: &PairingTable, responses: &[ResponseWindow], visits: &[PairingVisit]) -> LeaderReport {
    let mut missing = Vec::new();
    let (mut checked, mut unpaired) = (0, 0);
    for r in responses {
        let Some(g) = table.group_of(r.city) else {
            unpaired += 1;
            continue;
        };
        checked += 1;
        let overlapping: Vec<&PairingVisit> = visits
            .iter()
            .filter(|v| {
                v.city == r.city && v.department == g.department && v.date_from <= r.date_to && r.date_from <= v.date_to
            })
            .collect();
        if overlapping.iter().any(|v| v.on_site && v.leader_rank == LeaderRank::DepartmentLevel) {
            continue;
        }
        let near_misses = overlapping
            .iter()
            .map(|v| {
                let why = if !v.on_site { "not on site" } else { "leader below department level" };
                format!("{} {}–{} {}: {why}", v.leader_name, v.date_from, v.date_to, g.department_zh)
            })
            .collect();
        missing.push(MissingLeaderVisit {
            response: r.clone(),
            group: g.id.clone(),
            department: g.department,
            department_zh: g.department_zh.clone(),
            near_misses,
            message_zh: format!(
                "{}（{}）{} 至 {} {}响应期间，结对帮扶部门{}无厅级领导现场督导记录",
                city_name(r.city),
                r.alert_id,
                r.date_from,
                r.date_to,
                r.level.name_zh(),
                g.department_zh
            ),
            message_en: format!(
                "no on-site visit by a department-level leader of {} ({}) in {} during the {} response {} ({} – {})",
                g.department_zh,
                g.id,
                city_name(r.city),
                r.level.code(),
                r.alert_id,
                r.date_from,
                r.date_to
            ),
        });
    }
    LeaderReport { table_id: table.id.clone(), checked, unpaired, ok: missing.is_empty(), missing }
}

/// A city's name (its code when not a Sichuan city).
fn city_name(code: u32) -> String {
    crate::regions::cities::SICHUAN_CITIES
        .iter()
        .find(|c| c.code == code)
        .map_or_else(|| code.to_string(), |c| c.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).expect("date")
    }

    fn visit(dept: Dept, city: u32, from: NaiveDate, to: NaiveDate, on_site: bool, rank: LeaderRank) -> PairingVisit {
        PairingVisit {
            group: "G?".into(),
            department: dept,
            city,
            date_from: from,
            date_to: to,
            on_site,
            leader_name: "张某".into(),
            leader_rank: rank,
            during_alert: None,
            issues_found: vec![],
            follow_ups: vec![],
            attachments: vec![],
        }
    }

    #[test]
    fn table_matches_the_annex() {
        let t = PairingTable::notice_2022().expect("table");
        assert_eq!(t.groups.len(), 7);
        assert_eq!(t.mark, "V");
        assert!(t.source.contains("结对帮扶包片分组表"));
        let paired: usize = t.groups.iter().map(|g| g.cities.len()).sum();
        assert_eq!(paired, 11);
        assert_eq!(t.group_of(511700).map(|g| g.department), Some(Dept::EconInfo)); // 达州
        assert_eq!(t.group_of(510100).map(|g| g.id.as_str()), Some("G2")); // 成都
        assert_eq!(t.group_of(513400).map(|g| g.department_zh.as_str()), Some("省林草局")); // 凉山
        assert!(t.group_of(510700).is_none()); // 绵阳 is not paired
        let dup = PAIRING_2022_TOML.replace("cities = [511300]", "cities = [510100]");
        assert!(PairingTable::parse(&dup).is_err());
    }

    #[test]
    fn leader_visits() {
        let t = PairingTable::notice_2022().expect("table");
        let responses = vec![
            ResponseWindow {
                alert_id: "CD-1".into(),
                city: 510100,
                level: ControlLevel::Orange,
                date_from: d(12, 10),
                date_to: d(12, 12),
            },
            ResponseWindow {
                alert_id: "DY-1".into(),
                city: 510600,
                level: ControlLevel::Yellow,
                date_from: d(12, 10),
                date_to: d(12, 11),
            },
            ResponseWindow {
                alert_id: "NC-1".into(),
                city: 511300,
                level: ControlLevel::Red,
                date_from: d(12, 20),
                date_to: d(12, 21),
            },
            ResponseWindow {
                alert_id: "MY-1".into(),
                city: 510700,
                level: ControlLevel::Yellow,
                date_from: d(12, 10),
                date_to: d(12, 11),
            },
        ];
        let visits = vec![
            // 成都: 生态环境厅 厅级 on site 12-12 (last day overlaps): ok.
            visit(Dept::EcoEnv, 510100, d(12, 12), d(12, 13), true, LeaderRank::DepartmentLevel),
            // 德阳: 住建厅 visit by a division-level leader only, and a 厅级 visit by the wrong department.
            visit(Dept::Housing, 510600, d(12, 10), d(12, 10), true, LeaderRank::DivisionLevel),
            visit(Dept::EcoEnv, 510600, d(12, 10), d(12, 10), true, LeaderRank::DepartmentLevel),
            // 南充: 应急厅 厅级 but by video (not on site), and one before the window.
            visit(Dept::Emergency, 511300, d(12, 20), d(12, 20), false, LeaderRank::DepartmentLevel),
            visit(Dept::Emergency, 511300, d(12, 18), d(12, 19), true, LeaderRank::DepartmentLevel),
        ];
        let r = response_leader_ok(&t, &responses, &visits);
        assert_eq!((r.checked, r.unpaired), (3, 1));
        assert!(!r.ok);
        let ids: Vec<&str> = r.missing.iter().map(|m| m.response.alert_id.as_str()).collect();
        assert_eq!(ids, ["DY-1", "NC-1"]);
        assert_eq!(r.missing[0].near_misses.len(), 1);
        assert!(r.missing[0].near_misses[0].contains("below department level"));
        assert!(r.missing[1].near_misses[0].contains("not on site"));
        assert!(r.missing[1].message_zh.contains("厅级") && r.missing[1].message_en.contains("department-level"));
    }
}
