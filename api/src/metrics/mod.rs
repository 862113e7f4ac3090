//! Prometheus metrics: what the server counts as it works (this module) and what it reads when
//! scraped ([`scrape`]). Every series is named `tongxin_…`; the README lists them with the alerts
//! worth setting.
//!
//! Why `prometheus-client` (the Prometheus project's own Rust client) rather than the `metrics`
//! facade: its registry is a value, not a process-wide recorder, so each server state owns its
//! series. Tests run many servers in one process and each one's `/metrics` shows only its own
//! traffic; a global recorder would mix them, and could be installed only once.
//!
//! Labels never carry personal data: operation names (bounded, see [`OperationNames`]), error
//! codes from the fixed set, job names, statuses. Never an id, an address or an e-mail.

pub mod pool_waits;
pub mod scrape;

use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
    time::{Duration, Instant},
};

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

/// Label of a GraphQL operation and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    /// The client's operation name, `anonymous`, or `other` (see [`OperationNames`]).
    pub operation: String,
    /// `OK`, or the `extensions.code` of the first error.
    pub code: String,
}

/// Label of the operation alone.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabel {
    /// As in [`OperationLabels`].
    pub operation: String,
}

/// Label naming a scheduled job.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabel {
    /// The job's name in `jobs` (fixed set).
    pub job: String,
}

/// Label of a notice attempt on a family's channel.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NoticeLabels {
    /// `wechat`, `sms` or `email`.
    pub channel: String,
    /// `sent`, `refused` (the next channel takes over) or `failed` (retried later).
    pub outcome: String,
}

/// Label of an HTTP status class (`2xx` … `5xx`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabel {
    /// The class.
    pub status: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 5 ms … ~10 s: the budget is 30 s (REQUEST_TIMEOUT_SECS), typical answers take 5–50 ms.
    Histogram::new(exponential_buckets(0.005, 2.0, 12))
}

/// The operation names that get their own series. A client names its operations freely, so an
/// attacker could otherwise create one series per request and exhaust the scraper's memory: only
/// names of operations that passed validation, of GraphQL name syntax and at most 64 characters,
/// are kept, and only the first [`OperationNames::CAP`] distinct ones; anything else is `other`.
pub struct OperationNames {
    seen: Mutex<HashSet<String>>,
}

impl OperationNames {
    /// Distinct operation names kept (the app and the front-ends use a few dozen).
    pub const CAP: usize = 200;

    fn new() -> Self {
        OperationNames { seen: Mutex::new(HashSet::new()) }
    }

    /// The label for `name` of an operation whose validation passed (`valid`) or not.
    pub fn label(&self, name: Option<&str>, valid: bool) -> String {
        let Some(name) = name.filter(|_| valid) else { return if valid { "anonymous" } else { "other" }.into() };
        if !is_graphql_name(name) {
            return "other".into();
        }
        let Ok(mut seen) = self.seen.lock() else { return "other".into() };
        if seen.contains(name) {
            return name.to_owned();
        }
        if seen.len() >= Self::CAP {
            return "other".into();
        }
        seen.insert(name.to_owned());
        name.to_owned()
    }
}

/// A GraphQL name of at most 64 characters.
pub fn is_graphql_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A subscription counted as open; dropping it counts it closed.
pub struct OpenSubscription(Gauge);

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// What the server counts while it works; one per server state.
pub struct Metrics {
    registry: Registry,
    /// Operation names allowed as labels.
    pub operation_names: OperationNames,
    graphql_requests: Family<OperationLabels, Counter>,
    graphql_duration: Histograms<OperationLabel>,
    http_responses: Family<StatusLabel, Counter>,
    outbox_deliveries: Counter,
    outbox_failures: Counter,
    job_runs: Family<JobLabel, Counter>,
    notices: Family<NoticeLabels, Counter>,
    subscription_events: Family<OperationLabel, Counter>,
    subscriptions_open: Gauge,
    job_failures: Family<JobLabel, Counter>,
    /// Last successful run of each job; lag is measured from it (or from start).
    job_success: Mutex<HashMap<&'static str, Instant>>,
    started: Instant,
    /// Serializes scrapes: the scrape-time gauges are set, then encoded.
    pub(crate) scrape_lock: tokio::sync::Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every counted series.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let graphql_requests = Family::<OperationLabels, Counter>::default();
        registry.register(
            "tongxin_graphql_requests",
            "GraphQL operations over HTTP and the WebSocket by operation name and result code (OK or extensions.code of the first error)",
            graphql_requests.clone(),
        );
        let graphql_duration: Histograms<OperationLabel> = Family::new_with_constructor(latency_histogram);
        registry.register("tongxin_graphql_request_duration_seconds", "Time to answer a GraphQL operation", graphql_duration.clone());
        let http_responses = Family::<StatusLabel, Counter>::default();
        registry.register("tongxin_http_responses", "HTTP responses by status class", http_responses.clone());
        let outbox_deliveries = Counter::default();
        registry.register("tongxin_outbox_deliveries", "E-mails handed to the mail transport", outbox_deliveries.clone());
        let outbox_failures = Counter::default();
        registry.register("tongxin_outbox_delivery_failures", "Delivery attempts the mail transport refused", outbox_failures.clone());
        let notices = Family::<NoticeLabels, Counter>::default();
        registry.register(
            "tongxin_notice_attempts",
            "Attempts to deliver a family's notice, by channel (wechat, sms, email) and outcome (sent, refused, failed)",
            notices.clone(),
        );
        let subscription_events = Family::<OperationLabel, Counter>::default();
        registry.register(
            "tongxin_graphql_subscription_events",
            "Events sent to subscribers over the WebSocket, by subscription operation name",
            subscription_events.clone(),
        );
        let subscriptions_open = Gauge::default();
        registry.register(
            "tongxin_graphql_subscriptions_open",
            "Subscriptions running now on this server's WebSockets",
            subscriptions_open.clone(),
        );
        registry.register(
            "tongxin_db_pool_acquire_wait_seconds",
            "Time callers waited for a pooled database connection (all pools of the process)",
            pool_waits::histogram(),
        );
        let job_runs = Family::<JobLabel, Counter>::default();
        registry.register("tongxin_job_runs", "Runs of each scheduled job", job_runs.clone());
        let job_failures = Family::<JobLabel, Counter>::default();
        registry.register("tongxin_job_failures", "Runs of each scheduled job that ended in an error", job_failures.clone());
        // Every job's series exist from the start, so `increase()` sees the first failure.
        for job in crate::jobs::job::Job::ALL.map(crate::jobs::job::Job::name) {
            let label = JobLabel { job: job.into() };
            let _ = job_runs.get_or_create(&label);
            let _ = job_failures.get_or_create(&label);
        }
        Metrics {
            registry,
            operation_names: OperationNames::new(),
            graphql_requests,
            graphql_duration,
            http_responses,
            outbox_deliveries,
            outbox_failures,
            job_runs,
            notices,
            subscription_events,
            subscriptions_open,
            job_failures,
            job_success: Mutex::new(HashMap::new()),
            started: Instant::now(),
            scrape_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Counts one GraphQL operation that took `elapsed`.
    pub fn graphql(&self, operation: String, code: &str, elapsed: Duration) {
        self.graphql_duration.get_or_create(&OperationLabel { operation: operation.clone() }).observe(elapsed.as_secs_f64());
        self.graphql_requests.get_or_create(&OperationLabels { operation, code: code.to_owned() }).inc();
    }

    /// Counts a subscription as open until the returned guard drops (its stream ended or the
    /// socket closed).
    pub fn subscription_opened(&self) -> OpenSubscription {
        self.subscriptions_open.inc();
        OpenSubscription(self.subscriptions_open.clone())
    }

    /// Counts one event sent to a subscriber of `operation`.
    pub fn subscription_event(&self, operation: String) {
        self.subscription_events.get_or_create(&OperationLabel { operation }).inc();
    }

    /// Counts one HTTP response.
    pub fn http_response(&self, status: u16) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.http_responses.get_or_create(&StatusLabel { status: class.into() }).inc();
    }

    /// Counts one attempt of a notice on `channel`.
    pub fn notice_attempt(&self, channel: &str, outcome: &str) {
        self.notices.get_or_create(&NoticeLabels { channel: channel.into(), outcome: outcome.into() }).inc();
    }

    /// Counts what one outbox pass did.
    pub fn outbox_pass(&self, sent: usize, failed: usize) {
        self.outbox_deliveries.inc_by(sent as u64);
        self.outbox_failures.inc_by(failed as u64);
    }

    /// Counts one run of `job` and whether it succeeded.
    pub fn job_run(&self, job: &'static str, ok: bool) {
        let label = JobLabel { job: job.into() };
        self.job_runs.get_or_create(&label).inc();
        if ok {
            if let Ok(mut m) = self.job_success.lock() {
                m.insert(job, Instant::now());
            }
        } else {
            self.job_failures.get_or_create(&label).inc();
        }
    }

    /// Seconds since each job last succeeded (since start for a job that never did).
    pub fn job_lags(&self) -> Vec<(&'static str, f64)> {
        let Ok(m) = self.job_success.lock() else { return Vec::new() };
        crate::jobs::job::Job::ALL
            .map(crate::jobs::job::Job::name)
            .into_iter()
            .map(|job| (job, m.get(job).unwrap_or(&self.started).elapsed().as_secs_f64()))
            .collect()
    }

    /// The counted series.
    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded_and_checked() {
        let names = OperationNames::new();
        assert_eq!(names.label(None, true), "anonymous");
        assert_eq!(names.label(None, false), "other");
        assert_eq!(names.label(Some("MyBookings"), true), "MyBookings");
        assert_eq!(names.label(Some("Unvalidated"), false), "other");
        assert_eq!(names.label(Some("bad name;"), true), "other");
        assert_eq!(names.label(Some(&"x".repeat(65)), true), "other");
        for i in 0..OperationNames::CAP {
            names.label(Some(&format!("op{i}")), true);
        }
        assert_eq!(names.label(Some("OneTooMany"), true), "other");
        assert_eq!(names.label(Some("MyBookings"), true), "MyBookings", "names seen before keep their series");
    }
}
