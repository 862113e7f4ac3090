//! A county education clerk works the queue in the browser: a guardian's request (submitted
//! through the API) appears live, is claimed, questioned, answered and granted; the family sees
//! the public history only; a clerk of another county never sees it.

use api::auth::Role;
use integration_tests::TestApp;
use serde_json::json;

use super::browser;

const SUBMIT: &str = "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id } }";
const GET: &str = "query($id: ID!){ request(id: $id){ status history { kind note public } } }";

#[tokio::test]
async fn a_clerk_sees_a_request_arrive_live_and_works_it_to_a_decision() {
    let Some(b) = browser::open("a_clerk_sees_a_request_arrive_live_and_works_it_to_a_decision").await else { return };
    let app = TestApp::spawn().await;
    let g = app.guardian("mum@example.org").await;
    let child = app.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    app.staff("edu@yunyan.gov.cn", Role::DepartmentStaff, Some("education"), "520103").await;

    // Chinese by default; the queue is empty and subscribed.
    b.sign_in(&app, "edu@nanming.gov.cn", "").await;
    b.text_of("main h1", "待办队列").await;
    b.find("#live-state[data-live=on]").await;
    b.find("#queue[aria-busy=false]").await;

    let r = app
        .gql(Some(&g), SUBMIT, json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "details": "孩子今年九月上小学", "idempotencyKey": "c-1"}}))
        .await;
    let rid = r["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    // No reload: the subscription brings it in, with names rather than codes.
    let row = b.text_of(&format!("tr[data-id='{rid}']"), "南明区").await;
    assert!(row.contains("已分派") && !row.contains("520102") && !row.contains("school_enrolment"), "{row}");
    b.text_of("#queue-stats", "已分派").await;
    b.accessible("queue").await;
    b.screenshots("queue").await;

    b.click(&format!("tr[data-id='{rid}'] a.open")).await;
    // Working days left, as the server counts them on its calendar (school enrolment: 20).
    let clerk = app.login("edu@nanming.gov.cn", integration_tests::PASSWORD).await;
    let left = app.gql(Some(&clerk), "query($id: ID!){ request(id: $id){ workingDaysLeft } }", json!({"id": rid})).await;
    let days = left["data"]["request"]["workingDaysLeft"].as_i64().unwrap_or_else(|| panic!("{left}"));
    assert!(days > 0, "{left}");
    b.text_of("#days-left", &days.to_string()).await;
    b.click("#claim-submit").await;
    b.text_of("#request-status", "已认领").await;
    // A transfer needs a reason; the department and county are offered by name.
    let depts = b.find("#transfer-department").await.text().await.expect("text");
    assert!(depts.contains("教育") && !depts.contains("education"), "{depts}");
    b.click("#transfer-submit").await;
    b.find("#transfer-error[data-code=VALIDATION]").await;

    // A typed error beside the control that caused it, in the user's language.
    b.click("#ask-submit").await;
    b.find("#ask-error[data-code=VALIDATION]").await;
    assert!(!b.find("#ask-error").await.text().await.expect("text").is_empty());
    b.type_into("#ask-message", "请上传居住证照片").await;
    b.click("#ask-submit").await;
    b.text_of("#request-status", "待补充材料").await;
    b.type_into("#comment-body", "内部：与学校核对学位").await;
    b.click("#comment-submit").await;
    b.find("#history li[data-kind=comment][data-public=false]").await;

    let answered =
        app.gql(Some(&g), "mutation($id: ID!){ answerRequest(id: $id, message: \"已上传居住证\"){ status } }", json!({"id": rid})).await;
    assert_eq!(answered["data"]["answerRequest"]["status"], "IN_PROGRESS", "{answered}");
    b.client.refresh().await.expect("reload");
    b.text_of("#history li[data-kind=answered]", "已上传居住证").await;
    b.text_of("#request-status", "办理中").await;

    b.click("#resolve-granted").await;
    b.type_into("#resolve-reason", "已安排至新华路小学").await;
    b.click("#resolve-submit").await;
    b.text_of("#request-status", "已办结（同意）").await;
    b.accessible("request").await;
    b.screenshots("request").await;

    // The family's view: the public history, never the internal comment.
    let seen = app.gql(Some(&g), GET, json!({"id": rid})).await;
    assert_eq!(seen["data"]["request"]["status"], "RESOLVED_GRANTED", "{seen}");
    let history = seen["data"]["request"]["history"].as_array().expect("history");
    assert!(history.iter().all(|e| e["public"] == true), "{seen}");
    assert!(!seen.to_string().contains("与学校核对学位"), "{seen}");
    assert!(history.iter().any(|e| e["note"] == "已上传居住证"));

    // English by a switch that persists across a reload.
    b.find("#lang").await.select_by_value("en").await.expect("switch");
    b.text_of("#request-status", "Granted").await;
    b.client.refresh().await.expect("reload");
    b.text_of("#request-status", "Granted").await;
    b.find("#lang").await.select_by_value("zh-CN").await.expect("switch back");

    // A session that is over returns to sign-in, then to the same page.
    b.client
        .execute(
            "const k = 'tongxin.console.session'; const s = JSON.parse(sessionStorage.getItem(k));
             sessionStorage.setItem(k, JSON.stringify({ ...s, accessToken: 'expired', refreshToken: 'revoked' }));",
            vec![],
        )
        .await
        .expect("expire");
    b.client.refresh().await.expect("reload");
    b.find("#signin").await;
    b.type_into("#signin input[type=email]", "edu@nanming.gov.cn").await;
    b.type_into("#signin input[type=password]", integration_tests::PASSWORD).await;
    b.click("#signin-submit").await;
    b.text_of("#request-status", "已办结（同意）").await;
    assert!(b.client.current_url().await.expect("url").as_str().ends_with(&format!("#/request/{rid}")));

    // Another county's clerk: not in the queue, and the page says not found.
    b.click("#signout").await;
    b.sign_in(&app, "edu@yunyan.gov.cn", "").await;
    b.find("#queue[aria-busy=false]").await;
    assert!(b.client.find(fantoccini::Locator::Css(&format!("tr[data-id='{rid}']"))).await.is_err());
    b.client.goto(&app.url(&format!("/console#/request/{rid}"))).await.expect("goto");
    b.find("#request-error[data-code=NOT_FOUND]").await;
}
