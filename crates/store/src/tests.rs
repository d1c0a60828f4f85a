//! The store test-suite, run on every backend: SQLite always, PostgreSQL when `TEST_DATABASE_URL` is set
//! (each test in a fresh schema of that database, so tests run in parallel). Round trips, idempotent
//! UPSERTs, spatial and time search.

use chrono::{NaiveDate, TimeZone, Utc};
use model::{
    BBox, DataMode, Direction, ParamColumn, Platform, PlatformKind, Point, Polygon, Profile, QcFlag, Region,
    SeriesPoint, TimeRange,
};

use std::sync::Arc;

use crate::prelude::*;
use crate::{FileBatch, ProfileFilter, SqliteStore};

/// A fresh store of each backend under test, with a label for messages.
pub(crate) async fn backends(test: &str) -> Vec<(&'static str, Arc<dyn Store>)> {
    // A file database too: reads on files go through the direct readers (`Readers` in `sqlite/mod.rs`),
    // not sqlx. The folder is kept (deleted with the system's temporary files) because the store outlives
    // this function.
    let file = tempfile::tempdir().unwrap().keep().join("store.db");
    let mut v: Vec<(&'static str, Arc<dyn Store>)> = vec![
        ("sqlite", Arc::new(SqliteStore::open(":memory:").await.unwrap())),
        ("sqlite-file", Arc::new(SqliteStore::open(file.to_str().unwrap()).await.unwrap())),
    ];
    if let Some(url) = crate::test_database_url() {
        // A small pool per test: the tests run in parallel against one server.
        let url = crate::fresh_schema_url(&url, test) + "&max_connections=4";
        v.push(("postgres", crate::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"))));
    }
    v
}

/// Runs an async test body once per backend.
macro_rules! on_every_backend {
    ($(async fn $name:ident($s:ident) $body:block)*) => {$(
        #[tokio::test]
        async fn $name() {
            for (backend, $s) in backends(stringify!($name)).await {
                eprintln!("{}: {backend}", stringify!($name));
                $body
            }
        }
    )*};
}

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

on_every_backend! {
    async fn profiles_round_trip_and_upserts_are_idempotent(s) {
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

    async fn region_and_time_search_uses_exact_geometry(s) {
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

    async fn series_upsert_and_range_query(s) {
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

    async fn platform_attributes_merge_and_unchanged_rows_are_not_rewritten(s) {
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

    async fn heat_stress_days_round_trip(s) {
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
}

#[tokio::test]
async fn reopening_keeps_data_and_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!("sqlite://{}", dir.path().join("x.db").display())];
    if let Some(url) = crate::test_database_url() {
        urls.push(crate::fresh_schema_url(&url, "reopening"));
    }
    for url in urls {
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
        assert_eq!(s.counts().await.unwrap().profiles, 1, "{url}");
        assert!(s.ready().await.unwrap());
    }
    assert!(crate::open("mysql://x/y").await.is_err());
}

on_every_backend! {
    async fn source_rank_decides_which_copy_wins_and_time_changes_move_partitions(s) {
        let gdac = profile("7", 1, 10.0, 10.0, 1);
        let mut erddap = gdac.clone();
        erddap.source_format = model::SourceFormat::ErddapNc;
        erddap.data_mode = DataMode::RealTime;
        erddap.source_file = "erddap".into();
        erddap.params[1].values[0] = 99.0;
        let one = |p: Profile, src: &str| FileBatch { source: src.into(), profiles: vec![p], ..Default::default() };
        assert_eq!(s.write_file(&one(erddap.clone(), "erddap")).await.unwrap().profiles, 1);
        // The GDAC file outranks the ERDDAP copy; the ERDDAP copy then never overwrites it.
        assert_eq!(s.write_file(&one(gdac.clone(), "test")).await.unwrap().profiles, 1);
        assert_eq!(s.write_file(&one(erddap.clone(), "erddap")).await.unwrap().profiles, 0);
        // Same rank from another file: kept as stored.
        let mut other = gdac.clone();
        other.source_file = "other".into();
        other.params[1].values[0] = 1.0;
        assert_eq!(s.write_file(&one(other, "other")).await.unwrap().profiles, 0);
        let back = s.profile(&gdac.key()).await.unwrap().unwrap();
        assert_eq!(back.params[1].values[0], 25.0);
        assert_eq!(back.source_file, "test");
        // The same file with a new time (another year): rewritten, found in the new year only.
        let mut moved = gdac.clone();
        moved.time = Some(Utc.with_ymd_and_hms(2021, 6, 1, 0, 0, 0).unwrap());
        assert_eq!(s.write_file(&one(moved, "test")).await.unwrap().profiles, 1);
        let year = |y: i32| {
            TimeRange::new(
                Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(y + 1, 1, 1, 0, 0, 0).unwrap(),
            )
            .unwrap()
        };
        let in_year = |y: i32| ProfileFilter { time: Some(year(y)), ..Default::default() };
        assert_eq!(s.profile_stubs(&in_year(2020)).await.unwrap().len(), 0);
        assert_eq!(s.profile_stubs(&in_year(2021)).await.unwrap().len(), 1);
        let c = s.counts().await.unwrap();
        assert_eq!((c.profiles, c.levels, c.files), (1, 3, 3));
    }

    async fn undated_and_unplaced_profiles_sort_first_and_round_trip(s) {
        let mut bare = profile("8", 2, 0.0, 0.0, 1);
        bare.time = None;
        bare.position = None;
        let dated = profile("8", 1, 5.0, 5.0, 3);
        let descending = {
            let mut p = profile("8", 1, 5.0, 5.0, 3);
            p.direction = Direction::Descending;
            p
        };
        s.write_file(&FileBatch {
            source: "u".into(),
            profiles: vec![dated.clone(), bare.clone(), descending, dated.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
        let stubs = s.profile_stubs(&ProfileFilter::default()).await.unwrap();
        let keys: Vec<String> = stubs.iter().map(|st| st.key.id()).collect();
        assert_eq!(keys, ["8_002", "8_001", "8_001D"]);
        assert_eq!((stubs[0].time, stubs[0].position), (None, None));
        assert_eq!(stubs[1].params, ["PRES", "TEMP"]);
        let back = s.profile(&bare.key()).await.unwrap().unwrap();
        assert_eq!((back.time, back.position), (None, None));
        let ids: Vec<i64> = stubs.iter().rev().map(|st| st.row_id).collect();
        let full = s.profiles_by_row_ids(&[ids[0], -5, ids[2]]).await.unwrap();
        assert_eq!(full.iter().map(|p| p.key().id()).collect::<Vec<_>>(), ["8_001D", "8_002"]);
        let newest = s.profiles(&ProfileFilter { limit: Some(1), ..Default::default() }).await.unwrap();
        assert_eq!(newest[0].key().id(), "8_001D");
    }

    async fn every_region_kind_finds_exactly_what_the_geometry_contains(s) {
        // Points everywhere, denser near the antimeridian and the poles, and exactly on box edges.
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut points: Vec<(f64, f64)> = (0..1500)
            .map(|k| match k % 3 {
                0 => (rng.range(-180.0, 180.0), rng.range(-90.0, 90.0)),
                1 => (if rng.next() < 0.5 { rng.range(170.0, 180.0) } else { rng.range(-180.0, -170.0) }, rng.range(-30.0, 30.0)),
                _ => (rng.range(-180.0, 180.0), if rng.next() < 0.5 { rng.range(75.0, 90.0) } else { rng.range(-90.0, -75.0) }),
            })
            .collect();
        points.extend([(175.0, 5.0), (-175.0, -5.0), (20.0, 10.0), (30.0, 20.0), (180.0 - 1e-12, 0.0)]);
        let profiles: Vec<Profile> = points
            .iter()
            .enumerate()
            .map(|(i, &(lon, lat))| profile(&format!("{}", 100_000 + i), 1, lon, lat, 1 + (i % 28) as u32))
            .collect();
        s.write_file(&FileBatch { source: "grid".into(), profiles, ..Default::default() }).await.unwrap();
        let poly = |ring: &[(f64, f64)]| Polygon::new(ring).unwrap();
        let regions = vec![
            Region::Box(BBox::new(175.0, -5.0, -175.0, 5.0).unwrap()),
            Region::Box(BBox::new(20.0, 10.0, 30.0, 20.0).unwrap()),
            Region::Box(BBox::new(-180.0, 80.0, 180.0, 90.0).unwrap()),
            Region::Polygon(poly(&[(170.0, -10.0), (-170.0, -10.0), (-175.0, 15.0), (170.0, -10.0)])),
            Region::Polygon(poly(&[(-10.0, -60.0), (40.0, -50.0), (10.0, 40.0), (-30.0, 10.0), (-10.0, -60.0)])),
            Region::multipolygon(vec![
                poly(&[(160.0, -20.0), (-160.0, -20.0), (-160.0, 20.0), (160.0, 20.0), (160.0, -20.0)]),
                poly(&[(175.0, -30.0), (-170.0, -30.0), (-170.0, 30.0), (175.0, -30.0)]),
            ])
            .unwrap(),
            Region::circle(Point::new(180.0, 0.0).unwrap(), 800.0).unwrap(),
            Region::circle(Point::new(0.0, 89.0).unwrap(), 1500.0).unwrap(),
            Region::circle(Point::new(-60.0, -85.0).unwrap(), 900.0).unwrap(),
            Region::circle(Point::new(25.0, 15.0).unwrap(), 3000.0).unwrap(),
        ];
        let t = TimeRange::new(
            Utc.with_ymd_and_hms(2020, 1, 5, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2020, 1, 20, 0, 0, 0).unwrap(),
        )
        .unwrap();
        for region in regions {
            for time in [None, Some(t)] {
                let mut want: Vec<String> = points
                    .iter()
                    .enumerate()
                    .filter(|(i, (lon, lat))| {
                        region.contains(Point::new(*lon, *lat).unwrap())
                            && time.is_none_or(|_| (5..20).contains(&(1 + (i % 28))))
                    })
                    .map(|(i, _)| format!("{}", 100_000 + i))
                    .collect();
                want.sort();
                let filter = ProfileFilter { region: Some(region.clone()), time, ..Default::default() };
                let mut got: Vec<String> = s.profiles(&filter).await.unwrap().into_iter().map(|p| p.platform).collect();
                got.sort();
                assert_eq!(got, want, "{region:?} {time:?}");
                assert!(!want.is_empty(), "{region:?}");
                // Stubs are candidates: a superset the caller narrows to the same answer.
                let stubs = s.profile_stubs(&filter).await.unwrap();
                let mut exact: Vec<String> = stubs
                    .into_iter()
                    .filter(|st| st.position.is_some_and(|p| region.contains(p)))
                    .map(|st| st.key.platform)
                    .collect();
                exact.sort();
                assert_eq!(exact, want);
            }
        }
    }

    async fn series_filters_latest_and_stats(s) {
        let mut pts: Vec<SeriesPoint> = Vec::new();
        for (platform, base) in [("41009", 25.0), ("44005", 8.0)] {
            for h in 0..48i64 {
                for (variable, depth) in [("sea_surface_temperature", 0.0), ("wind_speed", 0.0), ("sea_surface_temperature", 1.5)] {
                    pts.push(SeriesPoint {
                        platform: platform.into(),
                        variable: variable.into(),
                        time: Utc.timestamp_opt(1_341_100_800 + h * 3600, 0).unwrap(),
                        depth,
                        value: base + h as f64 / 8.0 + depth,
                        qc: if h % 10 == 0 { QcFlag::BAD } else { QcFlag::GOOD },
                    });
                }
            }
        }
        let first = pts[0].clone();
        let stubs = vec![Platform::new("41009", PlatformKind::Buoy), Platform::new("44005", PlatformKind::Buoy)];
        let batch = FileBatch { source: "s".into(), platform_stubs: stubs, series: pts, ..Default::default() };
        s.write_file(&batch).await.unwrap();
        assert_eq!(s.counts().await.unwrap().series_points, 288);
        assert_eq!(s.write_file(&batch).await.unwrap().series_points, 0);
        // A key twice in one file: the last value stays.
        let twice = [7.0, -1.0].map(|value| SeriesPoint { value, ..first.clone() }).to_vec();
        s.write_file(&FileBatch { source: "t".into(), series: twice, ..Default::default() }).await.unwrap();
        let f = crate::SeriesFilter {
            variable: Some("sea_surface_temperature".into()),
            qc_in: Some(vec![QcFlag::BAD]),
            ..Default::default()
        };
        let bad = s.series_points(&f).await.unwrap();
        assert_eq!(bad.len(), 2 * 5 * 2);
        assert_eq!((bad[0].platform.as_str(), bad[0].value, bad[1].depth), ("41009", -1.0, 1.5));
        assert_eq!(bad[2].platform, "44005");
        let limited = s
            .series_points(&crate::SeriesFilter { platform: Some("44005".into()), limit: Some(4), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(limited.iter().map(|p| (p.variable.as_str(), p.depth)).collect::<Vec<_>>(), [
            ("sea_surface_temperature", 0.0),
            ("sea_surface_temperature", 1.5),
            ("wind_speed", 0.0),
            ("sea_surface_temperature", 0.0)
        ]);
        let latest = s.series_latest().await.unwrap();
        assert_eq!(latest.len(), 4);
        assert_eq!((latest[0].depth, latest[0].value), (0.0, 25.0 + 47.0 / 8.0));
        assert_eq!(latest[0].time, Utc.timestamp_opt(1_341_100_800 + 47 * 3600, 0).unwrap());
        let stats = s.series_stats().await.unwrap();
        assert_eq!(stats.len(), 2);
        assert_eq!((stats[0].variable.as_str(), stats[0].platforms, stats[0].count), ("sea_surface_temperature", 2, 192));
        assert_eq!((stats[0].min, stats[0].max), (-1.0, 25.0 + 47.0 / 8.0 + 1.5));
        assert!((stats[1].mean - (16.5 + 47.0 / 16.0)).abs() < 1e-9, "{}", stats[1].mean);
        let platforms = s.platforms(Some(PlatformKind::Buoy)).await.unwrap();
        assert_eq!(platforms.len(), 2);
        assert_eq!(platforms[1].variables, ["sea_surface_temperature", "wind_speed"]);
        assert_eq!(platforms[1].series_points, 144);
        assert_eq!(platforms[1].last_time, Some(Utc.timestamp_opt(1_341_100_800 + 47 * 3600, 0).unwrap()));
        assert!(s.platforms(Some(PlatformKind::ArgoFloat)).await.unwrap().is_empty());
    }
}

/// xorshift64*: deterministic points for the region tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.next()
    }
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

on_every_backend! {
    async fn query_history_keeps_questions_newest_first(s) {
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
}

on_every_backend! {
    async fn alert_rules_subscriptions_and_events_round_trip(s) {
    use model::{Aggregate, AlertCondition, AlertRule, Comparison, FiredAlert, Receiver, Severity, Subscription};
    let high = AlertRule {
        id: "high-sst".into(),
        name: "HighSST".into(),
        condition: AlertCondition::Threshold {
            variable: "sea_surface_temperature".into(),
            platform: None,
            comparison: Comparison::Above,
            threshold: 29.0,
            for_seconds: 600,
            aggregate: Aggregate::Each,
        },
        severity: Severity::Warning,
        enabled: true,
    };
    let baa = AlertRule {
        id: "baa".into(),
        name: "Bleaching alert level".into(),
        condition: AlertCondition::BaaLevel { site: Some("florida_keys".into()), min_level: 3 },
        severity: Severity::Critical,
        enabled: false,
    };
    let dhw = AlertRule {
        id: "dhw".into(),
        name: "DHW record".into(),
        condition: AlertCondition::DhwRecord { site: None },
        severity: Severity::Info,
        enabled: true,
    };
    assert!(s.put_alert_rule(&high).await.unwrap());
    assert!(s.put_alert_rule(&baa).await.unwrap());
    assert!(s.put_alert_rule(&dhw).await.unwrap());
    let mut changed = high.clone();
    changed.severity = Severity::Critical;
    assert!(!s.put_alert_rule(&changed).await.unwrap(), "an UPSERT on the id");
    assert_eq!(s.alert_rules().await.unwrap(), vec![baa.clone(), dhw.clone(), changed.clone()]);

    let hook = Subscription {
        id: "ops-hook".into(),
        rule: Some("high-sst".into()),
        min_severity: Severity::Warning,
        receiver: Receiver::Webhook { url: "http://127.0.0.1:9/hook".into() },
    };
    let mail = Subscription {
        id: "reef-mail".into(),
        rule: None,
        min_severity: Severity::Info,
        receiver: Receiver::Email { to: "reef@example.org".into() },
    };
    assert!(s.put_alert_subscription(&hook).await.unwrap());
    assert!(s.put_alert_subscription(&mail).await.unwrap());
    assert!(!s.put_alert_subscription(&mail).await.unwrap());
    assert_eq!(s.alert_subscriptions().await.unwrap(), vec![hook.clone(), mail.clone()]);
    // Deleting a rule deletes the subscriptions to it, not the ones to every rule.
    assert!(s.delete_alert_rule("high-sst").await.unwrap());
    assert!(!s.delete_alert_rule("high-sst").await.unwrap());
    assert_eq!(s.alert_subscriptions().await.unwrap(), vec![mail.clone()]);
    assert!(s.delete_alert_subscription("reef-mail").await.unwrap());
    assert!(s.alert_subscriptions().await.unwrap().is_empty());

    let t0 = Utc.with_ymd_and_hms(2024, 8, 1, 0, 0, 0).unwrap() + chrono::Duration::milliseconds(250);
    let mut ev = FiredAlert {
        rule: "baa".into(),
        subject: "florida_keys".into(),
        fingerprint: "3".into(),
        severity: Severity::Critical,
        value: 3.0,
        message: "Alert 1".into(),
        started_at: t0,
        last_seen_at: t0,
        resolved_at: None,
        resolve_message: None,
    };
    s.put_alert_event(&ev).await.unwrap();
    let later = FiredAlert { started_at: t0 + chrono::Duration::milliseconds(1), fingerprint: "4".into(), ..ev.clone() };
    s.put_alert_event(&later).await.unwrap();
    assert_eq!(s.alert_events(true, 10).await.unwrap(), vec![later.clone(), ev.clone()]);
    ev.resolved_at = Some(t0 + chrono::Duration::seconds(60));
    ev.resolve_message = Some("level changed".into());
    s.put_alert_event(&ev).await.unwrap();
    assert_eq!(s.alert_events(true, 10).await.unwrap(), vec![later.clone()]);
    assert_eq!(s.alert_events(false, 10).await.unwrap(), vec![later.clone(), ev.clone()]);
    assert_eq!(s.alert_events(false, 1).await.unwrap(), vec![later]);
    assert!(s.size_bytes().await.unwrap() > 0);
}
}

on_every_backend! {
    async fn index_updates_list_stored_index_rows_with_their_update_time(s) {
        assert!(s.index_updates().await.unwrap().is_empty());
        let row = |file: &str, du: Option<chrono::DateTime<Utc>>| crate::IndexRow {
            file: file.into(),
            time: Some(Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()),
            lat: Some(1.5),
            lon: Some(-20.25),
            ocean: "A".into(),
            profiler_type: Some(845),
            institution: "AO".into(),
            date_update: du,
        };
        let du = Utc.with_ymd_and_hms(2023, 4, 27, 11, 24, 25).unwrap();
        let batch = FileBatch {
            source: "index".into(),
            index_rows: vec![row("aoml/2/profiles/R2_001.nc", None), row("aoml/1/profiles/D1_001.nc", Some(du))],
            ..Default::default()
        };
        assert_eq!(s.write_file(&batch).await.unwrap().index_rows, 2);
        assert_eq!(
            s.index_updates().await.unwrap(),
            vec![("aoml/1/profiles/D1_001.nc".to_string(), Some(du)), ("aoml/2/profiles/R2_001.nc".to_string(), None)]
        );
    }

    async fn accounts_keys_refresh_tokens_and_the_audit_log(s) {
        use crate::{ApiKeyRecord, AuditEntry, RefreshTokenRecord};
        let t = |sec: i64| chrono::DateTime::<Utc>::from_timestamp(sec, 0).unwrap();

        // Users: UPSERT on the name, role and disabled flag changed in place.
        let ada = s.put_user("ada", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "researcher").await.unwrap();
        assert_eq!((ada.name.as_str(), ada.role.as_str(), ada.disabled), ("ada", "researcher", false));
        let again = s.put_user("ada", "$argon2id$new", "educator").await.unwrap();
        assert_eq!((again.id, again.role.as_str(), again.password_hash.as_str()), (ada.id, "educator", "$argon2id$new"));
        s.put_user("bob", "h", "guest").await.unwrap();
        let names: Vec<String> = s.users().await.unwrap().into_iter().map(|u| u.name).collect();
        assert_eq!(names, ["ada", "bob"]);
        let changed = s.update_user("ada", Some("admin"), Some(true)).await.unwrap().unwrap();
        assert_eq!((changed.role.as_str(), changed.disabled), ("admin", true));
        let only_flag = s.update_user("ada", None, Some(false)).await.unwrap().unwrap();
        assert_eq!((only_flag.role.as_str(), only_flag.disabled), ("admin", false));
        assert_eq!(s.update_user("nobody", Some("admin"), None).await.unwrap(), None);
        assert_eq!(s.user_by_id(ada.id).await.unwrap().unwrap().name, "ada");
        assert_eq!(s.user_by_name("carol").await.unwrap(), None);

        // Keys: found by hash, revoked once.
        let k = ApiKeyRecord {
            id: "a1b2c3d4".into(),
            name: "buoy feed".into(),
            key_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            permissions: vec!["ingest".into(), "read_data".into()],
            owner: Some("ada".into()),
            created_at: t(1_700_000_000),
            revoked_at: None,
        };
        s.put_api_key(&k).await.unwrap();
        s.put_api_key(&k).await.unwrap();
        assert_eq!(s.api_key_by_hash(&k.key_hash).await.unwrap().as_ref(), Some(&k));
        assert_eq!(s.api_keys().await.unwrap(), vec![k.clone()]);
        assert!(s.revoke_api_key("a1b2c3d4", t(1_700_000_100)).await.unwrap());
        assert!(!s.revoke_api_key("a1b2c3d4", t(1_700_000_200)).await.unwrap());
        assert!(!s.revoke_api_key("nope", t(1_700_000_200)).await.unwrap());
        assert_eq!(s.api_key_by_hash(&k.key_hash).await.unwrap().unwrap().revoked_at, Some(t(1_700_000_100)));

        // Refresh tokens: one revocation wins; revoking a user's tokens counts the live ones.
        for jti in ["r1", "r2", "r3"] {
            let rt = RefreshTokenRecord {
                jti: jti.into(),
                user_id: ada.id,
                issued_at: t(1_700_000_000),
                expires_at: t(1_702_592_000),
                revoked_at: None,
            };
            s.put_refresh_token(&rt).await.unwrap();
        }
        assert_eq!(s.refresh_token("r1").await.unwrap().unwrap().expires_at, t(1_702_592_000));
        assert!(s.revoke_refresh_token("r1", t(1_700_000_500)).await.unwrap());
        assert!(!s.revoke_refresh_token("r1", t(1_700_000_600)).await.unwrap());
        assert_eq!(s.refresh_token("r1").await.unwrap().unwrap().revoked_at, Some(t(1_700_000_500)));
        assert_eq!(s.revoke_user_refresh_tokens(ada.id, t(1_700_000_700)).await.unwrap(), 2);
        assert_eq!(s.refresh_token("missing").await.unwrap(), None);

        // Audit: newest first, paged by id.
        for (i, action) in ["login", "key_created", "ingest"].iter().enumerate() {
            s.append_audit(&AuditEntry {
                id: 0,
                at: chrono::DateTime::<Utc>::from_timestamp_millis(1_700_000_000_123 + i as i64).unwrap(),
                actor: Some("user:ada".into()),
                action: action.to_string(),
                target: None,
                outcome: "ok".into(),
                detail: format!("step {i}"),
                ip: Some("127.0.0.1".into()),
                request_id: None,
            })
            .await
            .unwrap();
        }
        let log = s.audit_log(2, None).await.unwrap();
        assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["ingest", "key_created"]);
        assert_eq!(log[0].at.timestamp_millis(), 1_700_000_000_125);
        let older = s.audit_log(10, Some(log[1].id)).await.unwrap();
        assert_eq!(older.len(), 1);
        assert_eq!((older[0].action.as_str(), older[0].detail.as_str()), ("login", "step 0"));
    }
}

fn grid(variable: &str, day: u32, fill: f32) -> model::Grid {
    model::Grid {
        dataset: "crwLike".into(),
        variable: variable.into(),
        time: Some(Utc.with_ymd_and_hms(2024, 8, day, 12, 0, 0).unwrap()),
        z: Some(("altitude".into(), 0.0)),
        latitudes: vec![25.0, 24.95, 24.9],
        longitudes: vec![-81.0, -80.95],
        values: vec![29.5, f32::NAN, 30.25, fill, 31.0, -1.5],
        fill_value: Some(f64::NAN),
        units: "degree_C".into(),
        long_name: "analysed SST".into(),
        standard_name: "sea_surface_temperature".into(),
        attributes: vec![("colorBarMinimum".into(), "15.0".into()), ("comment".into(), "a \"quoted\"\nline".into())],
    }
}

on_every_backend! {
    async fn grids_round_trip_upsert_idempotently_and_summarise(s) {
        let batch = FileBatch {
            source: "grid.nc".into(),
            grids: vec![grid("analysed_sst", 2, 30.0), grid("analysed_sst", 1, 30.0), grid("mask", 1, 1.0)],
            ..Default::default()
        };
        assert_eq!(s.write_file(&batch).await.unwrap().grids, 3);
        assert_eq!(s.write_file(&batch).await.unwrap().grids, 0, "re-ingest adds 0");
        // One changed cell rewrites that grid only.
        let mut changed = batch.clone();
        changed.grids[0].values[3] = 30.5;
        assert_eq!(s.write_file(&changed).await.unwrap().grids, 1);

        let back = s.grid("crwLike", "analysed_sst", batch.grids[1].time).await.unwrap().unwrap();
        assert_eq!(back.latitudes, batch.grids[1].latitudes);
        assert_eq!(back.values[0].to_bits(), 29.5f32.to_bits());
        assert!(back.values[1].is_nan());
        assert!(back.fill_value.unwrap().is_nan());
        assert_eq!(back.z, Some(("altitude".into(), 0.0)));
        assert_eq!(back.attributes, batch.grids[1].attributes);
        assert_eq!((back.units.as_str(), back.standard_name.as_str()), ("degree_C", "sea_surface_temperature"));
        assert!(s.grid("crwLike", "analysed_sst", None).await.unwrap().is_none());

        let times = s.grid_times("crwLike", "analysed_sst").await.unwrap();
        assert_eq!(times, vec![batch.grids[1].time, batch.grids[0].time]);

        let sums = s.grid_summaries().await.unwrap();
        assert_eq!(sums.len(), 2);
        let sst = &sums[0];
        assert_eq!((sst.variable.as_str(), sst.count, sst.shape), ("analysed_sst", 2, (3, 2)));
        assert_eq!((sst.first_time, sst.last_time), (batch.grids[1].time, batch.grids[0].time));
        assert_eq!((sst.lat, sst.lon), ((24.9, 25.0), (-81.0, -80.95)));
        assert_eq!(sums[1].variable, "mask");

        let w = model::GridWindow { lat: Some((24.9, 24.95)), lon: None, stride: 1 };
        let cut = s.grid_window("crwLike", "analysed_sst", batch.grids[1].time, &w).await.unwrap().unwrap().unwrap();
        assert_eq!((cut.latitudes.len(), cut.values[0], cut.values[3]), (2, 30.25, -1.5));

        // A grid without a time axis (bathymetry) has its own key.
        let mut timeless = grid("elevation", 1, 0.0);
        timeless.time = None;
        timeless.fill_value = Some(32767.0);
        s.write_file(&FileBatch { source: "gebco.nc".into(), grids: vec![timeless], ..Default::default() })
            .await
            .unwrap();
        let g = s.grid("crwLike", "elevation", None).await.unwrap().unwrap();
        assert_eq!((g.time, g.fill_value), (None, Some(32767.0)));
        assert_eq!(s.grid_times("crwLike", "elevation").await.unwrap(), vec![None]);
    }
}

on_every_backend! {
    async fn month_rows_archive_delete_and_restore_byte_identical(s) {
    use crate::{ArchiveTable, archive::rows_to_batch};
    let at = |m: u32, d: u32| Utc.with_ymd_and_hms(2020, m, d, 0, 0, 0).unwrap();
    let mut feb = profile("9", 3, 12.0, 10.0, 1);
    feb.time = Some(Utc.with_ymd_and_hms(2020, 2, 3, 4, 5, 6).unwrap());
    let point = |m: u32, d: u32, v: f64| SeriesPoint {
        platform: "41001".into(),
        variable: "sea_surface_temperature".into(),
        time: at(m, d),
        depth: 0.0,
        value: v,
        qc: model::QcFlag::GOOD,
    };
    let day = |m: u32, d: u32| model::HeatStressDay {
        site: "reef".into(),
        date: NaiveDate::from_ymd_opt(2020, m, d).unwrap(),
        sst_min: Some(27.5),
        sst_max: None,
        sst_90th_hs: Some(28.25),
        ssta_90th_hs: Some(-0.5),
        hotspot: Some(0.0),
        dhw: Some(1.5),
        baa_7day_max: Some(2),
    };
    let batch = FileBatch {
        source: "mix".into(),
        profiles: vec![profile("9", 1, 10.0, 10.0, 1), profile("9", 2, 11.0, 10.0, 31), feb],
        series: vec![point(1, 5, 20.5), point(1, 31, 21.0), point(2, 1, 21.5)],
        heat_stress: vec![day(1, 30), day(1, 31), day(2, 1)],
        ..Default::default()
    };
    s.write_file(&batch).await.unwrap();
    for t in ArchiveTable::ALL {
        let months = s.month_counts(t).await.unwrap();
        let got: Vec<(&str, u64)> = months.iter().map(|m| (m.month.as_str(), m.rows)).collect();
        assert_eq!(got, vec![("2020-01", 2), ("2020-02", 1)], "{}", t.name());
    }
    let (jan, feb_start) = (at(1, 1), at(2, 1));
    let mut before = Vec::new();
    for t in ArchiveTable::ALL {
        let rows = s.archive_rows(t, jan, feb_start).await.unwrap();
        assert_eq!(rows.len(), 2, "{}", t.name());
        assert!(rows.iter().all(|r| crate::archive::row_fits(t, r)));
        before.push(rows);
    }
    // Profiles carry their levels BLOB as stored.
    let crate::Cell::B(blob) = &before[0][0][23] else { panic!("levels") };
    assert_eq!(blob, &crate::encode_levels(&profile("9", 1, 10.0, 10.0, 1).params));
    assert_eq!(blob, &crate::encode_levels(&crate::decode_levels(blob).unwrap()));
    for t in ArchiveTable::ALL {
        assert_eq!(s.delete_rows(t, jan, feb_start).await.unwrap(), 2, "{}", t.name());
        assert!(s.archive_rows(t, jan, feb_start).await.unwrap().is_empty());
        assert_eq!(s.archive_rows(t, feb_start, at(3, 1)).await.unwrap().len(), 1);
    }
    assert_eq!(s.counts().await.unwrap().profiles, 1);
    // Deleted profiles leave no index rows behind: a search over January finds nothing.
    let janf = ProfileFilter { time: Some(TimeRange::new(jan, feb_start).unwrap()), ..Default::default() };
    assert!(s.profile_stubs(&janf).await.unwrap().is_empty());
    for (t, rows) in ArchiveTable::ALL.into_iter().zip(&before) {
        let b = rows_to_batch(t, rows, "archive").unwrap();
        s.write_file(&b).await.unwrap();
        assert_eq!(&s.archive_rows(t, jan, feb_start).await.unwrap(), rows, "{} restored identically", t.name());
        // Restoring again changes nothing.
        let again = s.write_file(&b).await.unwrap();
        assert_eq!(again.profiles + again.series_points + again.heat_stress_days, 0);
    }
    assert_eq!(s.profile_stubs(&janf).await.unwrap().len(), 2);
}
}

on_every_backend! {
    async fn job_runs_and_archive_records(s) {
    use crate::{JobRun, JobStatus};
    let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let mut run = JobRun {
        id: 0,
        job: "ingest".into(),
        started: t0,
        finished: None,
        status: JobStatus::Running,
        rows_added: 0,
        error: None,
    };
    run.id = s.insert_job_run(&run).await.unwrap();
    run.finished = Some(t0 + chrono::Duration::milliseconds(1500));
    run.status = JobStatus::Ok;
    run.rows_added = 42;
    s.update_job_run(&run).await.unwrap();
    let crashed = JobRun { id: 0, started: t0 + chrono::Duration::hours(1), finished: None, status: JobStatus::Running, ..run.clone() };
    s.insert_job_run(&crashed).await.unwrap();
    let other = JobRun { job: "retention".into(), ..crashed.clone() };
    s.insert_job_run(&other).await.unwrap();
    assert_eq!(s.interrupt_job_runs(t0 + chrono::Duration::hours(2)).await.unwrap(), 2);
    let runs = s.job_runs(Some("ingest"), 10).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].status, JobStatus::Interrupted);
    assert_eq!(runs[1], run);
    assert_eq!(s.job_runs(None, 10).await.unwrap().len(), 3);
    assert_eq!(s.job_runs(None, 1).await.unwrap().len(), 1);

    let rec = crate::ArchiveRecord {
        table: "series".into(),
        month: "2020-01".into(),
        dir: "/a".into(),
        rows: 3,
        checksum: "00ff".into(),
        verified_at: t0,
    };
    s.record_archive(&rec).await.unwrap();
    s.record_archive(&crate::ArchiveRecord { rows: 4, ..rec.clone() }).await.unwrap();
    let recs = s.archive_records().await.unwrap();
    assert_eq!(recs, vec![crate::ArchiveRecord { rows: 4, ..rec }]);
}
}
