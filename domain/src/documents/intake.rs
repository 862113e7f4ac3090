//! The one way a file enters storage. Why one function: the order matters — the kind is decided
//! from the bytes before the structure is walked, and the location is removed only from a file
//! known to be whole.

use super::exif::strip_gps;
use super::kind::{FileKind, sniff};
use super::refusal::FileError;
use super::structure::check;

/// Checks a file and makes it safe to keep: its kind from its content (and that it matches the
/// kind the sender claimed, when one was claimed), its structure, and for images the location
/// removed from its EXIF data. Returns the kind and the bytes to store.
pub fn accept(bytes: Vec<u8>, claimed_mime: Option<&str>) -> Result<(FileKind, Vec<u8>), FileError> {
    let kind = sniff(&bytes).ok_or(FileError::UnsupportedKind)?;
    if let Some(claimed) = claimed_mime.map(|m| m.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        && !claimed.is_empty()
        && claimed != "application/octet-stream"
        && !kind.mime_aliases().contains(&claimed.as_str())
    {
        return Err(FileError::ClaimMismatch { claimed, actual: kind });
    }
    check(kind, &bytes)?;
    let mut bytes = bytes;
    strip_gps(kind, &mut bytes);
    Ok((kind, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_claimed_as_a_photo_is_refused() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\nxref\n0 1\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n".to_vec();
        assert_eq!(
            accept(pdf.clone(), Some("image/jpeg")),
            Err(FileError::ClaimMismatch { claimed: "image/jpeg".into(), actual: FileKind::Pdf })
        );
        assert_eq!(accept(pdf, Some("application/pdf")).map(|(k, _)| k), Ok(FileKind::Pdf));
    }

    #[test]
    fn text_is_refused_whatever_it_claims() {
        assert_eq!(accept(b"hello".to_vec(), Some("image/png")), Err(FileError::UnsupportedKind));
    }
}
