//! Notification receivers: an HTTP/1.1 POST of a JSON document (webhooks, `http://` only) and a plain
//! SMTP client for a local relay (EHLO, MAIL, RCPT, DATA; no TLS or AUTH: point it at the site's
//! relay, e.g. a local Postfix, which does both). Both time out after [`NotifyConfig::timeout`].
//!
//! The webhook document (one alert per POST):
//! `{"status": "firing"|"resolved", "rule": id, "name", "severity", "subject", "value", "message",
//! "started_at", "resolved_at", "resolve_message"}` (times RFC 3339, UTC).

use std::time::Duration;

use chrono::SecondsFormat;
use model::{AlertRule, FiredAlert, Receiver};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::AlertError;

/// The SMTP relay e-mail receivers go through.
#[derive(Debug, Clone, PartialEq)]
pub struct SmtpConfig {
    /// `host:port` of the relay.
    pub relay: String,
    /// The sender address.
    pub from: String,
}

/// How notifications are sent.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// E-mail receivers fail with a clear message without one.
    pub smtp: Option<SmtpConfig>,
    pub timeout: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig { smtp: None, timeout: Duration::from_secs(10) }
    }
}

/// An `http://host[:port][/path]` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    pub host: String,
    pub port: u16,
    pub path: String,
}

impl HttpUrl {
    pub fn parse(url: &str) -> Result<HttpUrl, AlertError> {
        let bad = |m: &str| AlertError::Invalid(format!("webhook url {url:?}: {m}"));
        if url.starts_with("https://") {
            return Err(bad("https is not supported; use an http:// endpoint (a local relay for TLS services)"));
        }
        let rest = url.strip_prefix("http://").ok_or_else(|| bad("must start with http://"))?;
        if rest.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
            return Err(bad("contains whitespace or control characters"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].to_string()),
            None => (rest, "/".to_string()),
        };
        if authority.contains('@') {
            return Err(bad("credentials in the url are not supported"));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
                (h, p.parse::<u16>().map_err(|_| bad("the port is not a number 0-65535"))?)
            }
            _ => (authority, 80),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(HttpUrl { host: host.trim_start_matches('[').trim_end_matches(']').to_string(), port, path })
    }
}

/// Checks an e-mail address enough to keep it out of SMTP commands' way: one `@`, no spaces, angle
/// brackets or control characters, at most 254 characters.
pub fn check_address(a: &str) -> Result<(), AlertError> {
    let ok = a.len() <= 254
        && a.split('@').count() == 2
        && a.split('@').all(|p| !p.is_empty())
        && !a.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'<' || b == b'>');
    if ok { Ok(()) } else { Err(AlertError::Invalid(format!("{a:?} is not an e-mail address"))) }
}

/// The webhook document of an alert.
pub fn payload(rule: &AlertRule, a: &FiredAlert) -> serde_json::Value {
    let t = |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(SecondsFormat::Millis, true);
    serde_json::json!({
        "status": if a.resolved_at.is_some() { "resolved" } else { "firing" },
        "rule": rule.id,
        "name": rule.name,
        "severity": a.severity.as_str(),
        "subject": a.subject,
        "value": if a.value.is_finite() { serde_json::json!(a.value) } else { serde_json::Value::Null },
        "message": a.message,
        "started_at": t(a.started_at),
        "resolved_at": a.resolved_at.map(t),
        "resolve_message": a.resolve_message,
    })
}

/// Sends one alert to one receiver.
pub async fn send(cfg: &NotifyConfig, to: &Receiver, rule: &AlertRule, a: &FiredAlert) -> Result<(), AlertError> {
    match to {
        Receiver::Webhook { url } => {
            let body = payload(rule, a).to_string();
            post_json(url, body.as_bytes(), cfg.timeout).await
        }
        Receiver::Email { to } => {
            let smtp = cfg.smtp.as_ref().ok_or_else(|| AlertError::Delivery {
                target: to.clone(),
                message: "no SMTP relay is configured (HALOCLINE_SMTP_RELAY)".into(),
            })?;
            let status = if a.resolved_at.is_some() { "RESOLVED" } else { "FIRING" };
            let subject = format!("[halocline {status}] {} {}", rule.name, a.subject);
            let mut body = format!(
                "{}\n\nrule: {} ({})\nseverity: {}\nsubject: {}\nstarted: {}\n",
                a.message,
                rule.name,
                rule.id,
                a.severity.as_str(),
                a.subject,
                a.started_at.to_rfc3339_opts(SecondsFormat::Secs, true)
            );
            if let Some(r) = a.resolved_at {
                body.push_str(&format!(
                    "resolved: {} ({})\n",
                    r.to_rfc3339_opts(SecondsFormat::Secs, true),
                    a.resolve_message.as_deref().unwrap_or("")
                ));
            }
            send_mail(smtp, to, &subject, &body, cfg.timeout).await
        }
    }
}

/// POSTs `body` as JSON to an `http://` URL; any 2xx answer is success.
pub async fn post_json(url: &str, body: &[u8], timeout: Duration) -> Result<(), AlertError> {
    let u = HttpUrl::parse(url)?;
    let fail = |m: String| AlertError::Delivery { target: url.to_string(), message: m };
    let exchange = async {
        let mut s = TcpStream::connect((u.host.as_str(), u.port)).await.map_err(|e| fail(format!("connect: {e}")))?;
        let host = if u.port == 80 { u.host.clone() } else { format!("{}:{}", u.host, u.port) };
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: halocline\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            u.path,
            body.len()
        );
        s.write_all(head.as_bytes()).await.map_err(|e| fail(format!("write: {e}")))?;
        s.write_all(body).await.map_err(|e| fail(format!("write: {e}")))?;
        s.flush().await.map_err(|e| fail(format!("write: {e}")))?;
        // The status line is all we need.
        let mut buf = Vec::with_capacity(256);
        let mut chunk = [0u8; 256];
        while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 8192 {
            let n = s.read(&mut chunk).await.map_err(|e| fail(format!("read: {e}")))?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let line = String::from_utf8_lossy(&buf);
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| fail(format!("not an HTTP answer: {:?}", line.lines().next().unwrap_or(""))))?;
        if (200..300).contains(&status) { Ok(()) } else { Err(fail(format!("answered HTTP {status}"))) }
    };
    tokio::time::timeout(timeout, exchange).await.map_err(|_| fail(format!("no answer within {timeout:?}")))?
}

/// Sends a plain-text e-mail through an SMTP relay.
pub async fn send_mail(
    smtp: &SmtpConfig,
    to: &str,
    subject: &str,
    body: &str,
    timeout: Duration,
) -> Result<(), AlertError> {
    check_address(to)?;
    check_address(&smtp.from)?;
    let fail = |m: String| AlertError::Delivery { target: to.to_string(), message: m };
    let exchange = async {
        let stream =
            TcpStream::connect(smtp.relay.as_str()).await.map_err(|e| fail(format!("connect {}: {e}", smtp.relay)))?;
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        expect(&mut r, 220).await.map_err(&fail)?;
        for (cmd, code) in [
            ("EHLO halocline".to_string(), 250),
            (format!("MAIL FROM:<{}>", smtp.from), 250),
            (format!("RCPT TO:<{to}>"), 250),
            ("DATA".to_string(), 354),
        ] {
            w.write_all(format!("{cmd}\r\n").as_bytes()).await.map_err(|e| fail(format!("write: {e}")))?;
            expect(&mut r, code).await.map_err(|e| fail(format!("{}: {e}", cmd.split(':').next().unwrap_or(&cmd))))?;
        }
        let date = chrono::Utc::now().to_rfc2822();
        // Header values are ours or checked; strip line breaks from the subject all the same.
        let subject: String = subject.chars().filter(|c| !c.is_control()).collect();
        let mut msg = format!(
            "From: <{}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
            smtp.from
        );
        for line in body.lines() {
            // Dot-stuffing (RFC 5321 §4.5.2).
            if line.starts_with('.') {
                msg.push('.');
            }
            msg.push_str(line);
            msg.push_str("\r\n");
        }
        msg.push_str(".\r\n");
        w.write_all(msg.as_bytes()).await.map_err(|e| fail(format!("write: {e}")))?;
        expect(&mut r, 250).await.map_err(|e| fail(format!("message: {e}")))?;
        w.write_all(b"QUIT\r\n").await.map_err(|e| fail(format!("write: {e}")))?;
        // The relay has accepted the message; a missing goodbye is not a failure.
        let _ = expect(&mut r, 221).await;
        Ok(())
    };
    tokio::time::timeout(timeout, exchange).await.map_err(|_| fail(format!("no answer within {timeout:?}")))?
}

/// Reads one (possibly multi-line) SMTP reply and checks its code.
async fn expect(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, code: u16) -> Result<(), String> {
    loop {
        let mut line = String::new();
        let n = r.read_line(&mut line).await.map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("the relay closed the connection".into());
        }
        let got: u16 =
            line.get(..3).and_then(|c| c.parse().ok()).ok_or_else(|| format!("not an SMTP reply: {line:?}"))?;
        if line.as_bytes().get(3) == Some(&b'-') {
            continue;
        }
        return if got == code { Ok(()) } else { Err(format!("expected {code}, got {:?}", line.trim_end())) };
    }
}
