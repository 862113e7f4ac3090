//! Files as phones send them, built byte by byte so each test knows exactly what is inside.

/// Little-endian TIFF with Orientation (6) and a GPS directory: latitude 26°34'56.78" N.
fn tiff_with_gps() -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
    t.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0]);
    t.extend_from_slice(&38u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&[1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
    t.extend_from_slice(&[2, 0, 5, 0, 3, 0, 0, 0]);
    t.extend_from_slice(&68u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    for (num, den) in [(26u32, 1u32), (34, 1), (5678, 100)] {
        t.extend_from_slice(&num.to_le_bytes());
        t.extend_from_slice(&den.to_le_bytes());
    }
    t
}

/// A photo of a residence permit taken at home: a JPEG whose EXIF says where. `salt` changes the
/// image data (distinct files).
pub fn photo_with_location(salt: u8) -> Vec<u8> {
    let app1 = [b"Exif\0\0".as_slice(), &tiff_with_gps()].concat();
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE1];
    b.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    b.extend_from_slice(&app1);
    b.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    b.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
    b.extend_from_slice(&[0x12, salt, 0xFF, 0x00, 0x34, 0xFF, 0xD9]);
    b
}

/// An iPhone photo (HEIF): `ftyp`, `meta`, and the EXIF item with its location in `mdat`.
pub fn heic_with_location() -> Vec<u8> {
    let ftyp = [&[0, 0, 0, 24][..], b"ftypheic", &[0, 0, 0, 0], b"mif1heic"].concat();
    let meta = [&[0, 0, 0, 12][..], b"meta", &[0, 0, 0, 0]].concat();
    let item = [&[0, 0, 0, 6][..], b"Exif\0\0", &tiff_with_gps()].concat();
    let mdat = [&((item.len() + 8) as u32).to_be_bytes()[..], b"mdat", &item].concat();
    [ftyp, meta, mdat].concat()
}

/// Whether the GPS latitude of the fixtures (56.78″ as 5678/100) is still in the bytes.
pub fn has_fixture_latitude(bytes: &[u8]) -> bool {
    let mut rational = 5678u32.to_le_bytes().to_vec();
    rational.extend_from_slice(&100u32.to_le_bytes());
    bytes.windows(8).any(|w| w == rational.as_slice())
}

/// A one-page PDF scan.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 2\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n".to_vec()
}

/// Where a photo says it was taken, read by an independent EXIF reader (`kamadak-exif`).
pub fn latitude(jpeg: &[u8]) -> Option<String> {
    let exif = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(jpeg)).ok()?;
    exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY).map(|f| f.display_value().to_string())
}

/// The orientation a photo carries.
pub fn orientation(jpeg: &[u8]) -> Option<u32> {
    let exif = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(jpeg)).ok()?;
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY).and_then(|f| f.value.get_uint(0))
}
