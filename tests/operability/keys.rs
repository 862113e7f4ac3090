//! Keys that survive a restart (issue 15): a development server keeps the keys it generates, so
//! the ID numbers it stored are readable after the next start; a server lacking the key of stored
//! values refuses to start and names it; and one value no key can read never fails a district's
//! list or export — it shows as unreadable and is counted.

use api::{auth::Role, config::Environment};
use integration_tests::{TestApp, fixtures::id_number};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const UNREADABLE: &str = "[unreadable]";
const REGISTERED: &str = "query($r: String!){ registeredChildren(regionCode: $r){ edges { node { id idNumberMasked } } } }";
const EXPORT: &str = "query($r: String!){ exportChildren(regionCode: $r){ csv rows masked columns } }";

/// A development server given no keys at all: it generates them into its `KEYS_DIR`.
async fn development_app() -> TestApp {
    TestApp::spawn_with(|c| {
        c.environment = Environment::Development;
        c.jwt_keys = String::new().into();
        c.pii_keys = String::new().into();
        c.pii_hash_key = String::new().into();
    })
    .await
}

/// Adds a child with `idn` to the guardian's household (created with its consent the first
/// time) in Xinhua township; returns the child's id.
async fn child_with_id_number(app: &TestApp, guardian: &str, name: &str, idn: &str) -> String {
    let h = app.gql(Some(guardian), "{ myHousehold { id } }", json!({})).await;
    if h["data"]["myHousehold"].is_null() {
        let r = app.gql(Some(guardian), "mutation { createHousehold { id } }", json!({})).await;
        assert!(r["errors"].is_null(), "{r}");
        let consent = json!({"i": {"purpose": "BASIC_SERVICES", "textVersion": "2026-11"}});
        let c = app.gql(Some(guardian), "mutation($i: ConsentInput!){ giveConsent(input: $i){ id } }", consent).await;
        assert!(c["errors"].is_null(), "{c}");
    }
    let birth = format!("{}-{}-{}", &idn[6..10], &idn[10..12], &idn[12..14]);
    let input = json!({"name": name, "sex": "FEMALE", "birthDate": birth, "idNumber": idn, "hukouRegionCode": "520304",
        "residenceRegionCode": "520102", "residenceTownshipCode": "520102016", "residenceSince": "2023-03-01", "movedWith": "MOTHER",
        "hasResidencePermit": false, "enrolledInSchoolAtResidence": true});
    let r = app.gql(Some(guardian), "mutation($i: ChildInput!){ addChild(input: $i){ id } }", json!({"i": input})).await;
    r["data"]["addChild"]["id"].as_str().unwrap_or_else(|| panic!("addChild: {r}")).to_owned()
}

/// The masked ID number each listed child shows, by child id.
fn listed(r: &Value) -> Vec<(String, String)> {
    let edges = r["data"]["registeredChildren"]["edges"].as_array().unwrap_or_else(|| panic!("{r}"));
    edges
        .iter()
        .map(|e| {
            (e["node"]["id"].as_str().unwrap_or_default().to_owned(), e["node"]["idNumberMasked"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

/// The export's rows as (record id, id number).
fn exported(r: &Value) -> Vec<(String, String)> {
    let text = r["data"]["exportChildren"]["csv"].as_str().unwrap_or_else(|| panic!("{r}"));
    let cols: Vec<String> = serde_json::from_value(r["data"]["exportChildren"]["columns"].clone()).expect("columns");
    let at = |name: &str| cols.iter().position(|c| c == name).expect("column");
    let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    rd.records().map(|row| row.expect("row")).map(|row| (row[at("record_id")].to_owned(), row[at("id_number")].to_owned())).collect()
}

#[tokio::test]
async fn a_restarted_development_server_reads_the_id_numbers_it_stored() {
    let app = development_app().await;
    let idn = id_number("520304", "20160402", "128");
    let g = app.guardian("mother@example.org").await;
    let child = child_with_id_number(&app, &g, "王小花", &idn).await;
    for file in ["jwt", "pii", "pii_hash"] {
        assert!(app.state.config.keys_dir.join(file).is_file(), "key `{file}` kept in KEYS_DIR");
    }

    let restarted = app.restarted_with(|_| {}).await.expect("the restarted server starts");
    // The guardian's session outlives the restart, and so does the child's number.
    let own = restarted.gql(Some(&g), "query($c: ID!){ child(id: $c){ idNumberMasked } }", json!({"c": child})).await;
    let shown = own["data"]["child"]["idNumberMasked"].as_str().unwrap_or_else(|| panic!("{own}"));
    assert!(shown.ends_with(&idn[16..]) && shown.contains('*'), "{shown}");
    let director = restarted.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let list = listed(&restarted.gql(Some(&director), REGISTERED, json!({"r": "520102016"})).await);
    assert_eq!(list.len(), 1);
    assert!(list[0].1.ends_with(&idn[16..]) && list[0].1 != UNREADABLE, "{list:?}");
    // A second child with the same number is still found as a duplicate: the hash key survived.
    let again = restarted
        .gql(
            Some(&g),
            "mutation($i: ChildInput!){ addChild(input: $i){ id } }",
            json!({"i": {"name": "王小花", "sex": "FEMALE", "birthDate": "2016-04-02", "idNumber": idn, "hukouRegionCode": "520304",
                "residenceRegionCode": "520102", "residenceTownshipCode": "520102016", "residenceSince": "2023-03-01",
                "movedWith": "MOTHER", "hasResidencePermit": false, "enrolledInSchoolAtResidence": true}}),
        )
        .await;
    assert_eq!(integration_tests::code(&again), "CONFLICT", "{again}");
    assert_eq!(restarted.state.pii.unreadable_count(), 0);
}

#[tokio::test]
async fn a_server_without_the_key_of_stored_numbers_refuses_to_start_and_names_it() {
    let app = development_app().await;
    let g = app.guardian("mother@example.org").await;
    child_with_id_number(&app, &g, "王小花", &id_number("520304", "20160402", "128")).await;
    let other_key = format!("k2:{}", "ab".repeat(32));

    let lost = app.restarted_with(|c| c.pii_keys = other_key.clone().into()).await.err().expect("refuses to start");
    assert!(lost.contains("PII key `dev` is missing") && lost.contains("1 stored values"), "{lost}");
    assert!(!lost.contains(&"ab".repeat(32)), "no key material in the message");

    let replaced = app.restarted_with(|c| c.pii_keys = format!("dev:{}", "cd".repeat(32)).into()).await.err().expect("refuses");
    assert!(replaced.contains("PII key `dev`") && replaced.contains("does not decrypt"), "{replaced}");

    let rehashed = app.restarted_with(|c| c.pii_hash_key = "another-hash-key-another-hash-key!".to_owned().into()).await.err();
    assert!(rehashed.as_deref().is_some_and(|e| e.contains("PII_HASH_KEY")), "{rehashed:?}");

    // Rotation is not loss: the new key first, the old one still listed.
    let stored = std::fs::read_to_string(app.state.config.keys_dir.join("pii")).expect("key file");
    let rotated = app.restarted_with(|c| c.pii_keys = format!("{other_key},{stored}").into()).await;
    assert!(rotated.is_ok(), "{:?}", rotated.err());
}

#[tokio::test]
async fn one_unreadable_number_does_not_fail_the_district_list_or_export() {
    let app = TestApp::spawn().await;
    let g1 = app.guardian("mother@example.org").await;
    let g2 = app.guardian("father@example.org").await;
    let (idn1, idn2) = (id_number("520304", "20160402", "128"), id_number("520304", "20170815", "231"));
    let damaged = child_with_id_number(&app, &g1, "王小花", &idn1).await;
    let sound = child_with_id_number(&app, &g2, "李小军", &idn2).await;
    let db = &app.state.db;
    let sql = if integration_tests::on_postgres() {
        "UPDATE children SET id_number_ct = $1 WHERE id = $2"
    } else {
        "UPDATE children SET id_number_ct = ? WHERE id = ?"
    };
    let garbage = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let id: uuid::Uuid = damaged.parse().expect("uuid");
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [garbage.into(), id.into()])).await.expect("corrupt");

    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let mut list = listed(&app.gql(Some(&director), REGISTERED, json!({"r": "520102016"})).await);
    list.sort_by_key(|(id, _)| id != &damaged);
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0], (damaged.clone(), UNREADABLE.to_owned()));
    assert!(list[1].0 == sound && list[1].1.ends_with(&idn2[16..]), "{list:?}");

    let masked = app.gql(Some(&director), EXPORT, json!({"r": "520102016"})).await;
    assert_eq!(masked["data"]["exportChildren"]["rows"], 2, "{masked}");
    let rows = exported(&masked);
    assert!(rows.contains(&(damaged.clone(), UNREADABLE.to_owned())), "{rows:?}");
    assert!(rows.iter().any(|(id, n)| id == &sound && n.ends_with(&idn2[16..]) && n.contains('*')), "{rows:?}");
    let full = exported(&app.gql(Some(&ca), EXPORT, json!({"r": "520102"})).await);
    assert!(full.contains(&(damaged.clone(), UNREADABLE.to_owned())) && full.contains(&(sound.clone(), idn2.clone())), "{full:?}");

    // The guardian's own household lists the child too, its number unreadable.
    let own = app.gql(Some(&g1), "{ myHousehold { children { id idNumberMasked } } }", json!({})).await;
    assert_eq!(own["data"]["myHousehold"]["children"][0]["idNumberMasked"], UNREADABLE, "{own}");
    assert!(app.state.pii.unreadable_count() >= 4, "every unreadable value is counted");
}

#[tokio::test]
async fn a_rotated_pii_key_is_applied_to_stored_numbers_by_keys_reencrypt() {
    let old = format!("old:{}", "11".repeat(32));
    let new = format!("new:{}", "22".repeat(32));
    let app = TestApp::spawn_with(|c| c.pii_keys = old.clone().into()).await;
    let g = app.guardian("rotation@example.org").await;
    let idn = id_number("520304", "20150708", "316");
    let child = child_with_id_number(&app, &g, "赵小川", &idn).await;

    // The new key first, the old one kept for reading; dropping the old key now is refused.
    let refused = app.restarted_with(|c| c.pii_keys = new.clone().into()).await.err().expect("old values need the old key");
    assert!(refused.contains("PII key `old` is missing"), "{refused}");
    let rotated = app.restarted_with(|c| c.pii_keys = format!("{new},{old}").into()).await.expect("rotated");
    let mut env = super::cli::env_of(&rotated);
    let out = super::cli::run(super::cli::BIN, &["keys", "reencrypt", "--batch-size", "1"], &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("keys: 1 values read") && stdout.contains("no value uses key id old any more"), "{stdout}");
    let kid = rotated
        .state
        .db
        .query_one_raw(Statement::from_string(rotated.state.db.get_database_backend(), "SELECT id_number_kid FROM children"))
        .await
        .expect("query")
        .expect("row")
        .try_get::<String>("", "id_number_kid")
        .expect("kid");
    assert_eq!(kid, "new");

    // Now the old key can go: the server starts without it and the family still reads the number.
    let only_new = app.restarted_with(|c| c.pii_keys = new.clone().into()).await.expect("starts without the old key");
    let own = only_new.gql(Some(&g), "query($c: ID!){ child(id: $c){ idNumberMasked } }", json!({"c": child})).await;
    assert!(own["data"]["child"]["idNumberMasked"].as_str().is_some_and(|s| s.ends_with(&idn[16..])), "{own}");
    env.retain(|(k, _)| *k != "PII_KEYS");
    env.push(("PII_KEYS", new));
    let check = super::cli::run(super::cli::BIN, &["keys", "check"], &env);
    assert!(check.status.success() && String::from_utf8_lossy(&check.stdout).contains("keys: 1 values read"));
}
