//! Division codes are data the operator updates without a rebuild: read from `DIVISIONS_FILE` at
//! start, reloaded by `reloadReference` (or SIGHUP) into memory and into the `regions` table; an
//! invalid file, or one that drops codes stored rows still use, changes nothing.
//!
//! The county added here (520199) is made up; it sits in 贵阳市 where no real code uses 99.

use integration_tests::{TestApp, code, field};
use serde_json::{Value, json};

const SHIPPED: &str = include_str!("../../data/divisions.csv");
const NEW_COUNTY: &str = "520199,贵阳新区,county,520100\n";
const RELOAD: &str = "mutation { reloadReference { divisions { count added changed removed } calendar { coversNext60Days } } }";

/// A copy of the shipped file the test may edit, and its directory (removed by the caller's drop).
fn divisions_file() -> (TempDir, std::path::PathBuf) {
    let dir = TempDir(std::env::temp_dir().join(format!("tongxin-div-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).expect("temp dir");
    let file = dir.0.join("divisions.csv");
    std::fs::write(&file, SHIPPED).expect("write");
    (dir, file)
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The shipped file without the line of `code`.
fn without(code: &str) -> String {
    SHIPPED.lines().filter(|l| !l.starts_with(&format!("{code},"))).map(|l| format!("{l}\n")).collect()
}

async fn region_codes(app: &TestApp, parent: &str) -> Vec<String> {
    let r = app.gql(None, "query($p: String){ regions(parentCode: $p){ code name } }", json!({"p": parent})).await;
    r["data"]["regions"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|x| x["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn add_child(app: &TestApp, g: &str, residence: &str) -> Value {
    let input = json!({
        "name": "小新", "sex": "FEMALE", "birthDate": "2018-05-01", "hukouRegionCode": "530102", "residenceRegionCode": residence,
        "residenceSince": "2024-09-01", "movedWith": "MOTHER", "hasResidencePermit": true, "residencePermitSince": "2024-10-01"
    });
    app.gql_lang(Some(g), "en", "mutation($i: ChildInput!){ addChild(input: $i){ id } }", json!({"i": input})).await
}

#[tokio::test]
async fn a_county_added_to_the_file_at_run_time_is_usable_after_a_reload() {
    let (_dir, file) = divisions_file();
    let app = TestApp::spawn_with(|c| c.divisions_file = file.clone()).await;
    let g = app.guardian("new-county@example.org").await;
    app.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await; // household and consent in place
    let refused = add_child(&app, &g, "520199").await;
    assert_eq!((code(&refused), field(&refused)), ("VALIDATION", "residenceRegionCode"), "{refused}");
    assert!(!region_codes(&app, "520100").await.contains(&"520199".to_owned()));

    std::fs::write(&file, format!("{SHIPPED}{NEW_COUNTY}")).expect("write");
    let admin = app.admin_token().await;
    let r = app.gql(Some(&admin), RELOAD, json!({})).await;
    assert_eq!(r["data"]["reloadReference"]["divisions"]["added"], json!(["520199"]), "{r}");
    assert_eq!(r["data"]["reloadReference"]["divisions"]["removed"], json!([]));

    assert!(region_codes(&app, "520100").await.contains(&"520199".to_owned()), "the regions table lists it");
    let added = add_child(&app, &g, "520199").await;
    assert!(added["errors"].is_null(), "a residence in the new county is accepted: {added}");
    // Organizations reference the regions table by foreign key: the row is there.
    let org = app
        .gql(
            None,
            integration_tests::fixtures::REGISTER,
            json!({"i": {"name": "贵阳新区童心社工服务中心", "creditCode": integration_tests::fixtures::credit_code(199), "contactName": "陈社工",
                   "contactPhone": "0851-8888 1234", "email": "org-199@example.org", "password": integration_tests::PASSWORD,
                   "address": "贵阳新区 1 号", "countyCode": "520199"}}),
        )
        .await;
    assert_eq!(org["data"]["registerOrganization"]["status"], "PENDING", "{org}");

    // A renamed county is renamed in the table too; a restart on the same file changes nothing.
    std::fs::write(&file, format!("{SHIPPED}{}", NEW_COUNTY.replace("贵阳新区", "贵阳高新区"))).expect("write");
    let r = app.gql(Some(&admin), RELOAD, json!({})).await;
    assert_eq!(r["data"]["reloadReference"]["divisions"]["changed"], json!(["520199"]), "{r}");
    let restarted = app.restarted_with(|_| {}).await.expect("restart");
    let r = restarted.gql(None, "{ regions(parentCode: \"520100\"){ code name } }", json!({})).await;
    let names: Vec<&Value> =
        r["data"]["regions"].as_array().expect("regions").iter().filter(|x| x["code"] == "520199").map(|x| &x["name"]).collect();
    assert_eq!(names, [&json!("贵阳高新区")]);
    assert!(add_child(&restarted, &g, "520199").await["errors"].is_null());
}

#[tokio::test]
async fn an_invalid_file_or_one_that_drops_codes_in_use_changes_nothing() {
    let (_dir, file) = divisions_file();
    let app = TestApp::spawn_with(|c| c.divisions_file = file.clone()).await;
    let admin = app.admin_token().await;
    let g = app.guardian("hukou-beijing@example.org").await;
    app.child(&g).born("2019-03-10").hukou("110101").lives_in("520102").await; // hukou in 东城区
    let before = region_codes(&app, "110100").await;

    // A county whose parent is mistyped: refused with the line, nothing changes.
    let lines = SHIPPED.lines().count() + 1;
    std::fs::write(&file, format!("{SHIPPED}520199,贵阳新区,county,520900\n")).expect("write");
    let r = app.gql_lang(Some(&admin), "en", RELOAD, json!({})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "divisionsFile"), "{r}");
    let message = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("line {lines}")) && message.contains("520900"), "{message}");
    assert!(!region_codes(&app, "520100").await.contains(&"520199".to_owned()));
    assert!(add_child(&app, &g, "520199").await["errors"].is_array(), "the divisions in force stay");

    // Dropping 东城区, which a child's hukou uses, and 西城区, which nothing uses: refused as a whole.
    std::fs::write(&file, without("110101").lines().filter(|l| !l.starts_with("110102,")).map(|l| format!("{l}\n")).collect::<String>())
        .expect("write");
    let r = app.gql_lang(Some(&admin), "en", RELOAD, json!({})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "divisionsFile"), "{r}");
    let message = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("110101 (children)") && !message.contains("110102"), "{message}");
    assert_eq!(region_codes(&app, "110100").await, before);

    // Dropping only the unused code goes through.
    std::fs::write(&file, without("110102")).expect("write");
    let r = app.gql(Some(&admin), RELOAD, json!({})).await;
    assert_eq!(r["data"]["reloadReference"]["divisions"]["removed"], json!(["110102"]), "{r}");
    let after = region_codes(&app, "110100").await;
    assert!(!after.contains(&"110102".to_owned()) && after.contains(&"110101".to_owned()));

    // A server started on a file that drops a code in use refuses to start, naming it.
    std::fs::write(&file, without("110101")).expect("write");
    let e = app.restarted_with(|_| {}).await.err().expect("refused");
    assert!(e.contains("110101 (children)"), "{e}");
}

#[tokio::test]
async fn only_admins_reload_the_reference_data() {
    let app = TestApp::spawn().await;
    let g = app.guardian("not-admin-div@example.org").await;
    assert_eq!(code(&app.gql(Some(&g), RELOAD, json!({})).await), "FORBIDDEN");
    assert_eq!(code(&app.gql(None, RELOAD, json!({})).await), "UNAUTHENTICATED");
    let admin = app.admin_token().await;
    let r = app.gql(Some(&admin), RELOAD, json!({})).await;
    assert_eq!(r["data"]["reloadReference"]["divisions"]["added"], json!([]), "the shipped file is already in force: {r}");
    assert!(r["data"]["reloadReference"]["divisions"]["count"].as_i64().unwrap_or_default() > 4000);
}
