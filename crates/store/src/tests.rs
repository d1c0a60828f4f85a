//! Tests of the SQLite store: round trips, idempotent UPSERTs, spatial and time search.

use chrono::{NaiveDate, TimeZone, Utc};
use model::{
    BBox, DataMode, Direction, ParamColumn, Platform, PlatformKind, Point, Profile, QcFlag, Region, SeriesPoint,
    TimeRange,
};

use crate::{FileBatch, ProfileFilter, SqliteStore, Store};

fn profile(platform: &str, cycle: i32, lon: f64, lat: f64, day: u32) -> Profile {
    let mut p = Profile::empty(platform, cycle, Direction::Ascending);
    p.time = Some(Utc.with_ymd_and_hms(2020, 1, day, 12, 0, 0).unwrap());
    p.time_qc = QcFlag::GOOD;
    p.position = Some(Point::new(lon, lat).unwrap());
    p.position_qc = QcFlag::GOOD;
    p.data_mode = DataMode::Delayed;
    p.source_file = "test".into();
    let mut pres = ParamColumn::raw("PRES", DataMode::Delayed, vec![5.0, 10.0, 20.0]);
    pres.qc = vec![QcFlag::GOOD; 3];
    pres.adjusted = Some(vec![5.1, 10.1, 20.1]);
    pres.adjusted_qc = Some(vec![QcFlag::GOOD, QcFlag::GOOD, QcFlag::BAD]);
    pres.adjusted_error = Some(vec![2.4; 3]);
    let temp = ParamColumn::raw("TEMP", DataMode::Delayed, vec![25.0, f32::NAN, 20.5]);
    p.params = vec![pres, temp];
    p
}

async fn store() -> SqliteStore {
    SqliteStore::open(":memory:").await.unwrap()
}

#[tokio::test]
async fn profiles_round_trip_and_upserts_are_idempotent() {
    let s = store().await;
    let batch = FileBatch {
        source: "a.nc".into(),
        kind: "argo profiles".into(),
        platforms: vec![Platform::new("1", PlatformKind::ArgoFloat)],
        profiles: vec![profile("1", 1, 10.0, 10.0, 1), profile("1", 2, 11.0, 10.0, 2)],
        ..Default::default()
    };
    let c = s.write_file(&batch).await.unwrap();
    assert_eq!((c.profiles, c.levels, c.platforms), (2, 6, 1));
    let again = s.write_file(&batch).await.unwrap();
    assert_eq!((again.profiles, again.levels, again.platforms), (0, 0, 0));
    let counts = s.counts().await.unwrap();
    assert_eq!((counts.profiles, counts.levels, counts.files), (2, 6, 1));

    // Stubs carry positions to the last bit (they feed the exact region tests).
    let mut odd = profile("1", 3, -56.108_001_708_984_375, 40.261_001_586_914_06, 3);
    odd.source_file = "odd".into();
    s.write_file(&FileBatch { source: "odd".into(), profiles: vec![odd.clone()], ..Default::default() }).await.unwrap();
    let stubs = s.profile_stubs(&ProfileFilter { platform: Some("1".into()), ..Default::default() }).await.unwrap();
    assert_eq!(stubs.iter().find(|st| st.key.cycle == 3).unwrap().position, odd.position);
    let back = s.profile(&batch.profiles[0].key()).await.unwrap().unwrap();
    // NaN != NaN, so compare the encoded form.
    assert_eq!(crate::encode_levels(&back.params), crate::encode_levels(&batch.profiles[0].params));
    assert_eq!(back.time, batch.profiles[0].time);
    assert_eq!(back.position, batch.profiles[0].position);

    // A changed profile is rewritten, and only that one.
    let mut changed = batch.clone();
    changed.profiles[1].params[1].values[1] = 21.0;
    let c = s.write_file(&changed).await.unwrap();
    assert_eq!(c.profiles, 1);
}

#[tokio::test]
async fn region_and_time_search_uses_exact_geometry() {
    let s = store().await;
    let batch = FileBatch {
        source: "b".into(),
        profiles: vec![
            profile("2", 1, 179.5, 0.0, 1),
            profile("2", 2, -179.5, 0.0, 2),
            profile("2", 3, 0.0, 0.0, 3),
            profile("2", 4, -179.5, 0.0, 20),
        ],
        ..Default::default()
    };
    s.write_file(&batch).await.unwrap();
    let b = BBox::new(179.0, -1.0, -179.0, 1.0).unwrap();
    let found = s.profiles(&ProfileFilter { region: Some(Region::Box(b)), ..Default::default() }).await.unwrap();
    let mut cycles: Vec<i32> = found.iter().map(|p| p.cycle).collect();
    cycles.sort();
    assert_eq!(cycles, [1, 2, 4]);
    let t = TimeRange::new(
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2020, 1, 10, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let circle = Region::circle(Point::new(180.0, 0.0).unwrap(), 60.0).unwrap();
    let found = s.profiles(&ProfileFilter { region: Some(circle), time: Some(t), ..Default::default() }).await.unwrap();
    let mut cycles: Vec<i32> = found.iter().map(|p| p.cycle).collect();
    cycles.sort();
    assert_eq!(cycles, [1, 2]);
}

#[tokio::test]
async fn series_upsert_and_range_query() {
    let s = store().await;
    let pts: Vec<SeriesPoint> = (0..1200)
        .map(|h| SeriesPoint {
            platform: "44005".into(),
            variable: "sea_surface_temperature".into(),
            time: Utc.timestamp_opt(1_325_376_000 + h * 3600, 0).unwrap(),
            depth: 0.0,
            value: 8.0 + h as f64 / 100.0,
            qc: QcFlag::NO_QC,
        })
        .collect();
    let batch = FileBatch {
        source: "44005h2012.txt".into(),
        platform_stubs: vec![Platform::new("44005", PlatformKind::Buoy)],
        series: pts,
        ..Default::default()
    };
    assert_eq!(s.write_file(&batch).await.unwrap().series_points, 1200);
    assert_eq!(s.write_file(&batch).await.unwrap().series_points, 0);
    let t = TimeRange::new(
        Utc.timestamp_opt(1_325_376_000, 0).unwrap(),
        Utc.timestamp_opt(1_325_376_000 + 24 * 3600, 0).unwrap(),
    )
    .unwrap();
    let day = s.series("44005", "sea_surface_temperature", t).await.unwrap();
    assert_eq!(day.len(), 24);
    assert_eq!(day[23].value, 8.23);
    // A station list arriving later sets the kind and position of the stub.
    let mut station = Platform::new("44005", PlatformKind::Buoy);
    station.position = Some(Point::new(-69.128, 43.201).unwrap());
    station.name = Some("GULF OF MAINE".into());
    s.write_file(&FileBatch { source: "stations.xml".into(), platforms: vec![station], ..Default::default() })
        .await
        .unwrap();
    let list = s.platforms(None).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].series_points, 1200);
    assert_eq!(list[0].variables, ["sea_surface_temperature"]);
    assert_eq!(list[0].platform.name.as_deref(), Some("GULF OF MAINE"));
}

#[tokio::test]
async fn platform_attributes_merge_and_unchanged_rows_are_not_rewritten() {
    let s = store().await;
    let mut a = Platform::new("13857", PlatformKind::ArgoFloat);
    a.attributes = vec![("pi_name".into(), "OLD \"PI\"".into()), ("dac".into(), "aoml".into())];
    let batch = |p: Platform| FileBatch { source: "x".into(), platforms: vec![p], ..Default::default() };
    assert_eq!(s.write_file(&batch(a.clone())).await.unwrap().platforms, 1);
    assert_eq!(s.write_file(&batch(a.clone())).await.unwrap().platforms, 0);
    let mut b = Platform::new("13857", PlatformKind::ArgoFloat);
    b.attributes = vec![("pi_name".into(), "NEW PI".into()), ("launch_date".into(), "1997-07-28T00:00:00Z".into())];
    assert_eq!(s.write_file(&batch(b.clone())).await.unwrap().platforms, 1);
    assert_eq!(s.write_file(&batch(b)).await.unwrap().platforms, 0);
    let got = &s.platforms(None).await.unwrap()[0].platform;
    assert_eq!(
        got.attributes,
        [("pi_name", "NEW PI"), ("dac", "aoml"), ("launch_date", "1997-07-28T00:00:00Z")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
    );
}

#[tokio::test]
async fn heat_stress_days_round_trip() {
    let s = store().await;
    let site = model::ReefSite {
        id: "florida_keys".into(),
        name: "Florida Keys".into(),
        position: Point::new(-81.625, 24.75).unwrap(),
        mmm: Some(29.6264),
        monthly_means: Some([
            23.4166, 23.1889, 23.5492, 24.6089, 26.4747, 28.3325, 29.3254, 29.6264, 29.1674, 27.7384, 26.0846, 24.4925,
        ]),
        first_valid_dhw: NaiveDate::from_ymd_opt(1985, 3, 25),
        first_valid_baa: NaiveDate::from_ymd_opt(1985, 3, 31),
        polygon: None,
    };
    let day = model::HeatStressDay {
        site: "florida_keys".into(),
        date: NaiveDate::from_ymd_opt(2024, 8, 4).unwrap(),
        sst_min: Some(30.22),
        sst_max: Some(31.26),
        sst_90th_hs: Some(31.05),
        ssta_90th_hs: Some(1.4842),
        hotspot: Some(1.36),
        dhw: Some(6.2743),
        baa_7day_max: Some(3),
    };
    let batch = FileBatch {
        source: "crw".into(),
        reef_sites: vec![site.clone()],
        heat_stress: vec![day.clone()],
        ..Default::default()
    };
    let c = s.write_file(&batch).await.unwrap();
    assert_eq!((c.reef_sites, c.heat_stress_days), (1, 1));
    let c = s.write_file(&batch).await.unwrap();
    assert_eq!((c.reef_sites, c.heat_stress_days), (0, 0));
    assert_eq!(s.reef_site("florida_keys").await.unwrap().unwrap(), site);
    let days = s.heat_stress("florida_keys", NaiveDate::MIN, NaiveDate::MAX).await.unwrap();
    assert_eq!(days, vec![day]);
}

#[tokio::test]
async fn reopening_a_file_keeps_data_and_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let url = format!("sqlite://{}", path.display());
    {
        let s = crate::open(&url).await.unwrap();
        s.write_file(&FileBatch {
            source: "a".into(),
            profiles: vec![profile("9", 1, 0.0, 0.0, 1)],
            ..Default::default()
        })
        .await
        .unwrap();
        assert!(s.ready().await.unwrap());
    }
    let s = crate::open(&url).await.unwrap();
    assert_eq!(s.counts().await.unwrap().profiles, 1);
    assert!(s.ready().await.unwrap());
    assert!(crate::open("postgres://x/y").await.is_err());
}

/// The clustered month × band copy (`profile_space`): filled by migration 3 from an older database,
/// exact positions, and a profile that moves or loses its position leaves no stale entry behind.
#[tokio::test]
async fn profile_space_is_filled_by_its_migration_and_follows_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("space.db");
    let path = path.to_str().unwrap();
    let jan = TimeRange::new(
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2020, 2, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    async fn in_box(s: &SqliteStore, b: BBox, t: TimeRange) -> Vec<crate::ProfileStub> {
        let f = ProfileFilter { region: Some(Region::Box(b)), time: Some(t), ..Default::default() };
        s.profile_stubs(&f).await.unwrap()
    }
    let odd = profile("7", 1, -56.108_001_708_984_375, 40.261_001_586_914_06, 3);
    {
        let s = SqliteStore::open(path).await.unwrap();
        let profiles = vec![odd.clone(), profile("7", 2, 10.0, 10.0, 4)];
        s.write_file(&FileBatch { source: "a".into(), profiles, ..Default::default() }).await.unwrap();
        // Make it a version-2 database again.
        sqlx::raw_sql("DROP TABLE profile_space; DELETE FROM schema_migrations WHERE version = 3")
            .execute(&s.writer)
            .await
            .unwrap();
    }
    let s = SqliteStore::open(path).await.unwrap();
    let found = in_box(&s, BBox::new(-60.0, 40.0, -50.0, 41.0).unwrap(), jan).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].position, odd.position);
    // Move cycle 2 from (10, 10) to (20, 20), then drop cycle 1's position.
    let moved = profile("7", 2, 20.0, 20.0, 4);
    let mut lost = odd.clone();
    lost.position = None;
    s.write_file(&FileBatch { source: "a".into(), profiles: vec![moved, lost], ..Default::default() }).await.unwrap();
    assert!(in_box(&s, BBox::new(9.0, 9.0, 11.0, 11.0).unwrap(), jan).await.is_empty());
    assert_eq!(in_box(&s, BBox::new(19.0, 19.0, 21.0, 21.0).unwrap(), jan).await.len(), 1);
    assert!(in_box(&s, BBox::new(-60.0, 40.0, -50.0, 41.0).unwrap(), jan).await.is_empty());
}

#[tokio::test]
async fn query_history_keeps_questions_newest_first() {
    let s = store().await;
    assert!(s.ready().await.unwrap(), "migration 2 (query_history) applied");
    for (k, q) in ["average SST in the Bering Sea", "and at 1000 m?"].iter().enumerate() {
        let rec = crate::QueryRecord {
            asked_at: Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, k as u32).unwrap(),
            session: Some("s1".into()),
            question: q.to_string(),
            interpretation: format!("{{\"n\":{k}}}"),
        };
        s.record_query(&rec).await.unwrap();
    }
    let recent = s.recent_queries(10).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].question, "and at 1000 m?");
    assert_eq!(recent[0].interpretation, "{\"n\":1}");
    assert_eq!(recent[1].session.as_deref(), Some("s1"));
    assert_eq!(s.recent_queries(1).await.unwrap().len(), 1);
}
