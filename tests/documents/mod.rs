//! Documents in the request conversation (issue 18): families upload, staff review, nothing leaks
//! and nothing outlives the child's record. The scenarios that touch the store run twice: on the
//! local directory store and on a real S3-compatible server (`support::s3`).

use api::auth::Role;
use integration_tests::{TestApp, s3};
use serde_json::{Value, json};

/// Which document store a scenario runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    /// `DOCUMENT_STORE=local`.
    Local,
    /// `DOCUMENT_STORE=s3` against the test S3 server.
    S3,
}

/// Starts a server on `store` (after `tweak`), or `None` when S3 is wanted and unavailable.
pub async fn app_on(store: Store, tweak: impl FnOnce(&mut api::config::Config)) -> Option<TestApp> {
    match store {
        Store::Local => Some(TestApp::spawn_with(tweak).await),
        Store::S3 => {
            let endpoint = s3::endpoint()?;
            let bucket = s3::fresh_bucket(&endpoint).await;
            Some(
                TestApp::spawn_with(|c| {
                    s3::configure(c, &endpoint, &bucket);
                    tweak(c);
                })
                .await,
            )
        }
    }
}

/// Runs each named scenario `async fn name(store: Store)` once per store, as `local::name` and
/// `s3::name`.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod local {
            $( #[tokio::test] async fn $name() { super::$name(super::super::Store::Local).await } )*
        }
        mod s3 {
            $( #[tokio::test] async fn $name() { super::$name(super::super::Store::S3).await } )*
        }
    };
}

mod access;
mod files;
mod flows;
mod lifetime;
mod limits;

pub const SUBMIT: &str = "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id status missingDocuments { type name } } }";
pub const UPLOAD: &str = "mutation($i: UploadDocumentInput!, $f: Upload!){ uploadDocument(input: $i, file: $f){
  id type typeName contentType sizeBytes status requestId uploadedAt } }";
pub const LINK: &str = "query($id: ID!, $p: AccessPurpose){ documentLink(id: $id, purpose: $p){ url expiresAt } }";

/// A family in 南明区 (hukou elsewhere in Guizhou) with one child; (token, child id).
pub async fn family(app: &TestApp, email: &str) -> (String, String) {
    let g = app.guardian(email).await;
    let child = app.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    (g, child)
}

/// Files a school-enrolment request (education, 南明区); returns its id.
pub async fn school_request(app: &TestApp, token: &str, child: &str) -> String {
    let r = app
        .gql(
            Some(token),
            SUBMIT,
            json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "details": "九月入学", "idempotencyKey": format!("k-{child}")}}),
        )
        .await;
    r["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned()
}

/// Education staff of a county.
pub async fn education(app: &TestApp, email: &str, county: &str) -> String {
    app.staff(email, Role::DepartmentStaff, Some("education"), county).await
}

/// Sends one file as a GraphQL multipart request (what `wx.uploadFile` sends).
pub async fn upload(app: &TestApp, token: &str, input: Value, bytes: Vec<u8>, mime: &str) -> Value {
    let operations = json!({"query": UPLOAD, "variables": {"i": input, "f": null}});
    let part = reqwest::multipart::Part::bytes(bytes).file_name("IMG_0001.jpg").mime_str(mime).expect("mime");
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({"0": ["variables.f"]}).to_string())
        .part("0", part);
    let resp = app.http().post(app.url("/graphql")).bearer_auth(token).multipart(form).send().await.expect("upload");
    resp.json().await.expect("json")
}

/// The id of an uploaded document (panics with the response otherwise).
pub fn doc_id(v: &Value) -> String {
    v["data"]["uploadDocument"]["id"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
}

/// A link for `token`'s viewer, or the response when refused.
pub async fn link(app: &TestApp, token: &str, doc: &str, purpose: Option<&str>) -> Result<String, Value> {
    let r = app.gql(Some(token), LINK, json!({"id": doc, "p": purpose})).await;
    r["data"]["documentLink"]["url"].as_str().map(str::to_owned).ok_or(r)
}

/// Follows a link against the test server (links name `PUBLIC_URL`); (status, bytes).
pub async fn follow(app: &TestApp, url: &str) -> (u16, Vec<u8>) {
    let path = url.split_once("/documents/").map(|(_, rest)| format!("/documents/{rest}")).expect("a document link");
    let r = app.http().get(app.url(&path)).send().await.expect("download");
    (r.status().as_u16(), r.bytes().await.expect("body").to_vec())
}

/// Rows of a table (arranging and inspecting).
pub async fn count(app: &TestApp, table: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.db;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
        .await
        .expect("count")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

/// Object names of the stored blobs.
pub async fn object_keys(app: &TestApp) -> Vec<String> {
    use sea_orm::EntityTrait;
    entities::document_blob::Entity::find().all(&app.state.db).await.expect("blobs").into_iter().map(|b| b.object_key).collect()
}
