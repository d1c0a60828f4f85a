//! Notification receivers, through libraries: webhooks with reqwest (`http://` and `https://`,
//! certificates verified, bounded retries), Slack incoming webhooks (Slack's `text`/`blocks` message),
//! and e-mail with lettre (plain relay, STARTTLS or implicit TLS, optional AUTH). A [`Notifier`] is built
//! once from a [`NotifyConfig`] and sends one [`Notice`] to one [`Receiver`].
//!
//! Files: `message.rs` renders (pure), `webhook.rs` and `email.rs` deliver.

mod email;
mod message;
mod webhook;

use std::time::Duration;

use model::Receiver;

pub use email::{SmtpConfig, SmtpSecurity, check_address};
pub use message::{Notice, email_body, email_subject, payload, slack_payload};
pub use webhook::{Retry, check_webhook_url, is_slack_url, redact};

use crate::error::AlertError;

/// How notifications are sent.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// E-mail receivers fail with a clear message without one.
    pub smtp: Option<SmtpConfig>,
    /// Per webhook attempt, and for a whole SMTP exchange.
    pub timeout: Duration,
    /// Extra trusted CA certificates (PEM, one or more) for https webhooks and SMTP TLS, besides the
    /// system's (`HALOCLINE_CA_FILE`).
    pub ca_pem: Option<Vec<u8>>,
    /// Retries of failed webhooks.
    pub retry: Retry,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig { smtp: None, timeout: Duration::from_secs(10), ca_pem: None, retry: Retry::default() }
    }
}

/// Sends notifications: one HTTP client and one SMTP transport for every receiver.
pub struct Notifier {
    webhooks: webhook::Webhooks,
    mail: Option<email::Mailer>,
}

impl Notifier {
    /// Checks the settings (the CA file holds certificates, the sender is an address, ...) and builds
    /// the clients.
    pub fn new(cfg: &NotifyConfig) -> Result<Notifier, AlertError> {
        let roots = match &cfg.ca_pem {
            None => Vec::new(),
            Some(pem) => {
                let certs = reqwest::Certificate::from_pem_bundle(pem)
                    .map_err(|e| AlertError::Invalid(format!("HALOCLINE_CA_FILE: {e}")))?;
                if certs.is_empty() {
                    return Err(AlertError::Invalid("HALOCLINE_CA_FILE: no PEM certificate in the file".into()));
                }
                certs
            }
        };
        let webhooks = webhook::Webhooks::new(cfg.timeout, cfg.retry.clone(), roots)?;
        let mail = match &cfg.smtp {
            Some(s) => Some(email::Mailer::new(s, cfg.ca_pem.as_deref(), cfg.timeout)?),
            None => None,
        };
        Ok(Notifier { webhooks, mail })
    }

    /// Sends one alert to one receiver. A `webhook` whose URL is a Slack incoming webhook gets Slack's
    /// message, as does every `slack` receiver; other webhooks get halocline's document ([`payload`]).
    pub async fn send(&self, to: &Receiver, n: &Notice<'_>) -> Result<(), AlertError> {
        match to {
            Receiver::Webhook { url } if !is_slack_url(url) => self.webhooks.post(url, &payload(n)).await,
            Receiver::Webhook { url } | Receiver::Slack { url } => self.webhooks.post(url, &slack_payload(n)).await,
            Receiver::Email { to } => match &self.mail {
                Some(m) => m.send(to, n).await,
                None => Err(AlertError::Delivery {
                    target: to.clone(),
                    message: "no SMTP server is configured (HALOCLINE_SMTP_URL or HALOCLINE_SMTP_RELAY)".into(),
                }),
            },
        }
    }
}

/// Checks a receiver given through the API: an `http(s)://` URL for webhooks and Slack, an address for
/// e-mail.
pub fn check_receiver(r: &Receiver) -> Result<(), AlertError> {
    match r {
        Receiver::Webhook { url } | Receiver::Slack { url } => check_webhook_url(url).map(|_| ()),
        Receiver::Email { to } => check_address(to),
    }
}

#[cfg(test)]
pub(crate) mod test_servers;
#[cfg(test)]
mod tests;
