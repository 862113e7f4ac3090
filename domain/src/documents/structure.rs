//! Structure checks: a file is walked part by part (JPEG segments, PNG chunks with their CRCs,
//! HEIF boxes, the PDF header and trailer) and refused when a part runs past the end, a checksum
//! fails or a required part is missing. A truncated upload or a file that only starts like an
//! image is caught here, before anyone opens it.

use super::kind::FileKind;
use super::refusal::FileError;

/// Checks the structure of a file already identified as `kind`.
pub fn check(kind: FileKind, bytes: &[u8]) -> Result<(), FileError> {
    let r = match kind {
        FileKind::Jpeg => jpeg(bytes),
        FileKind::Png => png(bytes),
        FileKind::Heic => heif(bytes),
        FileKind::Pdf => pdf(bytes),
    };
    r.map_err(|why| FileError::Damaged(kind, why))
}

/// JPEG segments: a frame header before the first scan, every length inside the file, and the
/// end-of-image marker after the last scan.
fn jpeg(b: &[u8]) -> Result<(), &'static str> {
    let mut i = 2;
    let mut frame = false;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if b.get(i) != Some(&0xFF) {
            return Err("a segment does not start with a marker");
        }
        let marker = *b.get(i + 1).ok_or("cut short before the end-of-image marker")?;
        i += 2;
        match marker {
            0xD9 => return if frame { Ok(()) } else { Err("no frame header") },
            0xD0..=0xD7 | 0x01 => continue,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*b.get(i).ok_or("cut short")?, *b.get(i + 1).ok_or("cut short")?]));
        if len < 2 || i + len > b.len() {
            return Err("a segment runs past the end of the file");
        }
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            frame = true;
        }
        i += len;
        if marker == 0xDA {
            if !frame {
                return Err("a scan before the frame header");
            }
            // Entropy-coded data: up to the next marker that is neither a stuffed 0x00 nor a restart.
            loop {
                let ff = b[i..].iter().position(|&x| x == 0xFF).ok_or("cut short inside the image data")?;
                i += ff;
                match b.get(i + 1) {
                    None => return Err("cut short inside the image data"),
                    Some(0x00 | 0xD0..=0xD7 | 0xFF) => i += if b[i + 1] == 0xFF { 1 } else { 2 },
                    Some(_) => break,
                }
            }
        }
    }
}

/// PNG chunks: `IHDR` first, every chunk's CRC right, at least one `IDAT`, `IEND` last.
fn png(b: &[u8]) -> Result<(), &'static str> {
    let mut i = 8;
    let mut first = true;
    let mut data = false;
    loop {
        let head = b.get(i..i + 8).ok_or("cut short before IEND")?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = &head[4..8];
        let end = i.checked_add(12).and_then(|x| x.checked_add(len)).filter(|&e| e <= b.len()).ok_or("a chunk runs past the end")?;
        let stored = u32::from_be_bytes([b[end - 4], b[end - 3], b[end - 2], b[end - 1]]);
        if crc32(&b[i + 4..end - 4]) != stored {
            return Err("a chunk checksum is wrong");
        }
        if first && (kind != b"IHDR" || len != 13) {
            return Err("the header chunk is missing");
        }
        first = false;
        data |= kind == b"IDAT";
        i = end;
        if kind == b"IEND" {
            return if !data {
                Err("no image data")
            } else if i == b.len() {
                Ok(())
            } else {
                Err("bytes after the end chunk")
            };
        }
    }
}

/// HEIF boxes: `ftyp` first, the sizes of the top-level boxes adding up to the file, a `meta` box.
fn heif(b: &[u8]) -> Result<(), &'static str> {
    let mut i = 0;
    let mut meta = false;
    while i < b.len() {
        let head = b.get(i..i + 8).ok_or("a box header is cut short")?;
        let kind = &head[4..8];
        let size = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            0 => b.len() - i,
            1 => {
                let large = b.get(i + 8..i + 16).ok_or("a box header is cut short")?;
                usize::try_from(u64::from_be_bytes(large.try_into().map_err(|_| "a box header is cut short")?))
                    .map_err(|_| "box too large")?
            }
            n => n as usize,
        };
        if size < 8 || i + size > b.len() {
            return Err("a box runs past the end of the file");
        }
        if i == 0 && kind != b"ftyp" {
            return Err("the file type box is missing");
        }
        meta |= kind == b"meta";
        i += size;
    }
    if meta { Ok(()) } else { Err("no meta box") }
}

/// PDF: a version header, and a trailer with `startxref` pointing inside the file and `%%EOF`.
fn pdf(b: &[u8]) -> Result<(), &'static str> {
    if !(b.starts_with(b"%PDF-1.") || b.starts_with(b"%PDF-2.")) {
        return Err("no version header");
    }
    let tail = &b[b.len().saturating_sub(1024)..];
    let eof = find_last(tail, b"%%EOF").ok_or("no end-of-file marker")?;
    if tail[eof + 5..].iter().any(|c| !c.is_ascii_whitespace()) {
        return Err("bytes after the end-of-file marker");
    }
    let sx = find_last(&tail[..eof], b"startxref").ok_or("no cross-reference pointer")?;
    let digits: String = tail[sx + 9..eof].iter().map(|&c| c as char).filter(|c| !c.is_ascii_whitespace()).collect();
    let offset: usize = digits.parse().map_err(|_| "the cross-reference pointer is not a number")?;
    if offset == 0 || offset >= b.len() {
        return Err("the cross-reference pointer points outside the file");
    }
    Ok(())
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// CRC-32 (ISO 3309, as PNG uses it).
pub(super) fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
pub(super) mod samples {
    use super::crc32;

    /// A JPEG made of well-formed segments, with `app1` (an EXIF payload) when given.
    pub fn jpeg(app1: Option<&[u8]>) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        if let Some(a) = app1 {
            b.extend_from_slice(&[0xFF, 0xE1]);
            b.extend_from_slice(&((a.len() + 2) as u16).to_be_bytes());
            b.extend_from_slice(a);
        }
        b.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        b.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
        b.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9]);
        b
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    /// A PNG with an `eXIf` chunk when given.
    pub fn png(exif: Option<&[u8]>) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut b, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
        if let Some(e) = exif {
            chunk(&mut b, b"eXIf", e);
        }
        chunk(&mut b, b"IDAT", &[0x78, 0x9C, 0x63, 0x60, 0, 0, 0, 2, 0, 1]);
        chunk(&mut b, b"IEND", &[]);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_files_pass_and_cut_ones_fail() {
        let j = samples::jpeg(None);
        assert_eq!(check(FileKind::Jpeg, &j), Ok(()));
        assert!(check(FileKind::Jpeg, &j[..j.len() - 2]).is_err());
        let p = samples::png(None);
        assert_eq!(check(FileKind::Png, &p), Ok(()));
        assert!(check(FileKind::Png, &p[..p.len() - 1]).is_err());
        let mut bad = p.clone();
        bad[20] ^= 1;
        assert_eq!(check(FileKind::Png, &bad), Err(FileError::Damaged(FileKind::Png, "a chunk checksum is wrong")));
    }

    #[test]
    fn a_pdf_needs_its_trailer() {
        let ok = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\nxref\n0 1\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n";
        assert_eq!(check(FileKind::Pdf, ok), Ok(()));
        assert!(check(FileKind::Pdf, &ok[..40]).is_err());
        assert!(check(FileKind::Pdf, b"%PDF-1.7\nstartxref\n999\n%%EOF").is_err());
    }

    #[test]
    fn heif_boxes_must_add_up() {
        let ftyp = [&[0, 0, 0, 16][..], b"ftypheic", b"mif1"].concat();
        let meta = [&[0, 0, 0, 12][..], b"meta", &[0, 0, 0, 0]].concat();
        let ok = [ftyp.clone(), meta.clone()].concat();
        assert_eq!(check(FileKind::Heic, &ok), Ok(()));
        assert!(check(FileKind::Heic, &ok[..ok.len() - 1]).is_err());
        assert!(check(FileKind::Heic, &ftyp).is_err());
    }

    #[test]
    fn crc_matches_the_png_reference_value() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }
}
