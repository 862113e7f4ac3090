//! Documents families send with their requests: the kinds the policy asks for, and the checks a
//! file passes before it is stored — what it really is (by its first bytes, never its name), that
//! its structure holds together, and that a photo no longer says where it was taken.

mod exif;
mod kind;
mod structure;

pub use exif::strip_gps;
pub use kind::{FileKind, sniff};
pub use structure::check;

use serde::Serialize;

/// The papers an entitlement can ask for (the policy's `documents` lists these codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// 居住证.
    ResidencePermit,
    /// 户口簿页.
    HukouPage,
    /// 残疾证.
    DisabilityCertificate,
    /// 学籍证明.
    SchoolRecord,
    /// 租房合同.
    TenancyContract,
    /// Anything else the caseworker asked for.
    Other,
}

impl DocumentType {
    /// Every type, in the order forms list them.
    pub const ALL: [DocumentType; 6] = [
        DocumentType::ResidencePermit,
        DocumentType::HukouPage,
        DocumentType::DisabilityCertificate,
        DocumentType::SchoolRecord,
        DocumentType::TenancyContract,
        DocumentType::Other,
    ];

    /// The code stored and written in the policy.
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::ResidencePermit => "residence_permit",
            DocumentType::HukouPage => "hukou_page",
            DocumentType::DisabilityCertificate => "disability_certificate",
            DocumentType::SchoolRecord => "school_record",
            DocumentType::TenancyContract => "tenancy_contract",
            DocumentType::Other => "other",
        }
    }

    /// Parses a stored or policy code.
    pub fn parse(code: &str) -> Option<DocumentType> {
        DocumentType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The name families read, in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            DocumentType::ResidencePermit => "居住证",
            DocumentType::HukouPage => "户口簿（本人页）",
            DocumentType::DisabilityCertificate => "残疾证",
            DocumentType::SchoolRecord => "学籍证明",
            DocumentType::TenancyContract => "租房合同",
            DocumentType::Other => "其他材料",
        }
    }

    /// The name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            DocumentType::ResidencePermit => "Residence permit",
            DocumentType::HukouPage => "Hukou booklet page",
            DocumentType::DisabilityCertificate => "Disability certificate",
            DocumentType::SchoolRecord => "School record",
            DocumentType::TenancyContract => "Tenancy contract",
            DocumentType::Other => "Other document",
        }
    }
}

/// Why a file is refused; each names what the family can fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Not one of the accepted kinds, whatever its name says.
    #[error("not a JPEG, PNG, HEIC or PDF file")]
    UnsupportedKind,
    /// The sender said it was another kind than its content is.
    #[error("the content is {actual:?}, not the claimed {claimed}")]
    ClaimMismatch { claimed: String, actual: FileKind },
    /// The file is cut short or its parts do not fit together.
    #[error("damaged {0:?} file: {1}")]
    Damaged(FileKind, &'static str),
}

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
    fn every_type_parses_back_from_its_code() {
        for t in DocumentType::ALL {
            assert_eq!(DocumentType::parse(t.code()), Some(t));
        }
        assert_eq!(DocumentType::parse("passport"), None);
    }

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
