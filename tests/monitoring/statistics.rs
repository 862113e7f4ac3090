//! Statistics, the export, and the demo province.

use api::auth::Role;
use chrono::Duration;
use integration_tests::{
    code, field,
    fixtures::{id_number, service, session, verified_org},
};
use serde_json::{Value, json};

use super::scenario::*;

#[tokio::test]
async fn statistics_count_exactly_the_records_made_and_respect_the_region() {
    let app = app().await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let city = app.staff("ca@guiyang.gov.cn", Role::CivilAffairs, None, "520100").await;
    let yunyan = app.staff("ca@yunyan.gov.cn", Role::CivilAffairs, None, "520103").await;
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let g1 = app.guardian("s1@example.org").await;
    let g2 = app.guardian("s2@example.org").await;
    let pupil = app.child(&g1).born("2018-05-01").hukou("520304").lives_in("520102").await; // 8: in scope
    let toddler = app.child(&g2).born("2024-01-15").hukou("522301").lives_in("520102").await; // 2: in scope
    let local = app.child(&g2).born("2013-01-01").hukou("520102").lives_in("520102").await; // same county: out of scope
    let elsewhere = app.guardian("s3@example.org").await;
    app.child(&elsewhere).born("2018-05-01").hukou("520304").lives_in("520103").await; // 云岩区
    app.gql(Some(&ca), ADD, json!({"c": pupil, "r": ["FAMILY_HARDSHIP", "DISABILITY"]})).await;
    app.gql(Some(&ca), ADD, json!({"c": local, "r": ["FAMILY_REQUEST"]})).await;
    app.gql(Some(&ca), ASSESS, json!({"c": pupil, "i": {"expectedVersion": 1, "answers": answers([1, 1, 0, 0, 0])}})).await;
    let r1 = app
        .gql(
            Some(&g1),
            SUBMIT,
            json!({"i": {"childId": pupil, "entitlementCode": "school_enrolment", "details": "", "idempotencyKey": "a"}}),
        )
        .await;
    let rid = r1["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r1}")).to_owned();
    app.gql(Some(&g2), SUBMIT, json!({"i": {"childId": toddler, "entitlementCode": "kindergarten", "details": "", "idempotencyKey": "b"}}))
        .await;
    app.gql(Some(&edu), "mutation($id: ID!){ claimRequest(id: $id){ id } }", json!({"id": rid})).await;
    let done = app
        .gql(
            Some(&edu),
            "mutation($id: ID!){ resolveRequest(id: $id, granted: true, reason: \"已安排学位\"){ status } }",
            json!({"id": rid}),
        )
        .await;
    assert!(done["errors"].is_null(), "{done}");
    let (staff, _, loc) = verified_org(&app, "org@org.cn", 301).await;
    let svc = service(&app, &staff, &loc, "READING", "cultural_services", (6, 12)).await;
    let sess = session(&app, &staff, &svc, 5, 10).await;
    let booked = app
        .gql(Some(&g1), "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ status } }", json!({"s": sess, "c": pupil}))
        .await;
    assert_eq!(booked["data"]["bookSession"]["status"], "CONFIRMED", "{booked}");

    let to = (app.state.clock.today() + Duration::days(10)).to_string();
    let q = "query($r: String!, $to: Date){ statistics(regionCode: $r, to: $to){ childrenInScope childrenByCounty { key count } childrenByAgeBand { key count }
      keyCareByReason { key count } keyCareByRiskLevel { key count } requests { entitlementCode status count }
      deadlineCompliance { department { code } resolved resolvedOnTime onTimeRate overdueOpen } bookings { sessions seats byStatus { key count } }
      verification { records verified due coverage } } }";
    let s = app.gql(Some(&ca), q, json!({"r": "520102", "to": to})).await;
    let st = &s["data"]["statistics"];
    assert_eq!(st["childrenInScope"], 2, "{s}");
    assert_eq!(st["childrenByCounty"], json!([{"key": "520102", "count": 2}]));
    assert_eq!(st["childrenByAgeBand"], json!([{"key": "0-2", "count": 1}, {"key": "6-11", "count": 1}]));
    assert_eq!(
        st["keyCareByReason"],
        json!([{"key": "disability", "count": 1}, {"key": "family_hardship", "count": 1}, {"key": "family_request", "count": 1}])
    );
    assert_eq!(st["keyCareByRiskLevel"], json!([{"key": "medium", "count": 1}, {"key": "unassessed", "count": 1}]));
    assert_eq!(
        st["requests"],
        json!([{"entitlementCode": "kindergarten", "status": "routed", "count": 1}, {"entitlementCode": "school_enrolment", "status": "resolved_granted", "count": 1}])
    );
    assert_eq!(
        st["deadlineCompliance"],
        json!([{"department": {"code": "education"}, "resolved": 1, "resolvedOnTime": 1, "onTimeRate": 1.0, "overdueOpen": 0}])
    );
    assert_eq!(st["bookings"], json!({"sessions": 1, "seats": 10, "byStatus": [{"key": "confirmed", "count": 1}]}));
    assert_eq!(st["verification"], json!({"records": 3, "verified": 3, "due": 0, "coverage": 1.0}));

    // The prefecture sees the same county plus 云岩区; a county officer cannot look at the city.
    let c = app.gql(Some(&city), q, json!({"r": "520100", "to": to})).await;
    assert_eq!(c["data"]["statistics"]["childrenInScope"], 3, "{c}");
    assert_eq!(code(&app.gql(Some(&ca), q, json!({"r": "520100", "to": to})).await), "NOT_FOUND");
    assert_eq!(code(&app.gql(Some(&yunyan), q, json!({"r": "520102", "to": to})).await), "NOT_FOUND");
    let bad = app
        .gql(
            Some(&ca),
            "query{ statistics(regionCode: \"520102\", from: \"2026-12-31\", to: \"2026-01-01\"){ childrenInScope } }",
            json!({}),
        )
        .await;
    assert_eq!((code(&bad), field(&bad)), ("VALIDATION", "from"));
    assert_eq!(code(&app.gql(Some(&g1), q, json!({"r": "520102", "to": to})).await), "FORBIDDEN");
}

#[tokio::test]
async fn the_export_parses_as_csv_masks_for_supervisors_and_is_audited() {
    let app = app().await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let sup = app.staff("sup@xinhua.gov.cn", Role::ChildSupervisor, None, "520102016").await;
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let idn = id_number("520304", "20160402", "128");
    let today = app.state.clock.today().to_string();
    let r = app.gql(Some(&director), REGISTER_SCREENED, json!({"i": screened_child("王小花", &idn), "c": paper(&today)})).await;
    let child = r["data"]["registerScreenedChild"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    app.gql(Some(&ca), ADD, json!({"c": child, "r": ["VAGRANCY"]})).await;
    let q = "query($r: String!){ exportChildren(regionCode: $r){ csv rows masked columns } }";

    let parse = |r: &Value| -> Vec<csv::StringRecord> {
        let text = r["data"]["exportChildren"]["csv"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
        let text = text.strip_prefix('\u{feff}').expect("a UTF-8 BOM for Excel and WPS");
        csv::Reader::from_reader(text.as_bytes()).records().collect::<Result<_, _>>().expect("valid CSV")
    };
    let masked = app.gql(Some(&sup), q, json!({"r": "520102016"})).await;
    assert_eq!(masked["data"]["exportChildren"]["masked"], true, "{masked}");
    let rows = parse(&masked);
    assert_eq!(rows.len(), 1);
    let cols: Vec<String> = serde_json::from_value(masked["data"]["exportChildren"]["columns"].clone()).expect("columns");
    let at = |name: &str| cols.iter().position(|c| c == name).expect("column");
    assert_eq!(&rows[0][at("record_id")], child);
    assert_eq!(&rows[0][at("name")], "王小花");
    assert!(
        rows[0][at("id_number")].contains('*') && !rows[0][at("id_number")].contains(&idn[6..14]),
        "masked: {}",
        &rows[0][at("id_number")]
    );
    assert_eq!(&rows[0][at("key_care_reasons")], "流浪");
    assert_eq!(&rows[0][at("in_scope")], "Y");
    assert_eq!(&rows[0][at("residence_township_code")], "520102016");

    let full = app.gql(Some(&ca), q, json!({"r": "520102"})).await;
    assert_eq!(full["data"]["exportChildren"]["masked"], false);
    assert_eq!(&parse(&full)[0][at("id_number")], idn.as_str(), "civil affairs report full numbers to the national system");

    assert_eq!(code(&app.gql(Some(&sup), q, json!({"r": "520102"})).await), "NOT_FOUND", "outside the township");
    let teacher = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    assert_eq!(code(&app.gql(Some(&teacher), q, json!({"r": "520102"})).await), "FORBIDDEN");

    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let audits = entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.eq("children.exported"))
        .all(&app.state.db)
        .await
        .expect("audit");
    assert_eq!(audits.len(), 2, "every export is audited");
    assert!(audits.iter().all(|a| !a.detail.as_ref().is_some_and(|d| d.to_string().contains(&idn))), "no number in the audit");
}

#[tokio::test]
async fn the_demo_province_gives_queues_ledgers_and_statistics_something_to_show() {
    let app = app().await;
    api::demo::seed(&app.state).await.expect("demo");
    let printed = api::demo::seed(&app.state).await.expect("running it twice changes nothing");
    for (role, email) in &printed {
        let r = app.login_raw(email, api::demo::DEMO_PASSWORD).await;
        assert!(r["errors"].is_null(), "every printed demo login signs in ({role} {email}): {r}");
    }
    assert!(printed.iter().any(|(_, e)| e == "org@demo.tongxin"), "the organization's login is printed too");
    let g = app.login("guardian@demo.tongxin", api::demo::DEMO_PASSWORD).await;
    assert!(
        app.gql(Some(&g), "{ myHousehold { id } }", json!({})).await["data"]["myHousehold"]["id"].is_string(),
        "the demo guardian has a household"
    );
    let ca = app.login("civil_affairs.520102@demo.tongxin", api::demo::DEMO_PASSWORD).await;
    let s = app
        .gql(
            Some(&ca),
            "{ statistics(regionCode: \"520102\"){ childrenInScope requests { status count } keyCareByRiskLevel { key count } } }",
            json!({}),
        )
        .await;
    let st = &s["data"]["statistics"];
    assert!(st["childrenInScope"].as_i64().unwrap_or(0) >= 30, "{s}");
    let statuses: std::collections::BTreeSet<&str> =
        st["requests"].as_array().expect("requests").iter().filter_map(|r| r["status"].as_str()).collect();
    for s in ["routed", "claimed", "needs_info", "in_progress", "resolved_granted", "resolved_rejected", "withdrawn"] {
        assert!(statuses.contains(s), "a request in status {s}: {statuses:?}");
    }
    assert!(st["keyCareByRiskLevel"].as_array().is_some_and(|a| a.len() >= 2), "{s}");
    let ledger = app.gql(Some(&ca), LEDGER, json!({"r": "520102"})).await;
    assert!(!ids(&ledger, "keyCareLedger").is_empty());
    let edu = app.login("education.520102@demo.tongxin", api::demo::DEMO_PASSWORD).await;
    let q = app.gql(Some(&edu), "{ queue(first: 5){ edges { node { id status } } } }", json!({})).await;
    assert!(q["data"]["queue"]["edges"].as_array().is_some_and(|e| !e.is_empty()), "{q}");
    let all: i64 = app
        .gql(Some(&ca), "{ statistics(regionCode: \"520102\"){ verification { records } } }", json!({}))
        .await["data"]["statistics"]["verification"]["records"]
        .as_i64()
        .unwrap_or(0);
    assert!(all >= 50, "a few hundred children across five counties, {all} in 南明区");
    let services = app.gql(None, "{ services { edges { node { sessions { capacity seatsLeft } } } } }", json!({})).await;
    assert_eq!(services["data"]["services"]["edges"].as_array().map(Vec::len), Some(2), "{services}");
}
