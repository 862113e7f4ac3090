//! A family sends papers with a request; the caseworker opens, reviews and asks again.

use integration_tests::TestApp;
use serde_json::json;

use super::{Store, app_on, doc_id, education, family, files, follow, link, object_keys, school_request, upload};

const REQUEST_DOCS: &str = "query($id: ID!){ request(id: $id){ newDocuments missingDocuments { type nameZh nameEn }
  documents { id type status reviewNote sizeBytes contentType uploadedBy uploadedAt } } }";

async fn access_log(app: &TestApp, token: &str, child: &str) -> Vec<(String, String)> {
    let r = app
        .gql(Some(token), "query($c: ID!){ childAccessLog(childId: $c){ edges { node { fields purpose } } } }", json!({"c": child}))
        .await;
    r["data"]["childAccessLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|e| {
            (e["node"]["fields"][0].as_str().unwrap_or_default().to_owned(), e["node"]["purpose"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

async fn a_photo_reaches_the_caseworker_without_its_location(store: Store) {
    let Some(app) = app_on(store, |_| {}).await else { return };
    let (g, child) = family(&app, "mum@example.org").await;
    let rid = school_request(&app, &g, &child).await;
    let staff = education(&app, "edu@nanming.gov.cn", "520102").await;
    let photo = files::photo_with_location(1);
    assert!(files::latitude(&photo).is_some(), "the fixture carries a location");

    let up = upload(&app, &g, json!({"childId": child, "requestId": rid, "type": "RESIDENCE_PERMIT"}), photo.clone(), "image/jpeg").await;
    let doc = doc_id(&up);
    let d = &up["data"]["uploadDocument"];
    assert_eq!(
        (d["type"].as_str(), d["contentType"].as_str(), d["status"].as_str()),
        (Some("RESIDENCE_PERMIT"), Some("image/jpeg"), Some("SUBMITTED"))
    );
    assert_eq!(d["sizeBytes"], json!(photo.len()), "cleaned in place: same size");

    // Encrypted at rest under a random name: neither the name nor the bytes say what it is.
    let keys = object_keys(&app).await;
    assert_eq!(keys.len(), 1);
    assert!(!keys[0].contains("IMG") && !keys[0].contains(".jpg"), "{keys:?}");
    let raw = app.state.documents.raw(&keys[0]).await.expect("object");
    assert!(!raw.windows(4).any(|w| w == b"Exif"), "stored encrypted");

    // The family downloads its own photo: GPS gone, orientation kept.
    let url = link(&app, &g, &doc, None).await.expect("family link");
    let (status, bytes) = follow(&app, &url).await;
    assert_eq!(status, 200);
    assert_eq!(files::latitude(&bytes), None, "location removed");
    assert_eq!(files::orientation(&bytes), Some(6), "orientation kept");
    assert!(access_log(&app, &g, &child).await.is_empty(), "the family's own downloads are not staff reads");

    // The caseworker sees it on the request, flagged as new, and the checklist shows what is left.
    let r = app.gql(Some(&staff), REQUEST_DOCS, json!({"id": rid})).await;
    let req = &r["data"]["request"];
    assert_eq!(req["documents"][0]["id"], doc.as_str(), "{r}");
    assert_eq!(req["newDocuments"], 1);
    let missing: Vec<&str> = req["missingDocuments"].as_array().expect("list").iter().filter_map(|m| m["type"].as_str()).collect();
    assert_eq!(missing, ["HUKOU_PAGE", "TENANCY_CONTRACT"]);

    // Each staff download is in the child's access log before the bytes leave.
    for _ in 0..2 {
        let url = link(&app, &staff, &doc, None).await.expect("staff link");
        let (status, bytes) = follow(&app, &url).await;
        assert_eq!(status, 200);
        assert_eq!(files::latitude(&bytes), None);
    }
    let log = access_log(&app, &g, &child).await;
    assert_eq!(log, vec![("document:residence_permit".to_owned(), "request_handling".to_owned()); 2]);
}

async fn the_caseworker_asks_for_a_better_copy(store: Store) {
    let Some(app) = app_on(store, |_| {}).await else { return };
    let (g, child) = family(&app, "dad@example.org").await;
    let rid = school_request(&app, &g, &child).await;
    let staff = education(&app, "edu@nanming.gov.cn", "520102").await;
    let first = doc_id(
        &upload(
            &app,
            &g,
            json!({"childId": child, "requestId": rid, "type": "RESIDENCE_PERMIT"}),
            files::photo_with_location(1),
            "image/jpeg",
        )
        .await,
    );
    let claimed = app.gql(Some(&staff), "mutation($id: ID!){ claimRequest(id: $id){ status } }", json!({"id": rid})).await;
    assert_eq!(claimed["data"]["claimRequest"]["status"], "CLAIMED", "{claimed}");
    let seen = app.gql(Some(&staff), REQUEST_DOCS, json!({"id": rid})).await;
    assert_eq!(seen["data"]["request"]["newDocuments"], 0, "claiming is a staff action: {seen}");

    let no_reason = app
        .gql(Some(&staff), "mutation($id: ID!){ reviewDocument(id: $id, decision: REQUEST_REPLACEMENT){ status } }", json!({"id": first}))
        .await;
    assert_eq!(integration_tests::code(&no_reason), "VALIDATION");
    let asked = app
        .gql(
            Some(&staff),
            "mutation($id: ID!){ reviewDocument(id: $id, decision: REQUEST_REPLACEMENT, reason: \"照片模糊，请重新拍摄\"){ status reviewNote } }",
            json!({"id": first}),
        )
        .await;
    assert_eq!(asked["data"]["reviewDocument"]["status"], "REPLACEMENT_REQUESTED", "{asked}");

    // The family reads the reason and sees the permit back on the checklist.
    let fam = app.gql(Some(&g), REQUEST_DOCS, json!({"id": rid})).await;
    let req = &fam["data"]["request"];
    assert_eq!(req["documents"][0]["reviewNote"], "照片模糊，请重新拍摄", "{fam}");
    assert_eq!(req["missingDocuments"][0]["type"], "RESIDENCE_PERMIT");
    assert_eq!(req["missingDocuments"][0]["nameZh"], "居住证");

    // The caseworker asks in the conversation; the family answers with the new photo.
    let asked = app
        .gql(Some(&staff), "mutation($id: ID!){ askForInformation(id: $id, message: \"请上传居住证照片\"){ status } }", json!({"id": rid}))
        .await;
    assert_eq!(asked["data"]["askForInformation"]["status"], "NEEDS_INFO", "{asked}");
    let second = doc_id(
        &upload(
            &app,
            &g,
            json!({"childId": child, "requestId": rid, "type": "RESIDENCE_PERMIT"}),
            files::photo_with_location(2),
            "image/jpeg",
        )
        .await,
    );
    let answered = app
        .gql(
            Some(&g),
            "mutation($id: ID!){ answerRequest(id: $id, message: \"已重新拍摄\"){ status history { kind } } }",
            json!({"id": rid}),
        )
        .await;
    let kinds: Vec<&str> = answered["data"]["answerRequest"]["history"]
        .as_array()
        .unwrap_or_else(|| panic!("{answered}"))
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    assert!(kinds.ends_with(&["document_replacement_requested", "asked_for_information", "document_added", "answered"]), "{kinds:?}");
    let seen = app.gql(Some(&staff), REQUEST_DOCS, json!({"id": rid})).await;
    assert_eq!(seen["data"]["request"]["newDocuments"], 1, "the new copy is flagged in the queue: {seen}");
    let queue = app.gql(Some(&staff), "{ queue(filter: {status: IN_PROGRESS}) { edges { node { id newDocuments } } } }", json!({})).await;
    assert_eq!(queue["data"]["queue"]["edges"][0]["node"]["newDocuments"], 1, "{queue}");
    let ok =
        app.gql(Some(&staff), "mutation($id: ID!){ reviewDocument(id: $id, decision: ACCEPT){ status } }", json!({"id": second})).await;
    assert_eq!(ok["data"]["reviewDocument"]["status"], "ACCEPTED", "{ok}");
    let seen = app.gql(Some(&staff), REQUEST_DOCS, json!({"id": rid})).await;
    assert_eq!(seen["data"]["request"]["newDocuments"], 0);
}

async fn a_kept_document_is_stored_once_and_reused(store: Store) {
    let Some(app) = app_on(store, |_| {}).await else { return };
    let (g, child) = family(&app, "gran@example.org").await;
    let kept = upload(&app, &g, json!({"childId": child, "type": "HUKOU_PAGE"}), files::pdf(), "application/pdf").await;
    let kept = doc_id(&kept);
    let again = upload(&app, &g, json!({"childId": child, "type": "HUKOU_PAGE"}), files::pdf(), "application/pdf").await;
    doc_id(&again);
    assert_eq!(object_keys(&app).await.len(), 1, "same content, one object");

    let rid = school_request(&app, &g, &child).await;
    let attached = app
        .gql(
            Some(&g),
            "mutation($d: ID!, $r: ID!){ attachDocument(documentId: $d, requestId: $r){ requestId type } }",
            json!({"d": kept, "r": rid}),
        )
        .await;
    assert_eq!(attached["data"]["attachDocument"]["requestId"], rid.as_str(), "{attached}");
    assert_eq!(object_keys(&app).await.len(), 1, "attaching shares the bytes");
    let r = app.gql(Some(&g), REQUEST_DOCS, json!({"id": rid})).await;
    let missing: Vec<&str> =
        r["data"]["request"]["missingDocuments"].as_array().expect("list").iter().filter_map(|m| m["type"].as_str()).collect();
    assert_eq!(missing, ["RESIDENCE_PERMIT", "TENANCY_CONTRACT"]);
    let mine = app.gql(Some(&g), "query($c: ID!){ childDocuments(childId: $c){ id requestId } }", json!({"c": child})).await;
    assert_eq!(mine["data"]["childDocuments"].as_array().map(Vec::len), Some(3), "{mine}");
}

on_both_stores!(
    a_photo_reaches_the_caseworker_without_its_location,
    the_caseworker_asks_for_a_better_copy,
    a_kept_document_is_stored_once_and_reused
);

#[tokio::test]
async fn submitting_shows_the_papers_still_needed() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "aunt@example.org").await;
    let r = app
        .gql(
            Some(&g),
            super::SUBMIT,
            json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "details": "入学", "idempotencyKey": "k1"}}),
        )
        .await;
    let missing: Vec<&str> = r["data"]["submitRequest"]["missingDocuments"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(missing, ["居住证", "户口簿（本人页）", "租房合同"]);
    let needed = app.gql_lang(None, "en", "{ requiredDocuments(entitlementCode: \"disability_subsidies\"){ type name } }", json!({})).await;
    assert_eq!(
        needed["data"]["requiredDocuments"][0],
        json!({"type": "DISABILITY_CERTIFICATE", "name": "Disability certificate"}),
        "{needed}"
    );
}

#[tokio::test]
async fn an_iphone_photo_is_accepted_and_loses_its_location() {
    let app = TestApp::spawn().await;
    let (g, child) = family(&app, "mum@example.org").await;
    let heic = files::heic_with_location();
    assert!(files::has_fixture_latitude(&heic));
    let up = upload(&app, &g, json!({"childId": child, "type": "RESIDENCE_PERMIT"}), heic.clone(), "image/heic").await;
    assert_eq!(up["data"]["uploadDocument"]["contentType"], "image/heic", "{up}");
    let url = link(&app, &g, &doc_id(&up), None).await.expect("link");
    let (status, bytes) = follow(&app, &url).await;
    assert_eq!((status, bytes.len()), (200, heic.len()), "cleaned in place: item offsets stay valid");
    assert!(!files::has_fixture_latitude(&bytes), "location removed");
}
