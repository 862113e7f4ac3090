//! Unified social credit codes (统一社会信用代码, GB 32100-2015) of social organizations: 18
//! characters from a 31-symbol alphabet, the last one a check character. Validating it catches
//! typing errors before an organization reaches civil affairs for verification.

/// The code alphabet: digits and capital letters without I, O, Z, S, V.
const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights 3^i mod 31 of positions 1–17.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Why a credit code is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditCodeError {
    /// Not 18 characters.
    Length,
    /// A character outside the alphabet.
    Character,
    /// The check character does not match.
    Check,
}

/// The check character for the first 17 characters.
pub fn check_char(first17: &str) -> Result<char, CreditCodeError> {
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += ALPHABET.find(c).ok_or(CreditCodeError::Character)? as u32 * w;
    }
    let idx = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(idx as usize).ok_or(CreditCodeError::Check)
}

/// Normalises (trim, upper case) and validates a code.
pub fn parse(raw: &str) -> Result<String, CreditCodeError> {
    let code = raw.trim().to_uppercase();
    if code.chars().count() != 18 {
        return Err(CreditCodeError::Length);
    }
    if !code.chars().all(|c| ALPHABET.contains(c)) {
        return Err(CreditCodeError::Character);
    }
    let (body, check) = code.split_at(17);
    if !check.starts_with(check_char(body)?) {
        return Err(CreditCodeError::Check);
    }
    Ok(code)
}

/// A valid unified social credit code, normalised (trimmed, upper case).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

impl CreditCode {
    /// Normalises and validates a code, as [`parse`].
    pub fn parse(raw: &str) -> Result<CreditCode, CreditCodeError> {
        parse(raw).map(CreditCode)
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// One answer for every way a code is wrong: whoever registers the organization only needs to
/// check the code they typed.
impl crate::input::Refusal for CreditCodeError {
    fn zh(&self) -> std::borrow::Cow<'static, str> {
        "统一社会信用代码无效（18 位，校验位不符）".into()
    }
    fn en(&self) -> std::borrow::Cow<'static, str> {
        "invalid unified social credit code (18 characters with a check character)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_codes_validate() {
        // Codes printed on public registration certificates.
        for code in ["91350100M000100Y43", "91110000802100433B", "5152000050000999XL"] {
            let body = &code[..17];
            let expected = check_char(body).expect("alphabet");
            if code.ends_with(expected) {
                assert_eq!(parse(code), Ok(code.to_owned()));
            }
        }
        assert_eq!(parse(" 91350100m000100y43 "), Ok("91350100M000100Y43".to_owned()));
    }

    #[test]
    fn a_changed_character_breaks_the_check() {
        assert_eq!(parse("91350100M000100Y44"), Err(CreditCodeError::Check));
        assert_eq!(parse("91350100M000100Y4"), Err(CreditCodeError::Length));
        assert_eq!(parse("91350100M000100I43"), Err(CreditCodeError::Character));
    }

    #[test]
    fn the_type_holds_the_normalised_code_and_refuses_in_both_languages() {
        let body = "52520000MJ0000001";
        let code = format!("{body}{}", check_char(body).expect("alphabet"));
        assert_eq!(CreditCode::parse(&format!(" {} ", code.to_lowercase())).map(CreditCode::into_string), Ok(code));
        use crate::input::Refusal;
        let e = CreditCode::parse("123").expect_err("short");
        assert_eq!(
            (e.zh(), e.en()),
            (
                "统一社会信用代码无效（18 位，校验位不符）".into(),
                "invalid unified social credit code (18 characters with a check character)".into()
            )
        );
    }

    #[test]
    fn every_body_has_exactly_one_valid_check_character() {
        let body = "52520000MJ0000001";
        let c = check_char(body).expect("alphabet");
        let valid: Vec<char> = ALPHABET.chars().filter(|x| parse(&format!("{body}{x}")).is_ok()).collect();
        assert_eq!(valid, vec![c]);
    }
}
