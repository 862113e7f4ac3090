//! The pages behind the links in our e-mails (`PUBLIC_URL/verify-email`, `/reset-password`,
//! `/household-invitation`): a plain form that completes the action, in Chinese and English, with
//! no script and nothing loaded from elsewhere. Opening a link changes nothing (mail scanners
//! open links); the button does. The token in the form is the whole authority, so no other
//! anti-forgery token is needed, and a token that is not of our alphabet is refused before it
//! could reach the page.

use axum::{
    Form,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    app::{Http, client_addr},
    graphql::lang_of,
};
use crate::{
    auth::viewer::Auth,
    error::{AppError, Lang},
    services::{accounts, families},
};

const PAGE_CSP: &str = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the forms send.
#[derive(Deserialize, Default)]
pub(super) struct LinkForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
    #[serde(default)]
    email: String,
}

/// Tokens are URL-safe base64 or hex; anything else is not ours.
fn plausible(token: &str) -> bool {
    (16..=128).contains(&token.len()) && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn page(lang: Lang, title: (&str, &str), body: &str) -> Response {
    let (zh, en) = title;
    let html = format!(
        "<!doctype html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} · 童心 Tongxin</title></head><body><h1>{t}</h1>{body}<p><small>童心 Tongxin</small></p></body></html>",
        l = lang.pick("zh-CN", "en"),
        t = lang.pick(zh, en),
    );
    let mut resp = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    resp
}

fn outcome(lang: Lang, result: Result<(&str, &str), AppError>) -> Response {
    match result {
        Ok(done) => page(lang, done, ""),
        Err(e) => page(lang, ("未能完成", "Not done"), &format!("<p>{}</p>", e.message(lang))),
    }
}

fn invalid_link(lang: Lang) -> Response {
    page(lang, ("链接无效", "Invalid link"), lang.pick("<p>链接无效或已过期。</p>", "<p>The link is invalid or has expired.</p>"))
}

fn form(lang: Lang, title: (&str, &str), action: &str, token: &str, fields: &str, button: (&str, &str)) -> Response {
    let body = format!(
        "<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"token\" value=\"{token}\">{fields}\
         <p><button type=\"submit\">{b}</button></p></form>",
        b = lang.pick(button.0, button.1)
    );
    page(lang, title, &body)
}

fn field(lang: Lang, name: &str, kind: &str, label: (&str, &str)) -> String {
    format!("<p><label>{l}<br><input type=\"{kind}\" name=\"{name}\" required></label></p>", l = lang.pick(label.0, label.1))
}

pub(super) async fn verify_email_page(headers: HeaderMap, Query(q): Query<LinkForm>) -> Response {
    let lang = lang_of(&headers);
    if !plausible(&q.token) {
        return invalid_link(lang);
    }
    form(lang, ("确认邮箱", "Confirm your e-mail"), "/verify-email", &q.token, "", ("确认", "Confirm"))
}

pub(super) async fn verify_email(State(h): State<Http>, headers: HeaderMap, Form(f): Form<LinkForm>) -> Response {
    let lang = lang_of(&headers);
    if !plausible(&f.token) {
        return invalid_link(lang);
    }
    outcome(
        lang,
        accounts::verify_email(&h.state, &f.token).await.map(|()| ("邮箱已确认，请回到应用登录", "E-mail confirmed; sign in in the app")),
    )
}

pub(super) async fn reset_password_page(headers: HeaderMap, Query(q): Query<LinkForm>) -> Response {
    let lang = lang_of(&headers);
    if !plausible(&q.token) {
        return invalid_link(lang);
    }
    let fields =
        field(lang, "password", "password", ("新密码（至少 10 位，含字母和数字）", "New password (10+ characters, letters and digits)"))
            + &field(lang, "password_again", "password", ("再次输入新密码", "New password again"));
    form(lang, ("设置新密码", "Set a new password"), "/reset-password", &q.token, &fields, ("保存", "Save"))
}

pub(super) async fn reset_password(State(h): State<Http>, headers: HeaderMap, Form(f): Form<LinkForm>) -> Response {
    let lang = lang_of(&headers);
    if !plausible(&f.token) {
        return invalid_link(lang);
    }
    if f.password != f.password_again {
        let e = AppError::validation("passwordAgain", "两次输入的密码不一致", "the two passwords differ");
        return outcome(lang, Err(e));
    }
    let done = accounts::reset_password(&h.state, &f.token, &f.password).await;
    outcome(lang, done.map(|()| ("密码已更新，请用新密码登录", "Password changed; sign in with the new one")))
}

pub(super) async fn invitation_page(headers: HeaderMap, Query(q): Query<LinkForm>) -> Response {
    let lang = lang_of(&headers);
    if !plausible(&q.token) {
        return invalid_link(lang);
    }
    let fields = field(lang, "email", "email", ("受邀的邮箱", "The invited e-mail address"))
        + &field(lang, "password", "password", ("该账号的密码", "Its password"));
    form(lang, ("加入家庭", "Join the household"), "/household-invitation", &q.token, &fields, ("登录并加入", "Sign in and join"))
}

/// Signs in (with the login throttles of the API), accepts, and ends that sign-in again: the page
/// holds no session.
pub(super) async fn accept_invitation(
    State(h): State<Http>,
    ConnectInfo(ci): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LinkForm>,
) -> Response {
    let lang = lang_of(&headers);
    if !plausible(&f.token) {
        return invalid_link(lang);
    }
    let addr = client_addr(&h.state, Some(ci), &headers).0;
    let result = async {
        let tokens = accounts::login(&h.state, &f.email, &f.password, addr).await?;
        let Auth::Signed(viewer) = accounts::authenticate(&h.state, &tokens.access_token).await? else {
            return Err(AppError::Unauthenticated);
        };
        let joined = families::accept_invitation(&h.state, &viewer, &f.token).await;
        accounts::logout(&h.state, &viewer).await?;
        joined.map(|_| ("已加入家庭，请回到应用查看", "You joined the household; open the app to see it"))
    }
    .await;
    outcome(lang, result)
}
