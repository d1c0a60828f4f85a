//! Operations options of `serve` and `demo`: the separate metrics port, the alert evaluation interval,
//! and the SMTP relay for e-mail alerts (from the environment).

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

/// Alert notification settings: `HALOCLINE_SMTP_RELAY` (host:port of a relay that needs no TLS or AUTH
/// from us, e.g. a local Postfix) and `HALOCLINE_SMTP_FROM` (default `halocline@localhost`).
pub fn notify_config() -> alert::NotifyConfig {
    let relay = std::env::var("HALOCLINE_SMTP_RELAY").ok().filter(|r| !r.is_empty());
    let from = std::env::var("HALOCLINE_SMTP_FROM").ok().filter(|f| !f.is_empty());
    alert::NotifyConfig {
        smtp: relay
            .map(|relay| alert::SmtpConfig { relay, from: from.unwrap_or_else(|| "halocline@localhost".into()) }),
        ..Default::default()
    }
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
