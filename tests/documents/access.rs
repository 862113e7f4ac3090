//! Nobody else sees a family's papers: not another household, not another county's or another
//! department's staff, not a forwarded or forged link, not anyone after the consent is withdrawn.

use api::auth::Role;
use integration_tests::{TestApp, code};
use serde_json::json;

use super::{Store, app_on, doc_id, education, family, files, follow, link, school_request, upload};

async fn only_the_family_and_the_queue_see_a_document(store: Store) {
    let Some(app) = app_on(store, |_| {}).await else { return };
    let (g, child) = family(&app, "mum@example.org").await;
    let rid = school_request(&app, &g, &child).await;
    let doc =
        doc_id(&upload(&app, &g, json!({"childId": child, "requestId": rid, "type": "HUKOU_PAGE"}), files::pdf(), "application/pdf").await);
    let staff = education(&app, "edu@nanming.gov.cn", "520102").await;

    let (other_family, _) = family(&app, "neighbour@example.org").await;
    let other_county = education(&app, "edu@yunyan.gov.cn", "520103").await;
    let other_department = app.staff("health@nanming.gov.cn", Role::DepartmentStaff, Some("health"), "520102").await;
    let director = app.staff("director@nanming.gov.cn", Role::ChildDirector, None, "520102").await;
    for (who, token) in [("another household", &other_family), ("another county", &other_county), ("another department", &other_department)]
    {
        let refused = link(&app, token, &doc, None).await.expect_err(who);
        assert_eq!(code(&refused), "NOT_FOUND", "{who}: {refused}");
        let list = app.gql(Some(token), "query($c: ID!){ childDocuments(childId: $c){ id } }", json!({"c": child})).await;
        assert_eq!(code(&list), "NOT_FOUND", "{who}: {list}");
        let req = app.gql(Some(token), "query($id: ID!){ request(id: $id){ id } }", json!({"id": rid})).await;
        assert_eq!(code(&req), "NOT_FOUND", "{who}");
    }
    // Record staff need a purpose, as for `childRecord`.
    assert_eq!(code(&link(&app, &director, &doc, None).await.expect_err("no purpose")), "NOT_FOUND");
    let url = link(&app, &director, &doc, Some("RECORD_VERIFICATION")).await.expect("with a purpose");
    assert_eq!(follow(&app, &url).await.0, 200);
    let log = app
        .gql(Some(&g), "query($c: ID!){ childAccessLog(childId: $c){ edges { node { actorRole fields purpose } } } }", json!({"c": child}))
        .await;
    assert_eq!(
        log["data"]["childAccessLog"]["edges"][0]["node"],
        json!({"actorRole": "CHILD_DIRECTOR", "fields": ["document:hukou_page"], "purpose": "record_verification"}),
        "{log}"
    );

    // A link works for the viewer it names only: another account's id in it breaks the signature.
    let url = link(&app, &staff, &doc, None).await.expect("staff link");
    let me = app.gql(Some(&staff), "{ me { id } }", json!({})).await["data"]["me"]["id"].as_str().expect("id").to_owned();
    let neighbour = app.gql(Some(&other_family), "{ me { id } }", json!({})).await["data"]["me"]["id"].as_str().expect("id").to_owned();
    assert_eq!(follow(&app, &url.replace(&me, &neighbour)).await.0, 404, "forged viewer");
    assert_eq!(follow(&app, &url.replace("request_handling", "key_care")).await.0, 404, "forged purpose");

    // Links are short-lived.
    app.state.clock.advance(chrono::Duration::seconds(301));
    assert_eq!(follow(&app, &url).await.0, 404, "expired");
}

async fn a_withdrawn_consent_ends_staff_access(store: Store) {
    let Some(app) = app_on(store, |_| {}).await else { return };
    let (g, child) = family(&app, "mum@example.org").await;
    let rid = school_request(&app, &g, &child).await;
    let doc =
        doc_id(&upload(&app, &g, json!({"childId": child, "requestId": rid, "type": "HUKOU_PAGE"}), files::pdf(), "application/pdf").await);
    let staff = education(&app, "edu@nanming.gov.cn", "520102").await;
    let earlier = link(&app, &staff, &doc, None).await.expect("staff link before the withdrawal");

    let consents = app.gql(Some(&g), "{ myHousehold { consents { id } } }", json!({})).await;
    let cid = consents["data"]["myHousehold"]["consents"][0]["id"].as_str().expect("consent").to_owned();
    let w = app.gql(Some(&g), "mutation($id: ID!){ withdrawConsent(id: $id){ id } }", json!({"id": cid})).await;
    assert!(w["errors"].is_null(), "{w}");

    assert_eq!(code(&link(&app, &staff, &doc, None).await.expect_err("after withdrawal")), "NOT_FOUND");
    assert_eq!(follow(&app, &earlier).await.0, 404, "a link issued before the withdrawal stops working");
    let url = link(&app, &g, &doc, None).await.expect("the family keeps its own papers");
    assert_eq!(follow(&app, &url).await.0, 200);
}

on_both_stores!(only_the_family_and_the_queue_see_a_document, a_withdrawn_consent_ends_staff_access);

#[tokio::test]
async fn uploads_need_a_bearer_token_and_a_guardian() {
    let app = TestApp::spawn().await;
    let (_g, child) = family(&app, "mum@example.org").await;
    let form = reqwest::multipart::Form::new()
        .text("operations", json!({"query": super::UPLOAD, "variables": {"i": {"childId": child, "type": "OTHER"}, "f": null}}).to_string())
        .text("map", json!({"0": ["variables.f"]}).to_string())
        .part("0", reqwest::multipart::Part::bytes(files::pdf()).file_name("a.pdf"));
    let r = app.http().post(app.url("/graphql")).multipart(form).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 415, "a cross-site form cannot upload");
    let v: serde_json::Value = r.json().await.expect("a GraphQL error body");
    assert_eq!((code(&v), integration_tests::field(&v)), ("VALIDATION", "contentType"), "{v}");
    assert_eq!(super::count(&app, "documents").await, 0);
    let staff = education(&app, "edu@nanming.gov.cn", "520102").await;
    let r = upload(&app, &staff, json!({"childId": child, "type": "OTHER"}), files::pdf(), "application/pdf").await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let (other, _) = family(&app, "neighbour@example.org").await;
    let r = upload(&app, &other, json!({"childId": child, "type": "OTHER"}), files::pdf(), "application/pdf").await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
}
