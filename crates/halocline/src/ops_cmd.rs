//! Operations options of `serve` and `demo`: the separate metrics port, the alert evaluation interval,
//! and how alert notifications are sent (SMTP server, extra CA; from the environment).

use anyhow::Context;

/// Flags shared by `serve` and `demo`.
#[derive(clap::Args, Clone, Debug)]
pub struct OpsArgs {
    /// Also serve /metrics alone on this address (the seed used 127.0.0.1:8002).
    #[arg(long, env = "HALOCLINE_METRICS_BIND")]
    pub metrics_bind: Option<String>,
    /// Seconds between evaluations of the built-in alert rules (they also run after every ingest
    /// announced by this server).
    #[arg(long, env = "HALOCLINE_ALERT_INTERVAL", default_value_t = 60)]
    pub alert_interval: u64,
}

/// Alert notification settings from the environment (see docs/operations.md, "Alerts"):
/// - `HALOCLINE_SMTP_URL`: `smtp://[user[:password]@]host[:port][?tls=starttls]` or `smtps://...`
///   (implicit TLS); or `HALOCLINE_SMTP_RELAY`: `host:port` of a relay that needs no TLS or AUTH from us
///   (e.g. a local Postfix), as before. Not both.
/// - `HALOCLINE_SMTP_USER`, `HALOCLINE_SMTP_PASSWORD`: AUTH credentials (instead of, or over, the URL's).
/// - `HALOCLINE_SMTP_FROM`: the sender (default `halocline@localhost`).
/// - `HALOCLINE_CA_FILE`: a PEM file of CA certificates trusted besides the system's, for https webhooks
///   and SMTP TLS.
///
/// The settings are checked here, so bad ones stop `serve` at start-up.
pub fn notify_config() -> anyhow::Result<alert::NotifyConfig> {
    notify_config_from(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

fn notify_config_from(env: impl Fn(&str) -> Option<String>) -> anyhow::Result<alert::NotifyConfig> {
    let from = env("HALOCLINE_SMTP_FROM").unwrap_or_else(|| "halocline@localhost".into());
    let smtp = match (env("HALOCLINE_SMTP_URL"), env("HALOCLINE_SMTP_RELAY")) {
        (Some(_), Some(_)) => anyhow::bail!("set HALOCLINE_SMTP_URL or HALOCLINE_SMTP_RELAY, not both"),
        (Some(url), None) => Some(alert::SmtpConfig::from_url(&url, &from)?),
        (None, Some(relay)) => Some(alert::SmtpConfig::relay(&relay, &from)?),
        (None, None) => None,
    };
    let smtp = match (smtp, env("HALOCLINE_SMTP_USER"), env("HALOCLINE_SMTP_PASSWORD")) {
        (None, None, None) => None,
        (None, _, _) => anyhow::bail!(
            "HALOCLINE_SMTP_USER/HALOCLINE_SMTP_PASSWORD are set but no SMTP server is (HALOCLINE_SMTP_URL)"
        ),
        (Some(s), None, None) => Some(s),
        (Some(s), user, password) => {
            let (url_user, url_password) = s.credentials.clone().unzip();
            let user = user
                .or(url_user)
                .context("HALOCLINE_SMTP_PASSWORD is set without a user name (HALOCLINE_SMTP_USER)")?;
            Some(s.with_credentials(user, password.or(url_password).unwrap_or_default())?)
        }
    };
    let ca_pem = match env("HALOCLINE_CA_FILE") {
        Some(path) => Some(std::fs::read(&path).with_context(|| format!("HALOCLINE_CA_FILE: cannot read {path}"))?),
        None => None,
    };
    let cfg = alert::NotifyConfig { smtp, ca_pem, ..Default::default() };
    alert::Notifier::new(&cfg).context("alert notification settings")?;
    if let Some(s) = &cfg.smtp {
        tracing::info!("alert e-mail through {} from {}", s.describe(), s.from);
    }
    Ok(cfg)
}

/// Starts the background workers and, when asked, the metrics listener (which stops at `stop`).
pub async fn start(state: &server::AppState, ops: &OpsArgs, stop: &crate::shutdown::Shutdown) -> anyhow::Result<()> {
    server::spawn_workers(state, std::time::Duration::from_secs(ops.alert_interval.max(1)));
    if let Some(bind) = &ops.metrics_bind {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind} for metrics"))?;
        println!("  metrics also on http://{}/metrics", listener.local_addr()?);
        let (state, requested) = (state.clone(), stop.requested());
        tokio::spawn(async move {
            if let Err(e) = server::serve_metrics_until(listener, state, requested).await {
                tracing::error!("metrics listener stopped: {e}");
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use alert::SmtpSecurity;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<alert::NotifyConfig> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        super::notify_config_from(|k| vars.get(k).cloned())
    }

    fn error(vars: &[(&str, &str)]) -> String {
        format!("{:#}", config(vars).unwrap_err())
    }

    #[test]
    fn notification_settings_come_from_the_environment() {
        assert!(config(&[]).unwrap().smtp.is_none());
        // Today's relay keeps working.
        let s = config(&[("HALOCLINE_SMTP_RELAY", "127.0.0.1:2525")]).unwrap().smtp.unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security, s.from.as_str()),
            ("127.0.0.1", 2525, SmtpSecurity::Plain, "halocline@localhost")
        );
        let s = config(&[
            ("HALOCLINE_SMTP_URL", "smtp://ops@mail.example.org?tls=starttls"),
            ("HALOCLINE_SMTP_PASSWORD", "pw"),
            ("HALOCLINE_SMTP_FROM", "reef-alerts@example.org"),
        ])
        .unwrap()
        .smtp
        .unwrap();
        assert_eq!((s.port, s.security, s.from.as_str()), (587, SmtpSecurity::StartTls, "reef-alerts@example.org"));
        assert_eq!(s.credentials, Some(("ops".into(), "pw".into())));
        let s = config(&[
            ("HALOCLINE_SMTP_URL", "smtps://u:old@mail.example.org"),
            ("HALOCLINE_SMTP_USER", "alerts"),
            ("HALOCLINE_SMTP_PASSWORD", "new"),
        ])
        .unwrap()
        .smtp
        .unwrap();
        assert_eq!(s.credentials, Some(("alerts".into(), "new".into())));

        let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/../alert/test-data/tls/ca.pem");
        let c = config(&[("HALOCLINE_CA_FILE", ca)]).unwrap();
        assert!(c.ca_pem.unwrap().starts_with(b"-----BEGIN CERTIFICATE-----"));

        for (vars, why) in [
            (&[("HALOCLINE_SMTP_URL", "smtp://a"), ("HALOCLINE_SMTP_RELAY", "a:25")][..], "not both"),
            (&[("HALOCLINE_SMTP_USER", "u")][..], "no SMTP server"),
            (&[("HALOCLINE_SMTP_URL", "smtps://a"), ("HALOCLINE_SMTP_PASSWORD", "p")][..], "without a user name"),
            (&[("HALOCLINE_SMTP_RELAY", "mail.example.org:25"), ("HALOCLINE_SMTP_USER", "u")][..], "clear text"),
            (&[("HALOCLINE_SMTP_URL", "smtp://a?tls=yes")][..], "is not starttls or none"),
            (&[("HALOCLINE_CA_FILE", "no/such/file.pem")][..], "cannot read no/such/file.pem"),
            (&[("HALOCLINE_CA_FILE", concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))][..], "no PEM certificate"),
        ] {
            let e = error(vars);
            assert!(e.contains(why), "{vars:?}: {e}");
        }
    }
}
