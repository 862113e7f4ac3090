//! Claim codes: the proof a family gives to take over a child's record that staff registered in
//! grassroots screening. The code is printed on the paper consent form the guardian keeps; knowing
//! the child's name and ID number is not proof, since neighbours, relatives and leaked lists know
//! them too.
//!
//! Why this alphabet: the code is read off paper and typed on a phone, so it is Crockford's base 32
//! (no I, L, O, U) and reading accepts the look-alikes (O for 0, I and L for 1); 12 symbols give
//! 60 bits, and a code allows only `MAX_ATTEMPTS` wrong guesses before it is void.

/// Symbols of a code (Crockford's base 32).
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code (without the separators).
pub const LENGTH: usize = 12;
/// Days a code stays valid after it was issued.
pub const VALID_DAYS: i64 = 30;
/// Wrong guesses after which a code is void and staff must issue a new one.
pub const MAX_ATTEMPTS: i32 = 5;

/// A code from `LENGTH` random bytes, shown in groups of four (`ACDE-FGHJ-KMNP`).
pub fn from_random(bytes: [u8; LENGTH]) -> String {
    let mut out = String::with_capacity(LENGTH + 2);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[usize::from(b % 32)] as char);
    }
    out
}

/// The code as typed (any case, spaces and hyphens anywhere) in its canonical form, or none when
/// it cannot be a code.
pub fn normalize(typed: &str) -> Option<String> {
    let s: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (s.len() == LENGTH && s.bytes().all(|b| ALPHABET.contains(&b))).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = from_random([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
        assert_eq!(code.len(), LENGTH + 2);
        let canonical = code.replace('-', "");
        assert_eq!(normalize(&code).as_deref(), Some(canonical.as_str()));
        assert_eq!(normalize(&code.to_lowercase().replace('-', " ")).as_deref(), Some(canonical.as_str()));
    }

    #[test]
    fn anything_else_is_not_a_code() {
        for typed in ["", "ACDE-FGHJ-KMN", "ACDE-FGHJ-KMNPQ", "ACDE-FGHJ-KMNU", "ACDE-FGHJ-KMN!"] {
            assert_eq!(normalize(typed), None, "{typed}");
        }
    }

    #[test]
    fn look_alikes_read_as_the_symbol_meant() {
        assert_eq!(normalize("oil0-1111-2222").as_deref(), Some("011011112222"));
        for c in b"ILOU" {
            assert!(!ALPHABET.contains(c), "{}", *c as char);
        }
    }
}
