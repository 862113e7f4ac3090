//! Documents follow the child: in the export, gone with the record, gone after their retention
//! once the request is closed.

use api::jobs::Job;
use serde_json::json;

use super::{Store, app_on, count, doc_id, education, family, files, follow, object_keys, school_request, upload};

async fn erasure_removes_the_bytes_from_the_store(store: Store) {
    let Some(app) = app_on(store, |_| {}).await else { return };
    let (g, child) = family(&app, "mum@example.org").await;
    let rid = school_request(&app, &g, &child).await;
    doc_id(
        &upload(
            &app,
            &g,
            json!({"childId": child, "requestId": rid, "type": "RESIDENCE_PERMIT"}),
            files::photo_with_location(1),
            "image/jpeg",
        )
        .await,
    );
    doc_id(&upload(&app, &g, json!({"childId": child, "type": "HUKOU_PAGE"}), files::pdf(), "application/pdf").await);
    let keys = object_keys(&app).await;
    assert_eq!(keys.len(), 2);

    let export = app.gql(Some(&g), "query($c: ID!){ exportChildData(childId: $c) }", json!({"c": child})).await;
    let listed = export["data"]["exportChildData"]["documents"].as_array().unwrap_or_else(|| panic!("{export}")).clone();
    assert_eq!(listed.len(), 2);
    let url = listed[0]["url"].as_str().expect("a link per document");
    assert_eq!(follow(&app, url).await.0, 200, "the export's links work");

    let r = app.gql(Some(&g), "mutation($c: ID!){ requestChildDeletion(childId: $c) }", json!({"c": child})).await;
    assert_eq!(r["data"]["requestChildDeletion"], true, "{r}");
    for k in &keys {
        assert!(!app.state.documents.exists(k).await.expect("store"), "object {k} removed");
    }
    assert_eq!((count(&app, "documents").await, count(&app, "document_blobs").await), (0, 0));
    assert_eq!(follow(&app, url).await.0, 404);
}

async fn closed_requests_lose_their_documents_after_the_retention(store: Store) {
    let Some(app) =
        app_on(store, |c| c.storage.document_retention_days = vec!["school_record=30".into(), "residence_permit=90".into()]).await
    else {
        return;
    };
    let (g, child) = family(&app, "mum@example.org").await;
    let rid = school_request(&app, &g, &child).await;
    doc_id(&upload(&app, &g, json!({"childId": child, "requestId": rid, "type": "SCHOOL_RECORD"}), files::pdf(), "application/pdf").await);
    doc_id(
        &upload(
            &app,
            &g,
            json!({"childId": child, "requestId": rid, "type": "RESIDENCE_PERMIT"}),
            files::photo_with_location(1),
            "image/jpeg",
        )
        .await,
    );
    doc_id(&upload(&app, &g, json!({"childId": child, "type": "HUKOU_PAGE"}), files::photo_with_location(2), "image/jpeg").await);
    let staff = education(&app, "edu@nanming.gov.cn", "520102").await;

    Job::DocumentRetention.run(&app.state).await;
    assert_eq!(count(&app, "documents").await, 3, "an open request keeps its documents");
    app.gql(Some(&staff), "mutation($id: ID!){ claimRequest(id: $id){ status } }", json!({"id": rid})).await;
    let done = app
        .gql(Some(&staff), "mutation($id: ID!){ resolveRequest(id: $id, granted: true, reason: \"已安排\"){ status } }", json!({"id": rid}))
        .await;
    assert_eq!(done["data"]["resolveRequest"]["status"], "RESOLVED_GRANTED", "{done}");

    app.state.clock.advance(chrono::Duration::days(31));
    Job::DocumentRetention.run(&app.state).await;
    assert_eq!(count(&app, "documents").await, 2, "the school record (30 days) is gone");
    app.state.clock.advance(chrono::Duration::days(60));
    Job::DocumentRetention.run(&app.state).await;
    assert_eq!(count(&app, "documents").await, 1, "the permit (90 days) is gone; the page kept on the record stays");
    let keys = object_keys(&app).await;
    assert_eq!(keys.len(), 1);
    assert!(app.state.documents.exists(&keys[0]).await.expect("store"));
}

async fn a_rotated_key_reencrypts_the_stored_documents(store: Store) {
    let k1 = format!("k1:{}", "11".repeat(32));
    let first = k1.clone();
    let Some(app) = app_on(store, move |c| c.pii_keys = first.into()).await else { return };
    let (g, child) = family(&app, "mum@example.org").await;
    let doc = doc_id(&upload(&app, &g, json!({"childId": child, "type": "HUKOU_PAGE"}), files::pdf(), "application/pdf").await);
    let old = object_keys(&app).await;

    let without_k1 = app.restarted_with(|c| c.pii_keys = format!("k2:{}", "22".repeat(32)).into()).await;
    match without_k1 {
        Err(why) => assert!(why.contains("k1"), "the start-up check names the key the documents need: {why}"),
        Ok(_) => panic!("started without the key that encrypted the stored documents"),
    }
    let rotated = app.restarted_with(|c| c.pii_keys = format!("k2:{},{k1}", "22".repeat(32)).into()).await.expect("restart with k2 first");
    let done = api::services::documents::rotation::reencrypt(&rotated.state, 10).await.expect("rotation");
    assert_eq!((done.rewritten, done.unreadable), (1, 0));
    let new = object_keys(&rotated).await;
    assert_ne!(new, old, "a new object under the new key");
    assert!(!rotated.state.documents.exists(&old[0]).await.expect("store"), "the old object is removed");
    use sea_orm::EntityTrait;
    let blob = entities::document_blob::Entity::find().one(&rotated.state.db).await.expect("blob").expect("row");
    assert_eq!(blob.key_id, "k2");

    let url = super::link(&rotated, &g, &doc, None).await.expect("link");
    let (status, bytes) = follow(&rotated, &url).await;
    assert_eq!((status, bytes), (200, files::pdf()));
}

on_both_stores!(
    erasure_removes_the_bytes_from_the_store,
    closed_requests_lose_their_documents_after_the_retention,
    a_rotated_key_reencrypts_the_stored_documents
);
