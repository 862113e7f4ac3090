//! The server's log as text, for tests that prove what never reaches it. Tests run on tokio's
//! current-thread runtime, so the server tasks they spawn log on the test's own thread, where the
//! capturing subscriber is the default for as long as the guard lives.
//!
//! Why the two keepers: `tracing` caches, per call site, whether any subscriber wants its events
//! (the "interest"), computed when the call site is first hit. While exactly one subscriber is
//! registered process-wide, tracing-core computes that interest from the default subscriber *of
//! the thread that hit the call site first*. Tests run in parallel on many threads: when a test
//! without a capture was first to log "login with WeChat" while one capture was alive, the call
//! site was cached as wanted by nobody and the capturing test never saw that line (seen on
//! PostgreSQL, whose slower setup changes which test gets there first). Two subscribers that live
//! for the whole run and answer "sometimes" keep tracing-core on its path that asks every
//! registered subscriber, so a capture sees every event of its thread whoever logged it first.

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

/// A subscriber that records nothing and asks to be consulted on every event, so no call site's
/// interest is ever cached as "never" (see the module doc).
struct Keeper;

impl tracing::Subscriber for Keeper {
    fn register_callsite(&self, _: &'static tracing::Metadata<'static>) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }

    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, _: &tracing::Event<'_>) {}

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

static KEEPERS: std::sync::OnceLock<[tracing::Dispatch; 2]> = std::sync::OnceLock::new();

/// Starts capturing every event (TRACE and up, with their fields and spans) on this thread.
pub fn capture() -> (tracing::subscriber::DefaultGuard, CapturedLog) {
    KEEPERS.get_or_init(|| [tracing::Dispatch::new(Keeper), tracing::Dispatch::new(Keeper)]);
    // Call sites first hit before the keepers existed were cached from one thread's subscriber.
    tracing::callsite::rebuild_interest_cache();
    let log = CapturedLog::default();
    let buf = log.0.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_ansi(false).with_writer(move || Sink(buf.clone())).finish();
    (tracing::subscriber::set_default(subscriber), log)
}
