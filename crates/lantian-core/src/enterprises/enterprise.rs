//! Key industries (重点行业) and enterprise performance grades (绩效分级) for heavy-pollution response:
//! 重污染天气重点行业应急减排措施制定技术指南（2020年修订版）(环办大气函〔2020〕340号) and the Notice §3
//! ("进一步扩大重污染天气绩效分级管理重点行业范围"; `emergency.md` §5).
//!
//! Industries are data, not an enum: the guideline's 39 industries ship in
//! `rules/key-industries-2020.toml`; provincial additions are loaded from a TOML text of the same shape
//! ([`IndustryTable::with_additions`]).

use serde::Serialize;

/// An enterprise's performance grade (绩效等级) under the 2020 guideline. `Ungraded` (未分级) is an
/// enterprise outside the key industries, or not yet graded: its measures come from its own
/// one-plant-one-policy (`emergency.md` §5).
/// Serialized as [`PerformanceGrade::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PerformanceGrade {
    A,
    B,
    C,
    D,
    /// 绩效引领性企业.
    Leading,
    /// 非引领性企业.
    NonLeading,
    /// 未分级.
    Ungraded,
}

crate::serde_as_code!(PerformanceGrade);

/// A text is not a performance grade.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("不是绩效等级 / not a performance grade: {0:?}")]
pub struct GradeParseError(pub String);

impl PerformanceGrade {
    pub const ALL: [PerformanceGrade; 7] = [
        PerformanceGrade::A,
        PerformanceGrade::B,
        PerformanceGrade::C,
        PerformanceGrade::D,
        PerformanceGrade::Leading,
        PerformanceGrade::NonLeading,
        PerformanceGrade::Ungraded,
    ];

    /// Chinese label as written in grading lists.
    pub fn label_zh(self) -> &'static str {
        match self {
            PerformanceGrade::A => "A级",
            PerformanceGrade::B => "B级",
            PerformanceGrade::C => "C级",
            PerformanceGrade::D => "D级",
            PerformanceGrade::Leading => "绩效引领性",
            PerformanceGrade::NonLeading => "非引领性",
            PerformanceGrade::Ungraded => "未分级",
        }
    }

    /// Stable code used in data files and JSON.
    pub fn code(self) -> &'static str {
        match self {
            PerformanceGrade::A => "A",
            PerformanceGrade::B => "B",
            PerformanceGrade::C => "C",
            PerformanceGrade::D => "D",
            PerformanceGrade::Leading => "leading",
            PerformanceGrade::NonLeading => "non_leading",
            PerformanceGrade::Ungraded => "ungraded",
        }
    }

    /// Parses `A`, `a`, `A级`, `B类`, `引领性`, `绩效引领性`, `引领性企业`, `非引领性`, `未分级`, `无`,
    /// and the English codes (`leading`, `non_leading`, `ungraded`). Whitespace is ignored.
    pub fn parse(text: &str) -> Result<PerformanceGrade, GradeParseError> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let t = t.strip_suffix("企业").unwrap_or(&t);
        let base = match t {
            "未分级" | "未评级" => t,
            _ => t.strip_suffix('级').or_else(|| t.strip_suffix('类')).unwrap_or(t),
        };
        let g = match base.to_ascii_lowercase().as_str() {
            "a" => PerformanceGrade::A,
            "b" => PerformanceGrade::B,
            "c" => PerformanceGrade::C,
            "d" => PerformanceGrade::D,
            "leading" | "引领性" | "绩效引领性" | "引领" => PerformanceGrade::Leading,
            "non_leading" | "nonleading" | "非引领性" | "非引领" | "非绩效引领性" => {
                PerformanceGrade::NonLeading
            }
            "ungraded" | "未分级" | "未评级" | "无" | "-" => PerformanceGrade::Ungraded,
            _ => return Err(GradeParseError(text.to_string())),
        };
        Ok(g)
    }

    /// Position on the letter scale (A = 0 … D = 3); `None` for the other grades.
    pub fn letter_rank(self) -> Option<u8> {
        match self {
            PerformanceGrade::A => Some(0),
            PerformanceGrade::B => Some(1),
            PerformanceGrade::C => Some(2),
            PerformanceGrade::D => Some(3),
            _ => None,
        }
    }
}

impl std::str::FromStr for PerformanceGrade {
    type Err = GradeParseError;
    fn from_str(s: &str) -> Result<PerformanceGrade, GradeParseError> {
        PerformanceGrade::parse(s)
    }
}

/// How an industry is graded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum GradingScheme {
    /// A / B / C / D.
    AtoD,
    /// A / B / C.
    AtoC,
    /// B / C / D only (no A grade).
    BtoD,
    /// 绩效引领性 / 非引领性.
    Leading,
}

impl GradingScheme {
    /// Grades an enterprise of this scheme can hold. [`PerformanceGrade::Ungraded`] fits every scheme
    /// (not yet graded) [D].
    pub fn grades(self) -> &'static [PerformanceGrade] {
        use PerformanceGrade::*;
        match self {
            GradingScheme::AtoD => &[A, B, C, D, Ungraded],
            GradingScheme::AtoC => &[A, B, C, Ungraded],
            GradingScheme::BtoD => &[B, C, D, Ungraded],
            GradingScheme::Leading => &[Leading, NonLeading, Ungraded],
        }
    }

    pub fn allows(self, g: PerformanceGrade) -> bool {
        self.grades().contains(&g)
    }

    /// The next worse grade of the scheme (B for A, NonLeading for Leading); `None` for the worst.
    pub fn next_worse(self, g: PerformanceGrade) -> Option<PerformanceGrade> {
        use PerformanceGrade::*;
        let order: &[PerformanceGrade] = match self {
            GradingScheme::AtoD => &[A, B, C, D],
            GradingScheme::AtoC => &[A, B, C],
            GradingScheme::BtoD => &[B, C, D],
            GradingScheme::Leading => &[Leading, NonLeading],
        };
        let i = order.iter().position(|x| *x == g)?;
        order.get(i + 1).copied()
    }

    pub fn code(self) -> &'static str {
        match self {
            GradingScheme::AtoD => "a_to_d",
            GradingScheme::AtoC => "a_to_c",
            GradingScheme::BtoD => "b_to_d",
            GradingScheme::Leading => "leading",
        }
    }

    fn parse(s: &str) -> Option<GradingScheme> {
        Some(match s {
            "a_to_d" => GradingScheme::AtoD,
            "a_to_c" => GradingScheme::AtoC,
            "b_to_d" => GradingScheme::BtoD,
            "leading" => GradingScheme::Leading,
            _ => return None,
        })
    }
}

/// A key industry (重点行业) with its grading scheme and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyIndustry {
    /// Stable code (`cement`, `packaging_printing`).
    pub code: String,
    /// Chinese name as in the guideline.
    pub name: String,
    pub scheme: GradingScheme,
    /// Confidence mark of the scheme (`V`, `S`, `U-high`, `U-med`, `U-low`, `D`).
    pub scheme_mark: String,
    /// One of the 39 industries of the 2020 guideline (else a provincial addition).
    pub in_guideline_2020: bool,
    /// The document the entry comes from.
    pub source: String,
}

/// The industry table could not be loaded; the message names the entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("industry table: {key}: {message}")]
pub struct IndustryTableError {
    pub key: String,
    pub message: String,
}

fn terr(key: impl Into<String>, message: impl Into<String>) -> IndustryTableError {
    IndustryTableError { key: key.into(), message: message.into() }
}

/// A grade does not fit an industry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum GradeFitError {
    #[error("未知行业 / unknown industry {0:?}")]
    UnknownIndustry(String),
    #[error("{industry}（{scheme}）不设 {grade} / industry {industry} ({scheme}) has no grade {grade}")]
    NotInScheme { industry: String, scheme: &'static str, grade: &'static str },
}

/// The shipped table of the 2020 guideline's 39 industries.
pub const KEY_INDUSTRIES_2020_TOML: &str = include_str!("../../rules/key-industries-2020.toml");

/// The key industries in force: the guideline's and any provincial additions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndustryTable {
    pub id: String,
    pub version: String,
    /// Sources of the base table and of each addition, in load order.
    pub sources: Vec<String>,
    pub industries: Vec<KeyIndustry>,
}

fn parse_industries(
    text: &str,
    guideline: bool,
) -> Result<(String, String, String, Vec<KeyIndustry>), IndustryTableError> {
    let root: toml::Table = text.parse().map_err(|e: toml::de::Error| terr("(file)", e.to_string()))?;
    for k in root.keys() {
        if k != "table" && k != "industry" {
            return Err(terr(k.as_str(), "unknown key (expected table, industry)"));
        }
    }
    let meta = root.get("table").and_then(toml::Value::as_table).ok_or_else(|| terr("table", "missing"))?;
    let s = |k: &str| -> Result<String, IndustryTableError> {
        meta.get(k)
            .and_then(toml::Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| terr(format!("table.{k}"), "missing or not a string"))
    };
    let (id, version, source) = (s("id")?, s("version")?, s("source")?);
    let list = root.get("industry").and_then(toml::Value::as_array).ok_or_else(|| terr("industry", "missing array"))?;
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let key = format!("industry[{i}]");
        let t = v.as_table().ok_or_else(|| terr(&key, "expected a table"))?;
        for k in t.keys() {
            if !["no", "code", "name", "scheme", "scheme_mark", "source"].contains(&k.as_str()) {
                return Err(terr(format!("{key}.{k}"), "unknown key"));
            }
        }
        let g = |k: &str| -> Result<String, IndustryTableError> {
            t.get(k)
                .and_then(toml::Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| terr(format!("{key}.{k}"), "missing or not a string"))
        };
        let code = g("code")?;
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(terr(format!("{key}.code"), format!("codes are snake_case ASCII: {code:?}")));
        }
        let scheme_text = g("scheme")?;
        let scheme = GradingScheme::parse(&scheme_text).ok_or_else(|| {
            terr(format!("{key}.scheme"), format!("expected a_to_d, a_to_c, b_to_d or leading, found {scheme_text:?}"))
        })?;
        out.push(KeyIndustry {
            code,
            name: g("name")?,
            scheme,
            scheme_mark: g("scheme_mark")?,
            in_guideline_2020: guideline,
            source: t.get("source").and_then(toml::Value::as_str).map_or_else(|| source.clone(), str::to_string),
        });
    }
    Ok((id, version, source, out))
}

impl IndustryTable {
    /// The 39 industries of the 2020 guideline.
    pub fn guideline_2020() -> Result<IndustryTable, IndustryTableError> {
        let (id, version, source, industries) = parse_industries(KEY_INDUSTRIES_2020_TOML, true)?;
        if industries.len() != 39 {
            return Err(terr(
                "industry",
                format!("the 2020 guideline has 39 industries, the table has {}", industries.len()),
            ));
        }
        let t = IndustryTable { id, version, sources: vec![source], industries };
        t.check_unique()?;
        Ok(t)
    }

    /// This table with a provincial addition (same TOML shape: `[table]` with id/version/source and
    /// `[[industry]]` entries). An addition may not redefine an existing code or name.
    pub fn with_additions(mut self, text: &str) -> Result<IndustryTable, IndustryTableError> {
        let (id, version, source, more) = parse_industries(text, false)?;
        self.industries.extend(more);
        self.check_unique()?;
        self.id = format!("{}+{id}", self.id);
        self.version = format!("{}+{version}", self.version);
        self.sources.push(source);
        Ok(self)
    }

    fn check_unique(&self) -> Result<(), IndustryTableError> {
        for (i, a) in self.industries.iter().enumerate() {
            if self.industries[..i].iter().any(|b| b.code == a.code || b.name == a.name) {
                return Err(terr(a.code.clone(), format!("industry {} ({}) is defined twice", a.code, a.name)));
            }
        }
        Ok(())
    }

    /// An industry by code or Chinese name.
    pub fn find(&self, code_or_name: &str) -> Option<&KeyIndustry> {
        let q = code_or_name.trim();
        self.industries.iter().find(|i| i.code == q || i.name == q)
    }

    /// Whether `grade` fits the industry's scheme (`None` industry = not a key industry: only
    /// `Ungraded` fits).
    pub fn validate_grade(&self, industry: Option<&str>, grade: PerformanceGrade) -> Result<(), GradeFitError> {
        let Some(code) = industry else {
            return if grade == PerformanceGrade::Ungraded {
                Ok(())
            } else {
                Err(GradeFitError::NotInScheme {
                    industry: "(非重点行业)".into(),
                    scheme: "none",
                    grade: grade.label_zh(),
                })
            };
        };
        let ind = self.find(code).ok_or_else(|| GradeFitError::UnknownIndustry(code.to_string()))?;
        if ind.scheme.allows(grade) {
            Ok(())
        } else {
            Err(GradeFitError::NotInScheme {
                industry: ind.name.clone(),
                scheme: ind.scheme.code(),
                grade: grade.label_zh(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_nine_industries_with_names_from_the_spec() {
        let t = IndustryTable::guideline_2020().expect("table");
        assert_eq!(t.industries.len(), 39);
        for name in ["长流程联合钢铁", "水泥", "砖瓦窑", "包装印刷", "工业涂装", "塑料人造革与合成革制造"]
        {
            assert!(t.find(name).is_some(), "{name}");
        }
        assert!(t.industries.iter().all(|i| i.in_guideline_2020));
        assert!(t.sources[0].contains("环办大气函〔2020〕340号"));
        let schemes: std::collections::HashSet<_> = t.industries.iter().map(|i| i.scheme).collect();
        assert_eq!(schemes.len(), 4, "every scheme kind appears");
    }

    #[test]
    fn grade_labels_parse_back() {
        for g in PerformanceGrade::ALL {
            assert_eq!(PerformanceGrade::parse(g.label_zh()), Ok(g));
            assert_eq!(PerformanceGrade::parse(g.code()), Ok(g));
        }
        assert_eq!(PerformanceGrade::parse(" b "), Ok(PerformanceGrade::B));
        assert_eq!(PerformanceGrade::parse("引领性企业"), Ok(PerformanceGrade::Leading));
        assert_eq!(PerformanceGrade::parse("非引领性"), Ok(PerformanceGrade::NonLeading));
        assert_eq!(PerformanceGrade::parse("未分级"), Ok(PerformanceGrade::Ungraded));
        assert!(PerformanceGrade::parse("E").is_err());
        assert!(PerformanceGrade::parse("B-").is_err());
    }

    #[test]
    fn grade_must_fit_the_scheme() {
        let t = IndustryTable::guideline_2020().expect("table");
        assert!(t.validate_grade(Some("cement"), PerformanceGrade::D).is_ok());
        assert!(t.validate_grade(Some("水泥"), PerformanceGrade::A).is_ok());
        assert!(t.validate_grade(Some("cement"), PerformanceGrade::Leading).is_err());
        // 砖瓦窑 is recorded as B/C/D only.
        assert!(matches!(
            t.validate_grade(Some("brick_tile_kiln"), PerformanceGrade::A),
            Err(GradeFitError::NotInScheme { .. })
        ));
        assert!(t.validate_grade(Some("frp"), PerformanceGrade::Leading).is_ok());
        assert!(t.validate_grade(Some("frp"), PerformanceGrade::B).is_err());
        assert!(t.validate_grade(Some("packaging_printing"), PerformanceGrade::D).is_err());
        assert!(matches!(t.validate_grade(Some("nope"), PerformanceGrade::A), Err(GradeFitError::UnknownIndustry(_))));
        assert!(t.validate_grade(None, PerformanceGrade::Ungraded).is_ok());
        assert!(t.validate_grade(None, PerformanceGrade::B).is_err());
    }

    #[test]
    fn provincial_additions_extend_the_table() {
        let add = r#"
[table]
id = "sichuan-additions-test"
version = "2022.1"
source = "四川省补充行业（测试数据） — Notice §3 扩大绩效分级管理重点行业范围"

[[industry]]
code = "concrete_mixing"
name = "商品混凝土"
scheme = "leading"
scheme_mark = "D"
"#;
        let t = IndustryTable::guideline_2020().and_then(|t| t.with_additions(add)).expect("table");
        assert_eq!(t.industries.len(), 40);
        let c = t.find("商品混凝土").expect("added");
        assert!(!c.in_guideline_2020);
        assert!(c.source.contains("测试数据"));
        assert_eq!(t.sources.len(), 2);
        // Redefining a guideline industry is refused.
        let dup = add.replace("concrete_mixing", "cement").replace("商品混凝土", "水泥");
        let e = IndustryTable::guideline_2020().and_then(|t| t.with_additions(&dup)).expect_err("duplicate");
        assert!(e.message.contains("twice"), "{e}");
        let bad = add.replace("\"leading\"", "\"a_to_z\"");
        let e = IndustryTable::guideline_2020().and_then(|t| t.with_additions(&bad)).expect_err("bad scheme");
        assert_eq!(e.key, "industry[0].scheme");
    }

    #[test]
    fn next_worse_grade() {
        assert_eq!(GradingScheme::AtoD.next_worse(PerformanceGrade::A), Some(PerformanceGrade::B));
        assert_eq!(GradingScheme::AtoC.next_worse(PerformanceGrade::C), None);
        assert_eq!(GradingScheme::Leading.next_worse(PerformanceGrade::Leading), Some(PerformanceGrade::NonLeading));
    }
}
