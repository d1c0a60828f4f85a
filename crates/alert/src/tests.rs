//! Alerting tests: rule findings on the bundled Florida Keys CRW file, and the engine's fire /
//! de-duplicate / change / resolve cycle with a local webhook endpoint (the receivers' own tests are in
//! `notify/tests.rs`).

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use model::{AlertCondition, AlertRule, HeatStressDay, Receiver, ReefSite, Severity, Subscription};
use store::{FileBatch, SqliteStore, Store};

use crate::notify::test_servers::webhook_server;
use crate::notify::{NotifyConfig, Retry};
use crate::{Engine, rules};

fn rule(id: &str, condition: AlertCondition) -> AlertRule {
    AlertRule { id: id.into(), name: id.to_uppercase(), condition, severity: Severity::Warning, enabled: true }
}

/// A plain-HTTP webhook endpoint answering `status`, and the documents it receives.
async fn fake_webhook(status: u16) -> (String, tokio::sync::mpsc::UnboundedReceiver<serde_json::Value>) {
    let (base, mut hits) = webhook_server(status, "", false).await;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(h) = hits.recv().await {
            let _ = tx.send(h.body);
        }
    });
    (format!("{base}/hook"), rx)
}

/// Bounded timeouts and quick retries.
fn fast() -> NotifyConfig {
    NotifyConfig {
        timeout: Duration::from_secs(20),
        retry: Retry { attempts: 2, min_delay: Duration::from_millis(1), max_delay: Duration::from_millis(2) },
        ..Default::default()
    }
}

async fn florida_keys() -> Arc<dyn Store> {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let file = std::path::PathBuf::from(format!(
        "{}/../../data/sample/crw/crw_vs_florida_keys.txt",
        env!("CARGO_MANIFEST_DIR")
    ));
    let s = ingest::ingest_files(store.clone(), vec![file], |_| {}).await;
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    store
}

#[tokio::test]
async fn baa_and_dhw_findings_on_the_florida_keys_station() {
    let store = florida_keys().await;
    // The file's last row: 2024-08-04, DHW 6.2743, BAA_7day_max 3 (Alert Level 1) for 11 days.
    let baa =
        rules::findings(&*store, &rule("baa", AlertCondition::BaaLevel { site: None, min_level: 1 })).await.unwrap();
    assert_eq!(baa.len(), 1);
    assert_eq!((baa[0].subject.as_str(), baa[0].fingerprint.as_str(), baa[0].value), ("florida_keys", "3", 3.0));
    assert!(
        baa[0].message.contains("Alert Level 1 (BAA 3) on 2024-08-04, for 11 days; DHW 6.27"),
        "{}",
        baa[0].message
    );
    let above =
        rules::findings(&*store, &rule("baa4", AlertCondition::BaaLevel { site: None, min_level: 4 })).await.unwrap();
    assert!(above.is_empty());
    // DHW 6.27 is below the maximum stored before 2023-08-05 (14.22 °C-weeks), so no record.
    let rec = rules::findings(&*store, &rule("dhw", AlertCondition::DhwRecord { site: None })).await.unwrap();
    assert!(rec.is_empty(), "{rec:?}");

    // A site whose newest DHW beats every day more than a year older does fire.
    let day = |d: &str, dhw: f64| HeatStressDay {
        site: "test_reef".into(),
        date: NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(),
        sst_min: None,
        sst_max: None,
        sst_90th_hs: None,
        ssta_90th_hs: None,
        hotspot: None,
        dhw: Some(dhw),
        baa_7day_max: Some(2),
    };
    let site = ReefSite {
        id: "test_reef".into(),
        name: "Test Reef".into(),
        position: model::Point::new(150.0, -20.0).unwrap(),
        mmm: Some(28.0),
        monthly_means: None,
        first_valid_dhw: None,
        first_valid_baa: None,
        polygon: None,
    };
    let mut platform = model::Platform::new("test_reef", model::PlatformKind::ReefSite);
    platform.name = Some("Test Reef".into());
    store
        .write_file(&FileBatch {
            source: "synthetic".into(),
            platforms: vec![platform],
            reef_sites: vec![site],
            heat_stress: vec![day("2020-03-01", 4.0), day("2024-02-01", 9.0), day("2024-03-01", 5.5)],
            ..Default::default()
        })
        .await
        .unwrap();
    let rec = rules::findings(&*store, &rule("dhw", AlertCondition::DhwRecord { site: Some("test_reef".into()) }))
        .await
        .unwrap();
    assert_eq!(rec.len(), 1, "5.5 beats 4.0 (2020); 9.0 is within the year and does not count");
    assert_eq!(rec[0].value, 5.5);
    assert!(rec[0].message.contains("above the site's historical maximum 4.00"), "{}", rec[0].message);
}

#[tokio::test]
async fn the_engine_fires_once_deduplicates_announces_changes_and_resolves() {
    let store = florida_keys().await;
    let (url, mut rx) = fake_webhook(200).await;
    let engine = Engine::new(store.clone(), fast());
    let mut r = rule("baa", AlertCondition::BaaLevel { site: None, min_level: 2 });
    store.put_alert_rule(&r).await.unwrap();
    store
        .put_alert_subscription(&Subscription {
            id: "hook".into(),
            rule: None,
            min_severity: Severity::Info,
            receiver: Receiver::Webhook { url },
        })
        .await
        .unwrap();
    let t0 = Utc.with_ymd_and_hms(2024, 8, 4, 12, 0, 0).unwrap();
    let rep = engine.evaluate(t0).await.unwrap();
    assert_eq!((rep.fired, rep.deduplicated, rep.resolved, rep.notifications_sent), (1, 0, 0, 1), "{rep:?}");
    let msg = rx.recv().await.unwrap();
    assert_eq!(msg["status"], "firing");
    assert_eq!(msg["subject"], "florida_keys");
    assert_eq!(msg["value"], 3.0);

    let rep = engine.evaluate(t0 + chrono::Duration::minutes(1)).await.unwrap();
    assert_eq!((rep.fired, rep.deduplicated, rep.notifications_sent), (0, 1, 0), "de-duplicated: {rep:?}");
    let open = store.alert_events(true, 10).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].last_seen_at, t0 + chrono::Duration::minutes(1));

    // The level moves (a new day at BAA 4): the old alert resolves and a new one fires.
    store
        .write_file(&FileBatch {
            source: "next day".into(),
            heat_stress: vec![HeatStressDay {
                site: "florida_keys".into(),
                date: NaiveDate::from_ymd_opt(2024, 8, 5).unwrap(),
                sst_min: Some(30.4),
                sst_max: Some(31.5),
                sst_90th_hs: Some(31.2),
                ssta_90th_hs: Some(1.8),
                hotspot: Some(1.6),
                dhw: Some(8.1),
                baa_7day_max: Some(4),
            }],
            ..Default::default()
        })
        .await
        .unwrap();
    let rep = engine.evaluate(t0 + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!((rep.fired, rep.resolved, rep.notifications_sent), (1, 1, 2), "{rep:?}");
    let first = rx.recv().await.unwrap();
    let second = rx.recv().await.unwrap();
    assert_eq!((first["status"].as_str(), first["value"].as_f64()), (Some("resolved"), Some(3.0)));
    assert!(first["resolve_message"].as_str().unwrap().starts_with("superseded: "));
    assert_eq!((second["status"].as_str(), second["value"].as_f64()), (Some("firing"), Some(4.0)));

    // Disabling the rule resolves what it had open.
    r.enabled = false;
    store.put_alert_rule(&r).await.unwrap();
    let rep = engine.evaluate(t0 + chrono::Duration::minutes(3)).await.unwrap();
    assert_eq!((rep.fired, rep.resolved), (0, 1));
    let last = rx.recv().await.unwrap();
    assert_eq!(last["status"], "resolved");
    assert_eq!(last["resolve_message"], "the rule was disabled");
    assert!(store.alert_events(true, 10).await.unwrap().is_empty());
    assert_eq!(store.alert_events(false, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_failing_receiver_is_counted_not_fatal() {
    let store = florida_keys().await;
    let (url, mut rx) = fake_webhook(500).await;
    let engine = Engine::new(store.clone(), fast());
    store.put_alert_rule(&rule("baa", AlertCondition::BaaLevel { site: None, min_level: 1 })).await.unwrap();
    store
        .put_alert_subscription(&Subscription {
            id: "hook".into(),
            rule: Some("baa".into()),
            min_severity: Severity::Warning,
            receiver: Receiver::Webhook { url },
        })
        .await
        .unwrap();
    let rep = engine.evaluate(Utc::now()).await.unwrap();
    assert_eq!((rep.fired, rep.notifications_sent, rep.notifications_failed), (1, 0, 1), "{rep:?}");
    // Tried twice (a 5xx is retried), counted once.
    assert_eq!(rx.recv().await.unwrap()["status"], "firing");
    assert_eq!(rx.recv().await.unwrap()["status"], "firing");

    // Unusable settings (a CA file without a certificate) make every delivery fail, not the evaluation.
    let broken = Engine::new(store.clone(), NotifyConfig { ca_pem: Some(b"junk".to_vec()), ..fast() });
    store.put_alert_rule(&rule("baa2", AlertCondition::BaaLevel { site: None, min_level: 1 })).await.unwrap();
    store
        .put_alert_subscription(&Subscription {
            id: "hook2".into(),
            rule: Some("baa2".into()),
            min_severity: Severity::Warning,
            receiver: Receiver::Webhook { url: "http://127.0.0.1:9/x".into() },
        })
        .await
        .unwrap();
    let rep = broken.evaluate(Utc::now()).await.unwrap();
    assert_eq!((rep.fired, rep.deduplicated, rep.notifications_failed), (1, 1, 1), "{rep:?}");
}

#[test]
fn durations_read_well() {
    assert_eq!(rules::human_duration(600), "10 min");
    assert_eq!(rules::human_duration(7200), "2 h");
    assert_eq!(rules::human_duration(86_400), "1 day");
    assert_eq!(rules::human_duration(0), "0 s");
}

#[tokio::test]
async fn threshold_each_skips_stale_platforms_and_bad_qc() {
    use model::{Aggregate, Comparison, QcFlag, SeriesPoint};
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let t = Utc.with_ymd_and_hms(2024, 8, 1, 12, 0, 0).unwrap();
    let pt = |platform: &str, minutes_before: i64, value: f64, qc: QcFlag| SeriesPoint {
        platform: platform.into(),
        variable: "sea_surface_temperature".into(),
        time: t - chrono::Duration::minutes(minutes_before),
        depth: 0.0,
        value,
        qc,
    };
    let series = vec![
        pt("A", 20, 28.0, QcFlag::GOOD),
        pt("A", 10, 29.5, QcFlag::GOOD),
        pt("A", 0, 30.5, QcFlag::GOOD),
        // Stale: three days behind the newest SST in the store.
        pt("B", 3 * 24 * 60, 31.0, QcFlag::GOOD),
        // A spike flagged bad does not count; the good value before it is below the threshold.
        pt("C", 5, 28.0, QcFlag::GOOD),
        pt("C", 0, 35.0, QcFlag::BAD),
    ];
    let stubs = ["A", "B", "C"].iter().map(|p| model::Platform::new(*p, model::PlatformKind::Buoy)).collect();
    store
        .write_file(&FileBatch { source: "t".into(), platform_stubs: stubs, series, ..Default::default() })
        .await
        .unwrap();
    let r = rule(
        "hot",
        AlertCondition::Threshold {
            variable: "sea_surface_temperature".into(),
            platform: None,
            comparison: Comparison::Above,
            threshold: 29.0,
            for_seconds: 600,
            aggregate: Aggregate::Each,
        },
    );
    let f = rules::findings(&*store, &r).await.unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    // The last 10 minutes of A: 29.5 and 30.5.
    assert_eq!((f[0].subject.as_str(), f[0].value), ("A", 30.0));
    assert!(f[0].message.contains("(2 observations)"), "{}", f[0].message);
}
