//! Removing where a photo was taken. Phones write the place into the EXIF GPS directory; a photo
//! of a residence permit taken at home would otherwise carry the family's address to every
//! caseworker who opens it.
//!
//! Why in place, without changing a byte count: HEIF files address their items by absolute
//! offsets (`iloc`), and EXIF itself points at thumbnails and maker notes by offsets, so removing
//! bytes would break the file. The GPS directory is emptied (zero entries) and every value it
//! pointed to is overwritten with zeros; the rest of the EXIF data — the orientation above all,
//! without which a scanned page shows sideways — stays as it was.

use super::kind::FileKind;

/// TIFF tag of the pointer to the GPS directory.
const GPS_IFD_POINTER: u16 = 0x8825;

/// Empties the GPS directory of every EXIF block of an image. Returns how many were emptied.
pub fn strip_gps(kind: FileKind, bytes: &mut [u8]) -> usize {
    match kind {
        FileKind::Jpeg => jpeg(bytes),
        FileKind::Png => png(bytes),
        FileKind::Heic => heif(bytes),
        FileKind::Pdf => 0,
    }
}

/// EXIF lives in APP1 segments starting `Exif\0\0`, before the first scan.
fn jpeg(b: &mut [u8]) -> usize {
    let mut n = 0;
    let mut i = 2;
    while i + 4 <= b.len() && b[i] == 0xFF {
        let marker = b[i + 1];
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        let end = (i + 2 + len).min(b.len());
        let body = &mut b[i + 4..end];
        if marker == 0xE1 && body.starts_with(b"Exif\0\0") && wipe(&mut body[6..]) {
            n += 1;
        }
        i = i + 2 + len;
    }
    n
}

/// PNG keeps the TIFF data in an `eXIf` chunk, whose CRC is recomputed after the change.
fn png(b: &mut [u8]) -> usize {
    let mut n = 0;
    let mut i = 8;
    while i + 12 <= b.len() {
        let len = u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        let Some(end) = (i + 12).checked_add(len).filter(|&e| e <= b.len()) else { break };
        if &b[i + 4..i + 8] == b"eXIf" && wipe(&mut b[i + 8..end - 4]) {
            let crc = super::structure::crc32(&b[i + 4..end - 4]);
            b[end - 4..end].copy_from_slice(&crc.to_be_bytes());
            n += 1;
        }
        i = end;
    }
    n
}

/// HEIF stores EXIF as an item (`Exif\0\0` then TIFF) somewhere in the file; every TIFF block so
/// introduced is cleaned.
fn heif(b: &mut [u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while let Some(p) = b[i..].windows(10).position(|w| &w[..6] == b"Exif\0\0" && (&w[6..] == b"II*\0" || &w[6..] == b"MM\0*")) {
        let at = i + p + 6;
        if wipe(&mut b[at..]) {
            n += 1;
        }
        i = at;
    }
    n
}

/// Byte order of a TIFF block.
#[derive(Clone, Copy)]
enum Order {
    Little,
    Big,
}

impl Order {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let x: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(match self {
            Order::Little => u16::from_le_bytes(x),
            Order::Big => u16::from_be_bytes(x),
        })
    }

    fn u32(self, b: &[u8], at: usize) -> Option<usize> {
        let x: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(match self {
            Order::Little => u32::from_le_bytes(x),
            Order::Big => u32::from_be_bytes(x),
        } as usize)
    }
}

/// Bytes per value of a TIFF field type (0 for unknown types).
fn type_size(t: u16) -> usize {
    match t {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => 0,
    }
}

/// Empties the GPS directory of one TIFF block; false when there is none (or it is malformed).
fn wipe(tiff: &mut [u8]) -> bool {
    let order = match tiff.get(..4) {
        Some(b"II*\0") => Order::Little,
        Some(b"MM\0*") => Order::Big,
        _ => return false,
    };
    let Some(ifd0) = order.u32(tiff, 4) else { return false };
    let Some(count) = order.u16(tiff, ifd0) else { return false };
    let gps = (0..usize::from(count)).find_map(|k| {
        let e = ifd0 + 2 + 12 * k;
        (order.u16(tiff, e)? == GPS_IFD_POINTER).then(|| order.u32(tiff, e + 8)).flatten()
    });
    let Some(gps) = gps else { return false };
    let Some(entries) = order.u16(tiff, gps).map(usize::from) else { return false };
    let table_end = gps + 2 + 12 * entries + 4;
    if table_end > tiff.len() {
        return false;
    }
    for k in 0..entries {
        let e = gps + 2 + 12 * k;
        let (Some(t), Some(n), Some(at)) = (order.u16(tiff, e + 2), order.u32(tiff, e + 4), order.u32(tiff, e + 8)) else { continue };
        let size = type_size(t).saturating_mul(n);
        if size > 4 && at.checked_add(size).is_some_and(|end| end <= tiff.len()) {
            tiff[at..at + size].fill(0);
        }
    }
    // Zero entries, no next directory: a valid, empty GPS directory.
    tiff[gps..table_end].fill(0);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::structure::{check, samples};

    /// Little-endian TIFF: IFD0 with Orientation and the GPS pointer; GPS IFD with LatitudeRef
    /// "N" (inline) and Latitude (three rationals, out of line).
    fn tiff_with_gps() -> Vec<u8> {
        let mut t = b"II*\0".to_vec();
        t.extend_from_slice(&8u32.to_le_bytes());
        // IFD0 at 8: 2 entries.
        t.extend_from_slice(&2u16.to_le_bytes());
        t.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        t.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0]);
        t.extend_from_slice(&38u32.to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len(), 38);
        // GPS IFD at 38: 2 entries, values at 68.
        t.extend_from_slice(&2u16.to_le_bytes());
        t.extend_from_slice(&[1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
        t.extend_from_slice(&[2, 0, 5, 0, 3, 0, 0, 0]);
        t.extend_from_slice(&68u32.to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len(), 68);
        for (num, den) in [(26u32, 1u32), (34, 1), (5678, 100)] {
            t.extend_from_slice(&num.to_le_bytes());
            t.extend_from_slice(&den.to_le_bytes());
        }
        t
    }

    fn contains(h: &[u8], n: &[u8]) -> bool {
        h.windows(n.len()).any(|w| w == n)
    }

    #[test]
    fn a_jpeg_loses_its_location_and_keeps_its_orientation() {
        let app1 = [b"Exif\0\0".as_slice(), &tiff_with_gps()].concat();
        let mut j = samples::jpeg(Some(&app1));
        let before = j.len();
        assert!(contains(&j, &5678u32.to_le_bytes()));
        assert_eq!(strip_gps(FileKind::Jpeg, &mut j), 1);
        assert_eq!(j.len(), before);
        assert!(!contains(&j, &5678u32.to_le_bytes()));
        assert!(contains(&j, &[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0]), "orientation kept");
        assert_eq!(check(FileKind::Jpeg, &j), Ok(()));
    }

    #[test]
    fn a_png_exif_chunk_is_cleaned_and_its_crc_fixed() {
        let mut p = samples::png(Some(&tiff_with_gps()));
        assert_eq!(strip_gps(FileKind::Png, &mut p), 1);
        assert!(!contains(&p, &5678u32.to_le_bytes()));
        assert_eq!(check(FileKind::Png, &p), Ok(()));
    }

    #[test]
    fn an_image_without_gps_is_left_alone() {
        let mut j = samples::jpeg(None);
        let copy = j.clone();
        assert_eq!(strip_gps(FileKind::Jpeg, &mut j), 0);
        assert_eq!(j, copy);
    }
}
