//! The links in our e-mails lead to pages that complete the action: confirming an address,
//! setting a new password, joining a household. Opening a link changes nothing; the form's button
//! does, with no script.

use integration_tests::{PASSWORD, TestApp, token_in};
use serde_json::json;

/// The path and query of the first link in `mail`, which must start with the public URL.
fn link_in(app: &TestApp, mail: &str) -> String {
    let base = &app.state.config.public_url;
    let start = mail.find(base.as_str()).unwrap_or_else(|| panic!("no link to {base} in {mail}"));
    mail[start + base.len()..].split_whitespace().next().expect("link").to_owned()
}

async fn get_page(app: &TestApp, path: &str) -> (reqwest::StatusCode, String, String) {
    let r = app.http().get(app.url(path)).header("accept-language", "en").send().await.expect("get");
    let csp = r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (r.status(), csp, r.text().await.expect("html"))
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> String {
    let r = app.http().post(app.url(path)).header("accept-language", "en").form(form).send().await.expect("post");
    assert_eq!(r.status(), 200);
    r.text().await.expect("html")
}

#[tokio::test]
async fn the_verification_link_confirms_the_address_with_one_button() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(
            None,
            "mutation($i: RegisterInput!){ register(input: $i) }",
            json!({"i": {"email": "link@example.org", "password": PASSWORD, "displayName": "家长"}}),
        )
        .await;
    assert_eq!(r["data"]["register"], true);
    let mail = app.emails_to("link@example.org").await.pop().expect("mail");
    let path = link_in(&app, &mail);
    assert!(path.starts_with("/verify-email?token="), "{path}");

    let (status, csp, html) = get_page(&app, &path).await;
    assert_eq!(status, 200);
    assert!(csp.contains("default-src 'none'") && !html.contains("<script"), "no script: {csp}");
    assert!(html.contains("<form method=\"post\" action=\"/verify-email\""), "{html}");
    assert!(!app.login_raw("link@example.org", PASSWORD).await["errors"].is_null(), "opening the link changed nothing");

    let done = post_form(&app, "/verify-email", &[("token", &token_in(&mail))]).await;
    assert!(done.contains("E-mail confirmed"), "{done}");
    assert!(app.login_raw("link@example.org", PASSWORD).await["errors"].is_null(), "the address is confirmed");
    let again = post_form(&app, "/verify-email", &[("token", &token_in(&mail))]).await;
    assert!(again.contains("Not done"), "a used link does nothing: {again}");
}

#[tokio::test]
async fn the_reset_link_sets_a_new_password() {
    let app = TestApp::spawn().await;
    app.guardian("reset-link@example.org").await;
    app.gql(None, "mutation { requestPasswordReset(email: \"reset-link@example.org\") }", json!({})).await;
    let mail = app.emails_to("reset-link@example.org").await.pop().expect("mail");
    let path = link_in(&app, &mail);
    assert!(path.starts_with("/reset-password?token="), "{path}");
    let (status, _, html) = get_page(&app, &path).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"password\"") && html.contains("name=\"password_again\""), "{html}");

    let token = token_in(&mail);
    let differ =
        post_form(&app, "/reset-password", &[("token", &token), ("password", "a-new-pass-2026"), ("password_again", "other-pass-2026")])
            .await;
    assert!(differ.contains("differ"), "{differ}");
    let done =
        post_form(&app, "/reset-password", &[("token", &token), ("password", "a-new-pass-2026"), ("password_again", "a-new-pass-2026")])
            .await;
    assert!(done.contains("Password changed"), "{done}");
    assert!(app.login_raw("reset-link@example.org", "a-new-pass-2026").await["errors"].is_null());
}

#[tokio::test]
async fn the_invitation_link_lets_the_invited_guardian_join() {
    let app = TestApp::spawn().await;
    let mother = app.guardian("inv-mother@example.org").await;
    app.child(&mother).born("2019-03-10").hukou("520304").lives_in("520102").await;
    let father = app.guardian("inv-father@example.org").await;
    let r = app.gql(Some(&mother), "mutation { inviteGuardian(email: \"inv-father@example.org\") }", json!({})).await;
    assert_eq!(r["data"]["inviteGuardian"], true, "{r}");
    let mail = app.emails_to("inv-father@example.org").await.pop().expect("mail");
    let path = link_in(&app, &mail);
    assert!(path.starts_with("/household-invitation?token="), "{path}");
    assert_eq!(get_page(&app, &path).await.0, 200);

    let token = token_in(&mail);
    let wrong = post_form(
        &app,
        "/household-invitation",
        &[("token", &token), ("email", "inv-father@example.org"), ("password", "not-his-password-1")],
    )
    .await;
    assert!(wrong.contains("Not done"), "{wrong}");
    let done =
        post_form(&app, "/household-invitation", &[("token", &token), ("email", "inv-father@example.org"), ("password", PASSWORD)]).await;
    assert!(done.contains("joined the household"), "{done}");
    let h = app.gql(Some(&father), "{ myHousehold { children { id } } }", json!({})).await;
    assert_eq!(h["data"]["myHousehold"]["children"].as_array().map(Vec::len), Some(1), "{h}");
}

#[tokio::test]
async fn a_link_with_a_foreign_token_shows_nothing_of_it() {
    let app = TestApp::spawn().await;
    let (status, _, html) = get_page(&app, "/verify-email?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert_eq!(status, 200);
    assert!(html.contains("invalid") && !html.contains("<script"), "{html}");
}
