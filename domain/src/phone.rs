//! Mainland China mobile numbers: the only numbers the families' SMS provider delivers to, and
//! the only ones WeChat's phone button gives for a mainland account.

/// Why a typed number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Not 11 digits starting 13–19 after an optional +86 / 86 prefix.
    #[error("not a mainland China mobile number")]
    NotMainlandMobile,
}

/// The E.164 form (`+86` and 11 digits) of a mainland mobile number typed with or without the
/// country code, spaces or dashes.
pub fn parse_mainland(raw: &str) -> Result<String, PhoneError> {
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
    let national = compact.strip_prefix("+86").or_else(|| compact.strip_prefix("0086")).unwrap_or(&compact);
    let national = if national.len() == 13 { national.strip_prefix("86").unwrap_or(national) } else { national };
    let b = national.as_bytes();
    let ok = b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
    if ok { Ok(format!("+86{national}")) } else { Err(PhoneError::NotMainlandMobile) }
}

/// The number as shown back to its owner: country code, first three and last four digits
/// (`+86 138****8000`), the usual masking of Chinese services.
pub fn mask(e164: &str) -> String {
    let national = e164.strip_prefix("+86").unwrap_or(e164);
    if national.len() != 11 || !national.is_ascii() {
        return "****".into();
    }
    format!("+86 {}****{}", &national[..3], &national[7..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_numbers_in_every_usual_spelling_become_e164() {
        for raw in ["13800138000", "+8613800138000", "8613800138000", "0086 138 0013 8000", "138-0013-8000"] {
            assert_eq!(parse_mainland(raw), Ok("+8613800138000".into()), "{raw}");
        }
    }

    #[test]
    fn landlines_foreign_and_short_numbers_are_refused() {
        for raw in ["12800138000", "1380013800", "+85291234567", "085112345678", "1380013800a", "", "+86"] {
            assert_eq!(parse_mainland(raw), Err(PhoneError::NotMainlandMobile), "{raw}");
        }
    }

    #[test]
    fn masking_keeps_prefix_and_last_four() {
        assert_eq!(mask("+8613800138000"), "+86 138****8000");
        assert_eq!(mask("garbage"), "****");
    }
}
