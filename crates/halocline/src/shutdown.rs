//! Graceful shutdown of `serve` and `schedule`: SIGTERM (what Docker, Kubernetes and systemd send) or
//! SIGINT (Ctrl-C) starts the drain; `HALOCLINE_SHUTDOWN_GRACE_SECONDS` (default 20, below Kubernetes'
//! 30 s `terminationGracePeriodSeconds`) bounds it.

use std::time::Duration;

use anyhow::Context;
use tokio::sync::watch;

/// The shutdown request of this process: resolves [`Shutdown::requested`] for every waiter once a signal
/// came.
#[derive(Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
}

impl Shutdown {
    /// Listens for SIGTERM and SIGINT from now on (inside a Tokio runtime).
    pub fn install() -> anyhow::Result<Shutdown> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            tracing::info!(signal = name, grace_seconds = grace().as_secs(), "shutting down: draining");
            let _ = tx.send(true);
            // The sender stays alive (a dropped sender would also wake the waiters, but say nothing).
            std::future::pending::<()>().await;
        });
        Ok(Shutdown { rx })
    }

    /// Resolves once a shutdown signal came.
    pub fn requested(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    }
}

/// How long the drain may take: `HALOCLINE_SHUTDOWN_GRACE_SECONDS`, default 20.
pub fn grace() -> Duration {
    let secs = std::env::var("HALOCLINE_SHUTDOWN_GRACE_SECONDS").ok().and_then(|s| s.trim().parse::<u64>().ok());
    Duration::from_secs(secs.unwrap_or(20))
}

/// Waits for `task` (a server or the scheduler) to finish after the signal, at most until `deadline`;
/// past it the task is left to the runtime's end (open connections are closed) and a warning says so.
pub async fn drain<T>(what: &str, task: tokio::task::JoinHandle<T>, deadline: tokio::time::Instant) -> Option<T> {
    match tokio::time::timeout_at(deadline, task).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "{what} task failed");
            None
        }
        Err(_) => {
            tracing::warn!("{what}: the grace period ended before it finished; stopping it");
            None
        }
    }
}
