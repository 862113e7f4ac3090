//! Identity numbers of children: the 18-character resident identity number (居民身份证号,
//! GB 11643-1999) and masking for display.
//!
//! Why here: the check character and the embedded birth date are pure arithmetic, and the server
//! must reject a mistyped number before it is encrypted and stored — afterwards nobody can see it
//! to notice the typo. Masking is pure too, and one function keeps every response consistent.

use chrono::NaiveDate;

use crate::regions::{Divisions, Level};

/// Issuing regions of real numbers that are not provinces of the divisions table: Taiwan (71) and
/// the numbers of Hong Kong (81), Macao (82) and Taiwan (83) residents' residence permits.
const OUTSIDE_TABLE: [&str; 4] = ["710000", "810000", "820000", "830000"];
/// Guizhou prefectures abolished within a minor's lifetime whose codes children's numbers still
/// carry: 铜仁地区 (5222) and 毕节地区 (5224) became prefecture-level cities in 2011.
const FORMER_GUIZHOU_PREFECTURES: [&str; 2] = ["5222", "5224"];

/// Weights of positions 1–17 for the ISO 7064 MOD 11-2 check character.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder 0–10.
const CHECK: &[u8; 11] = b"10X98765432";

/// Why an identity number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 17 digits followed by a digit or `X`.
    #[error("an identity number has 17 digits and a check character (digit or X)")]
    Format,
    /// The check character does not match the first 17 digits (a typo).
    #[error("the check character does not match")]
    CheckCharacter,
    /// Positions 7–14 are not a real calendar date.
    #[error("the embedded birth date is not a date")]
    BirthDate,
}

/// A syntactically valid resident identity number, upper-case `X`.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    /// Never prints the number itself, so it cannot leak into logs through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", mask(&self.0))
    }
}

/// The MOD 11-2 check character of the first 17 digits (`None` unless exactly 17 ASCII digits).
pub fn check_character(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize] as char)
}

impl IdNumber {
    /// Validates format, check character and embedded birth date. Spaces around are ignored and a
    /// lower-case `x` is accepted.
    pub fn parse(raw: &str) -> Result<IdNumber, IdNumberError> {
        let s = raw.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdNumberError::Format);
        }
        if check_character(&s[..17]) != Some(b[17] as char) {
            return Err(IdNumberError::CheckCharacter);
        }
        let id = IdNumber(s);
        id.birth_date().ok_or(IdNumberError::BirthDate)?;
        Ok(id)
    }

    /// The birth date in positions 7–14.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }

    /// The region code of the issuing place (positions 1–6).
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// Whether the issuing region (positions 1–6) can be real: its province exists, and in
    /// Guizhou its prefecture exists or existed. The county digits are not checked, because a
    /// number keeps the code of a county later renamed or merged (盘县 520222 became 盘州市
    /// 520281 in 2017), and the divisions table holds only today's codes.
    pub fn region_exists(&self, divisions: &Divisions) -> bool {
        let province = format!("{}0000", &self.0[..2]);
        if !(divisions.get(&province).is_some_and(|d| d.level == Level::Province) || OUTSIDE_TABLE.contains(&province.as_str())) {
            return false;
        }
        if &self.0[..2] != "52" {
            return true;
        }
        let prefecture = &self.0[..4];
        FORMER_GUIZHOU_PREFECTURES.contains(&prefecture)
            || divisions.get(&format!("{prefecture}00")).is_some_and(|d| d.level == Level::Prefecture)
    }

    /// The number itself; handle with care (encrypt, hash, never log).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Masks an identifier for display: only the last two characters stay (`52010220190310123X` →
/// `****************3X`); values of four characters or fewer are masked entirely.
///
/// Why so little: the views that show a masked number also show the hukou county and the birth
/// date, which are positions 1–14 of the number. With the last four shown as well, the check
/// character made the rest computable; with only the last two, about ten numbers fit.
pub fn mask(value: &str) -> String {
    let n = value.chars().count();
    if n <= 4 {
        return "*".repeat(n);
    }
    value.chars().enumerate().map(|(i, c)| if i >= n - 2 { c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_character(first17).expect("17 digits"))
    }

    #[test]
    fn a_well_formed_number_parses_and_yields_its_birth_date() {
        let raw = with_check("52010220190310123");
        let id = IdNumber::parse(&raw).expect("valid");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(2019, 3, 10));
        assert_eq!(id.region_code(), "520102");
        assert_eq!(id.expose(), raw);
    }

    #[test]
    fn the_published_example_has_check_character_x() {
        // GB 11643-1999 example: 11010519491231002X.
        assert_eq!(check_character("11010519491231002"), Some('X'));
        assert!(IdNumber::parse("11010519491231002x").is_ok(), "lower-case x is accepted");
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        let raw = with_check("52010220190310123");
        let last = raw.chars().last().expect("last");
        let wrong = if last == '0' { '1' } else { '0' };
        let bad = format!("{}{wrong}", &raw[..17]);
        assert_eq!(IdNumber::parse(&bad), Err(IdNumberError::CheckCharacter));
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for raw in ["", "5201022019031012", "52010220190310123A", "5201022019031012345", "X2010220190310123X"] {
            assert_eq!(IdNumber::parse(raw), Err(IdNumberError::Format), "{raw}");
        }
    }

    #[test]
    fn an_impossible_birth_date_is_refused_even_with_a_correct_check() {
        assert_eq!(IdNumber::parse(&with_check("52010220190230123")), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn masking_keeps_only_the_last_two_characters() {
        assert_eq!(mask("52010220190310123X"), "****************3X");
        assert_eq!(mask("12345"), "***45");
        assert_eq!(mask("1234"), "****");
        assert_eq!(format!("{:?}", IdNumber::parse("11010519491231002X").expect("valid")), "IdNumber(****************2X)");
    }

    #[test]
    fn the_birth_date_and_the_region_with_the_mask_leave_many_numbers() {
        // Positions 1–14 known from other fields, 17–18 from the mask: 15–16 stay open.
        let raw = with_check("52010220190310123");
        let shown = mask(&raw);
        let fits = (0..100)
            .filter(|x| {
                let first17 = format!("{}{:02}{}", &raw[..14], x, &shown[16..17]);
                check_character(&first17) == shown.chars().last()
            })
            .count();
        assert!(fits >= 9, "{fits}");
    }

    proptest::proptest! {
        #[test]
        fn every_computed_check_character_validates(d in "[0-9]{6}", day in 0u32..3000, seq in "[0-9]{3}") {
            let birth = NaiveDate::from_ymd_opt(2010, 1, 1).expect("date") + chrono::Duration::days(i64::from(day));
            let first17 = format!("{d}{}{seq}", birth.format("%Y%m%d"));
            let id = IdNumber::parse(&with_check(&first17)).expect("valid");
            proptest::prop_assert_eq!(id.birth_date(), Some(birth));
        }
    }
}
