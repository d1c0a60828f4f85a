//! HTTP discipline shared by every live source: connect and read timeouts, exponential backoff with
//! jitter (`backon`; 1 s, 2 s, 4 s, ... between attempts, 3 attempts by default), `Retry-After` honoured on
//! 429 and 503, ERDDAP's 404 "no matching results" read as an empty answer, 413 reported as
//! [`FetchError::TooLarge`] for the caller to split, gzip, and at most `per_host` requests in flight per
//! host. Every fetch, retry and failure is counted in the `metrics` facade and in [`FetchStats`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;

/// Timeouts, retry policy and politeness of the HTTP client.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer.
    pub read_timeout: Duration,
    /// Longest time one attempt may take as a whole.
    pub request_timeout: Duration,
    /// Attempts per request, the first included (3: two retries).
    pub attempts: usize,
    /// Delay before the first retry; each next one doubles, up to `max_delay`.
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// Random extra delay of up to one delay, so clients that failed together do not retry together.
    pub jitter: bool,
    /// Upper bound on an honoured `Retry-After`.
    pub max_retry_after: Duration,
    /// Requests in flight per host at most.
    pub per_host: usize,
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(600),
            attempts: 3,
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            jitter: true,
            max_retry_after: Duration::from_secs(120),
            per_host: 4,
            user_agent: concat!("halocline/", env!("CARGO_PKG_VERSION"), " (+ocean data ingest)").to_string(),
        }
    }
}

/// Why a fetch failed (after its retries).
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: bad url: {message}")]
    BadUrl { url: String, message: String },
    #[error("{url}: HTTP {status}: {message}")]
    Status { url: String, status: u16, message: String },
    #[error("{url}: HTTP 413, the request asks for too much data")]
    TooLarge { url: String },
    #[error("{url}: gave up after {attempts} attempts: {last}")]
    Exhausted { url: String, attempts: usize, last: String },
    #[error("http client: {0}")]
    Client(String),
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Data(Vec<u8>),
    /// ERDDAP's 404 `Your query produced no matching results`: nothing to read, not an error.
    NoMatch,
}

/// Why one attempt failed, and whether another may help.
#[derive(Debug)]
struct AttemptError {
    /// `timeout`, `connect`, `transport`, `body`, `http_429`, `http_5xx`; `None` when not retryable.
    reason: Option<&'static str>,
    retry_after: Option<Duration>,
    error: FetchError,
    /// What went wrong, without the URL (for the final error).
    message: String,
}

/// Counters kept next to the `metrics` facade, for status pages and tests.
#[derive(Debug, Default)]
pub struct FetchStats {
    inner: Mutex<StatsInner>,
}

#[derive(Debug, Default)]
struct StatsInner {
    fetches: HashMap<String, u64>,
    attempts: HashMap<String, u64>,
    retries: HashMap<(String, String), u64>,
    failures: HashMap<String, u64>,
    last_success: HashMap<String, DateTime<Utc>>,
}

impl FetchStats {
    fn with<T>(&self, f: impl FnOnce(&mut StatsInner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()))
    }
    /// Requests asked of a source (one per URL, retries not counted).
    pub fn fetches(&self, source: &str) -> u64 {
        self.with(|s| s.fetches.get(source).copied().unwrap_or(0))
    }
    /// HTTP attempts made for a source (retries counted).
    pub fn attempts(&self, source: &str) -> u64 {
        self.with(|s| s.attempts.get(source).copied().unwrap_or(0))
    }
    /// Retries of a source for one reason (`timeout`, `http_429`, `http_5xx`, ...).
    pub fn retries(&self, source: &str, reason: &str) -> u64 {
        self.with(|s| s.retries.get(&(source.to_string(), reason.to_string())).copied().unwrap_or(0))
    }
    /// Retries of a source for every reason.
    pub fn retries_total(&self, source: &str) -> u64 {
        self.with(|s| s.retries.iter().filter(|((src, _), _)| src == source).map(|(_, n)| n).sum())
    }
    /// Requests (and rejected answers) of a source that ended in failure.
    pub fn failures(&self, source: &str) -> u64 {
        self.with(|s| s.failures.get(source).copied().unwrap_or(0))
    }
    pub fn last_success(&self, source: &str) -> Option<DateTime<Utc>> {
        self.with(|s| s.last_success.get(source).copied())
    }

    pub(crate) fn fetch(&self, source: &str) {
        metrics::counter!("ai_pipeline_fetches_total", "source" => source.to_string()).increment(1);
        self.with(|s| *s.fetches.entry(source.to_string()).or_default() += 1);
    }
    fn attempt(&self, source: &str) {
        self.with(|s| *s.attempts.entry(source.to_string()).or_default() += 1);
    }
    fn retry(&self, source: &str, reason: &'static str) {
        metrics::counter!("ai_pipeline_fetch_retries_total", "source" => source.to_string(), "reason" => reason)
            .increment(1);
        self.with(|s| *s.retries.entry((source.to_string(), reason.to_string())).or_default() += 1);
    }
    pub(crate) fn failure(&self, source: &str) {
        metrics::counter!("ai_pipeline_fetch_failures_total", "source" => source.to_string()).increment(1);
        self.with(|s| *s.failures.entry(source.to_string()).or_default() += 1);
    }
    pub(crate) fn success(&self, source: &str, at: DateTime<Utc>) {
        metrics::gauge!("ai_pipeline_last_success_timestamp_seconds", "source" => source.to_string())
            .set(at.timestamp() as f64);
        self.with(|s| s.last_success.insert(source.to_string(), at));
    }
}

/// Describes the metrics (HELP text) once an exporter is installed; harmless without one.
pub fn describe_metrics() {
    metrics::describe_counter!("ai_pipeline_fetches_total", "Requests made to a live source (retries not counted).");
    metrics::describe_counter!(
        "ai_pipeline_fetch_retries_total",
        "Retries of requests to a live source, by reason (timeout, connect, transport, body, http_429, http_5xx)."
    );
    metrics::describe_counter!(
        "ai_pipeline_fetch_failures_total",
        "Requests to a live source that failed after their retries, or whose answer was rejected."
    );
    metrics::describe_gauge!(
        "ai_pipeline_last_success_timestamp_seconds",
        "Unix time of the last successful run of a live source."
    );
}

/// The HTTP client every source shares.
pub struct HttpClient {
    client: reqwest::Client,
    config: HttpConfig,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    stats: Arc<FetchStats>,
}

impl HttpClient {
    pub fn new(config: HttpConfig) -> Result<HttpClient, FetchError> {
        // reqwest is built without a bundled crypto provider; use ring, as sqlx does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.request_timeout)
            .gzip(true)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(HttpClient { client, config, hosts: Mutex::new(HashMap::new()), stats: Arc::new(FetchStats::default()) })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    pub fn stats(&self) -> &Arc<FetchStats> {
        &self.stats
    }

    fn host_limit(&self, url: &reqwest::Url) -> Arc<Semaphore> {
        let host = format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(0));
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts.entry(host).or_insert_with(|| Arc::new(Semaphore::new(self.config.per_host.max(1)))).clone()
    }

    /// GETs `url` for `source` with the retry policy. `url` must already be percent-encoded (see
    /// [`super::erddap::encode_query`]); it is sent as given.
    pub async fn get(&self, source: &str, url: &str) -> Result<Body, FetchError> {
        self.stats.fetch(source);
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| FetchError::BadUrl { url: url.to_string(), message: e.to_string() })?;
        let limit = self.host_limit(&parsed);
        let mut backoff = ExponentialBuilder::default()
            .with_min_delay(self.config.min_delay)
            .with_max_delay(self.config.max_delay)
            .with_factor(2.0)
            .with_max_times(self.config.attempts.saturating_sub(1));
        if self.config.jitter {
            backoff = backoff.with_jitter();
        }
        let max_retry_after = self.config.max_retry_after;
        let result = (|| async {
            let _permit = limit.acquire().await.map_err(|e| AttemptError {
                reason: None,
                retry_after: None,
                error: FetchError::Client(e.to_string()),
                message: e.to_string(),
            })?;
            self.stats.attempt(source);
            self.attempt(&parsed, url).await
        })
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|e: &AttemptError| e.reason.is_some())
        .adjust(move |e: &AttemptError, next: Option<Duration>| {
            next.map(|d| e.retry_after.map_or(d, |ra| ra.min(max_retry_after)))
        })
        .notify(|e: &AttemptError, d: Duration| {
            let reason = e.reason.unwrap_or("other");
            self.stats.retry(source, reason);
            tracing::warn!(source, url, reason, delay_ms = d.as_millis() as u64, error = %e.message, "retrying");
        })
        .await;
        match result {
            Ok(body) => Ok(body),
            Err(e) => {
                self.stats.failure(source);
                let error = match e.reason {
                    Some(_) => {
                        FetchError::Exhausted { url: url.to_string(), attempts: self.config.attempts, last: e.message }
                    }
                    None => e.error,
                };
                tracing::warn!(source, url, error = %error, "fetch failed");
                Err(error)
            }
        }
    }

    async fn attempt(&self, parsed: &reqwest::Url, url: &str) -> Result<Body, AttemptError> {
        let transport = |e: reqwest::Error| {
            let reason = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connect"
            } else if e.is_body() || e.is_decode() {
                "body"
            } else {
                "transport"
            };
            let message = format!("{reason}: {}", error_chain(&e));
            AttemptError {
                reason: Some(reason),
                retry_after: None,
                error: FetchError::Exhausted { url: url.to_string(), attempts: 1, last: message.clone() },
                message,
            }
        };
        let resp = self.client.get(parsed.clone()).send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let retry_after =
            resp.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
        if (200..300).contains(&status) {
            let bytes = resp.bytes().await.map_err(transport)?;
            return Ok(Body::Data(bytes.to_vec()));
        }
        let text = resp.text().await.unwrap_or_default();
        let message = erddap_message(&text);
        let error = if status == 413 {
            FetchError::TooLarge { url: url.to_string() }
        } else {
            FetchError::Status { url: url.to_string(), status, message: message.clone() }
        };
        let reason = match status {
            404 if text.contains("Your query produced no matching results") => return Ok(Body::NoMatch),
            429 => Some("http_429"),
            500..=599 => Some("http_5xx"),
            _ => None,
        };
        Err(AttemptError {
            reason,
            retry_after: if matches!(status, 429 | 503) { retry_after } else { None },
            error,
            message: format!("HTTP {status}: {message}"),
        })
    }
}

/// The full cause chain of an error (reqwest hides the useful part in its sources).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// `Retry-After` as delta-seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((when - Utc::now()).to_std().unwrap_or(Duration::ZERO))
}

/// The `message="..."` of an ERDDAP `Error {...}` body, else the body's first line (at most 200 chars).
pub fn erddap_message(body: &str) -> String {
    if let Some(i) = body.find("message=\"") {
        let rest = &body[i + 9..];
        if let Some(j) = rest.rfind("\";") {
            return rest[..j].to_string();
        }
    }
    body.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn erddap_messages() {
        let body = "Error {\n    code=404;\n    message=\"Not Found: Your query produced no matching results. (nRows = 0)\";\n}\n";
        assert_eq!(erddap_message(body), "Not Found: Your query produced no matching results. (nRows = 0)");
        assert_eq!(erddap_message("<html>\n<b>oops</b>"), "<html>");
    }
}
