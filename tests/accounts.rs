//! Accounts and sessions: the guardian's way in, staff accounts, and every way a token must die.

use api::auth::Role;
use integration_tests::{PASSWORD, TestApp, code, field, token_in};
use serde_json::json;

const ME: &str = "{ me { id email role emailVerified disabled } }";
const REFRESH: &str = "mutation($t: String!){ refreshSession(refreshToken: $t){ accessToken refreshToken expiresAt } }";

#[tokio::test]
async fn a_guardian_registers_verifies_the_address_logs_in_and_sees_herself() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(
            None,
            "mutation($i: RegisterInput!){ register(input: $i) }",
            json!({"i": {"email": "Mama@Example.org", "password": PASSWORD, "displayName": "王女士"}}),
        )
        .await;
    assert_eq!(r["data"]["register"], json!(true), "{r}");

    // Before verification the login is refused.
    let early = app.login_raw("mama@example.org", PASSWORD).await;
    assert!(early["data"].is_null() || early["data"]["login"].is_null(), "{early}");
    assert_eq!(code(&early), "VALIDATION");

    let mails = app.emails_to("mama@example.org").await;
    assert_eq!(mails.len(), 1, "exactly one verification e-mail");
    assert!(mails[0].contains("https://tongxin.test/verify-email?token="), "{}", mails[0]);
    let r = app.gql(None, "mutation($t: String!){ verifyEmail(token: $t) }", json!({"t": token_in(&mails[0])})).await;
    assert_eq!(r["data"]["verifyEmail"], json!(true), "{r}");
    // The link works once.
    let again = app.gql(None, "mutation($t: String!){ verifyEmail(token: $t) }", json!({"t": token_in(&mails[0])})).await;
    assert_eq!((code(&again), field(&again)), ("VALIDATION", "token"));

    let token = app.login("mama@example.org", PASSWORD).await;
    let me = app.gql(Some(&token), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["email"], "mama@example.org");
    assert_eq!(me["data"]["me"]["role"], "GUARDIAN");
    assert_eq!(me["data"]["me"]["emailVerified"], true);
}

#[tokio::test]
async fn registering_a_taken_address_reveals_nothing_and_warns_the_owner() {
    let app = TestApp::spawn().await;
    app.guardian("taken@example.org").await;
    let r = app
        .gql(
            None,
            "mutation($i: RegisterInput!){ register(input: $i) }",
            json!({"i": {"email": "taken@example.org", "password": "another-pass-77", "displayName": "x"}}),
        )
        .await;
    assert_eq!(r["data"]["register"], json!(true));
    let mails = app.emails_to("taken@example.org").await;
    assert!(mails.last().is_some_and(|m| m.contains("Someone tried to register again")), "{mails:?}");
    // The original password still works: nothing was overwritten.
    app.login("taken@example.org", PASSWORD).await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.guardian("p@example.org").await;
    let wrong = app.login_raw("p@example.org", "not-the-password-1").await;
    let unknown = app.login_raw("nobody@example.org", PASSWORD).await;
    assert_eq!(code(&wrong), "UNAUTHENTICATED");
    assert_eq!(wrong["errors"][0]["message"], unknown["errors"][0]["message"]);
    assert_eq!(code(&unknown), "UNAUTHENTICATED");
}

#[tokio::test]
async fn expired_tampered_and_foreign_key_tokens_are_unauthenticated() {
    let app = TestApp::spawn_with(|c| c.jwt_access_ttl_secs = 900).await;
    let token = app.guardian("t@example.org").await;
    assert!(app.gql(Some(&token), ME, json!({})).await["errors"].is_null());

    // Tampered: flip a character of the signature.
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let r = app.gql(Some(std::str::from_utf8(&tampered).expect("ascii")), ME, json!({})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED");

    // Signed with a key the server does not know (same kid, other secret).
    let claims: serde_json::Value = {
        use base64::Engine;
        let payload = token.split('.').nth(1).expect("payload");
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json")
    };
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("k1".into());
    let foreign = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"some-other-secret-0123456789abcdef0123").expect("key"),
    )
    .expect("sign");
    assert_eq!(code(&app.gql(Some(&foreign), ME, json!({})).await), "UNAUTHENTICATED");

    // Expired: the access token lives 15 minutes; move the clock past it.
    app.state.clock.advance(chrono::Duration::minutes(16));
    let r = app.gql(Some(&token), ME, json!({})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
}

#[tokio::test]
async fn a_token_signed_with_a_rotated_out_key_still_works_while_the_key_is_listed() {
    let app = TestApp::spawn_with(|c| {
        c.jwt_keys = "k2:new-signing-key-abcdefghijklmnopqrstuvwxyz012345,k1:test-signing-key-0123456789abcdef0123456789".to_owned().into()
    })
    .await;
    let token = app.guardian("rot@example.org").await;
    let header = jsonwebtoken::decode_header(&token).expect("header");
    assert_eq!(header.kid.as_deref(), Some("k2"), "the first key signs");
    // A token issued under k1 (e.g. before the rotation) still verifies.
    let old = api::auth::jwt::JwtKeys::new(&[("k1".into(), b"test-signing-key-0123456789abcdef0123456789".to_vec())], 900).expect("keys");
    let claims = app.state.jwt.verify(&token, chrono::Utc::now()).expect("claims");
    let (old_token, _) = old.issue(claims.sub, claims.sid, chrono::Utc::now()).expect("issue");
    assert!(app.gql(Some(&old_token), ME, json!({})).await["errors"].is_null());
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_whole_login() {
    let app = TestApp::spawn().await;
    app.guardian("r@example.org").await;
    let first = app.login_raw("r@example.org", PASSWORD).await;
    let rt1 = first["data"]["login"]["refreshToken"].as_str().expect("rt").to_owned();

    let second = app.gql(None, REFRESH, json!({"t": rt1})).await;
    let rt2 = second["data"]["refreshSession"]["refreshToken"].as_str().expect("rotated").to_owned();
    let access2 = second["data"]["refreshSession"]["accessToken"].as_str().expect("access").to_owned();
    assert_ne!(rt1, rt2);
    assert!(app.gql(Some(&access2), ME, json!({})).await["errors"].is_null());

    // rt1 presented again: somebody copied it. Everything of this login dies.
    let reuse = app.gql(None, REFRESH, json!({"t": rt1})).await;
    assert_eq!(code(&reuse), "UNAUTHENTICATED");
    assert_eq!(code(&app.gql(None, REFRESH, json!({"t": rt2})).await), "UNAUTHENTICATED");
    assert_eq!(code(&app.gql(Some(&access2), ME, json!({})).await), "UNAUTHENTICATED");
    // Another login of the same person is unaffected.
    let other = app.login("r@example.org", PASSWORD).await;
    assert!(app.gql(Some(&other), ME, json!({})).await["errors"].is_null());
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let app = TestApp::spawn().await;
    let token = app.guardian("out@example.org").await;
    let r = app.gql(Some(&token), "mutation { logout }", json!({})).await;
    assert_eq!(r["data"]["logout"], true);
    assert_eq!(code(&app.gql(Some(&token), ME, json!({})).await), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_e_mail_and_old_sessions_end() {
    let app = TestApp::spawn().await;
    let old_session = app.guardian("forgot@example.org").await;
    let r = app.gql(None, "mutation { requestPasswordReset(email: \"forgot@example.org\") }", json!({})).await;
    assert_eq!(r["data"]["requestPasswordReset"], true);
    // Unknown addresses get the same answer and no e-mail.
    let r = app.gql(None, "mutation { requestPasswordReset(email: \"ghost@example.org\") }", json!({})).await;
    assert_eq!(r["data"]["requestPasswordReset"], true);
    assert!(app.emails_to("ghost@example.org").await.is_empty());

    let mail = app.emails_to("forgot@example.org").await.pop().expect("reset e-mail");
    let token = token_in(&mail);
    let weak = app.gql(None, "mutation($t: String!){ resetPassword(token: $t, newPassword: \"short\") }", json!({"t": token})).await;
    assert_eq!((code(&weak), field(&weak)), ("VALIDATION", "password"));
    let ok =
        app.gql(None, "mutation($t: String!){ resetPassword(token: $t, newPassword: \"brand-new-pass-9\") }", json!({"t": token})).await;
    assert_eq!(ok["data"]["resetPassword"], true, "{ok}");
    assert_eq!(code(&app.gql(Some(&old_session), ME, json!({})).await), "UNAUTHENTICATED");
    assert_eq!(code(&app.login_raw("forgot@example.org", PASSWORD).await), "UNAUTHENTICATED");
    app.login("forgot@example.org", "brand-new-pass-9").await;
    let reused =
        app.gql(None, "mutation($t: String!){ resetPassword(token: $t, newPassword: \"again-new-pass-9\") }", json!({"t": token})).await;
    assert_eq!(code(&reused), "VALIDATION");
}

const CREATE_STAFF: &str =
    "mutation($i: StaffAccountInput!){ createStaffAccount(input: $i){ id email role regionCode department { code } } }";

#[tokio::test]
async fn an_admin_creates_a_staff_account_whose_owner_sets_a_password_from_the_e_mail() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let r = app
        .gql(Some(&admin), CREATE_STAFF, json!({"i": {"email": "edu@nanming.gov.cn", "displayName": "李老师", "role": "DEPARTMENT_STAFF", "departmentCode": "education", "regionCode": "520102"}}))
        .await;
    assert_eq!(r["data"]["createStaffAccount"]["department"]["code"], "education", "{r}");
    assert_eq!(r["data"]["createStaffAccount"]["regionCode"], "520102");
    let mail = app.emails_to("edu@nanming.gov.cn").await.pop().expect("invitation");
    let set = app
        .gql(None, "mutation($t: String!){ resetPassword(token: $t, newPassword: \"staff-pass-2026\") }", json!({"t": token_in(&mail)}))
        .await;
    assert_eq!(set["data"]["resetPassword"], true, "{set}");
    let token = app.login("edu@nanming.gov.cn", "staff-pass-2026").await;
    assert_eq!(app.gql(Some(&token), ME, json!({})).await["data"]["me"]["role"], "DEPARTMENT_STAFF");

    let dup = app
        .gql(Some(&admin), CREATE_STAFF, json!({"i": {"email": "edu@nanming.gov.cn", "displayName": "x", "role": "DEPARTMENT_STAFF", "departmentCode": "education", "regionCode": "520102"}}))
        .await;
    assert_eq!(code(&dup), "CONFLICT");
}

#[tokio::test]
async fn staff_account_input_is_validated_field_by_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cases = [
        (json!({"email": "not-an-email", "displayName": "x", "role": "CIVIL_AFFAIRS", "regionCode": "520102"}), "email"),
        (json!({"email": "a@b.cn", "displayName": "x", "role": "CIVIL_AFFAIRS", "regionCode": "999999"}), "regionCode"),
        (
            json!({"email": "a@b.cn", "displayName": "x", "role": "DEPARTMENT_STAFF", "departmentCode": "educaton", "regionCode": "520102"}),
            "departmentCode",
        ),
        (json!({"email": "a@b.cn", "displayName": "x", "role": "DEPARTMENT_STAFF", "regionCode": "520102"}), "departmentCode"),
        (json!({"email": "a@b.cn", "displayName": "", "role": "CIVIL_AFFAIRS", "regionCode": "520102"}), "displayName"),
        (json!({"email": "a@b.cn", "displayName": "x", "role": "GUARDIAN", "regionCode": "520102"}), "role"),
    ];
    for (input, expected) in cases {
        let r = app.gql(Some(&admin), CREATE_STAFF, json!({"i": input})).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", expected), "{input}: {r}");
    }
    assert!(app.emails_to("a@b.cn").await.is_empty(), "nothing was created");
    assert_eq!(code(&app.login_raw("a@b.cn", PASSWORD).await), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_guardian_cannot_create_staff_accounts() {
    let app = TestApp::spawn().await;
    let g = app.guardian("g@example.org").await;
    let r = app.gql(Some(&g), CREATE_STAFF, json!({"i": {"email": "fake@x.cn", "displayName": "x", "role": "ADMIN"}})).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let anon = app.gql(None, CREATE_STAFF, json!({"i": {"email": "fake@x.cn", "displayName": "x", "role": "ADMIN"}})).await;
    assert_eq!(code(&anon), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_disabled_account_stops_working_immediately() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let staff = app.staff("soon-gone@x.gov.cn", Role::CivilAffairs, None, "520102").await;
    let id = app.gql(Some(&staff), ME, json!({})).await["data"]["me"]["id"].as_str().expect("id").to_owned();
    let r = app.gql(Some(&admin), "mutation($id: ID!){ disableAccount(id: $id){ disabled } }", json!({"id": id})).await;
    assert_eq!(r["data"]["disableAccount"]["disabled"], true, "{r}");
    assert_eq!(code(&app.gql(Some(&staff), ME, json!({})).await), "UNAUTHENTICATED");
    assert_eq!(code(&app.login_raw("soon-gone@x.gov.cn", PASSWORD).await), "UNAUTHENTICATED");
}

#[tokio::test]
async fn login_attempts_are_throttled_per_account_with_a_retry_hint() {
    let app = TestApp::spawn().await;
    app.guardian("brute@example.org").await; // one successful login used
    let mut last = serde_json::Value::Null;
    for _ in 0..5 {
        last = app.login_raw("brute@example.org", "guess-password-1").await;
    }
    assert_eq!(code(&last), "RATE_LIMITED", "{last}");
    assert!(last["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().is_some_and(|s| s >= 1));
    // Even the right password is refused while throttled; another account is not affected.
    assert_eq!(code(&app.login_raw("brute@example.org", PASSWORD).await), "RATE_LIMITED");
    app.guardian("innocent@example.org").await;
}

#[tokio::test]
async fn login_attempts_are_throttled_per_client_address() {
    let app = TestApp::spawn_with(|c| c.login_per_address_per_minute = 4).await;
    let mut codes = Vec::new();
    for i in 0..6 {
        codes.push(code(&app.login_raw(&format!("spray{i}@example.org"), "guess-password-1").await).to_owned());
    }
    assert_eq!(&codes[..4], &["UNAUTHENTICATED"; 4]);
    assert_eq!(codes[5], "RATE_LIMITED");
}

#[tokio::test]
async fn the_admin_pages_through_accounts_with_clamped_page_sizes() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for i in 0..3 {
        app.staff(&format!("s{i}@x.gov.cn"), Role::CivilAffairs, None, "520102").await;
    }
    let q = "query($f: Int, $a: String){ accounts(role: CIVIL_AFFAIRS, first: $f, after: $a){ edges { cursor node { email } } pageInfo { hasNextPage endCursor } } }";
    let p1 = app.gql(Some(&admin), q, json!({"f": 2})).await;
    let edges = p1["data"]["accounts"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 2, "{p1}");
    assert_eq!(p1["data"]["accounts"]["pageInfo"]["hasNextPage"], true);
    let p2 = app.gql(Some(&admin), q, json!({"f": 2, "a": p1["data"]["accounts"]["pageInfo"]["endCursor"]})).await;
    assert_eq!(p2["data"]["accounts"]["edges"][0]["node"]["email"], "s2@x.gov.cn", "{p2}");
    assert_eq!(p2["data"]["accounts"]["pageInfo"]["hasNextPage"], false);
    // A huge page is clamped, a negative one refused, a forged cursor refused.
    let big = app.gql(Some(&admin), q, json!({"f": 1_000_000})).await;
    assert_eq!(big["data"]["accounts"]["edges"].as_array().map(Vec::len), Some(3), "{big}");
    assert_eq!(field(&app.gql(Some(&admin), q, json!({"f": -1})).await), "first");
    assert_eq!(code(&app.gql(Some(&admin), q, json!({"a": "bm9wZQ"})).await), "VALIDATION");
    let g = app.guardian("nosy@example.org").await;
    assert_eq!(code(&app.gql(Some(&g), q, json!({})).await), "FORBIDDEN");
}

/// Waits until `app`'s session cache reports `live` (its PostgreSQL listener connected or lost).
async fn session_cache_live(app: &TestApp, live: bool) {
    for _ in 0..100 {
        if app.state.sessions.is_live() == live {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("session cache never became live = {live}");
}

#[tokio::test]
async fn with_two_processes_a_logout_or_disabling_on_one_is_refused_by_the_other() {
    if !integration_tests::on_postgres() {
        return; // several processes need a shared PostgreSQL; SQLite deployments run one process
    }
    let a = TestApp::spawn().await;
    let b = a.sibling().await;
    session_cache_live(&b, true).await;
    let token = a.guardian("two-places@example.org").await;
    // Process B has seen the session and remembers it.
    for _ in 0..2 {
        assert!(b.gql(Some(&token), ME, json!({})).await["errors"].is_null());
    }
    assert_eq!(a.gql(Some(&token), "mutation { logout }", json!({})).await["data"]["logout"], true);
    // The revocation reaches B with the commit's notification (milliseconds).
    assert!(refused_within_a_second(&b, &token).await, "process B still accepts a token logged out through process A");

    let admin = a.admin_token().await;
    let staff = a.staff("both@x.gov.cn", Role::CivilAffairs, None, "520102").await;
    let id = b.gql(Some(&staff), ME, json!({})).await["data"]["me"]["id"].as_str().expect("id").to_owned();
    let r = a.gql(Some(&admin), "mutation($id: ID!){ disableAccount(id: $id){ disabled } }", json!({"id": id})).await;
    assert_eq!(r["data"]["disableAccount"]["disabled"], true, "{r}");
    assert!(refused_within_a_second(&b, &staff).await, "process B still accepts a disabled account");
}

/// Whether `app` refuses `token` within a second (a notification's way between processes).
async fn refused_within_a_second(app: &TestApp, token: &str) -> bool {
    for _ in 0..50 {
        if code(&app.gql(Some(token), ME, json!({})).await) == "UNAUTHENTICATED" {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn when_the_revocation_listener_drops_sessions_are_read_from_the_database_again() {
    if !integration_tests::on_postgres() {
        return; // the listener exists only on PostgreSQL
    }
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    session_cache_live(&app, true).await;
    let token = app.guardian("outage@example.org").await;
    assert!(app.gql(Some(&token), ME, json!({})).await["errors"].is_null());
    // Cut the listener's connection: any revocation from now on could go unheard.
    app.state
        .db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .expect("terminate listener");
    session_cache_live(&app, false).await;
    // A revocation that sends no notification, as one missed during the outage would be.
    app.state.db.execute_unprepared("UPDATE login_sessions SET revoked_at = now()").await.expect("revoke behind the cache");
    assert_eq!(code(&app.gql(Some(&token), ME, json!({})).await), "UNAUTHENTICATED");
    // The listener comes back by itself and the cache with it.
    session_cache_live(&app, true).await;
    let fresh = app.login("outage@example.org", PASSWORD).await;
    assert!(app.gql(Some(&fresh), ME, json!({})).await["errors"].is_null());
}

#[tokio::test]
async fn promoting_a_signed_in_account_to_admin_changes_its_role_on_the_next_request() {
    let app = TestApp::spawn().await;
    let token = app.guardian("promoted@example.org").await;
    const ACCOUNTS: &str = "{ accounts(first: 1) { edges { node { id } } } }";
    // The role the server acts on is the session's: refused now, and remembered.
    assert_eq!(code(&app.gql(Some(&token), ACCOUNTS, json!({})).await), "FORBIDDEN");
    // The operator's bootstrap command promotes the address while its session is remembered.
    api::services::accounts::create_admin(&app.state, "promoted@example.org", "a-strong-admin-pass-1").await.expect("promote");
    let listed = app.gql(Some(&token), ACCOUNTS, json!({})).await;
    assert!(listed["errors"].is_null(), "the promotion applies to the live session: {listed}");
}
