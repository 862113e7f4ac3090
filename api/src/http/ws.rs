//! GraphQL over WebSocket at `/graphql/ws` (`graphql-transport-ws`, or the older `graphql-ws`).
//!
//! A socket lives much longer than the access token that opened it, so it is held to the same
//! rules as an HTTP request at every step, not only at `connection_init`:
//! - every operation re-authenticates the token (the session cache makes that cheap) and passes
//!   the same document limits as HTTP, with the client's address in its context;
//! - mutations are refused: they belong to HTTP POST, where throttles, idempotency keys and the
//!   request timeout apply, and a socket has no use for them (the console subscribes; it does not
//!   write through the socket);
//! - the socket closes (4401) when its session is revoked (logout, disabling, password reset, role
//!   change) or its access token expires;
//! - a stopping server closes every socket with 1001 (going away), so clients reconnect to
//!   another replica; subscriptions need no sticky sessions, as queue events reach every replica;
//! - messages are capped at the HTTP body limit, queries at the request timeout, a client that
//!   never sends `connection_init` is closed after [`INIT_TIMEOUT`] (4408, as the protocol says),
//!   and one socket runs at most [`MAX_OPERATIONS`] operations at a time.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use async_graphql::{
    Data, Executor, Response,
    futures_util::stream::{self, BoxStream},
    http::{WebSocket, WebSocketProtocols, WsMessage},
};
use axum::{
    extract::{
        ConnectInfo, State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket as Socket},
    },
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response as HttpResponse},
};
use futures::{
    FutureExt, SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use tokio::sync::watch;

use super::{
    app::{Http, client_addr},
    graphql::lang_of,
};
use crate::{
    auth::viewer::Auth,
    error::{AppError, Lang, Msg},
    graphql::{
        context::ClientAddr,
        errors,
        gate::{self, Kind},
        persisted,
    },
    services::accounts,
    state::AppState,
};

/// Time a client has to send `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Operations one socket may run at once.
pub const MAX_OPERATIONS: usize = 16;
/// Longest wait between two checks of a socket's session when nothing signals a revocation
/// (a revocation missed by a lost listener, a clock moved in tests).
const RECHECK: Duration = Duration::from_secs(5);
/// Close code for an ended session (graphql-transport-ws uses 4401 for Unauthorized).
const SESSION_ENDED: u16 = 4401;
/// Close code of a stopping server (RFC 6455 "going away"): reconnect, another replica answers.
const GOING_AWAY: u16 = 1001;
/// How long the server waits for the client's answer to its close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// What the connection knows about its client, shared with every operation it runs.
#[derive(Clone)]
struct Conn {
    token: Option<String>,
    lang: Lang,
    addr: ClientAddr,
    running: Arc<AtomicUsize>,
}

/// Accepts the upgrade with the body limit as the largest message.
pub(super) async fn upgrade(
    State(h): State<Http>,
    ConnectInfo(ci): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    let Some(protocol) = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|list| list.split(',').find_map(|p| p.trim().parse::<WebSocketProtocols>().ok()))
    else {
        return (StatusCode::BAD_REQUEST, "Sec-WebSocket-Protocol must be graphql-transport-ws").into_response();
    };
    let lang = lang_of(&headers);
    let addr = client_addr(&h.state, Some(ci), &headers);
    let limit = h.state.config.body_limit_bytes;
    upgrade
        .protocols([protocol.sec_websocket_protocol()])
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| serve(h, socket, protocol, lang, addr))
}

async fn serve(h: Http, socket: Socket, protocol: WebSocketProtocols, lang: Lang, addr: ClientAddr) {
    let _open = h.state.drain.socket();
    let (mut sink, mut raw) = socket.split();
    let close = run_protocol(h, &mut sink, &mut raw, protocol, lang, addr).await;
    if let Some((code, reason)) = close
        && sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await.is_ok()
    {
        await_peer_close(&mut raw).await;
    }
    let _ = sink.close().await;
}

/// Runs the GraphQL protocol over the socket until it ends; the close the server owes the
/// client, if any. The protocol borrows the incoming half, so that after it ends the close
/// handshake can still be read from it.
async fn run_protocol(
    h: Http,
    sink: &mut SplitSink<Socket, Message>,
    raw: &mut SplitStream<Socket>,
    protocol: WebSocketProtocols,
    lang: Lang,
    addr: ClientAddr,
) -> Option<(u16, String)> {
    let going_away = h.state.drain.going_away().fuse();
    // A message over the size limit ends the input with an error, and so the connection.
    let input = raw
        .take_while(|m| std::future::ready(m.is_ok()))
        .filter_map(|m| std::future::ready(m.ok().filter(|m| matches!(m, Message::Text(_) | Message::Binary(_)))))
        .map(Message::into_data)
        .map(document_id_into_extensions);
    let (token_tx, token_rx) = watch::channel::<Option<Option<String>>>(None);
    let state = h.state.clone();
    let executor = Guarded { h };
    let mut messages = WebSocket::new(executor, input, protocol).on_connection_init(move |payload| async move {
        let token = ["authorization", "Authorization"]
            .iter()
            .find_map(|k| payload.get(*k))
            .and_then(|v| v.as_str())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        let _ = token_tx.send(Some(token.clone()));
        let mut data = Data::default();
        data.insert(Conn { token, lang, addr, running: Arc::new(AtomicUsize::new(0)) });
        Ok(data)
    });
    let init_deadline = tokio::time::sleep(INIT_TIMEOUT).fuse();
    let session_over = session_over(state, token_rx).fuse();
    futures::pin_mut!(init_deadline, session_over, going_away);
    let mut initialised = false;
    loop {
        tokio::select! {
            msg = messages.next() => match msg {
                Some(WsMessage::Text(text)) => {
                    initialised |= text.contains("connection_ack");
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        return None;
                    }
                }
                Some(WsMessage::Close(code, reason)) => return Some((code, reason)),
                None => return None,
            },
            () = &mut init_deadline, if !initialised => return Some((4408, "Connection initialisation timeout".to_owned())),
            () = &mut session_over => return Some((SESSION_ENDED, "session ended".to_owned())),
            () = &mut going_away => return Some((GOING_AWAY, "server restarting".to_owned())),
        }
    }
}

/// Waits (briefly) for the client to answer the server's close frame, as RFC 6455 asks, before
/// the TCP connection is dropped: a client still writing into a socket the server has already
/// dropped gets a reset, and a reset discards the close frame (and its code) unread.
async fn await_peer_close(raw: &mut SplitStream<Socket>) {
    let answered = async {
        while let Some(Ok(m)) = raw.next().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(CLOSE_WAIT, answered).await;
}

/// Resolves when the session the socket was opened with is over: revoked, expired or invalid
/// from the start. Never resolves for an anonymous socket or before `connection_init`.
async fn session_over(state: AppState, mut token: watch::Receiver<Option<Option<String>>>) {
    let token = loop {
        if let Some(t) = token.borrow_and_update().clone() {
            break t;
        }
        if token.changed().await.is_err() {
            return std::future::pending().await;
        }
    };
    let Some(token) = token else { return std::future::pending().await };
    let mut revocations = state.sessions.revocations();
    loop {
        match accounts::authenticate(&state, &token).await {
            Ok(Auth::Signed(_)) => {}
            Ok(_) => return,
            // The database is unreachable: each operation will say so; keep the socket.
            Err(e) => tracing::warn!(error = %e, "session re-check failed"),
        }
        let left = state.jwt.verify(&token, state.clock.now()).map(|c| c.exp - state.clock.now().timestamp()).unwrap_or(0);
        let until_expiry = Duration::from_secs(u64::try_from(left).unwrap_or(0));
        tokio::select! {
            _ = revocations.changed() => {}
            () = tokio::time::sleep(until_expiry.min(RECHECK)) => {}
        }
    }
}

/// The schema behind the checks every socket operation passes.
#[derive(Clone)]
struct Guarded {
    h: Http,
}

impl Executor for Guarded {
    async fn execute(&self, request: async_graphql::Request) -> Response {
        // Only reached through `execute_stream` below; answer the same way.
        self.execute_stream(request, None).next().await.unwrap_or_default()
    }

    fn execute_stream(&self, request: async_graphql::Request, session: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        let conn = session.as_deref().and_then(|d| d.get(&std::any::TypeId::of::<Conn>())).and_then(|b| b.downcast_ref::<Conn>()).cloned();
        let h = self.h.clone();
        let (name, started) = (request.operation_name.clone(), Instant::now());
        stream::once(async move {
            let Some(conn) = conn else { return refused(&h, name, started, AppError::Unauthenticated, Lang::Zh) };
            let lang = conn.lang;
            if conn.running.fetch_add(1, Ordering::AcqRel) >= MAX_OPERATIONS {
                conn.running.fetch_sub(1, Ordering::AcqRel);
                return refused(&h, name, started, too_many_operations(), lang);
            }
            let slot = Slot(conn.running.clone());
            match prepare(&h, &conn, request).await {
                Err(e) => refused(&h, name, started, e, lang),
                Ok((mut req, kind)) => {
                    // Named as over HTTP: the operation asked for, else the document's only one.
                    let name = gate::operation_name(&mut req);
                    if kind == Kind::Subscription {
                        let open = h.state.metrics.subscription_opened();
                        return h
                            .ws_schema
                            .execute_stream(req)
                            .map(move |r| {
                                let _held = (&slot, &open);
                                count_event(&h, name.as_deref(), started, &r);
                                r
                            })
                            .boxed();
                    }
                    let timeout = h.state.config.request_timeout();
                    let r = match tokio::time::timeout(timeout, h.ws_schema.execute(req)).await {
                        Ok(r) => r,
                        Err(_) => return refused(&h, name, started, AppError::Unavailable { retry_after_secs: 1 }, lang),
                    };
                    drop(slot);
                    count_answer(&h, name.as_deref(), started, &r);
                    stream::once(std::future::ready(r)).boxed()
                }
            }
        })
        .flatten()
        .boxed()
    }
}

/// Counts an operation answered once over the socket (a query, or a refusal) in the same series
/// as operations over HTTP, so a dashboard sees every operation whatever its transport.
fn count_answer(h: &Http, name: Option<&str>, started: Instant, r: &Response) {
    let m = &h.state.metrics;
    let valid = r.errors.iter().all(|e| !e.path.is_empty());
    m.graphql(m.operation_names.label(name, valid), errors::first_code(r).unwrap_or("OK"), started.elapsed());
}

/// Counts what a subscription sends: an event, or an error as an answered operation.
fn count_event(h: &Http, name: Option<&str>, started: Instant, r: &Response) {
    if r.errors.is_empty() {
        let m = &h.state.metrics;
        m.subscription_event(m.operation_names.label(name, true));
    } else {
        count_answer(h, name, started, r);
    }
}

/// Frees an operation's place on its socket when its stream ends or is dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The checks of one operation: the document limits, no mutations, a session still valid.
async fn prepare(h: &Http, conn: &Conn, request: async_graphql::Request) -> Result<(async_graphql::Request, Kind), AppError> {
    let (req, kind, origin) = h.gate.admit(&h.state, request).await?;
    if kind == Kind::Mutation {
        return Err(AppError::Validation {
            field: "query".into(),
            msg: Msg::new("变更操作请通过 HTTP POST /graphql 发送", "send mutations over HTTP POST /graphql, not the WebSocket"),
        });
    }
    let auth = match &conn.token {
        None => Auth::Anonymous,
        Some(t) => match accounts::authenticate(&h.state, t).await {
            Ok(Auth::Signed(v)) => Auth::Signed(v),
            Ok(_) => return Err(AppError::Unauthenticated),
            Err(e) => {
                tracing::error!(error = %e, "authentication lookup failed");
                return Err(AppError::Unavailable { retry_after_secs: 5 });
            }
        },
    };
    h.state.trusted.check_caller(&h.state.db, &auth, &origin, &req.query).await?;
    Ok((req.data(auth).data(conn.lang).data(conn.addr), kind))
}

/// Moves a subscribe message's `payload.documentId` (GraphQL over HTTP's persisted-document
/// form, which async-graphql's request does not read) into `payload.extensions`, where the gate
/// looks for it. Other messages pass untouched.
fn document_id_into_extensions(data: axum::body::Bytes) -> axum::body::Bytes {
    if !data.windows(12).any(|w| w == b"\"documentId\"") {
        return data;
    }
    let Ok(mut msg) = serde_json::from_slice::<serde_json::Value>(&data) else { return data };
    let Some(payload) = msg.get_mut("payload").and_then(|p| p.as_object_mut()) else { return data };
    let Some(id) = payload.remove(persisted::DOCUMENT_ID) else { return data };
    let ext = payload.entry("extensions").or_insert_with(|| serde_json::json!({}));
    if let Some(ext) = ext.as_object_mut() {
        ext.insert(persisted::DOCUMENT_ID.to_owned(), id);
    }
    serde_json::to_vec(&msg).map(Into::into).unwrap_or(data)
}

fn too_many_operations() -> AppError {
    AppError::Validation {
        field: "query".into(),
        msg: Msg::new("此连接上同时进行的操作过多", "too many operations at once on this connection"),
    }
}

fn refused(h: &Http, name: Option<String>, started: Instant, err: AppError, lang: Lang) -> BoxStream<'static, Response> {
    let r = errors::response_of(err, lang).0;
    count_answer(h, name.as_deref(), started, &r);
    stream::once(std::future::ready(r)).boxed()
}
