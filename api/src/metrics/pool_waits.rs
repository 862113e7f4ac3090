//! Time callers wait for a pooled database connection. sqlx measures it as it hands a connection
//! out but reports it only as a `tracing` event (target `sqlx::pool::acquire`, field
//! `acquired_after_secs`, enabled by `acquire_time_level` in `db.rs`); the layer here turns those
//! events into a histogram. A growing wait is the first sign that `DATABASE_MAX_CONNECTIONS` is
//! too small for the load, before requests start to time out.
//!
//! Process-wide, unlike the other series: the event does not say which pool it came from. A
//! deployed server has one pool per process; tests that run many servers in one process see the
//! sum of their waits.

use std::sync::LazyLock;

use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use tracing::{Event, Subscriber, field::Field};
use tracing_subscriber::{Layer, filter::Targets, layer::Context};

/// The target of sqlx's acquire events.
pub const TARGET: &str = "sqlx::pool::acquire";

static WAITS: LazyLock<Histogram> = LazyLock::new(|| {
    // 100 µs … ~26 s in ×4 steps: an idle pool answers in microseconds, the acquire timeout is 10 s.
    Histogram::new(exponential_buckets(0.000_1, 4.0, 10))
});

/// The histogram every metrics registry of this process exposes.
pub fn histogram() -> Histogram {
    WAITS.clone()
}

/// Records each acquire event's wait.
struct PoolWaits;

impl<S: Subscriber> Layer<S> for PoolWaits {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut wait = Wait(None);
        event.record(&mut wait);
        if let Some(secs) = wait.0 {
            WAITS.observe(secs);
        }
    }
}

struct Wait(Option<f64>);

impl tracing::field::Visit for Wait {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "acquired_after_secs" {
            self.0 = Some(value);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

/// The layer, listening to sqlx's acquire events only (at any level: a slow acquire is reported
/// at `warn` with the same field).
pub fn layer<S>() -> impl Layer<S> + Send + Sync + 'static
where
    S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    let only_acquires: Targets = Targets::new().with_target(TARGET, tracing::Level::TRACE);
    PoolWaits.with_filter(only_acquires)
}
