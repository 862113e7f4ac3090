//! The server's log as text, for tests that prove what never reaches it. Tests run on tokio's
//! current-thread runtime, so the server tasks they spawn log on the test's own thread, where the
//! capturing subscriber is the default for as long as the guard lives.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

/// Everything logged while the capture was active, at every level.
#[derive(Clone, Default)]
pub struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl CapturedLog {
    /// The text logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts capturing every event (TRACE and up, with their fields and spans) on this thread.
pub fn capture() -> (tracing::subscriber::DefaultGuard, CapturedLog) {
    let log = CapturedLog::default();
    let buf = log.0.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_ansi(false).with_writer(move || Sink(buf.clone())).finish();
    (tracing::subscriber::set_default(subscriber), log)
}
