//! Graceful shutdown of one replica. Why more than axum's graceful shutdown: an upgraded
//! WebSocket is no longer an HTTP connection axum waits for, so without being told, a socket
//! would be cut without a close frame when the process exits, and its client could not tell a
//! restart from a network fault. Sockets are told to go away (close code 1001) as soon as the
//! shutdown begins, so their clients reconnect to another replica at once.

use std::{future::Future, sync::Arc};

use tokio::sync::watch;

/// The shutdown state of this process, shared by the server and every open socket.
#[derive(Clone)]
pub struct Drain {
    going_away: Arc<watch::Sender<bool>>,
    sockets: Arc<watch::Sender<usize>>,
}

impl Default for Drain {
    fn default() -> Self {
        Drain { going_away: Arc::new(watch::channel(false).0), sockets: Arc::new(watch::channel(0).0) }
    }
}

impl Drain {
    /// Starts the shutdown: every socket closes with 1001 and `/readyz` answers 503.
    pub fn begin(&self) {
        self.going_away.send_replace(true);
    }

    /// Whether the shutdown has begun.
    pub fn is_going_away(&self) -> bool {
        *self.going_away.borrow()
    }

    /// Resolves when the shutdown begins (at once if it has).
    pub fn going_away(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.going_away.subscribe();
        async move {
            let _ = rx.wait_for(|g| *g).await;
        }
    }

    /// Counts an open socket until the guard is dropped.
    pub fn socket(&self) -> OpenSocket {
        self.sockets.send_modify(|n| *n += 1);
        OpenSocket(self.sockets.clone())
    }

    /// Resolves when no socket is open.
    pub async fn sockets_closed(&self) {
        let mut rx = self.sockets.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }
}

/// One open socket, counted while it lives.
pub struct OpenSocket(Arc<watch::Sender<usize>>);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sockets_are_counted_until_dropped_and_told_when_the_shutdown_begins() {
        let drain = Drain::default();
        let (a, b) = (drain.socket(), drain.socket());
        let told = tokio::spawn(drain.going_away());
        assert!(!drain.is_going_away());
        drain.begin();
        told.await.expect("told");
        drop(a);
        let closed = tokio::time::timeout(std::time::Duration::from_millis(50), drain.sockets_closed()).await;
        assert!(closed.is_err(), "one socket is still open");
        drop(b);
        tokio::time::timeout(std::time::Duration::from_secs(1), drain.sockets_closed()).await.expect("all closed");
    }
}
