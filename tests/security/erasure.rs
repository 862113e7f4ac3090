//! Class: erasure leaves personal data behind. After `requestChildDeletion` the child's name, ID
//! number and any phone number a guardian or caseworker wrote about the child must be gone from
//! every table (found from the live catalogue, not from a list) and from delivered mail on disk,
//! and the child's open work must be closed and out of staff's sight. The places that can hold
//! such data are listed once (`api::services::erasure`); a second test fails when the schema
//! grows a text column on a child-linked table that the list does not account for.

use api::auth::Role;
use chrono::Duration;
use integration_tests::{
    TestApp, code, decode_body, dump,
    fixtures::{id_number, service, session, verified_org},
};
use sea_orm::{ConnectionTrait, Statement};

use serde_json::{Value, json};

const NAME: &str = "龙小雨";
const PHONE: &str = "13985012345";

fn id(v: &Value, op: &str) -> String {
    v["data"][op]["id"].as_str().unwrap_or_else(|| panic!("{op}: {v}")).to_owned()
}

fn ok(v: &Value) {
    assert!(v["errors"].is_null(), "{v}");
}

/// Lines of `haystack` holding one of `needles`, to name what was left behind.
fn found(haystack: &[String], needles: &[&str]) -> Vec<String> {
    haystack.iter().filter(|l| needles.iter().any(|n| l.contains(n))).cloned().collect()
}

/// The raw and decoded text of every delivered `.eml` file.
fn mail_on_disk(app: &TestApp) -> Vec<String> {
    app.mail_files().into_iter().map(|(p, raw)| format!("{}: {raw}\n{}", p.display(), decode_body(&raw))).collect()
}

/// The stored status of a request, care measure or booking.
async fn status_in_db(app: &TestApp, table: &str, id: &str) -> String {
    use entities::{booking, care_measure, request};
    use sea_orm::EntityTrait;
    let (db, id) = (&app.state.db, uuid::Uuid::parse_str(id).expect("uuid"));
    let found = match table {
        "requests" => request::Entity::find_by_id(id).one(db).await.expect("q").map(|r| r.status.to_string()),
        "care_measures" => care_measure::Entity::find_by_id(id).one(db).await.expect("q").map(|r| r.status.to_string()),
        _ => booking::Entity::find_by_id(id).one(db).await.expect("q").map(|r| r.status.to_string()),
    };
    found.expect("row")
}

#[tokio::test]
async fn after_erasure_no_table_and_no_mail_on_disk_holds_the_childs_name_id_number_or_phone() {
    let app = TestApp::spawn_with_mail_dir(|c| c.workers = false).await;
    let id_no = id_number("520304", "20160402", "123");
    let secret = format!("{NAME}，身份证 {id_no}，电话 {PHONE}");
    let needles = [NAME, id_no.as_str(), PHONE];

    // The family: a child with a name, an ID number and the phone in the school name.
    let g = app.guardian("long@example.org").await;
    ok(&app.gql(Some(&g), "mutation { createHousehold { id } }", json!({})).await);
    let consent = "mutation($i: ConsentInput!){ giveConsent(input: $i){ id } }";
    ok(&app.gql(Some(&g), consent, json!({"i": {"purpose": "BASIC_SERVICES", "textVersion": "2026-11"}})).await);
    let child_input = json!({"name": NAME, "sex": "FEMALE", "birthDate": "2016-04-02", "idNumber": id_no, "hukouRegionCode": "520304",
        "residenceRegionCode": "520102", "residenceTownshipCode": "520102016", "residenceSince": "2024-09-01", "movedWith": "MOTHER",
        "enrolledInSchoolAtResidence": true, "schoolName": format!("新华路小学（班主任 {PHONE}）")});
    let child =
        id(&app.gql(Some(&g), "mutation($i: ChildInput!){ addChild(input: $i){ id } }", json!({"i": child_input})).await, "addChild");

    // Two requests: one stays open, one is decided; every text field carries the secret.
    let submit = "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id department { code } } }";
    let open = id(
        &app.gql(Some(&g), submit, json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "details": secret, "idempotencyKey": format!("k-{PHONE}")}})).await,
        "submitRequest",
    );
    let decided = id(
        &app.gql(
            Some(&g),
            submit,
            json!({"i": {"childId": child, "entitlementCode": "education_aid", "details": secret, "idempotencyKey": "k-2"}}),
        )
        .await,
        "submitRequest",
    );
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    for rid in [&open, &decided] {
        ok(&app.gql(Some(&edu), "mutation($id: ID!){ claimRequest(id: $id){ status } }", json!({"id": rid})).await);
    }
    let ask = "mutation($id: ID!, $m: String!){ askForInformation(id: $id, message: $m){ status } }";
    ok(&app.gql(Some(&edu), ask, json!({"id": open, "m": secret})).await);
    let answer = "mutation($id: ID!, $m: String!){ answerRequest(id: $id, message: $m){ status } }";
    ok(&app.gql(Some(&g), answer, json!({"id": open, "m": secret})).await);
    let comment = "mutation($id: ID!, $b: String!, $i: Boolean!){ commentOnRequest(id: $id, body: $b, internal: $i){ id } }";
    for internal in [true, false] {
        ok(&app.gql(Some(&edu), comment, json!({"id": open, "b": secret, "i": internal})).await);
    }
    let resolve = "mutation($id: ID!, $r: String!){ resolveRequest(id: $id, granted: false, reason: $r){ status } }";
    ok(&app.gql(Some(&edu), resolve, json!({"id": decided, "r": secret})).await);

    // Monitoring staff: a verification note, the key-care ledger, an assessment, a care measure
    // and its follow-up.
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let verify = "mutation($c: ID!, $i: VerificationInput){ verifyChildRecord(childId: $c, input: $i){ id } }";
    ok(&app.gql(Some(&ca), verify, json!({"c": child, "i": {"note": secret, "schoolName": format!("南明小学 {PHONE}")}})).await);
    let add = "mutation($c: ID!, $r: [KeyCareReason!]!){ addToKeyCare(childId: $c, reasons: $r){ id } }";
    ok(&app.gql(Some(&ca), add, json!({"c": child, "r": ["GUARDIANSHIP_ABSENT"]})).await);
    let answers: Vec<Value> = ["guardianship", "family_hardship", "health", "psychological", "safety"]
        .iter()
        .map(|c| json!({"criterion": c, "level": 1}))
        .collect();
    let assess = "mutation($c: ID!, $i: RiskAssessmentInput!){ assessRisk(childId: $c, input: $i){ version } }";
    ok(&app.gql(Some(&ca), assess, json!({"c": child, "i": {"expectedVersion": 1, "answers": answers, "note": secret}})).await);
    let assign = "mutation($i: CareMeasureInput!){ assignCareMeasure(input: $i){ id } }";
    let due = (app.state.clock.today() + Duration::days(7)).to_string();
    let measure = id(
        &app.gql(Some(&ca), assign, json!({"i": {"childId": child, "departmentCode": "education", "townshipCode": "520102016", "description": secret, "dueOn": due}})).await,
        "assignCareMeasure",
    );
    let follow = "mutation($m: ID!, $n: String!){ recordCareFollowUp(measureId: $m, note: $n, done: false){ status } }";
    ok(&app.gql(Some(&edu), follow, json!({"m": measure, "n": secret})).await);

    // A booking of a session next week.
    let (org_staff, _, loc) = verified_org(&app, "org@example.org", 41).await;
    let svc = service(&app, &org_staff, &loc, "READING", "cultural_services", (6, 12)).await;
    let sess = session(&app, &org_staff, &svc, 7, 5).await;
    let book = "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ id status } }";
    let booking = id(&app.gql(Some(&g), book, json!({"s": sess, "c": child})).await, "bookSession");

    // Mail in both states: everything so far is delivered to disk, one more comment waits.
    assert!(!app.emails().await.is_empty());
    ok(&app.gql(Some(&edu), comment, json!({"id": open, "b": secret, "i": false})).await);
    let before = dump::database_text(&app).await;
    for n in needles {
        assert!(!found(&before, &[n]).is_empty(), "the scenario put {n} into the database");
    }
    assert!(before.iter().any(|l| l.starts_with("outbox:") && l.contains("pending") && l.contains(PHONE)), "a mail about the child waits");
    assert!(!found(&mail_on_disk(&app), &[PHONE]).is_empty(), "a delivered mail about the child is on disk");

    let r = app.gql(Some(&g), "mutation($id: ID!){ requestChildDeletion(childId: $id) }", json!({"id": child})).await;
    assert_eq!(r["data"]["requestChildDeletion"], true, "{r}");

    let after = dump::database_text(&app).await;
    assert_eq!(found(&after, &needles), Vec::<String>::new(), "personal data left in the database");
    app.emails().await;
    assert_eq!(found(&mail_on_disk(&app), &needles), Vec::<String>::new(), "personal data left in the mail directory");

    // Open work is closed as a consent withdrawal closes it; decided work keeps its outcome.
    assert_eq!(status_in_db(&app, "requests", &open).await, "withdrawn");
    assert_eq!(status_in_db(&app, "requests", &decided).await, "resolved_rejected");
    assert_eq!(status_in_db(&app, "care_measures", &measure).await, "withdrawn");
    assert_eq!(status_in_db(&app, "bookings", &booking).await, "cancelled");
    let db = &app.state.db;
    let booked = db.query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT booked FROM sessions")).await.expect("q");
    assert_eq!(booked.expect("session").try_get_by_index::<i32>(0).expect("booked"), 0, "the seat is free again");

    // Staff no longer see any of it.
    let get = "query($id: ID!){ request(id: $id){ id } }";
    for rid in [&open, &decided] {
        assert_eq!(code(&app.gql(Some(&edu), get, json!({"id": rid})).await), "NOT_FOUND");
        assert_eq!(code(&app.gql(Some(&g), get, json!({"id": rid})).await), "NOT_FOUND");
    }
    for s in ["WITHDRAWN", "RESOLVED_REJECTED"] {
        let q =
            app.gql(Some(&edu), "query($s: RequestStatus){ queue(filter: {status: $s}){ edges { node { id } } } }", json!({"s": s})).await;
        assert_eq!(q["data"]["queue"]["edges"], json!([]), "{s}: {q}");
    }
    assert_eq!(app.gql(Some(&edu), "{ careMeasures { id } }", json!({})).await["data"]["careMeasures"], json!([]));
    let f = app.gql(Some(&edu), follow, json!({"m": measure, "n": "x"})).await;
    assert_eq!(code(&f), "NOT_FOUND", "{f}");
    let mine = app.gql(Some(&g), "{ myRequests { edges { node { id } } } }", json!({})).await;
    assert_eq!(mine["data"]["myRequests"]["edges"], json!([]), "{mine}");
}

/// The list of places is checked against the live schema: every table is classified, and every
/// text or JSON column of a table that can hold a child's rows is either erased or kept with a
/// reason. A migration adding, say, `bookings.note` fails here until erasure accounts for it.
#[tokio::test]
async fn every_text_column_of_a_child_linked_table_is_erased_or_kept_on_purpose() {
    use api::services::erasure::{KEPT, PLACES, TABLES};
    let app = TestApp::spawn().await;
    let columns = dump::columns(&app).await;
    assert!(columns.len() > 100, "the catalogue was read: {} columns", columns.len());
    for (t, c) in [("request_events", "note"), ("requests", "details"), ("child_versions", "snapshot"), ("children", "name")] {
        let col = columns.iter().find(|x| x.table == t && x.name == c).expect("column");
        assert!(col.holds_text(), "{t}.{c} ({}) is recognised as text", col.ty);
    }
    let id_col = columns.iter().find(|x| x.table == "requests" && x.name == "child_id").expect("column");
    assert!(!id_col.holds_text(), "identifiers are not text ({})", id_col.ty);

    let unclassified: Vec<String> = dump::tables(&app).await.into_iter().filter(|t| !TABLES.iter().any(|(name, _, _)| name == t)).collect();
    assert_eq!(unclassified, Vec::<String>::new(), "tables neither linked to a child nor exempted in erasure::TABLES");

    let linked = |t: &str| TABLES.iter().any(|(name, rows, _)| *name == t && rows.is_some());
    for c in columns.iter().filter(|c| c.name == "child_id") {
        assert!(linked(&c.table), "{} has a child_id but erasure::TABLES says it holds nothing of a child", c.table);
    }
    let erased = |c: &dump::Column| PLACES.iter().any(|p| p.table == c.table && p.column == c.name);
    let kept = |c: &dump::Column| KEPT.iter().any(|(t, cols, _)| *t == c.table && cols.contains(&c.name.as_str()));
    let missing: Vec<String> = columns
        .iter()
        .filter(|c| linked(&c.table) && c.holds_text() && !erased(c) && !kept(c))
        .map(|c| format!("{}.{} ({})", c.table, c.name, c.ty))
        .collect();
    assert_eq!(missing, Vec::<String>::new(), "text columns of child-linked tables in neither erasure::PLACES nor erasure::KEPT");

    // And the list names nothing that does not exist (a renamed column would be erased no more).
    for p in PLACES {
        assert!(columns.iter().any(|c| c.table == p.table && c.name == p.column), "erasure::PLACES names {}.{}", p.table, p.column);
    }
    for (t, cols, _) in KEPT {
        for c in *cols {
            assert!(columns.iter().any(|x| x.table == *t && x.name == *c), "erasure::KEPT names {t}.{c}");
        }
    }
}
