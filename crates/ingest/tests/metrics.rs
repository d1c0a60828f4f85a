//! The fetch metrics through the `metrics` facade (a debugging recorder installed for this test binary):
//! a flaky upstream (two 500s, then 200) counts one fetch, two `http_5xx` retries, no failure and a last
//! success time; a dead one counts a failure.

use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use replay::{Fault, Recorded, Replay};

type Snapshot = Vec<(metrics_util::CompositeKey, Option<metrics::Unit>, Option<metrics::SharedString>, DebugValue)>;

/// A counter's or gauge's value in the snapshot.
fn value(snap: &Snapshot, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    snap.iter().find_map(|(key, _, _, v)| {
        let k = key.key();
        let matches = k.name() == name
            && labels.iter().all(|(n, want)| k.labels().any(|l| l.key() == *n && l.value() == *want))
            && k.labels().count() == labels.len();
        let v = match v {
            DebugValue::Counter(n) => *n as f64,
            DebugValue::Gauge(g) => g.into_inner(),
            DebugValue::Histogram(_) => f64::NAN,
        };
        matches.then_some(v)
    })
}

#[tokio::test]
async fn retries_failures_and_last_success_are_counted_in_the_metrics_facade() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().unwrap();
    ingest::sources::http::describe_metrics();

    let r = Replay::start().await;
    let sample = replay::repo_root().join("data/sample/buoy/TPLM2_realtime2_2022-08-13.txt");
    r.route("/data/realtime2/TPLM2.txt", Recorded::file(200, "text/plain", sample));
    r.fail_next("/data/realtime2/TPLM2.txt", [Fault::Status(500), Fault::Status(500)]);
    let mut config = ingest::sources::SourcesConfig {
        http: ingest::sources::HttpConfig { min_delay: Duration::from_millis(1), jitter: false, ..Default::default() },
        ndbc_files: vec!["TPLM2.txt".into()],
        ..Default::default()
    };
    config.set_base_url("all", &r.url()).unwrap();
    let store = store::SqliteStore::open(":memory:").await.unwrap();
    let report = ingest::sources::run_source(&store, "ndbc", &config, None).await.unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(r.hits("/data/realtime2/TPLM2.txt"), 3);

    // A snapshot holds what changed since the last one.
    let snap = snapshotter.snapshot().into_vec();
    let ndbc = [("source", "ndbc")];
    assert_eq!(value(&snap, "ai_pipeline_fetches_total", &ndbc), Some(1.0));
    assert_eq!(
        value(&snap, "ai_pipeline_fetch_retries_total", &[("source", "ndbc"), ("reason", "http_5xx")]),
        Some(2.0)
    );
    assert_eq!(value(&snap, "ai_pipeline_fetch_failures_total", &ndbc), None);
    let t = value(&snap, "ai_pipeline_last_success_timestamp_seconds", &ndbc).unwrap();
    assert!(t > 1.7e9, "{t}");

    // A dead upstream: three attempts, then one failure.
    r.always("/data/realtime2/", Fault::Status(503));
    let report = ingest::sources::run_source(&store, "ndbc", &config, None).await.unwrap();
    assert_eq!(report.failed.len(), 1);
    let snap = snapshotter.snapshot().into_vec();
    assert_eq!(value(&snap, "ai_pipeline_fetch_failures_total", &ndbc), Some(1.0));
    assert_eq!(
        value(&snap, "ai_pipeline_fetch_retries_total", &[("source", "ndbc"), ("reason", "http_5xx")]),
        Some(2.0)
    );
}
