//! Class: rebuilding a masked identity number from what the views show together. Every masked
//! view of the same child (the guardian's, the register, the due list, the ledger, the CSV
//! export, the version snapshots) is gathered with the hukou county and the birth date they show
//! beside it; the characters they reveal, position by position, must leave many numbers that pass
//! the MOD 11-2 check — never one.

use api::auth::Role;
use integration_tests::{TestApp, fixtures::id_number};
use serde_json::{Value, json};

const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHILD_FIELDS: &str = "id idNumberMasked residencePermitNumberMasked hukouRegionCode birthDate";

fn passes_check(n: &[u8; 18]) -> bool {
    let sum: u32 = n[..17].iter().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    b"10X98765432"[(sum % 11) as usize] == n[17]
}

/// Every 18-character number consistent with `known` (none = not shown) that passes the check,
/// counted up to `cap`.
fn candidates(known: &[Option<u8>; 18], cap: usize) -> usize {
    fn walk(pos: usize, n: &mut [u8; 18], known: &[Option<u8>; 18], found: &mut usize, cap: usize) {
        if *found >= cap {
            return;
        }
        if pos == 18 {
            *found += usize::from(passes_check(n));
            return;
        }
        let choices: Vec<u8> = match known[pos] {
            Some(c) => vec![c],
            None if pos == 17 => b"0123456789X".to_vec(),
            None => (b'0'..=b'9').collect(),
        };
        for c in choices {
            n[pos] = c;
            walk(pos + 1, n, known, found, cap);
        }
    }
    let mut found = 0;
    walk(0, &mut [b'0'; 18], known, &mut found, cap);
    found
}

/// Learns position by position from one shown value; a contradiction means the views disagree.
fn learn(known: &mut [Option<u8>; 18], at: usize, shown: &str) {
    for (i, c) in shown.bytes().enumerate().filter(|(_, c)| *c != b'*') {
        assert!(known[at + i].is_none_or(|k| k == c), "views disagree at {}", at + i);
        known[at + i] = Some(c);
    }
}

fn strings(v: &Value, key: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                match x {
                    Value::String(s) if k == key => out.push(s.clone()),
                    _ => strings(x, key, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| strings(x, key, out)),
        _ => {}
    }
}

#[tokio::test]
async fn no_combination_of_masked_views_rebuilds_an_id_number() {
    let app = TestApp::spawn().await;
    let idn = id_number("520304", "20160402", "128");
    let g = app.guardian("mother@example.org").await;
    let h = app.gql(Some(&g), "mutation { createHousehold { id } }", json!({})).await;
    assert!(h["errors"].is_null(), "{h}");
    let consent = json!({"i": {"purpose": "BASIC_SERVICES", "textVersion": "2026-11"}});
    let c = app.gql(Some(&g), "mutation($i: ConsentInput!){ giveConsent(input: $i){ id } }", consent).await;
    assert!(c["errors"].is_null(), "{c}");
    // The residence permit carries the same number (as 居住证 numbers do): it is masked alike.
    let input = json!({"name": "王小花", "sex": "FEMALE", "birthDate": "2016-04-02", "idNumber": idn, "hukouRegionCode": "520304",
        "residenceRegionCode": "520102", "residenceTownshipCode": "520102016", "residenceSince": "2023-03-01", "movedWith": "MOTHER",
        "hasResidencePermit": true, "residencePermitNumber": idn, "residencePermitSince": "2023-06-01"});
    let added =
        app.gql(Some(&g), &format!("mutation($i: ChildInput!){{ addChild(input: $i){{ {CHILD_FIELDS} }} }}"), json!({"i": input})).await;
    let child = added["data"]["addChild"]["id"].as_str().unwrap_or_else(|| panic!("{added}")).to_owned();
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let sup = app.staff("sup@xinhua.gov.cn", Role::ChildSupervisor, None, "520102016").await;
    let k =
        app.gql(Some(&ca), "mutation($c: ID!){ addToKeyCare(childId: $c, reasons: [FAMILY_HARDSHIP]){ id } }", json!({"c": child})).await;
    assert!(k["errors"].is_null(), "{k}");
    // A change, so the history holds more than one snapshot.
    let mut changed = input.clone();
    changed["schoolName"] = json!("新华路小学");
    let u = app
        .gql(Some(&g), "mutation($id: ID!, $i: ChildInput!){ updateChild(id: $id, input: $i){ id } }", json!({"id": child, "i": changed}))
        .await;
    assert!(u["errors"].is_null(), "{u}");

    let rec = "id idNumberMasked birthDate";
    let views: Vec<(&str, &str, Value)> = vec![
        (&g, "query($c: ID!){ child(id: $c){ CHILD } }", json!({"c": child})),
        (&g, "{ myHousehold { children { CHILD } } }", json!({})),
        (&g, "query($c: ID!){ exportChildData(childId: $c) }", json!({"c": child})),
        (&director, "query($r: String!){ registeredChildren(regionCode: $r){ edges { node { CHILD } } } }", json!({"r": "520102016"})),
        (&director, "query($r: String!){ keyCareLedger(regionCode: $r){ edges { node { child { REC } } } } }", json!({"r": "520102016"})),
        (&director, "query($c: ID!){ keyCareEntry(childId: $c){ child { REC } } }", json!({"c": child})),
        (&director, "mutation($c: ID!){ verifyChildRecord(childId: $c){ REC } }", json!({"c": child})),
        (&sup, "query($c: ID!){ childRecord(id: $c, purpose: KEY_CARE){ child { CHILD } } }", json!({"c": child})),
        (&sup, "query($r: String!){ exportChildren(regionCode: $r){ csv masked } }", json!({"r": "520102016"})),
        (&director, "query($r: String!){ exportChildren(regionCode: $r){ csv masked } }", json!({"r": "520102016"})),
    ];
    let mut masked = Vec::new();
    let (mut hukou, mut birth) = (Vec::new(), Vec::new());
    for (token, q, vars) in views {
        let r = app.gql(Some(token), &q.replace("CHILD", CHILD_FIELDS).replace("REC", rec), vars).await;
        assert!(r["errors"].is_null(), "{q}: {r}");
        let before = masked.len();
        for key in ["idNumberMasked", "residencePermitNumberMasked", "idNumber", "residencePermitNumber"] {
            strings(&r["data"], key, &mut masked);
        }
        strings(&r["data"], "hukouRegionCode", &mut hukou);
        strings(&r["data"], "birthDate", &mut birth);
        if let Some(csv) = r["data"]["exportChildren"]["csv"].as_str() {
            assert_eq!(r["data"]["exportChildren"]["masked"], true);
            let mut rd = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
            let head = rd.headers().expect("header").clone();
            for row in rd.records() {
                let row = row.expect("row");
                for (h, v) in head.iter().zip(row.iter()) {
                    match h {
                        "id_number" => masked.push(v.to_owned()),
                        "hukou_region_code" => hukou.push(v.to_owned()),
                        "birth_date" => birth.push(v.to_owned()),
                        _ => {}
                    }
                }
            }
        }
        assert!(masked.len() > before, "{q} shows a masked number: {r}");
    }
    // Only the guardian's own copy (exportChildData) holds the full number.
    masked.retain(|m| m != &idn);
    assert!(masked.len() >= 14, "every view was gathered: {masked:?}");
    assert!(masked.iter().all(|m| m.len() == 18 && m.contains('*')), "{masked:?}");

    let mut known = [None; 18];
    for m in &masked {
        learn(&mut known, 0, m);
    }
    // Worst case: the number was issued in the hukou county the views show.
    for h in hukou.iter().filter(|h| h.len() == 6) {
        learn(&mut known, 0, h);
    }
    for b in birth.iter().filter(|b| b.len() == 10) {
        learn(&mut known, 6, &b.replace('-', ""));
    }
    let n = candidates(&known, 1000);
    assert!(n >= 5, "the views together leave only {n} candidate numbers: {known:?}");
    // The true number is one of them: the views were read correctly.
    let mut truth = [0u8; 18];
    truth.copy_from_slice(idn.as_bytes());
    assert!(passes_check(&truth) && known.iter().zip(truth).all(|(k, t)| k.is_none_or(|k| k == t)));
}
