//! The unified social credit code (统一社会信用代码) of GB 32100-2015 《法人和其他组织统一社会信用代码
//! 编码规则》: 18 characters from `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, Z, S, V), made of
//!
//! | Position | Part |
//! | --- | --- |
//! | 1 | registration authority (登记管理部门代码) |
//! | 2 | organisation category (机构类别代码), per authority |
//! | 3–8 | administrative division of the registering office (登记管理机关行政区划码, GB/T 2260), digits |
//! | 9–17 | subject identifier (主体标识码, the organisation code of GB 11714) |
//! | 18 | check character (校验码) |
//!
//! Check character: with `Cᵢ` the value of character `i` (its index in the character set) and the
//! weights `Wᵢ = 3^(i−1) mod 31` = 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
//! `C₁₈ = 31 − (Σ Cᵢ·Wᵢ mod 31)`, and 31 is written `0`.
//!
//! Sources [S]: the standard's worked example (`91350100M000100Y4Z`, Σ = 1640, expected check `3`)
//! reproduced at https://www.yc00.com/web/1713075042a2177900.html and
//! https://wddqw.com/doc/53f79e6a996648d7c1c708a1284ac850ad020467.html; authority and category tables
//! at https://osuse.cn/post/10002590.html (also http://ddrv.cn/?p=726373). The category table has been
//! extended by later allocations; [`CreditCode::parse_lenient`] checks only the structure and the
//! check character, for codes whose authority/category pair is newer than the table here.

use serde::Serialize;

/// The code's character set, in value order (value = index).
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The weights of positions 1–17 (`3^(i−1) mod 31`).
pub const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A registration authority: code, name, and its organisation categories (code, name).
pub type Authority = (char, &'static str, &'static [(char, &'static str)]);

/// Registration authorities (position 1) and their organisation categories (position 2), GB 32100-2015
/// as allocated [S: https://osuse.cn/post/10002590.html].
pub const AUTHORITIES: [Authority; 12] = [
    ('1', "机构编制", &[('1', "机关"), ('2', "事业单位"), ('3', "中央编办直接管理机构编制的群众团体"), ('9', "其他")]),
    ('2', "外交", &[('1', "外国常驻新闻机构"), ('9', "其他")]),
    (
        '3',
        "司法行政",
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    ('4', "文化", &[('1', "外国在华文化中心"), ('9', "其他")]),
    ('5', "民政", &[('1', "社会团体"), ('2', "民办非企业单位"), ('3', "基金会"), ('9', "其他")]),
    (
        '6',
        "旅游",
        &[('1', "外国旅游部门常驻代表机构"), ('2', "港澳台地区旅游部门常驻内地(大陆)代表机构"), ('9', "其他")],
    ),
    ('7', "宗教", &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")]),
    ('8', "工会", &[('1', "基层工会"), ('9', "其他")]),
    ('9', "工商", &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")]),
    ('A', "中央军委改革和编制办公室", &[('1', "军队事业单位"), ('9', "其他")]),
    ('N', "农业", &[('1', "组级集体经济组织"), ('2', "村级集体经济组织"), ('3', "乡镇级集体经济组织"), ('9', "其他")]),
    ('Y', "其他", &[('1', "其他")]),
];

/// Exactly what is wrong with a credit code. Positions are 1-based, as in the standard.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为18位，实际 {found} 位 / a credit code has 18 characters, found {found}")]
    Length { found: usize },
    #[error("第 {position} 位字符 {found:?} 不在代码字符集内 / character {found:?} at position {position} is not allowed (0-9, A-Y without I O S V Z)")]
    BadCharacter { position: usize, found: char },
    #[error("第 {position} 位应为数字（行政区划码），实际 {found:?} / position {position} must be a digit (division code), found {found:?}")]
    DivisionNotDigit { position: usize, found: char },
    #[error("第1位登记管理部门代码 {found:?} 未分配 / registration authority {found:?} (position 1) is not allocated")]
    UnknownAuthority { found: char },
    #[error("第2位机构类别代码 {category:?} 不属于登记管理部门 {authority:?} / category {category:?} (position 2) is not allocated under authority {authority:?}")]
    UnknownCategory { authority: char, category: char },
    #[error(
        "校验码错误：应为 {expected:?}，实际 {found:?} / bad check character: expected {expected:?}, found {found:?}"
    )]
    BadCheck { expected: char, found: char },
}

/// A validated unified social credit code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

fn value_of(c: char) -> Option<u32> {
    CHARSET.chars().position(|x| x == c).map(|p| p as u32)
}

fn char_of(v: u32) -> char {
    CHARSET.chars().nth(v as usize).unwrap_or('0')
}

/// The check character for the first 17 characters (each must be in [`CHARSET`]).
pub fn check_character(first17: &str) -> Result<char, CreditCodeError> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return Err(CreditCodeError::Length { found: chars.len() + 1 });
    }
    let mut sum = 0u32;
    for (i, (&c, w)) in chars.iter().zip(WEIGHTS).enumerate() {
        let v = value_of(c).ok_or(CreditCodeError::BadCharacter { position: i + 1, found: c })?;
        sum += v * w;
    }
    Ok(char_of((31 - sum % 31) % 31))
}

/// The name of a registration authority (position 1).
pub fn authority_name(c: char) -> Option<&'static str> {
    AUTHORITIES.iter().find(|(a, _, _)| *a == c).map(|(_, n, _)| *n)
}

/// The name of an organisation category (position 2) under an authority.
pub fn category_name(authority: char, category: char) -> Option<&'static str> {
    AUTHORITIES.iter().find(|(a, _, _)| *a == authority)?.2.iter().find(|(c, _)| *c == category).map(|(_, n)| *n)
}

impl CreditCode {
    /// Parses and validates a code strictly: length, character set, digits in positions 3–8, the
    /// authority/category tables and the check character, in that order (the first error is
    /// reported). Surrounding whitespace is ignored; lower-case letters are not accepted.
    pub fn parse(text: &str) -> Result<CreditCode, CreditCodeError> {
        let code = Self::parse_lenient(text)?;
        let a = code.authority();
        if authority_name(a).is_none() {
            return Err(CreditCodeError::UnknownAuthority { found: a });
        }
        if category_name(a, code.category()).is_none() {
            return Err(CreditCodeError::UnknownCategory { authority: a, category: code.category() });
        }
        Ok(code)
    }

    /// As [`CreditCode::parse`] without the authority/category tables (structure and check character
    /// only).
    pub fn parse_lenient(text: &str) -> Result<CreditCode, CreditCodeError> {
        let t = text.trim();
        let chars: Vec<char> = t.chars().collect();
        if chars.len() != 18 {
            return Err(CreditCodeError::Length { found: chars.len() });
        }
        for (i, &c) in chars.iter().enumerate() {
            if value_of(c).is_none() {
                return Err(CreditCodeError::BadCharacter { position: i + 1, found: c });
            }
            if (2..8).contains(&i) && !c.is_ascii_digit() {
                return Err(CreditCodeError::DivisionNotDigit { position: i + 1, found: c });
            }
        }
        let expected = check_character(&t[..17])?;
        let found = chars[17];
        if expected != found {
            return Err(CreditCodeError::BadCheck { expected, found });
        }
        Ok(CreditCode(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: registration authority code.
    pub fn authority(&self) -> char {
        self.0.chars().next().unwrap_or('0')
    }

    /// Position 2: organisation category code.
    pub fn category(&self) -> char {
        self.0.chars().nth(1).unwrap_or('0')
    }

    /// Positions 3–8: the registering office's GB/T 2260 division code (e.g. 510104).
    pub fn division_code(&self) -> u32 {
        self.0[2..8].parse().unwrap_or(0)
    }

    /// Positions 9–17: the subject identifier (organisation code).
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Whether the registering office lies in the prefecture `city_code` (e.g. 510100): the first
    /// four digits agree. A provincial (510000) or national (100000) registration is in no city.
    pub fn registered_in_city(&self, city_code: u32) -> bool {
        let d = self.division_code();
        (d / 100 == city_code / 100 && !d.is_multiple_of(100)) || d == city_code
    }

    /// A warning when the registering office is not in the enterprise's city (the enterprise may be
    /// registered by the province or elsewhere and still operate in the city: a warning, not an error).
    pub fn division_warning(&self, city_code: u32) -> Option<DivisionWarning> {
        if self.registered_in_city(city_code) {
            return None;
        }
        let d = self.division_code();
        Some(DivisionWarning {
            code: self.clone(),
            division_code: d,
            city_code,
            message_zh: format!("统一社会信用代码登记机关行政区划码 {d} 不在所在城市 {city_code} 辖区内"),
            message_en: format!("the credit code's registering division {d} is not within the city {city_code}"),
        })
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<CreditCode, CreditCodeError> {
        CreditCode::parse(s)
    }
}

/// Deserialises with [`CreditCode::parse_lenient`]: structure and check character (stored records may
/// carry authority/category pairs allocated after this table).
impl<'de> serde::Deserialize<'de> for CreditCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CreditCode, D::Error> {
        let s = String::deserialize(d)?;
        CreditCode::parse_lenient(&s).map_err(serde::de::Error::custom)
    }
}

/// The registering division of a credit code is outside the enterprise's city.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DivisionWarning {
    pub code: CreditCode,
    pub division_code: u32,
    pub city_code: u32,
    pub message_zh: String,
    pub message_en: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    // Character values: 0–9 → 0–9, A10 B11 C12 D13 E14 F15 G16 H17 J18 K19 L20 M21 N22 P23 Q24 R25
    // T26 U27 W28 X29 Y30. Weights: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.

    /// The standard's own example, 91350100M000100Y4?:
    /// values 9 1 3 5 0 1 0 0 21 0 0 0 1 0 0 30 4
    /// products 9 3 27 135 0 26 0 0 420 0 0 0 8 0 0 900 112, Σ = 1640; 1640 = 31·52 + 28;
    /// C18 = 31 − 28 = 3. So …Y4Z is wrong (Z is not even in the character set) and …Y43 is right.
    #[test]
    fn standard_example() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y4Z"),
            Err(CreditCodeError::BadCharacter { position: 18, found: 'Z' })
        );
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err(CreditCodeError::BadCheck { expected: '3', found: '4' })
        );
        let c = CreditCode::parse("91350100M000100Y43").expect("valid");
        assert_eq!(c.division_code(), 350100);
        assert_eq!(c.organisation_code(), "M000100Y4");
    }

    /// 91512081MA62K0260E: values 9 1 5 1 2 0 8 1 21 10 6 2 19 0 2 6 0
    /// products 9 3 45 27 38 0 128 17 420 290 150 26 152 0 20 180 0, Σ = 1505 = 31·48 + 17;
    /// C18 = 31 − 17 = 14 = E.
    #[test]
    fn sichuan_example_with_letter_check() {
        let c = CreditCode::parse("91512081MA62K0260E").expect("valid");
        assert_eq!(c.division_code(), 512081);
        assert_eq!(c.authority(), '9');
        assert_eq!(category_name(c.authority(), c.category()), Some("企业"));
    }

    /// 91510100MA6CX7Y21?: values 9 1 5 1 0 1 0 0 21 10 6 12 29 7 30 2 1
    /// products 9 3 45 27 0 26 0 0 420 290 150 156 232 168 300 60 28, Σ = 1914 = 31·61 + 23;
    /// C18 = 31 − 23 = 8.
    /// Replacing the 17th character 1 by K (19) adds 28·18 = 504: Σ = 2418 = 31·78, remainder 0,
    /// C18 = 31 → written 0.
    /// Replacing it by X (29) adds 28·28 = 784: Σ = 2698 = 31·87 + 1, C18 = 30 = Y.
    #[test]
    fn hand_computed_check_characters() {
        assert!(CreditCode::parse("91510100MA6CX7Y218").is_ok());
        assert_eq!(
            CreditCode::parse("91510100MA6CX7Y219"),
            Err(CreditCodeError::BadCheck { expected: '8', found: '9' })
        );
        assert!(CreditCode::parse("91510100MA6CX7Y2K0").is_ok());
        assert!(CreditCode::parse("91510100MA6CX7Y2XY").is_ok());
        assert_eq!(check_character("91510100MA6CX7Y2K"), Ok('0'));
    }

    #[test]
    fn each_error_says_what_is_wrong() {
        assert_eq!(CreditCode::parse("91510100MA6CX7Y21"), Err(CreditCodeError::Length { found: 17 }));
        assert_eq!(CreditCode::parse(""), Err(CreditCodeError::Length { found: 0 }));
        // I is excluded from the character set (position 10).
        assert_eq!(
            CreditCode::parse("91510100MI6CX7Y218"),
            Err(CreditCodeError::BadCharacter { position: 10, found: 'I' })
        );
        assert_eq!(
            CreditCode::parse("91510100ma6cx7y218"),
            Err(CreditCodeError::BadCharacter { position: 9, found: 'm' })
        );
        assert_eq!(
            CreditCode::parse("915101A0MA6CX7Y218"),
            Err(CreditCodeError::DivisionNotDigit { position: 7, found: 'A' })
        );
        // Authority B is not allocated: check character recomputed by hand. Values 11 1 5 1 0 1 0 0 …
        // differ from 91510100MA6CX7Y21 only in position 1 (9 → 11): Σ = 1914 + 2·1 = 1916 =
        // 31·61 + 25, C18 = 6.
        assert_eq!(CreditCode::parse("B1510100MA6CX7Y216"), Err(CreditCodeError::UnknownAuthority { found: 'B' }));
        assert!(CreditCode::parse_lenient("B1510100MA6CX7Y216").is_ok());
        // Category 4 under 工商 (9) is not allocated: position 2 value 1 → 4 adds 3·3 = 9:
        // Σ = 1923 = 31·62 + 1, C18 = 30 = Y.
        assert_eq!(
            CreditCode::parse("94510100MA6CX7Y21Y"),
            Err(CreditCodeError::UnknownCategory { authority: '9', category: '4' })
        );
        let msg = CreditCodeError::BadCheck { expected: '8', found: '9' }.to_string();
        assert!(msg.contains("expected '8'") && msg.contains("校验码"), "{msg}");
    }

    #[test]
    fn division_and_city() {
        let c = CreditCode::parse("91510100MA6CX7Y218").expect("valid");
        // 510100 itself is the city-level office of Chengdu.
        assert!(c.registered_in_city(510100));
        assert!(c.division_warning(510100).is_none());
        let w = c.division_warning(510300).expect("warning");
        assert_eq!(w.division_code, 510100);
        let d = CreditCode::parse("91512081MA62K0260E").expect("valid");
        // 512081 (a county-level city under 资阳) vs Chengdu: warned.
        assert!(d.division_warning(510100).is_some());
        assert!(d.registered_in_city(512000));
    }

    #[test]
    fn weights_are_powers_of_three() {
        let mut w = 1u32;
        for x in WEIGHTS {
            assert_eq!(x, w);
            w = w * 3 % 31;
        }
        assert_eq!(CHARSET.len(), 31);
    }
}
