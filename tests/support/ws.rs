//! A small `graphql-transport-ws` client for the WebSocket tests.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, protocol::frame::coding::CloseCode},
};

use crate::TestApp;

/// One open socket.
pub struct WsClient {
    ws: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
}

/// What the server did next.
#[derive(Debug, PartialEq)]
pub enum WsEvent {
    /// A protocol message (JSON).
    Message(Value),
    /// A close frame with its code.
    Closed(u16),
    /// The connection ended without a close frame (or with an error).
    Gone,
}

impl WsClient {
    /// Opens a socket without sending `connection_init`; `headers` are added to the upgrade.
    pub async fn open(app: &TestApp, headers: &[(&'static str, &str)]) -> WsClient {
        let mut req = format!("ws://{}/graphql/ws", app.addr).into_client_request().expect("request");
        req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
        for (k, v) in headers {
            req.headers_mut().insert(*k, v.parse().expect("header value"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("connect");
        WsClient { ws }
    }

    /// Opens a socket and completes `connection_init` with `token` (if any).
    pub async fn connect(app: &TestApp, token: Option<&str>) -> WsClient {
        let mut c = Self::open(app, &[]).await;
        let payload = token.map(|t| json!({"authorization": format!("Bearer {t}")})).unwrap_or(json!({}));
        c.send(json!({"type": "connection_init", "payload": payload})).await;
        match c.next(Duration::from_secs(5)).await {
            WsEvent::Message(m) if m["type"] == "connection_ack" => c,
            other => panic!("no connection_ack: {other:?}"),
        }
    }

    /// Sends one protocol message.
    pub async fn send(&mut self, msg: Value) {
        self.ws.send(Message::text(msg.to_string())).await.expect("send");
    }

    /// Sends a raw text frame (possibly huge); false when the connection refused it.
    pub async fn send_raw(&mut self, text: String) -> bool {
        self.ws.send(Message::text(text)).await.is_ok()
    }

    /// The next event within `wait` (a timeout is `Gone`).
    pub async fn next(&mut self, wait: Duration) -> WsEvent {
        loop {
            match tokio::time::timeout(wait, self.ws.next()).await {
                Err(_) | Ok(None) | Ok(Some(Err(_))) => return WsEvent::Gone,
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return WsEvent::Closed(frame.map(|f| u16::from(f.code)).unwrap_or(u16::from(CloseCode::Status)));
                }
                Ok(Some(Ok(Message::Text(t)))) => return WsEvent::Message(serde_json::from_str(&t).expect("json message")),
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Starts operation `id`.
    pub async fn start(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}})).await;
    }

    /// Runs a query or mutation as operation `id`; returns its first result payload, or panics
    /// with what happened instead.
    pub async fn run(&mut self, id: &str, query: &str, variables: Value) -> Value {
        self.try_run(id, query, variables).await.unwrap_or_else(|e| panic!("operation {id} got {e:?}"))
    }

    /// Runs operation `id`; its first result payload, or how the connection ended instead.
    pub async fn try_run(&mut self, id: &str, query: &str, variables: Value) -> Result<Value, WsEvent> {
        self.start(id, query, variables).await;
        loop {
            match self.next(Duration::from_secs(10)).await {
                WsEvent::Message(m) if m["id"] == id && m["type"] == "next" => return Ok(m["payload"].clone()),
                WsEvent::Message(m) if m["id"] == id && m["type"] == "error" => return Ok(json!({"errors": m["payload"]})),
                WsEvent::Message(_) => continue,
                other => return Err(other),
            }
        }
    }

    /// Waits up to `wait` for the server to close the socket; the close code, if any.
    pub async fn closed_within(&mut self, wait: Duration) -> Option<u16> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return None;
            }
            match self.next(left).await {
                WsEvent::Closed(code) => return Some(code),
                WsEvent::Gone => return (tokio::time::Instant::now() < until).then_some(0),
                WsEvent::Message(_) => continue,
            }
        }
    }
}
