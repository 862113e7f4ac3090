//! Bookings that never overbook: the concurrency proof on both databases, waiting lists,
//! cutoffs, reminders, attendance and confidentiality.

use api::auth::Role;
use integration_tests::{
    TestApp, code, field,
    fixtures::{service, session, verified_org},
};
use serde_json::{Value, json};

const BOOK: &str =
    "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ id status waitlistPosition session { seatsLeft } } }";
const CANCEL: &str = "mutation($id: ID!){ cancelBooking(id: $id){ id status } }";

async fn session_with(app: &TestApp, serial: u32, category: &str, entitlement: &str, days: i64, capacity: i32) -> (String, String) {
    let (staff, _, loc) = verified_org(app, &format!("org{serial}@org.cn"), serial).await;
    let svc = service(app, &staff, &loc, category, entitlement, (6, 12)).await;
    let sess = session(app, &staff, &svc, days, capacity).await;
    (staff, sess)
}

#[tokio::test]
async fn two_hundred_parallel_bookings_fill_twenty_seats_and_cancellations_promote_in_order() {
    let app = TestApp::spawn().await;
    let (_, sess) = session_with(&app, 101, "READING", "cultural_services", 5, 20).await;
    // 10 households with 20 children each.
    let mut kids: Vec<(String, String, String)> = Vec::new(); // (guardian email, token, child)
    for h in 0..10 {
        let email = format!("family{h}@example.org");
        let g = app.guardian(&email).await;
        for _ in 0..20 {
            let c = app.child(&g).born("2018-05-01").hukou("520304").lives_in("520102").await;
            kids.push((email.clone(), g.clone(), c));
        }
    }
    let results = futures::future::join_all(kids.iter().map(|(_, g, c)| app.gql(Some(g), BOOK, json!({"s": sess, "c": c})))).await;
    let statuses: Vec<&str> =
        results.iter().map(|r| r["data"]["bookSession"]["status"].as_str().unwrap_or_else(|| panic!("{r}"))).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "CONFIRMED").count(), 20);
    assert_eq!(statuses.iter().filter(|s| **s == "WAITLISTED").count(), 180);
    let mut positions: Vec<i64> = results.iter().filter_map(|r| r["data"]["bookSession"]["waitlistPosition"].as_i64()).collect();
    positions.sort();
    assert_eq!(positions, (1..=180).collect::<Vec<_>>(), "every waiting child has its own place");
    let left = app.gql(None, "{ services { edges { node { sessions { seatsLeft capacity } } } } }", json!({})).await;
    assert_eq!(left["data"]["services"]["edges"][0]["node"]["sessions"][0]["seatsLeft"], 0);

    // The first five in the waiting list, in order.
    let mut waiting: Vec<(i64, usize)> =
        results.iter().enumerate().filter_map(|(i, r)| r["data"]["bookSession"]["waitlistPosition"].as_i64().map(|p| (p, i))).collect();
    waiting.sort();
    let first_five: Vec<usize> = waiting.iter().take(5).map(|(_, i)| *i).collect();
    let before = app.emails().await.len();

    let confirmed: Vec<usize> =
        results.iter().enumerate().filter(|(_, r)| r["data"]["bookSession"]["status"] == "CONFIRMED").map(|(i, _)| i).take(5).collect();
    for i in confirmed {
        let id = results[i]["data"]["bookSession"]["id"].as_str().expect("id");
        let r = app.gql(Some(&kids[i].1), CANCEL, json!({"id": id})).await;
        assert_eq!(r["data"]["cancelBooking"]["status"], "CANCELLED", "{r}");
    }
    let mails = app.emails().await;
    assert_eq!(mails.len() - before, 5, "one e-mail per promoted family, no more");
    for i in first_five {
        let (email, g, _) = &kids[i];
        let mine = app.gql(Some(g), "{ myBookings(first: 100) { edges { node { id status } } } }", json!({})).await;
        let id = results[i]["data"]["bookSession"]["id"].as_str().expect("id");
        let b =
            mine["data"]["myBookings"]["edges"].as_array().expect("edges").iter().find(|e| e["node"]["id"] == id).expect("booking").clone();
        assert_eq!(b["node"]["status"], "CONFIRMED", "promoted in waiting order");
        assert!(mails[before..].iter().any(|(to, _)| to == email));
    }
    let still = app.gql(None, "{ services { edges { node { sessions { seatsLeft } } } } }", json!({})).await;
    assert_eq!(still["data"]["services"]["edges"][0]["node"]["sessions"][0]["seatsLeft"], 0, "the freed seats were all taken");
}

#[tokio::test]
async fn a_child_of_the_wrong_age_is_refused_and_a_double_booking_conflicts() {
    let app = TestApp::spawn().await;
    let (_, sess) = session_with(&app, 102, "READING", "cultural_services", 5, 5).await;
    let g = app.guardian("age@example.org").await;
    let toddler = app.child(&g).born("2024-01-01").hukou("520304").lives_in("520102").await;
    let r = app.gql(Some(&g), BOOK, json!({"s": sess, "c": toddler})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "childId"), "{r}");
    let pupil = app.child(&g).born("2018-01-01").hukou("520304").lives_in("520102").await;
    assert!(app.gql(Some(&g), BOOK, json!({"s": sess, "c": pupil})).await["errors"].is_null());
    assert_eq!(code(&app.gql(Some(&g), BOOK, json!({"s": sess, "c": pupil})).await), "CONFLICT");
    // Another household cannot book someone else's child.
    let other = app.guardian("other@example.org").await;
    assert_eq!(code(&app.gql(Some(&other), BOOK, json!({"s": sess, "c": pupil})).await), "NOT_FOUND");
}

#[tokio::test]
async fn a_full_session_without_waiting_is_capacity_full() {
    let app = TestApp::spawn().await;
    let (_, sess) = session_with(&app, 103, "ARTS", "cultural_services", 5, 1).await;
    let g = app.guardian("full@example.org").await;
    let a = app.child(&g).born("2018-01-01").hukou("520304").lives_in("520102").await;
    let b = app.child(&g).born("2017-01-01").hukou("520304").lives_in("520102").await;
    app.gql(Some(&g), BOOK, json!({"s": sess, "c": a})).await;
    let q = "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c, joinWaitlist: false){ id } }";
    assert_eq!(code(&app.gql(Some(&g), q, json!({"s": sess, "c": b})).await), "CAPACITY_FULL");
}

#[tokio::test]
async fn a_cancellation_after_the_cutoff_is_refused() {
    let app = TestApp::spawn().await;
    let (_, sess) = session_with(&app, 104, "READING", "cultural_services", 2, 5).await; // cutoff 24 h
    let g = app.guardian("cut@example.org").await;
    let c = app.child(&g).born("2018-01-01").hukou("520304").lives_in("520102").await;
    let b = app.gql(Some(&g), BOOK, json!({"s": sess, "c": c})).await;
    let id = b["data"]["bookSession"]["id"].as_str().expect("id").to_owned();
    app.state.clock.advance(chrono::Duration::hours(30)); // 18 hours before the start
    let r = app.gql(Some(&g), CANCEL, json!({"id": id})).await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
}

#[tokio::test]
async fn another_organization_cannot_see_the_bookings_and_counselling_is_invisible_to_department_staff() {
    let app = TestApp::spawn().await;
    let (staff, sess) = session_with(&app, 105, "COUNSELLING", "mental_health", 3, 5).await;
    let g = app.guardian("conf@example.org").await;
    let c = app.child(&g).born("2016-01-01").hukou("520304").lives_in("520102").await;
    app.gql(Some(&g), BOOK, json!({"s": sess, "c": c})).await;
    let q = "query($s: ID!){ sessionBookings(sessionId: $s){ id status childId } }";
    let own = app.gql(Some(&staff), q, json!({"s": sess})).await;
    assert_eq!(own["data"]["sessionBookings"].as_array().map(Vec::len), Some(1), "{own}");
    let (other_org, _, _) = verified_org(&app, "rival@org.cn", 106).await;
    assert_eq!(code(&app.gql(Some(&other_org), q, json!({"s": sess})).await), "NOT_FOUND");
    let health = app.staff("health@nanming.gov.cn", Role::DepartmentStaff, Some("health"), "520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    for t in [&health, &ca] {
        assert_eq!(code(&app.gql(Some(t), q, json!({"s": sess})).await), "NOT_FOUND");
    }
}

#[tokio::test]
async fn attendance_is_marked_after_the_start_and_a_cancelled_session_tells_every_family() {
    let app = TestApp::spawn().await;
    let (staff, sess) = session_with(&app, 107, "READING", "cultural_services", 1, 5).await;
    let g = app.guardian("att@example.org").await;
    let c = app.child(&g).born("2018-01-01").hukou("520304").lives_in("520102").await;
    let b = app.gql(Some(&g), BOOK, json!({"s": sess, "c": c})).await["data"]["bookSession"]["id"].as_str().expect("id").to_owned();
    let mark = "mutation($b: ID!, $a: Boolean!){ markAttendance(bookingId: $b, attended: $a){ status } }";
    assert_eq!(code(&app.gql(Some(&staff), mark, json!({"b": b, "a": true})).await), "VALIDATION", "not before the start");
    app.state.clock.advance(chrono::Duration::hours(25));
    let r = app.gql(Some(&staff), mark, json!({"b": b, "a": false})).await;
    assert_eq!(r["data"]["markAttendance"]["status"], "NO_SHOW", "{r}");

    let (staff2, sess2) = session_with(&app, 108, "ARTS", "cultural_services", 5, 5).await;
    let g2 = app.guardian("told@example.org").await;
    let c2 = app.child(&g2).born("2018-01-01").hukou("520304").lives_in("520102").await;
    app.gql(Some(&g2), BOOK, json!({"s": sess2, "c": c2})).await;
    let r = app
        .gql(Some(&staff2), "mutation($s: ID!){ cancelSession(sessionId: $s, reason: \"场地维修\"){ cancelled } }", json!({"s": sess2}))
        .await;
    assert_eq!(r["data"]["cancelSession"]["cancelled"], true, "{r}");
    assert!(app.emails_to("told@example.org").await.iter().any(|m| m.contains("场地维修")));
}

#[tokio::test]
async fn reminders_are_sent_once_even_with_two_processes() {
    let app = TestApp::spawn_with(|c| c.workers = false).await;
    let (_, sess) = session_with(&app, 109, "READING", "cultural_services", 1, 5).await;
    let g = app.guardian("remind@example.org").await;
    let c = app.child(&g).born("2018-01-01").hukou("520304").lives_in("520102").await;
    app.gql(Some(&g), BOOK, json!({"s": sess, "c": c})).await;
    app.state.clock.advance(chrono::Duration::hours(2)); // now within 24 h of the start
    let mut other = app.state.clone();
    other.db = api::db::connect(&app.state.config).await.expect("second pool");
    let (a, b) = tokio::join!(
        api::services::bookings::send_due_reminders(&app.state, chrono::Duration::hours(24)),
        api::services::bookings::send_due_reminders(&other, chrono::Duration::hours(24)),
    );
    assert_eq!(a.expect("a") + b.expect("b"), 1);
    let mails: Vec<String> = app.emails_to("remind@example.org").await;
    assert_eq!(mails.iter().filter(|m| m.contains("Reminder")).count(), 1);
    let _: Value = json!({});
}

const BOOK_KEYED: &str = "mutation($s: ID!, $c: ID!, $k: String){ bookSession(sessionId: $s, childId: $c, idempotencyKey: $k){ id status session { seatsLeft } } }";

#[tokio::test]
async fn a_phone_that_lost_the_answer_gets_its_booking_back_with_the_same_key() {
    let app = TestApp::spawn().await;
    let (_, sess) = session_with(&app, 141, "READING", "cultural_services", 5, 5).await;
    let g = app.guardian("retry@example.org").await;
    let c = app.child(&g).born("2018-01-01").hukou("520304").lives_in("520102").await;
    let first = app.gql(Some(&g), BOOK_KEYED, json!({"s": sess, "c": c, "k": "phone-1"})).await;
    let again = app.gql(Some(&g), BOOK_KEYED, json!({"s": sess, "c": c, "k": "phone-1"})).await;
    assert!(again["errors"].is_null(), "{again}");
    assert_eq!(again["data"]["bookSession"]["id"], first["data"]["bookSession"]["id"]);
    assert_eq!(again["data"]["bookSession"]["session"]["seatsLeft"], json!(4), "one seat taken");
    // The same key for another child is a client bug; a different key is a second booking attempt.
    let other = app.child(&g).born("2018-02-01").hukou("520304").lives_in("520102").await;
    let r = app.gql(Some(&g), BOOK_KEYED, json!({"s": sess, "c": other, "k": "phone-1"})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "idempotencyKey"), "{r}");
    let r = app.gql(Some(&g), BOOK_KEYED, json!({"s": sess, "c": c, "k": "phone-2"})).await;
    assert_eq!(code(&r), "CONFLICT");
}

#[tokio::test]
async fn ten_parallel_retries_with_one_key_make_one_booking() {
    let app = TestApp::spawn().await;
    let (_, sess) = session_with(&app, 142, "READING", "cultural_services", 5, 5).await;
    let g = app.guardian("burst@example.org").await;
    let c = app.child(&g).born("2018-01-01").hukou("520304").lives_in("520102").await;
    let v = json!({"s": sess, "c": c, "k": "burst"});
    let results = futures::future::join_all((0..10).map(|_| app.gql(Some(&g), BOOK_KEYED, v.clone()))).await;
    let mut ids: Vec<&str> = results.iter().map(|r| r["data"]["bookSession"]["id"].as_str().unwrap_or_else(|| panic!("{r}"))).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1, "one booking");
    let last = app.gql(Some(&g), BOOK_KEYED, v).await;
    assert_eq!(last["data"]["bookSession"]["session"]["seatsLeft"], json!(4));
}
