//! What a file is, from its first bytes (its "magic"): the name and the sender's word are never
//! trusted, a renamed program stays a program.

use serde::Serialize;

/// The accepted kinds of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FileKind {
    /// JPEG photo.
    Jpeg,
    /// PNG image (screenshots).
    Png,
    /// HEIC photo (iPhones' default).
    Heic,
    /// PDF scan.
    Pdf,
}

/// HEIF brands of still images (ISO/IEC 23008-12), as iPhones and Android phones write them.
const HEIF_BRANDS: [&[u8; 4]; 8] = [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"];

impl FileKind {
    /// The media type served with the file.
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Heic => "image/heic",
            FileKind::Pdf => "application/pdf",
        }
    }

    /// Media types a sender may claim for this kind.
    pub fn mime_aliases(self) -> &'static [&'static str] {
        match self {
            FileKind::Jpeg => &["image/jpeg", "image/jpg", "image/pjpeg"],
            FileKind::Png => &["image/png"],
            FileKind::Heic => &["image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"],
            FileKind::Pdf => &["application/pdf", "application/x-pdf"],
        }
    }

    /// File extension of a download.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Heic => "heic",
            FileKind::Pdf => "pdf",
        }
    }

    /// Parses [`FileKind::mime`] back (stored rows).
    pub fn from_mime(mime: &str) -> Option<FileKind> {
        [FileKind::Jpeg, FileKind::Png, FileKind::Heic, FileKind::Pdf].into_iter().find(|k| k.mime() == mime)
    }

    /// Whether the kind is a photo whose EXIF data may hold a location.
    pub fn is_image(self) -> bool {
        self != FileKind::Pdf
    }
}

/// The kind of `bytes` by their signature, `None` for anything not accepted.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileKind::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(FileKind::Png);
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    // ISO-BMFF: a first box `ftyp` whose major or a compatible brand is a HEIF image brand.
    if bytes.len() >= 16 && &bytes[4..8] == b"ftyp" {
        let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        let end = size.min(bytes.len());
        if size >= 16 && (end - 8).is_multiple_of(4) {
            let brands = std::iter::once(&bytes[8..12]).chain(bytes[16..end].chunks_exact(4));
            if brands.into_iter().any(|b| HEIF_BRANDS.iter().any(|h| &h[..] == b)) {
                return Some(FileKind::Heic);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_decide_the_kind() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\0"), Some(FileKind::Png));
        assert_eq!(sniff(b"%PDF-1.4\n"), Some(FileKind::Pdf));
        let heic = [&[0, 0, 0, 24][..], b"ftypheic", &[0, 0, 0, 0], b"mif1heic"].concat();
        assert_eq!(sniff(&heic), Some(FileKind::Heic));
        let mp4 = [&[0, 0, 0, 20][..], b"ftypisom", &[0, 0, 2, 0], b"mp41"].concat();
        assert_eq!(sniff(&mp4), None);
        assert_eq!(sniff(b"MZ\x90\0"), None);
        assert_eq!(sniff(b""), None);
    }
}
