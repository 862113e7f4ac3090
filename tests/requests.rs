//! Service requests end to end: a family asks once, the request reaches the one desk that must
//! act, and staff work it within a deadline someone watches.

use api::auth::Role;
use integration_tests::{TestApp, code, field};
use serde_json::{Value, json};

const SUBMIT: &str = "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id status publicStatus kind entitlementCode eligibilityOutcome crossProvince dueAt
  department { code } region { code } history { kind toStatus public note } } }";
const GET: &str = "query($id: ID!){ request(id: $id){ id status publicStatus dueAt overdue escalationLevel resolutionReason assigneeId linkedRequestIds region { code }
  history { kind fromStatus toStatus note public } } }";

fn submit_input(child: &str, entitlement: &str, key: &str) -> Value {
    json!({"i": {"childId": child, "entitlementCode": entitlement, "details": "孩子今年九月上小学", "idempotencyKey": key}})
}

/// A guardian in 南明区 whose child's hukou is `hukou`; returns (guardian token, child id).
async fn family(app: &TestApp, email: &str, hukou: &str) -> (String, String) {
    let g = app.guardian(email).await;
    let child = app.child(&g).born("2019-03-10").hukou(hukou).lives_in("520102").await;
    (g, child)
}

async fn education_staff(app: &TestApp, email: &str, region: &str) -> String {
    app.staff(email, Role::DepartmentStaff, Some("education"), region).await
}

fn id(v: &Value, op: &str) -> String {
    v["data"][op]["id"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
}

#[tokio::test]
async fn a_request_is_routed_claimed_questioned_answered_and_granted() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "mum@example.org", "520304").await;
    let staff = education_staff(&app, "edu@nanming.gov.cn", "520102").await;

    let r = app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k-1")).await;
    let rid = id(&r, "submitRequest");
    let s = &r["data"]["submitRequest"];
    assert_eq!(s["status"], "ROUTED");
    assert_eq!(s["publicStatus"], "已受理");
    assert_eq!(s["department"]["code"], "education");
    assert_eq!(s["region"]["code"], "520102", "residence county's queue");
    assert!(s["dueAt"].is_string());
    assert!(app.emails_to("mum@example.org").await.iter().any(|m| m.contains("已受理")));

    let queue = app.gql(Some(&staff), "{ queue { edges { node { id status eligibilityOutcome } } } }", json!({})).await;
    assert_eq!(queue["data"]["queue"]["edges"][0]["node"]["id"], rid.as_str(), "{queue}");

    let claimed = app.gql(Some(&staff), "mutation($id: ID!){ claimRequest(id: $id){ status } }", json!({"id": rid})).await;
    assert_eq!(claimed["data"]["claimRequest"]["status"], "CLAIMED", "{claimed}");
    let due_before = app.gql(Some(&g), GET, json!({"id": rid})).await["data"]["request"]["dueAt"].clone();

    let asked = app
        .gql(Some(&staff), "mutation($id: ID!){ askForInformation(id: $id, message: \"请上传居住证照片\"){ status } }", json!({"id": rid}))
        .await;
    assert_eq!(asked["data"]["askForInformation"]["status"], "NEEDS_INFO");
    app.state.clock.advance(chrono::Duration::days(3)); // the family takes three days
    let answered =
        app.gql(Some(&g), "mutation($id: ID!){ answerRequest(id: $id, message: \"已上传\"){ status dueAt } }", json!({"id": rid})).await;
    assert_eq!(answered["data"]["answerRequest"]["status"], "IN_PROGRESS", "{answered}");
    let due_after = answered["data"]["answerRequest"]["dueAt"].clone();
    let shift = chrono::DateTime::parse_from_rfc3339(due_after.as_str().expect("due")).expect("rfc3339")
        - chrono::DateTime::parse_from_rfc3339(due_before.as_str().expect("due")).expect("rfc3339");
    assert!(
        shift >= chrono::Duration::days(3) && shift < chrono::Duration::days(3) + chrono::Duration::minutes(1),
        "the clock paused: {shift}"
    );

    let done = app
        .gql(
            Some(&staff),
            "mutation($id: ID!){ resolveRequest(id: $id, granted: true, reason: \"已安排至新华路小学\"){ status } }",
            json!({"id": rid}),
        )
        .await;
    assert_eq!(done["data"]["resolveRequest"]["status"], "RESOLVED_GRANTED");
    let seen = app.gql(Some(&g), GET, json!({"id": rid})).await;
    let kinds: Vec<&str> =
        seen["data"]["request"]["history"].as_array().expect("history").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["submitted", "claimed", "asked_for_information", "answered", "resolved"]);
    let mails = app.emails_to("mum@example.org").await;
    assert!(mails.iter().any(|m| m.contains("请上传居住证照片")), "the question reaches the family");
    assert!(mails.iter().any(|m| m.contains("已办结（同意）")));
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_cites_the_rule() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "r@example.org", "520304").await;
    let staff = education_staff(&app, "edu2@nanming.gov.cn", "520102").await;
    let rid = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k")).await, "submitRequest");
    app.gql(Some(&staff), "mutation($id: ID!){ claimRequest(id: $id){ status } }", json!({"id": rid})).await;
    let empty = app
        .gql(Some(&staff), "mutation($id: ID!){ resolveRequest(id: $id, granted: false, reason: \" \"){ status } }", json!({"id": rid}))
        .await;
    assert_eq!((code(&empty), field(&empty)), ("VALIDATION", "reason"));
    app.gql(
        Some(&staff),
        "mutation($id: ID!){ resolveRequest(id: $id, granted: false, reason: \"学位已满，已登记候补\"){ status } }",
        json!({"id": rid}),
    )
    .await;
    let seen = app.gql(Some(&g), GET, json!({"id": rid})).await;
    let reason = seen["data"]["request"]["resolutionReason"].as_str().unwrap_or_default();
    assert!(reason.contains("学位已满") && reason.contains("(四)"), "{reason}");
}

#[tokio::test]
async fn a_retried_submission_returns_the_same_request_and_a_second_open_one_conflicts() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "retry@example.org", "520304").await;
    let tasks: Vec<_> = (0..5).map(|_| app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "same-key"))).collect();
    let ids: Vec<String> = futures::future::join_all(tasks).await.iter().map(|r| id(r, "submitRequest")).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    let other = app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "another-key")).await;
    assert_eq!(code(&other), "CONFLICT");
    let mine = app.gql(Some(&g), "{ myRequests { edges { node { id } } } }", json!({})).await;
    assert_eq!(mine["data"]["myRequests"]["edges"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn two_staff_claiming_at_once_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "c@example.org", "520304").await;
    let a = education_staff(&app, "a@nanming.gov.cn", "520102").await;
    let b = education_staff(&app, "b@nanming.gov.cn", "520102").await;
    let rid = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k")).await, "submitRequest");
    let q = "mutation($id: ID!){ claimRequest(id: $id){ status } }";
    let (ra, rb) = tokio::join!(app.gql(Some(&a), q, json!({"id": rid})), app.gql(Some(&b), q, json!({"id": rid})));
    let mut codes = [code(&ra).to_owned(), code(&rb).to_owned()];
    codes.sort();
    assert_eq!(codes, ["<no error>".to_owned(), "CONFLICT".to_owned()], "{ra} {rb}");
}

#[tokio::test]
async fn another_department_another_county_and_another_household_get_not_found() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "own@example.org", "520304").await;
    let rid = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k")).await, "submitRequest");
    let housing = app.staff("h@nanming.gov.cn", Role::DepartmentStaff, Some("housing"), "520102").await;
    let huaxi = education_staff(&app, "edu@huaxi.gov.cn", "520111").await;
    let stranger = app.guardian("stranger@example.org").await;
    for token in [&housing, &huaxi, &stranger] {
        assert_eq!(code(&app.gql(Some(token), GET, json!({"id": rid})).await), "NOT_FOUND");
        assert_eq!(code(&app.gql(Some(token), "mutation($id: ID!){ claimRequest(id: $id){ id } }", json!({"id": rid})).await), "NOT_FOUND");
    }
    let q = app.gql(Some(&huaxi), "{ queue { edges { node { id } } } }", json!({})).await;
    assert_eq!(q["data"]["queue"]["edges"].as_array().map(Vec::len), Some(0));
    // The prefecture's education bureau sees the county's queue.
    let city = education_staff(&app, "edu@guiyang.gov.cn", "520100").await;
    assert!(app.gql(Some(&city), GET, json!({"id": rid})).await["errors"].is_null());
}

#[tokio::test]
async fn internal_comments_never_reach_the_family_and_public_ones_are_emailed() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "cm@example.org", "520304").await;
    let staff = education_staff(&app, "cm@nanming.gov.cn", "520102").await;
    let rid = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k")).await, "submitRequest");
    let c = "mutation($id: ID!, $b: String!, $i: Boolean!){ commentOnRequest(id: $id, body: $b, internal: $i){ id } }";
    app.gql(Some(&staff), c, json!({"id": rid, "b": "家长情绪激动，注意沟通", "i": true})).await;
    app.gql(Some(&staff), c, json!({"id": rid, "b": "我们已联系学校", "i": false})).await;
    let seen = app.gql(Some(&g), GET, json!({"id": rid})).await.to_string();
    assert!(!seen.contains("情绪激动"), "internal comment leaked: {seen}");
    assert!(seen.contains("我们已联系学校"));
    let mails = app.emails_to("cm@example.org").await.join("\n");
    assert!(mails.contains("我们已联系学校") && !mails.contains("情绪激动"));
    let staff_view = app.gql(Some(&staff), GET, json!({"id": rid})).await.to_string();
    assert!(staff_view.contains("情绪激动"));
}

#[tokio::test]
async fn a_transfer_moves_the_request_with_its_history_within_the_policy_only() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "t@example.org", "520304").await;
    let nanming = education_staff(&app, "t1@nanming.gov.cn", "520102").await;
    let yunyan = education_staff(&app, "t2@yunyan.gov.cn", "520103").await;
    let rid = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k")).await, "submitRequest");
    let t = "mutation($id: ID!, $d: String!, $r: String!){ transferRequest(id: $id, departmentCode: $d, regionCode: $r, reason: \"实际居住在云岩区\"){ status region { code } } }";
    let refused = app.gql(Some(&nanming), t, json!({"id": rid, "d": "housing", "r": "520103"})).await;
    assert_eq!(code(&refused), "VALIDATION", "housing does not handle school places: {refused}");
    let moved = app.gql(Some(&nanming), t, json!({"id": rid, "d": "education", "r": "520103"})).await;
    assert_eq!(moved["data"]["transferRequest"]["region"]["code"], "520103", "{moved}");
    assert_eq!(code(&app.gql(Some(&nanming), GET, json!({"id": rid})).await), "NOT_FOUND", "it left the old queue");
    let there = app.gql(Some(&yunyan), GET, json!({"id": rid})).await;
    let kinds = there["data"]["request"]["history"].to_string();
    assert!(kinds.contains("submitted") && kinds.contains("transferred"), "history travels: {there}");
    assert!(app.emails_to("t2@yunyan.gov.cn").await.iter().any(|m| m.contains("transferred to your queue")));
}

#[tokio::test]
async fn the_family_withdraws_before_resolution_only() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "w@example.org", "520304").await;
    let rid = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k")).await, "submitRequest");
    let w = app.gql(Some(&g), "mutation($id: ID!){ withdrawRequest(id: $id){ status } }", json!({"id": rid})).await;
    assert_eq!(w["data"]["withdrawRequest"]["status"], "WITHDRAWN");
    assert_eq!(code(&app.gql(Some(&g), "mutation($id: ID!){ withdrawRequest(id: $id){ status } }", json!({"id": rid})).await), "CONFLICT");
    // A new request may be filed once the first is closed.
    assert!(app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k2")).await["errors"].is_null());
}

#[tokio::test]
async fn a_hukou_in_another_guizhou_county_opens_a_linked_coordination_task_there() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "co@example.org", "520304").await;
    let bozhou = app.staff("ca@bozhou.gov.cn", Role::CivilAffairs, None, "520304").await;
    let r = app.gql(Some(&g), SUBMIT, submit_input(&child, "dibao_hukou", "k")).await;
    let rid = id(&r, "submitRequest");
    assert_eq!(r["data"]["submitRequest"]["region"]["code"], "520102");
    let q = app.gql(Some(&bozhou), "{ queue { edges { node { id kind linkedRequestIds } } } }", json!({})).await;
    let task = &q["data"]["queue"]["edges"][0]["node"];
    assert_eq!(task["kind"], "coordination", "{q}");
    let seen = app.gql(Some(&bozhou), GET, json!({"id": task["id"]})).await;
    assert_eq!(seen["data"]["request"]["linkedRequestIds"][0], rid.as_str());
}

#[tokio::test]
async fn a_hukou_in_another_province_carries_a_cross_province_step_at_the_residence() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "xp@example.org", "430102").await;
    let r = app.gql(Some(&g), SUBMIT, submit_input(&child, "dibao_hukou", "k")).await;
    assert_eq!(r["data"]["submitRequest"]["crossProvince"], true, "{r}");
    assert_eq!(r["data"]["submitRequest"]["region"]["code"], "520102");
    assert!(r["data"]["submitRequest"]["history"].to_string().contains("cross_province_step"));
    // (三) names 跨省通办 only for orphan recognition and the disability subsidies (issue 20).
    assert!(!r["data"]["submitRequest"]["history"].to_string().contains("跨省通办"), "{r}");
}

#[tokio::test]
async fn a_breached_deadline_warns_then_escalates_one_level_up() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "late@example.org", "520304").await;
    let county = education_staff(&app, "slow@nanming.gov.cn", "520102").await;
    let city = education_staff(&app, "boss@guiyang.gov.cn", "520100").await;
    let rid = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k")).await, "submitRequest");
    app.gql(Some(&county), "mutation($id: ID!){ claimRequest(id: $id){ id } }", json!({"id": rid})).await;

    // Past 75 % of 20 working days whatever the weekday and hour the suite runs at (from a
    // Thursday afternoon, 21 days fell an hour short of it).
    app.state.clock.advance(chrono::Duration::days(22));
    let (warned, escalated) = api::services::requests::run_deadlines(&app.state).await.expect("job");
    assert_eq!((warned, escalated), (1, 0));
    assert!(app.emails_to("slow@nanming.gov.cn").await.iter().any(|m| m.contains("is due on")));
    // Twice is once.
    assert_eq!(api::services::requests::run_deadlines(&app.state).await.expect("job"), (0, 0));

    app.state.clock.advance(chrono::Duration::days(14));
    let (_, escalated) = api::services::requests::run_deadlines(&app.state).await.expect("job");
    assert_eq!(escalated, 1);
    let seen = app.gql(Some(&city), GET, json!({"id": rid})).await;
    assert_eq!(seen["data"]["request"]["region"]["code"], "520100", "{seen}");
    assert_eq!(seen["data"]["request"]["escalationLevel"], 1);
    assert!(seen["data"]["request"]["history"].to_string().contains("escalated"));
    assert!(app.emails_to("boss@guiyang.gov.cn").await.iter().any(|m| m.contains("escalated")));
    let overdue = app.gql(Some(&county), "{ queueStats { regionCode overdue byStatus { status count } } }", json!({})).await;
    assert!(overdue["errors"].is_null(), "{overdue}");
}

#[tokio::test]
async fn queue_pages_are_keyset_ordered_by_due_time() {
    let app = TestApp::spawn().await;
    let staff = education_staff(&app, "p@nanming.gov.cn", "520102").await;
    for i in 0..5 {
        let (g, child) = family(&app, &format!("p{i}@example.org"), "520304").await;
        app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k")).await;
    }
    let q = "query($a: String){ queue(first: 2, after: $a){ edges { node { id dueAt } } pageInfo { hasNextPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app.gql(Some(&staff), q, json!({"a": after})).await;
        for e in page["data"]["queue"]["edges"].as_array().expect("edges") {
            seen.push(e["node"]["id"].as_str().expect("id").to_owned());
        }
        if page["data"]["queue"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["data"]["queue"]["pageInfo"]["endCursor"].clone();
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (5, 5));
}

#[tokio::test]
async fn withdrawing_consent_withdraws_open_requests_and_blocks_new_ones_but_keeps_decided_ones() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "consent@example.org", "520304").await;
    let staff = education_staff(&app, "cs@nanming.gov.cn", "520102").await;
    let decided = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "education_aid", "k1")).await, "submitRequest");
    app.gql(Some(&staff), "mutation($id: ID!){ claimRequest(id: $id){ id } }", json!({"id": decided})).await;
    app.gql(
        Some(&staff),
        "mutation($id: ID!){ resolveRequest(id: $id, granted: true, reason: \"同意资助\"){ id } }",
        json!({"id": decided}),
    )
    .await;
    let open = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k2")).await, "submitRequest");

    let consents = app.gql(Some(&g), "{ myHousehold { consents { id purpose } } }", json!({})).await;
    let cid = consents["data"]["myHousehold"]["consents"][0]["id"].as_str().unwrap_or_else(|| panic!("{consents}")).to_owned();
    let w = app.gql(Some(&g), "mutation($id: ID!){ withdrawConsent(id: $id){ id } }", json!({"id": cid})).await;
    assert!(w["errors"].is_null(), "{w}");

    let open_now = app.gql(Some(&g), GET, json!({"id": open})).await;
    assert_eq!(open_now["data"]["request"]["status"], "WITHDRAWN", "{open_now}");
    assert!(open_now["data"]["request"]["history"].to_string().contains("consent withdrawn"));
    let kept = app.gql(Some(&g), GET, json!({"id": decided})).await;
    assert_eq!(kept["data"]["request"]["status"], "RESOLVED_GRANTED");
    let again = app.gql(Some(&g), SUBMIT, submit_input(&child, "school_enrolment", "k3")).await;
    assert_eq!(code(&again), "CONFLICT", "{again}");
}

#[tokio::test]
async fn fragments_aliases_and_directives_give_the_same_request_as_plain_fields() {
    let app = TestApp::spawn().await;
    // A coordination task links the two requests, so lists and nested objects are all non-empty.
    let (g, child) = family(&app, "frag@example.org", "520304").await;
    let staff = app.staff("frag@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let rid = id(&app.gql(Some(&g), SUBMIT, submit_input(&child, "dibao_hukou", "frag")).await, "submitRequest");
    app.gql(Some(&staff), "mutation($id: ID!){ claimRequest(id: $id){ id } }", json!({"id": rid})).await;

    // Every field of `ServiceRequest` from introspection, as plain selections (the hand-resolved
    // path), so a field added to the type is compared too.
    let all_fields = format!("__typename {}", app.every_field("ServiceRequest").await);
    let plain = format!("query($id: ID!){{ request(id: $id){{ {all_fields} }} }}");
    let fancy = format!(
        "query($id: ID!, $yes: Boolean!){{ request(id: $id){{ ...All kind @include(if: $yes) }} }} fragment All on ServiceRequest {{ {all_fields} }}"
    );
    let a = app.gql(Some(&staff), &plain, json!({"id": rid})).await;
    let b = app.gql(Some(&staff), &fancy, json!({"id": rid, "yes": true})).await;
    assert!(a["errors"].is_null() && b["errors"].is_null(), "{a} {b}");
    let map = |v: &Value| -> std::collections::BTreeMap<String, Value> { v.as_object().expect("object").clone().into_iter().collect() };
    let (ra, rb) = (&a["data"]["request"], &b["data"]["request"]);
    assert_eq!(map(ra), map(rb));
    assert_eq!(ra["__typename"], "ServiceRequest");
    assert_eq!(ra["status"], "CLAIMED");
    assert!(ra["history"].as_array().is_some_and(|h| h.len() >= 2), "{ra}");
    assert!(ra["linkedRequestIds"].as_array().is_some_and(|l| !l.is_empty()), "{ra}");

    // The queue's list entries agree the same way, and aliases name the keys.
    let q = |sel: &str| format!("{{ queue {{ edges {{ node {{ {sel} }} }} }} }}");
    let qa = app.gql(Some(&staff), &q(&all_fields), json!({})).await;
    let qb = app.gql(Some(&staff), &format!("{} fragment All on ServiceRequest {{ {all_fields} }}", q("...All")), json!({})).await;
    let (na, nb) = (&qa["data"]["queue"]["edges"][0]["node"], &qb["data"]["queue"]["edges"][0]["node"]);
    assert!(na.is_object(), "{qa}");
    assert_eq!(map(na), map(nb));
    let aliased = app.gql(Some(&staff), &q("i: id s: status"), json!({})).await;
    let n = &aliased["data"]["queue"]["edges"][0]["node"];
    assert_eq!((&n["i"], &n["s"]), (&na["id"], &na["status"]), "{aliased}");
    assert!(n.get("id").is_none(), "aliases name the keys");

    // The page around the requests agrees too: edges, cursors and page info filled by hand, or
    // through fragments on the connection or the edge (the generic path).
    let page = "__typename edges { __typename cursor node { id status } } pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }";
    let pa = app.gql(Some(&staff), &format!("{{ queue(first: 1) {{ {page} }} }}"), json!({})).await;
    let pb = app
        .gql(Some(&staff), &format!("{{ queue(first: 1) {{ ...P }} }} fragment P on ServiceRequestConnection {{ {page} }}"), json!({}))
        .await;
    let edge = "{ queue(first: 1) { edges { ...E } } } fragment E on ServiceRequestEdge { cursor node { id } }";
    let pc = app.gql(Some(&staff), edge, json!({})).await;
    assert!(pa["errors"].is_null() && pb["errors"].is_null() && pc["errors"].is_null(), "{pa} {pb} {pc}");
    let (by_hand, generic) = (&pa["data"]["queue"], &pb["data"]["queue"]);
    assert_eq!(by_hand, generic);
    assert_eq!(by_hand["__typename"], "ServiceRequestConnection");
    assert_eq!(by_hand["edges"][0]["__typename"], "ServiceRequestEdge");
    assert_eq!(by_hand["edges"][0]["node"]["id"], rid.as_str());
    assert_eq!(by_hand["pageInfo"]["startCursor"], by_hand["edges"][0]["cursor"], "{by_hand}");
    assert_eq!(pc["data"]["queue"]["edges"][0]["cursor"], by_hand["edges"][0]["cursor"]);
}
