//! Side effects multiplied by aliases or by repetition: one anonymous caller must not create
//! accounts or send e-mails without bound, whether it packs hundreds of aliased mutations into one
//! document or sends as many requests. Every mutation that e-mails an address the caller chooses
//! (register, the silent "already registered" notice, password reset, household and staff
//! invitations, organization registration) is throttled per client address and per recipient,
//! and registrations are bounded per client address. Throttling never tells an existing address
//! from a new one. The same throttles must not turn against their owner: password failures from
//! one address never lock the account's owner out elsewhere.

use integration_tests::{PASSWORD, TestApp, code};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const REGISTER: &str = "mutation($i: RegisterInput!){ register(input: $i) }";

/// A server with the shipped (production default) throttles, trusting `X-Forwarded-For` so a
/// test can speak from several client addresses.
async fn app_with_default_limits() -> TestApp {
    let d = api::config::Config::development();
    TestApp::spawn_with(move |c| {
        c.trust_proxy = true;
        c.messages_per_address_per_minute = d.messages_per_address_per_minute;
        c.messages_per_recipient_per_hour = d.messages_per_recipient_per_hour;
        c.registrations_per_address_per_hour = d.registrations_per_address_per_hour;
    })
    .await
}

fn defaults() -> api::config::Config {
    api::config::Config::development()
}

/// One GraphQL request as seen from client address `from`.
async fn gql_from(app: &TestApp, from: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req =
        app.http().post(app.url("/graphql")).header("x-forwarded-for", from).json(&json!({"query": query, "variables": variables}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("request").json().await.expect("json body")
}

async fn accounts(app: &TestApp) -> u64 {
    entities::account::Entity::find().count(&app.state.db).await.expect("count")
}

/// A document of `n` aliased copies of `field` (with `{i}` replaced by the alias number).
fn aliased(n: usize, field: &str) -> String {
    let body: String = (0..n).map(|i| format!("a{i}: {} ", field.replace("{i}", &i.to_string()))).collect();
    format!("mutation {{ {body}}}")
}

fn register_vars(email: &str) -> Value {
    json!({"i": {"email": email, "password": PASSWORD, "displayName": "家长"}})
}

fn is_rate_limited_with_hint(r: &Value) -> bool {
    code(r) == "RATE_LIMITED" && r["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().is_some_and(|s| s >= 1)
}

#[tokio::test]
async fn four_hundred_aliased_registrations_create_at_most_the_quota_of_accounts_and_mails() {
    let app = app_with_default_limits().await;
    let quota = u64::from(defaults().registrations_per_address_per_hour);
    let doc = aliased(400, &format!("register(input: {{email: \"mass{{i}}@example.org\", password: \"{PASSWORD}\", displayName: \"x\"}})"));
    let r = gql_from(&app, "198.51.100.7", None, &doc, json!({})).await;
    assert!(r["errors"].is_array(), "400 registrations cannot all succeed: {}", r["errors"]);
    assert!(accounts(&app).await <= quota, "accounts created: {}", accounts(&app).await);
    assert!(app.emails().await.len() as u64 <= quota);
}

#[tokio::test]
async fn registrations_from_one_address_stop_at_the_quota_with_a_retry_hint() {
    let app = app_with_default_limits().await;
    let quota = defaults().registrations_per_address_per_hour as usize;
    let mut answers = Vec::new();
    for i in 0..20 {
        answers.push(gql_from(&app, "198.51.100.7", None, REGISTER, register_vars(&format!("loop{i}@example.org"))).await);
    }
    assert!(answers[..quota].iter().all(|r| r["data"]["register"] == json!(true)), "{answers:?}");
    assert!(answers[quota..].iter().all(is_rate_limited_with_hint), "{:?}", answers[quota]);
    assert_eq!(accounts(&app).await, quota as u64);
    assert_eq!(app.emails().await.len(), quota);
    // Another client address is not affected.
    let other = gql_from(&app, "203.0.113.9", None, REGISTER, register_vars("neighbour@example.org")).await;
    assert_eq!(other["data"]["register"], json!(true), "{other}");
}

#[tokio::test]
async fn fifty_aliased_registrations_of_an_existing_address_mail_its_owner_at_most_the_quota() {
    let app = app_with_default_limits().await;
    app.guardian("victim@example.org").await;
    let quota = defaults().messages_per_recipient_per_hour as usize;
    let doc = aliased(50, &format!("register(input: {{email: \"victim@example.org\", password: \"{PASSWORD}\", displayName: \"x\"}})"));
    gql_from(&app, "198.51.100.7", None, &doc, json!({})).await;
    assert!(app.emails_to("victim@example.org").await.len() <= quota);
}

#[tokio::test]
async fn registrations_of_one_address_from_many_client_addresses_mail_it_at_most_the_quota() {
    let app = app_with_default_limits().await;
    app.guardian("victim@example.org").await; // the verification mail counts too
    let quota = defaults().messages_per_recipient_per_hour as usize;
    let mut last = Value::Null;
    for i in 0..50 {
        last = gql_from(&app, &format!("198.51.100.{i}"), None, REGISTER, register_vars("victim@example.org")).await;
    }
    assert!(is_rate_limited_with_hint(&last), "{last}");
    assert_eq!(app.emails_to("victim@example.org").await.len(), quota);
}

#[tokio::test]
async fn an_existing_and_a_new_address_are_throttled_alike() {
    let app = app_with_default_limits().await;
    app.guardian("known@example.org").await;
    let (mut known, mut fresh) = (Vec::new(), Vec::new());
    for i in 0..6 {
        let k = gql_from(&app, &format!("198.51.100.{i}"), None, REGISTER, register_vars("known@example.org")).await;
        let f = gql_from(&app, &format!("203.0.113.{i}"), None, REGISTER, register_vars("fresh@example.org")).await;
        known.push((k["data"]["register"].clone(), code(&k).to_owned()));
        fresh.push((f["data"]["register"].clone(), code(&f).to_owned()));
    }
    // The known address already got its verification e-mail: it is one answer ahead of the fresh
    // one, exactly as the fresh one would be after its first registration.
    assert_eq!(known[..5], fresh[1..], "known {known:?} fresh {fresh:?}");
    assert_eq!(fresh[0].1, "<no error>");
    assert_eq!(known[5].1, "RATE_LIMITED");
}

#[tokio::test]
async fn password_reset_requests_from_one_address_stop_at_the_quota() {
    let app = app_with_default_limits().await;
    let quota = defaults().messages_per_address_per_minute as usize;
    app.guardian("reset-me@example.org").await;
    let q = "mutation($e: String!){ requestPasswordReset(email: $e) }";
    let mut answers = Vec::new();
    for i in 0..30 {
        // Half existing, half unknown: both count alike.
        let email = if i % 2 == 0 { format!("nobody{i}@example.org") } else { "reset-me@example.org".to_owned() };
        answers.push(gql_from(&app, "198.51.100.7", None, q, json!({"e": email})).await);
    }
    let limited = answers.iter().filter(|r| is_rate_limited_with_hint(r)).count();
    assert!(limited >= 30 - quota, "{limited} limited");
    // The owner gets at most the per-recipient quota of reset mails.
    let mails = app.emails_to("reset-me@example.org").await.len();
    assert!(mails <= defaults().messages_per_recipient_per_hour as usize, "{mails}");
}

async fn guardian_with_household(app: &TestApp, email: &str) -> String {
    let t = app.guardian(email).await;
    let r = app.gql(Some(&t), "mutation { createHousehold { id } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    t
}

#[tokio::test]
async fn thirty_aliased_invitations_mail_the_invitee_at_most_the_quota() {
    let app = app_with_default_limits().await;
    let mother = guardian_with_household(&app, "mother@example.org").await;
    let doc = aliased(30, "inviteGuardian(email: \"target@example.org\")");
    gql_from(&app, "198.51.100.7", Some(&mother), &doc, json!({})).await;
    assert!(app.emails_to("target@example.org").await.len() <= defaults().messages_per_recipient_per_hour as usize);
}

#[tokio::test]
async fn invitations_stop_at_the_quotas_per_invitee_and_per_client_address() {
    let app = app_with_default_limits().await;
    let mother = guardian_with_household(&app, "mother@example.org").await;
    let q = "mutation($e: String!){ inviteGuardian(email: $e) }";
    for _ in 0..30 {
        gql_from(&app, "198.51.100.7", Some(&mother), q, json!({"e": "target@example.org"})).await;
    }
    assert_eq!(app.emails_to("target@example.org").await.len(), defaults().messages_per_recipient_per_hour as usize);
    let mut last = Value::Null;
    for i in 0..30 {
        last = gql_from(&app, "203.0.113.9", Some(&mother), q, json!({"e": format!("spam{i}@example.org")})).await;
    }
    assert!(is_rate_limited_with_hint(&last), "{last}");
    let spam = app.emails().await.into_iter().filter(|(to, _)| to.starts_with("spam")).count();
    assert_eq!(spam, defaults().messages_per_address_per_minute as usize);
}

#[tokio::test]
async fn organization_registrations_from_one_address_stop_at_the_quota() {
    use integration_tests::fixtures::{REGISTER as ORG, credit_code, org_input};
    let app = app_with_default_limits().await;
    let quota = defaults().registrations_per_address_per_hour as u64;
    let mut last = Value::Null;
    for i in 0..12 {
        last =
            gql_from(&app, "198.51.100.7", None, ORG, json!({"i": org_input(&format!("org{i}@example.org"), &credit_code(100 + i))})).await;
    }
    assert!(is_rate_limited_with_hint(&last), "{last}");
    assert_eq!(entities::organization::Entity::find().count(&app.state.db).await.expect("count"), quota);
    assert_eq!(accounts(&app).await, quota);
}

#[tokio::test]
async fn staff_invitations_from_one_address_stop_at_the_quota() {
    let app = app_with_default_limits().await;
    let admin = app.admin_token().await;
    let q = "mutation($i: StaffAccountInput!){ createStaffAccount(input: $i){ id } }";
    let mut last = Value::Null;
    for i in 0..15 {
        let input =
            json!({"i": {"email": format!("staff{i}@x.gov.cn"), "displayName": "x", "role": "CIVIL_AFFAIRS", "regionCode": "520100"}});
        last = gql_from(&app, "198.51.100.7", Some(&admin), q, input).await;
    }
    assert!(is_rate_limited_with_hint(&last), "{last}");
    let mails = app.emails().await.into_iter().filter(|(to, _)| to.starts_with("staff")).count();
    assert_eq!(mails, defaults().messages_per_address_per_minute as usize);
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_out_the_owner_elsewhere() {
    let app = app_with_default_limits().await;
    app.guardian("owner@example.org").await;
    let login = "mutation($e: String!, $p: String!){ login(email: $e, password: $p){ accessToken } }";
    let (attacker, owner) = ("198.51.100.66", "203.0.113.5");
    for _ in 0..6 {
        gql_from(&app, attacker, None, login, json!({"e": "owner@example.org", "p": "wrong-password-9"})).await;
    }
    let own = gql_from(&app, owner, None, login, json!({"e": "owner@example.org", "p": PASSWORD})).await;
    assert!(own["data"]["login"]["accessToken"].is_string(), "the owner signs in from her own address: {own}");
    // The guessing address stays throttled, even with the right password.
    let again = gql_from(&app, attacker, None, login, json!({"e": "owner@example.org", "p": PASSWORD})).await;
    assert!(is_rate_limited_with_hint(&again), "{again}");
}
