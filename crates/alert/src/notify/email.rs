//! E-mail through lettre: plain SMTP (a local relay, as before), STARTTLS or implicit TLS (rustls on ring,
//! the system's roots plus an optional extra CA), optional AUTH PLAIN/LOGIN, one text/plain message per
//! alert. Configured from `smtp://`/`smtps://` URLs or a bare `host:port` relay.

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::message::{Notice, email_body, email_subject};
use crate::error::AlertError;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// No TLS (a relay on the same host or network, e.g. a local Postfix that does TLS itself).
    Plain,
    /// Plain connect, then `STARTTLS`, required (usually port 587).
    StartTls,
    /// TLS from the first byte ("SMTPS", usually port 465).
    Tls,
}

impl SmtpSecurity {
    fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::Plain => "plain",
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
        }
    }
}

/// The SMTP server e-mail receivers go through.
#[derive(Clone, PartialEq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// User name and password for AUTH (PLAIN or LOGIN, whichever the server offers).
    pub credentials: Option<(String, String)>,
    /// The sender address (`alerts@example.org` or `Reef alerts <alerts@example.org>`).
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("server", &self.describe())
            .field("user", &self.credentials.as_ref().map(|c| &c.0))
            .field("from", &self.from)
            .finish()
    }
}

fn bad(what: &str, m: impl std::fmt::Display) -> AlertError {
    AlertError::Invalid(format!("{what}: {m}"))
}

impl SmtpConfig {
    /// A plain relay given as `host:port` (`HALOCLINE_SMTP_RELAY`; the port defaults to 25).
    pub fn relay(relay: &str, from: &str) -> Result<SmtpConfig, AlertError> {
        let what = format!("smtp relay {relay:?}");
        let (host, port) = match relay.rsplit_once(':') {
            // `[::1]:25`, `host:25`; a bare IPv6 address has more than one colon and no brackets.
            Some((h, p)) if h.starts_with('[') || !h.contains(':') => {
                (h, p.parse::<u16>().map_err(|_| bad(&what, "the port is not a number 1-65535"))?)
            }
            _ => (relay, 25),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) {
            return Err(bad(&what, "expected host:port"));
        }
        let cfg =
            SmtpConfig { host: host.into(), port, security: SmtpSecurity::Plain, credentials: None, from: from.into() };
        cfg.check()?;
        Ok(cfg)
    }

    /// `smtp://[user[:password]@]host[:port][?tls=starttls|none]` or `smtps://...` (implicit TLS).
    /// Ports default to 25 (plain), 587 (STARTTLS) and 465 (TLS); user and password are percent-decoded.
    pub fn from_url(url: &str, from: &str) -> Result<SmtpConfig, AlertError> {
        let u = reqwest::Url::parse(url).map_err(|e| bad("smtp url", e))?;
        let mut shown = u.clone();
        if u.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        let what = format!("smtp url {:?}", shown.as_str());
        let mut security = match u.scheme() {
            "smtp" => SmtpSecurity::Plain,
            "smtps" => SmtpSecurity::Tls,
            s => return Err(bad(&what, format!("scheme {s:?} is not smtp or smtps"))),
        };
        for (k, v) in u.query_pairs() {
            match (k.as_ref(), v.as_ref(), security) {
                ("tls", "starttls" | "required", SmtpSecurity::Plain) => security = SmtpSecurity::StartTls,
                ("tls", "none", SmtpSecurity::Plain) => {}
                ("tls", _, SmtpSecurity::Tls) => return Err(bad(&what, "smtps:// is TLS already; drop ?tls=")),
                ("tls", v, _) => return Err(bad(&what, format!("tls={v:?} is not starttls or none"))),
                (k, _, _) => return Err(bad(&what, format!("unknown parameter {k:?} (only tls=)"))),
            }
        }
        if !matches!(u.path(), "" | "/") {
            return Err(bad(&what, "no path expected"));
        }
        let host = u.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad(&what, "no host"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        let port = u.port().unwrap_or(match security {
            SmtpSecurity::Plain => 25,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
        });
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let credentials = match (u.username(), u.password()) {
            ("", None) => None,
            ("", Some(_)) => return Err(bad(&what, "a password without a user name")),
            (user, pass) => Some((decode(user), pass.map(decode).unwrap_or_default())),
        };
        let cfg = SmtpConfig { host, port, security, credentials, from: from.into() };
        cfg.check()?;
        Ok(cfg)
    }

    /// Sets the user name and password (`HALOCLINE_SMTP_USER`/`_PASSWORD`).
    pub fn with_credentials(mut self, user: String, password: String) -> Result<SmtpConfig, AlertError> {
        self.credentials = Some((user, password));
        self.check()?;
        Ok(self)
    }

    /// The server without secrets, for logs and messages: `smtp://mail.example.org:587 (starttls, user x)`.
    pub fn describe(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        let user = self.credentials.as_ref().map(|(u, _)| format!(", user {u}")).unwrap_or_default();
        format!("{host}:{} ({}{user})", self.port, self.security.as_str())
    }

    /// A password is only sent over TLS, or to this machine.
    fn check(&self) -> Result<(), AlertError> {
        check_address(bare_address(&self.from))
            .map_err(|_| bad("HALOCLINE_SMTP_FROM", format!("{:?} is not an e-mail address", self.from)))?;
        let loopback = self.host == "localhost" || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if self.credentials.is_some() && self.security == SmtpSecurity::Plain && !loopback {
            return Err(bad(
                &format!("smtp server {}", self.describe()),
                "a password would cross the network in clear text; use smtps:// or ?tls=starttls",
            ));
        }
        Ok(())
    }
}

/// `a@b` from `Name <a@b>` or `a@b`.
fn bare_address(s: &str) -> &str {
    match (s.rfind('<'), s.ends_with('>')) {
        (Some(i), true) => &s[i + 1..s.len() - 1],
        _ => s.trim(),
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

/// `List-Unsubscribe: <url>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.trim().trim_start_matches('<').trim_end_matches('>').to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058: mail clients may unsubscribe with a POST).
#[derive(Clone)]
struct OneClick;

impl Header for OneClick {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(OneClick)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

/// The SMTP transport of the e-mail receivers.
pub(crate) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    server: String,
    timeout: Duration,
}

impl Mailer {
    /// `ca_pem`: certificates trusted besides the system's (`HALOCLINE_CA_FILE`).
    pub(crate) fn new(cfg: &SmtpConfig, ca_pem: Option<&[u8]>, timeout: Duration) -> Result<Mailer, AlertError> {
        cfg.check()?;
        let from: Mailbox = cfg.from.parse().map_err(|e| bad("HALOCLINE_SMTP_FROM", format!("{:?}: {e}", cfg.from)))?;
        let server = cfg.describe();
        let tls = || -> Result<TlsParameters, AlertError> {
            let mut p = TlsParameters::builder(cfg.host.clone());
            if let Some(pem) = ca_pem {
                p = p.add_root_certificate(Certificate::from_pem(pem).map_err(|e| bad("HALOCLINE_CA_FILE", e))?);
            }
            p.build().map_err(|e| bad(&format!("TLS for smtp server {server}"), e))
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.clone())
            .port(cfg.port)
            .timeout(Some(timeout))
            .tls(match cfg.security {
                SmtpSecurity::Plain => Tls::None,
                SmtpSecurity::StartTls => Tls::Required(tls()?),
                SmtpSecurity::Tls => Tls::Wrapper(tls()?),
            });
        if let Some((user, password)) = &cfg.credentials {
            b = b
                .credentials(Credentials::new(user.clone(), password.clone()))
                .authentication(vec![Mechanism::Plain, Mechanism::Login]);
        }
        Ok(Mailer { transport: b.build(), from, server, timeout })
    }

    /// Sends one alert to `to`.
    pub(crate) async fn send(&self, to: &str, n: &Notice<'_>) -> Result<(), AlertError> {
        check_address(to)?;
        let fail = |message: String| AlertError::Delivery { target: to.to_string(), message };
        let rcpt: Mailbox = to.parse().map_err(|e| AlertError::Invalid(format!("{to:?}: {e}")))?;
        let mut m = Message::builder()
            .from(self.from.clone())
            .to(rcpt)
            .subject(email_subject(n))
            .header(ContentType::TEXT_PLAIN)
            .user_agent(concat!("halocline/", env!("CARGO_PKG_VERSION")).into());
        if let Some(url) = n.unsubscribe {
            m = m.header(ListUnsubscribe(url.to_string())).header(OneClick);
        }
        let msg = m.body(email_body(n)).map_err(|e| fail(format!("cannot build the message: {e}")))?;
        match tokio::time::timeout(self.timeout, self.transport.send(msg)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(fail(self.explain(&e))),
            Err(_) => Err(fail(format!("smtp server {}: no answer within {:?}", self.server, self.timeout))),
        }
    }

    /// lettre's error with what to do about it.
    fn explain(&self, e: &lettre::transport::smtp::Error) -> String {
        let text = e.to_string();
        let hint = match e.status().map(|c| c.to_string()) {
            Some(c) if c == "535" || c == "534" => {
                "; the server refused the user name or password (HALOCLINE_SMTP_USER/HALOCLINE_SMTP_PASSWORD or the URL)"
            }
            Some(c) if c == "530" => "; the server wants AUTH (give a user and password) or TLS",
            _ if text.contains("certificate") || text.contains("UnknownIssuer") => {
                "; the server's TLS certificate is not trusted: if a private CA signed it, give that CA with \
                 HALOCLINE_CA_FILE"
            }
            _ => "",
        };
        format!("smtp server {}: {text}{hint}", self.server)
    }
}
