//! Free text typed by people (names, addresses, comments, notes): one rule for every field.
//!
//! Why: a Unicode bidirectional control (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) makes a name
//! or a comment display as something other than what is stored — "小明\u{202E}gnp.exe" reads as
//! "小明exe.png" — and other control characters corrupt CSV exports, e-mails and logs. None of
//! them belongs in a name or a note, so they are refused rather than silently dropped.

/// Whether a text may span several lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// A name, an address, a title: no line breaks.
    One,
    /// A comment, a note, a description: newlines allowed.
    Many,
}

/// Why a text is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty after trimming, or longer than allowed.
    #[error("the text must have 1 to {max} characters")]
    Length {
        /// Largest number of characters allowed.
        max: usize,
    },
    /// Contains a bidirectional control or another control character.
    #[error("the text contains a control character")]
    Control,
}

/// True for the characters that change how surrounding text is displayed without being visible:
/// embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the directional marks
/// (U+200E, U+200F, U+061C) and the line and paragraph separators (U+2028, U+2029).
pub fn is_bidi_or_separator(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}')
}

/// The trimmed text when it has 1 to `max` characters and no forbidden character (`\r\n` counts
/// as a newline in a multi-line text).
pub fn check(raw: &str, max: usize, lines: Lines) -> Result<String, TextError> {
    let t = raw.trim();
    let t = if lines == Lines::Many { t.replace("\r\n", "\n") } else { t.to_owned() };
    let n = t.chars().count();
    if n == 0 || n > max {
        return Err(TextError::Length { max });
    }
    let forbidden = |c: char| is_bidi_or_separator(c) || (c.is_control() && !(lines == Lines::Many && c == '\n'));
    if t.chars().any(forbidden) {
        return Err(TextError::Control);
    }
    Ok(t)
}

/// A text that passed [`check`]: trimmed, 1 to `MAX` characters, one line unless `MANY`. The API
/// parses each free-text input into one of these once; the use cases take the type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Text<const MAX: usize, const MANY: bool>(String);

/// A one-line text (a name, an address) of at most `MAX` characters.
pub type Line<const MAX: usize> = Text<MAX, false>;
/// A multi-line text (a comment, a reason) of at most `MAX` characters.
pub type Paragraph<const MAX: usize> = Text<MAX, true>;

impl<const MAX: usize, const MANY: bool> Text<MAX, MANY> {
    /// Checks a required text.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        check(raw, MAX, if MANY { Lines::Many } else { Lines::One }).map(Text)
    }

    /// Checks an optional text: absent or blank is `None`.
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, TextError> {
        raw.filter(|s| !s.trim().is_empty()).map(Self::parse).transpose()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl crate::input::Refusal for TextError {
    fn zh(&self) -> std::borrow::Cow<'static, str> {
        match self {
            TextError::Length { max } => format!("须为 1–{max} 个字符").into(),
            TextError::Control => "不能包含控制字符或文字方向控制符（如 U+202E）".into(),
        }
    }
    fn en(&self) -> std::borrow::Cow<'static, str> {
        match self {
            TextError::Length { max } => format!("must have 1 to {max} characters").into(),
            TextError::Control => "must not contain control characters or text-direction controls (such as U+202E)".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_and_control_characters_are_refused_newlines_only_in_multi_line_text() {
        for c in ['\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{0007}', '\u{0085}', '\t'] {
            assert_eq!(check(&format!("小{c}明"), 10, Lines::Many), Err(TextError::Control), "U+{:04X}", c as u32);
        }
        assert_eq!(check("第一行\n第二行", 20, Lines::One), Err(TextError::Control));
        assert_eq!(check(" 第一行\r\n第二行 ", 20, Lines::Many), Ok("第一行\n第二行".into()));
    }

    #[test]
    fn length_counts_characters_after_trimming() {
        assert_eq!(check("  ", 5, Lines::One), Err(TextError::Length { max: 5 }));
        assert_eq!(check("王小花", 3, Lines::One), Ok("王小花".into()));
        assert_eq!(check("王小花花", 3, Lines::One), Err(TextError::Length { max: 3 }));
    }

    #[test]
    fn a_bounded_text_is_parsed_by_the_rule_of_its_kind_and_size() {
        assert_eq!(Line::<3>::parse(" 王小花 ").map(Text::into_string), Ok("王小花".into()));
        assert_eq!(Line::<3>::parse("王小花花"), Err(TextError::Length { max: 3 }));
        assert_eq!(Line::<20>::parse("第一行\n第二行"), Err(TextError::Control));
        assert_eq!(Paragraph::<20>::parse("第一行\r\n第二行").map(Text::into_string), Ok("第一行\n第二行".into()));
        assert_eq!(Paragraph::<5>::parse_optional(Some("  ")), Ok(None));
        assert_eq!(Paragraph::<5>::parse_optional(None), Ok(None));
        use crate::input::Refusal;
        assert_eq!(TextError::Length { max: 100 }.zh(), "须为 1–100 个字符");
        assert_eq!(TextError::Control.en(), "must not contain control characters or text-direction controls (such as U+202E)");
    }
}
