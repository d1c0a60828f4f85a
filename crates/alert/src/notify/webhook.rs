//! Webhooks through reqwest: a JSON `POST` to an `http://` or `https://` URL (rustls on ring, the
//! system's roots plus an optional extra CA, certificates verified), one timeout per attempt, no
//! redirects followed, and a bounded retry with exponential backoff on connection errors, 429 and 5xx.
//! Any 2xx answer is success; anything else is an error with the status and an excerpt of the body.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use crate::error::AlertError;

/// How often a failed webhook is tried again.
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    /// Attempts in all (1 = no retry).
    pub attempts: u32,
    /// The first wait; each next one doubles, up to `max_delay`.
    pub min_delay: Duration,
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { attempts: 3, min_delay: Duration::from_millis(500), max_delay: Duration::from_secs(4) }
    }
}

/// Checks a webhook URL: `http://` or `https://`, a host, no credentials (put tokens in the path or the
/// query, as Slack does), no whitespace or control characters.
pub fn check_webhook_url(url: &str) -> Result<reqwest::Url, AlertError> {
    let bad = |m: &str| AlertError::Invalid(format!("webhook url {:?}: {m}", redact(url)));
    if url.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
        return Err(bad("contains whitespace or control characters"));
    }
    let u = reqwest::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(bad("credentials in the url are not supported"));
    }
    Ok(u)
}

/// Whether a URL is a Slack incoming webhook (`hooks.slack.com`, or GovSlack's `hooks.slack-gov.com`).
pub fn is_slack_url(url: &str) -> bool {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(|h| matches!(h, "hooks.slack.com" | "hooks.slack-gov.com")))
        .unwrap_or(false)
}

/// A webhook URL fit for logs and error messages: scheme, host, port and the first path segment. The
/// rest of a Slack URL (and often of others) is the secret that lets anyone post.
pub fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) if u.host_str().is_some() => {
            let first = u.path_segments().and_then(|mut s| s.next()).unwrap_or("");
            let hidden = u.path().len() > first.len() + 1 || u.query().is_some();
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let host = u.host_str().unwrap_or("");
            format!("{}://{host}{port}/{first}{}", u.scheme(), if hidden { "/…" } else { "" })
        }
        _ => url.chars().take(40).collect(),
    }
}

/// The shared HTTP client of the webhook receivers.
pub(crate) struct Webhooks {
    client: reqwest::Client,
    retry: Retry,
}

/// One failed attempt.
struct Attempt {
    message: String,
    retry: bool,
}

impl Webhooks {
    /// `roots`: certificates trusted besides the system's (`HALOCLINE_CA_FILE`).
    pub(crate) fn new(
        timeout: Duration,
        retry: Retry,
        roots: Vec<reqwest::Certificate>,
    ) -> Result<Webhooks, AlertError> {
        // reqwest is built without a bundled crypto provider; use ring, as sqlx and ingest do.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("halocline/", env!("CARGO_PKG_VERSION")))
            .tls_certs_merge(roots)
            .build()
            .map_err(|e| AlertError::Invalid(format!("cannot set up the webhook client: {}", error_chain(&e))))?;
        Ok(Webhooks { client, retry })
    }

    /// POSTs `doc` to `url`, retrying as configured.
    pub(crate) async fn post(&self, url: &str, doc: &serde_json::Value) -> Result<(), AlertError> {
        let parsed = check_webhook_url(url)?;
        let body = serde_json::to_vec(doc).map_err(|e| AlertError::Invalid(e.to_string()))?;
        let target = redact(url);
        let tries = AtomicU32::new(0);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.retry.min_delay)
            .with_max_delay(self.retry.max_delay)
            .with_factor(2.0)
            .with_max_times(self.retry.attempts.saturating_sub(1) as usize);
        let result = (|| async {
            tries.fetch_add(1, Ordering::Relaxed);
            self.attempt(&parsed, &body).await
        })
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|e: &Attempt| e.retry)
        .notify(|e: &Attempt, d: Duration| {
            tracing::warn!(url = %target, delay_ms = d.as_millis() as u64, "webhook retry: {}", e.message);
        })
        .await;
        result.map_err(|e| {
            let n = tries.load(Ordering::Relaxed);
            let after = if n > 1 { format!(" (after {n} attempts)") } else { String::new() };
            AlertError::Delivery { target, message: format!("{}{after}", e.message) }
        })
    }

    async fn attempt(&self, url: &reqwest::Url, body: &[u8]) -> Result<(), Attempt> {
        let sent = self
            .client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await;
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) => return Err(transport_error(e)),
        };
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        // An excerpt of the answer says why (Slack answers `invalid_payload`, `no_team`, ...).
        let mut head = Vec::new();
        while head.len() < 1024 {
            match resp.chunk().await {
                Ok(Some(c)) => head.extend_from_slice(&c),
                _ => break,
            }
        }
        let excerpt = excerpt(&String::from_utf8_lossy(&head), 200);
        let mut message = format!("answered HTTP {status}");
        if status.is_redirection() {
            message.push_str(" (redirects are not followed; give the final URL)");
        }
        if !excerpt.is_empty() {
            message.push_str(&format!(": {excerpt}"));
        }
        Err(Attempt { message, retry: status.is_server_error() || status.as_u16() == 429 })
    }
}

/// Why a request got no answer; connection failures are retried, timeouts are not (the receiver may
/// have acted on the request, and a retry would hold up the other receivers as long again).
fn transport_error(e: reqwest::Error) -> Attempt {
    let e = e.without_url();
    let chain = error_chain(&e);
    if e.is_timeout() {
        return Attempt { message: format!("no answer in time ({chain})"), retry: false };
    }
    if chain.contains("certificate") || chain.contains("UnknownIssuer") {
        return Attempt {
            message: format!(
                "TLS: the server's certificate is not trusted ({chain}); if a private CA signed it, give that CA \
                 with HALOCLINE_CA_FILE"
            ),
            retry: false,
        };
    }
    Attempt { message: chain, retry: e.is_connect() }
}

/// At most `max` characters of `s` on one line.
fn excerpt(s: &str, max: usize) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max { format!("{}…", one.chars().take(max).collect::<String>()) } else { one }
}

/// The full cause chain of an error, skipping causes already in the message (reqwest hides the useful
/// part in its sources).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}
