//! The single conversion of errors to their wire form: `extensions.code` from the fixed set, a
//! message in the request's language, `extensions.field` for validation errors and a retry hint
//! for throttling. Anything that is not an `AppError` raised by our code is either a malformed
//! request (async-graphql's own parse/validation/coercion errors → `VALIDATION`) or internal (the
//! cause is logged, the client sees a generic text).

use async_graphql::{Response, SchemaBuilder, ServerError, Value};

use super::schema::{MutationRoot, QueryRoot, SubscriptionRoot, schema_builder};
use crate::error::{AppError, Lang};

/// Rewrites every error of a response; returns the longest retry-after hint, if any.
pub fn finish(resp: &mut Response, lang: Lang) -> Option<u64> {
    finish_with_variables(resp, lang, None)
}

/// As [`finish`], with the request's variables to tell which input field a type error is about.
pub fn finish_with_variables(resp: &mut Response, lang: Lang, variables: Option<&serde_json::Value>) -> Option<u64> {
    let mut retry = None;
    for err in resp.errors.iter_mut() {
        if let Some(r) = rewrite(err, lang, variables) {
            retry = Some(retry.unwrap_or(0).max(r));
        }
    }
    retry
}

fn rewrite(err: &mut ServerError, lang: Lang, variables: Option<&serde_json::Value>) -> Option<u64> {
    if let Some(ext) = err.extensions.as_ref()
        && ext.get("code").is_some()
    {
        // Already rewritten (by the execute extension); keep its retry hint for the HTTP header.
        return match ext.get("retryAfterSeconds") {
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
    }
    let (code, message, field, retry) = if let Some(app) = err.source::<AppError>() {
        if let AppError::Internal(cause) = app {
            tracing::error!(error = %crate::error::chain(&**cause), path = ?err.path, "internal error");
        }
        let field = match app {
            AppError::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        let retry = match app {
            AppError::RateLimited { retry_after_secs } | AppError::Unavailable { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        (app.code(), app.message(lang), field, retry)
    } else if let Some(db) = err.source::<sea_orm::DbErr>() {
        let app = AppError::from(db.clone());
        if let AppError::Internal(cause) = &app {
            tracing::error!(error = %crate::error::chain(&**cause), path = ?err.path, "database error");
        }
        let retry = match app {
            AppError::Unavailable { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        (app.code(), app.message(lang), None, retry)
    } else {
        let prefix = lang.pick("请求格式错误：", "invalid request: ");
        let field = super::input_errors::field_of(&err.message, variables);
        ("VALIDATION", format!("{prefix}{}", err.message), field, None)
    };
    err.message = message;
    let ext = err.extensions.get_or_insert_with(Default::default);
    ext.set("code", code);
    if let Some(f) = field {
        ext.set("field", f);
    }
    if let Some(r) = retry {
        ext.set("retryAfterSeconds", Value::from(r));
    }
    retry
}

/// True when any error of `resp` carries `code` (after `finish`).
pub fn has_code(resp: &Response, code: &str) -> bool {
    resp.errors
        .iter()
        .any(|e| e.extensions.as_ref().and_then(|x| x.get("code")).is_some_and(|c| matches!(c, Value::String(s) if s == code)))
}

/// The code of the first error of `resp` (after `finish`), from the fixed set.
pub fn first_code(resp: &Response) -> Option<&'static str> {
    let code = resp.errors.first()?.extensions.as_ref()?.get("code")?;
    let Value::String(code) = code else { return None };
    crate::error::CODES.iter().copied().find(|c| c == code)
}

/// A response holding only `err`, coded as every other error; with its retry hint.
pub fn response_of(err: AppError, lang: Lang) -> (Response, Option<u64>) {
    let server = async_graphql::Error::new_with_source(err).into_server_error(async_graphql::Pos::default());
    let mut resp = Response::from_errors(vec![server]);
    let retry = finish(&mut resp, lang);
    // No position: the error is about the request, not a place in its text.
    for e in resp.errors.iter_mut() {
        e.locations.clear();
    }
    (resp, retry)
}

/// Applies `finish` inside execution too, so subscription results over WebSocket carry the same
/// codes and languages as HTTP responses.
pub struct ErrorCodes;

impl async_graphql::extensions::ExtensionFactory for ErrorCodes {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_graphql::async_trait::async_trait]
impl async_graphql::extensions::Extension for ErrorCodesExtension {
    async fn execute(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: async_graphql::extensions::NextExecute<'_>,
    ) -> Response {
        let mut resp = next.run(ctx, operation_name).await;
        let lang = ctx.data_opt::<Lang>().copied().unwrap_or_default();
        finish(&mut resp, lang);
        resp
    }

    fn subscribe<'s>(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        stream: async_graphql::futures_util::stream::BoxStream<'s, Response>,
        next: async_graphql::extensions::NextSubscribe<'_>,
    ) -> async_graphql::futures_util::stream::BoxStream<'s, Response> {
        use async_graphql::futures_util::StreamExt;
        let lang = ctx.data_opt::<Lang>().copied().unwrap_or_default();
        next.run(ctx, stream)
            .map(move |mut resp| {
                finish(&mut resp, lang);
                resp
            })
            .boxed()
    }
}

/// The schema for WebSocket clients, whose responses do not pass through [`finish`]: the
/// `ErrorCodes` extension codes their errors (subscription events are few and small).
pub fn ws_schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    schema_builder().extension(ErrorCodes)
}
