//! The key-care ledger: risk levels by rubric, who sees it, care measures and their escalation (measure (二)).

use api::auth::Role;
use chrono::Duration;
use integration_tests::{code, field, fixtures::id_number};
use serde_json::json;

use super::scenario::*;

#[tokio::test]
async fn the_rubric_gives_each_level_and_stale_or_invalid_assessments_change_nothing() {
    let app = app().await;
    let g = app.guardian("rubric@example.org").await;
    let child = app.child(&g).born("2015-06-01").hukou("520304").lives_in("520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let added = app.gql(Some(&ca), ADD, json!({"c": child, "r": ["FAMILY_HARDSHIP", "GUARDIANSHIP_ABSENT"]})).await;
    assert_eq!(added["data"]["addToKeyCare"]["version"], 1, "{added}");
    assert_eq!(added["data"]["addToKeyCare"]["inScope"], true);
    assert!(added["data"]["addToKeyCare"]["riskLevel"].is_null());
    assert_eq!(code(&app.gql(Some(&ca), ADD, json!({"c": child, "r": ["VAGRANCY"]})).await), "CONFLICT", "one entry per child");

    let mut version = 1;
    for (levels, level, score) in [([0, 0, 0, 0, 0], "LOW", 0), ([1, 1, 0, 0, 0], "MEDIUM", 5), ([2, 2, 0, 0, 0], "HIGH", 10)] {
        let r = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": version, "answers": answers(levels)}})).await;
        assert_eq!(r["data"]["assessRisk"]["riskLevel"], level, "{r}");
        assert_eq!(r["data"]["assessRisk"]["riskScore"], score);
        version += 1;
    }
    let missing = json!({"c": child, "i": {"expectedVersion": version, "answers": answers([0, 0, 0, 0, 0]).as_array().expect("a")[..4]}});
    let r = app.gql(Some(&ca), ASSESS, missing).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "input.answers.safety"));
    let r = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": version, "answers": answers([0, 9, 0, 0, 0])}})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "input.answers.family_hardship"));
    let r = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": 1, "answers": answers([0, 0, 0, 0, 0])}})).await;
    assert_eq!(code(&r), "CONFLICT", "a stale version");
    let entry = app
        .gql(
            Some(&ca),
            "query($c: ID!){ keyCareEntry(childId: $c){ version riskLevel assessments { level score rubricVersion } } }",
            json!({"c": child}),
        )
        .await;
    assert_eq!(entry["data"]["keyCareEntry"]["version"], version, "nothing changed: {entry}");
    assert_eq!(entry["data"]["keyCareEntry"]["riskLevel"], "HIGH");
    let kept: Vec<&str> =
        entry["data"]["keyCareEntry"]["assessments"].as_array().expect("a").iter().map(|a| a["level"].as_str().unwrap_or("")).collect();
    assert_eq!(kept, ["HIGH", "MEDIUM", "LOW"], "every assessment is kept, newest first");
    assert_eq!(entry["data"]["keyCareEntry"]["assessments"][0]["rubricVersion"], "key-care-2025.1");
    // A director follows children but does not assess them; a guardian sees no ledger.
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102").await;
    assert_eq!(
        code(&app.gql(Some(&director), ASSESS, json!({"c": child, "i": {"expectedVersion": version, "answers": answers([0; 5])}})).await),
        "FORBIDDEN"
    );
    assert_eq!(code(&app.gql(Some(&g), LEDGER, json!({"r": "520102"})).await), "FORBIDDEN");
}

#[tokio::test]
async fn two_concurrent_assessments_of_one_entry_give_one_conflict() {
    let app = app().await;
    let g = app.guardian("race@example.org").await;
    let child = app.child(&g).born("2015-06-01").hukou("520304").lives_in("520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let sup = app.staff("sup@nanming.gov.cn", Role::ChildSupervisor, None, "520102").await;
    app.gql(Some(&ca), ADD, json!({"c": child, "r": ["DISABILITY"]})).await;
    let a = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": 1, "answers": answers([1, 0, 0, 0, 0])}}));
    let b = app.gql(Some(&sup), ASSESS, json!({"c": child, "i": {"expectedVersion": 1, "answers": answers([2, 2, 0, 0, 0])}}));
    let (a, b) = tokio::join!(a, b);
    let codes = [code(&a), code(&b)];
    assert_eq!(codes.iter().filter(|c| **c == "CONFLICT").count(), 1, "{a} {b}");
    assert_eq!(codes.iter().filter(|c| **c == "<no error>").count(), 1, "{a} {b}");
    let entry = app.gql(Some(&ca), "query($c: ID!){ keyCareEntry(childId: $c){ version assessments { id } } }", json!({"c": child})).await;
    assert_eq!(entry["data"]["keyCareEntry"]["version"], 2);
    assert_eq!(entry["data"]["keyCareEntry"]["assessments"].as_array().map(Vec::len), Some(1), "the loser wrote nothing");
}

#[tokio::test]
async fn a_high_risk_assessment_gives_the_childs_open_request_priority_and_a_shorter_deadline() {
    let app = app().await;
    let g = app.guardian("risk@example.org").await;
    let child = app.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let input = json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "details": "入学", "idempotencyKey": "r1"}});
    let before = app.gql(Some(&g), SUBMIT, input).await;
    let rid = before["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{before}")).to_owned();
    let due_before = chrono::DateTime::parse_from_rfc3339(before["data"]["submitRequest"]["dueAt"].as_str().expect("due")).expect("time");
    assert_eq!(before["data"]["submitRequest"]["priority"], 0);

    app.gql(Some(&ca), ADD, json!({"c": child, "r": ["GUARDIANSHIP_ABSENT"]})).await;
    let r = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": 1, "answers": answers([2, 2, 0, 0, 0])}})).await;
    assert_eq!(r["data"]["assessRisk"]["riskLevel"], "HIGH", "{r}");

    let after = app.gql(Some(&edu), STAFF_GET, json!({"id": rid})).await;
    assert_eq!(after["data"]["request"]["priority"], 1, "{after}");
    let due_after = chrono::DateTime::parse_from_rfc3339(after["data"]["request"]["dueAt"].as_str().expect("due")).expect("time");
    assert!(due_after < due_before, "the deadline is shorter: {due_before} → {due_after}");
    assert!(after["data"]["request"]["history"].to_string().contains("priority_raised"));
    let family_view = app.gql(Some(&g), STAFF_GET, json!({"id": rid})).await;
    assert!(!family_view["data"]["request"]["history"].to_string().contains("priority_raised"), "the risk label is internal");

    // A request filed after the assessment starts with the shorter deadline.
    let later = app
        .gql(
            Some(&g),
            SUBMIT,
            json!({"i": {"childId": child, "entitlementCode": "education_aid", "details": "资助", "idempotencyKey": "r2"}}),
        )
        .await;
    assert_eq!(later["data"]["submitRequest"]["priority"], 1, "{later}");
}

#[tokio::test]
async fn the_ledger_is_seen_only_inside_the_township_and_outside_scope_only_on_the_familys_request() {
    let app = app().await;
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let sup_xinhua = app.staff("sup@xinhua.gov.cn", Role::ChildSupervisor, None, "520102016").await;
    let sup_xihu = app.staff("sup@xihu.gov.cn", Role::ChildSupervisor, None, "520102017").await;
    let today = app.state.clock.today().to_string();
    let r = app
        .gql(
            Some(&director),
            REGISTER_SCREENED,
            json!({"i": screened_child("王小花", &id_number("520304", "20160402", "128")), "c": paper(&today)}),
        )
        .await;
    let child = r["data"]["registerScreenedChild"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    let added = app.gql(Some(&sup_xinhua), ADD, json!({"c": child, "r": ["VAGRANCY"]})).await;
    assert!(added["errors"].is_null(), "{added}");

    assert_eq!(ids(&app.gql(Some(&sup_xinhua), LEDGER, json!({"r": "520102016"})).await, "keyCareLedger"), vec![child.clone()]);
    assert_eq!(code(&app.gql(Some(&sup_xihu), LEDGER, json!({"r": "520102016"})).await), "NOT_FOUND");
    assert!(ids(&app.gql(Some(&sup_xihu), LEDGER, json!({"r": "520102017"})).await, "keyCareLedger").is_empty());
    let entry = "query($c: ID!){ keyCareEntry(childId: $c){ id } }";
    assert_eq!(code(&app.gql(Some(&sup_xihu), entry, json!({"c": child})).await), "NOT_FOUND");
    assert_eq!(code(&app.gql(Some(&sup_xihu), ADD, json!({"c": child, "r": ["VAGRANCY"]})).await), "NOT_FOUND");

    // A cross-township move inside 南明区 is outside the migrant-children scope.
    let g = app.guardian("local@example.org").await;
    let local = app.child(&g).born("2017-01-01").hukou("520102").lives_in("520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let r = app.gql(Some(&ca), ADD, json!({"c": local, "r": ["FAMILY_HARDSHIP"]})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "reasons"));
    let r = app.gql(Some(&ca), ADD, json!({"c": local, "r": ["FAMILY_HARDSHIP", "FAMILY_REQUEST"]})).await;
    assert_eq!(r["data"]["addToKeyCare"]["inScope"], false, "{r}");
    let r = app.gql(Some(&ca), ADD, json!({"c": child, "r": []})).await;
    assert_eq!(code(&r), "VALIDATION");
}

#[tokio::test]
async fn a_care_measure_reaches_its_department_and_escalates_when_overdue() {
    let app = app().await;
    let g = app.guardian("measure@example.org").await;
    let child = app.child(&g).born("2015-06-01").hukou("520304").lives_in("520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let health = app.staff("health@nanming.gov.cn", Role::DepartmentStaff, Some("health"), "520102").await;
    let city = app.staff("edu@guiyang.gov.cn", Role::DepartmentStaff, Some("education"), "520100").await;
    app.gql(Some(&ca), ADD, json!({"c": child, "r": ["PSYCHOLOGICAL_OR_BEHAVIOURAL"]})).await;
    let assign = "mutation($i: CareMeasureInput!){ assignCareMeasure(input: $i){ id status dueAt answerableRegion { code } } }";
    let due = (app.state.clock.today() + Duration::days(7)).to_string();
    let bad = json!({"i": {"childId": child, "departmentCode": "education", "townshipCode": "520103001", "description": "心理辅导", "dueOn": due}});
    assert_eq!(field(&app.gql(Some(&ca), assign, bad).await), "input.townshipCode");
    let past = json!({"i": {"childId": child, "departmentCode": "education", "townshipCode": "520102016", "description": "心理辅导", "dueOn": "2020-01-01"}});
    assert_eq!(field(&app.gql(Some(&ca), assign, past).await), "input.dueOn");
    let ok = json!({"i": {"childId": child, "departmentCode": "education", "townshipCode": "520102016", "description": "学校心理老师每周辅导", "dueOn": due}});
    let m = app.gql(Some(&ca), assign, ok).await;
    let mid = m["data"]["assignCareMeasure"]["id"].as_str().unwrap_or_else(|| panic!("{m}")).to_owned();
    assert!(!app.emails_to("edu@nanming.gov.cn").await.is_empty(), "the department is told");

    let mine = app.gql(Some(&edu), "{ careMeasures { id } }", json!({})).await;
    assert_eq!(mine["data"]["careMeasures"][0]["id"], mid, "{mine}");
    assert_eq!(app.gql(Some(&health), "{ careMeasures { id } }", json!({})).await["data"]["careMeasures"], json!([]));
    let follow = "mutation($m: ID!, $n: String!, $d: Boolean!){ recordCareFollowUp(measureId: $m, note: $n, done: $d){ status followUps { kind note } } }";
    assert_eq!(code(&app.gql(Some(&health), follow, json!({"m": mid, "n": "x", "d": false})).await), "NOT_FOUND");
    let f = app.gql(Some(&edu), follow, json!({"m": mid, "n": "已安排心理老师", "d": false})).await;
    assert_eq!(f["data"]["recordCareFollowUp"]["followUps"][0]["kind"], "note", "{f}");

    app.state.clock.advance(Duration::days(9));
    assert_eq!(api::services::key_care::escalate_overdue(&app.state).await.expect("job"), 1);
    assert_eq!(api::services::key_care::escalate_overdue(&app.state).await.expect("job"), 0, "once");
    let entry = app
        .gql(Some(&ca), "query($c: ID!){ keyCareEntry(childId: $c){ measures { answerableRegion { code } escalationLevel overdue followUps { kind } } } }", json!({"c": child}))
        .await;
    let m = &entry["data"]["keyCareEntry"]["measures"][0];
    assert_eq!(m["answerableRegion"]["code"], "520102", "township → county: {entry}");
    assert_eq!(m["escalationLevel"], 1);
    assert_eq!(m["overdue"], false, "a new due time at the new level");
    assert!(m["followUps"].to_string().contains("escalated"));
    // Still not done a week later: the prefecture's education bureau answers for it.
    app.state.clock.advance(Duration::days(10));
    assert_eq!(api::services::key_care::escalate_overdue(&app.state).await.expect("job"), 1);
    let entry = app
        .gql(
            Some(&ca),
            "query($c: ID!){ keyCareEntry(childId: $c){ measures { answerableRegion { code } escalationLevel } } }",
            json!({"c": child}),
        )
        .await;
    assert_eq!(entry["data"]["keyCareEntry"]["measures"][0]["answerableRegion"]["code"], "520100", "county → prefecture: {entry}");
    assert!(app.emails_to("edu@guiyang.gov.cn").await.iter().any(|m| m.contains("escalated")), "the prefecture is told");
    let seen = app.gql(Some(&city), "{ careMeasures { id escalationLevel } }", json!({})).await;
    assert_eq!(seen["data"]["careMeasures"][0]["escalationLevel"], 2, "{seen}");
    let done = app.gql(Some(&edu), follow, json!({"m": mid, "n": "辅导完成", "d": true})).await;
    assert_eq!(done["data"]["recordCareFollowUp"]["status"], "DONE", "{done}");
    assert_eq!(code(&app.gql(Some(&edu), follow, json!({"m": mid, "n": "again", "d": true})).await), "CONFLICT");
}
