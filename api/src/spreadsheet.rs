//! CSV files the server produces for people to open in Excel or WPS.
//!
//! Why a module of its own: every cell may carry text somebody typed (a child's name), and a cell
//! starting with `=`, `+`, `-`, `@`, TAB or CR runs as a formula when the file is opened — a link
//! that sends the row elsewhere, or a command (CSV injection). Every CSV goes through `Sheet`,
//! which neutralises such cells as OWASP recommends (a leading `'`, shown by the spreadsheet as
//! text) and starts the file with a UTF-8 BOM, without which both programs read the Chinese text
//! as the local code page.

use crate::error::{AppError, AppResult};

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as text a spreadsheet will not evaluate: with a leading `'` when its first character
/// (after any spaces, which some programs skip) could start a formula.
pub fn safe_cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.trim_start_matches(' ').chars().next() {
        Some(c) if FORMULA_START.contains(&c) => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// A CSV file being written: a header row, then rows, every cell neutralised.
pub struct Sheet {
    w: csv::Writer<Vec<u8>>,
}

impl Sheet {
    /// A sheet with its header row.
    pub fn new<S: AsRef<str>>(header: &[S]) -> AppResult<Sheet> {
        let mut sheet = Sheet { w: csv::Writer::from_writer("\u{feff}".as_bytes().to_vec()) };
        sheet.row(header)?;
        Ok(sheet)
    }

    /// Appends a row.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> AppResult<()> {
        self.w.write_record(cells.iter().map(|c| safe_cell(c.as_ref()).into_owned())).map_err(AppError::caused_by)
    }

    /// The finished file: UTF-8 with a BOM.
    pub fn finish(self) -> AppResult<String> {
        let bytes = self.w.into_inner().map_err(AppError::caused_by)?;
        String::from_utf8(bytes).map_err(AppError::caused_by)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_start_is_neutralised_and_other_text_is_not() {
        for bad in ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "  =1"] {
            assert_eq!(safe_cell(bad), format!("'{bad}"), "{bad:?}");
        }
        for fine in ["王小花", "520102", "2016-04-02", "", "a=b", "'quoted"] {
            assert_eq!(safe_cell(fine), fine);
        }
    }

    #[test]
    fn a_sheet_starts_with_the_bom_and_quotes_as_csv_does() {
        let mut s = Sheet::new(&["a", "b"]).expect("header");
        s.row(&["=HYPERLINK(\"x\")", "王, 小花"]).expect("row");
        assert_eq!(s.finish().expect("csv"), "\u{feff}a,b\n\"'=HYPERLINK(\"\"x\"\")\",\"王, 小花\"\n");
    }
}
