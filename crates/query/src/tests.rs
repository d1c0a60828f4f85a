//! Tests of the search over a store filled with real sample profiles.

use chrono::{TimeZone, Utc};
use model::{BBox, Region};

use crate::cost::{cost, region_area_km2};

#[test]
fn box_area_matches_the_sphere() {
    // A 1°×1° box at the equator: R² · Δλ · (sin 1° − sin 0°) ≈ 12,364 km².
    let b = Region::Box(BBox::new(0.0, 0.0, 1.0, 1.0).unwrap());
    assert!((region_area_km2(&b) - 12_364.0).abs() < 5.0, "{}", region_area_km2(&b));
    // Across the antimeridian the width is 20°, not 340°.
    let a = Region::Box(BBox::new(170.0, -10.0, -170.0, 10.0).unwrap());
    let c = Region::Box(BBox::new(-10.0, -10.0, 10.0, 10.0).unwrap());
    assert!((region_area_km2(&a) - region_area_km2(&c)).abs() < 1.0);
    // A polygon with the same corners as a box has about its area.
    let p =
        Region::Polygon(model::Polygon::new(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]).unwrap());
    assert!((region_area_km2(&p) / region_area_km2(&b) - 1.0).abs() < 0.01);
}

#[test]
fn cost_follows_argovis() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let b = Region::Box(BBox::new(-70.0, 35.0, -65.0, 40.0).unwrap());
    let t = model::TimeRange::new(
        Utc.with_ymd_and_hms(2012, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2012, 3, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let c = cost(Some(&b), Some(&t), now);
    assert_eq!(c.days, 60.0);
    assert!(c.value < 1_000_000.0);
    let globe = cost(None, None, now);
    // 510 million km² over 29.9 years: 39,236 × 10,918 days.
    assert!((globe.value / 4.28e8 - 1.0).abs() < 0.01, "{}", globe.value);
}

mod search {
    use std::sync::Arc;

    use chrono::{Duration, TimeZone, Utc};
    use model::{BBox, DataMode, Direction, ParamColumn, Point, Polygon, Profile, QcFlag, Region, TimeRange};
    use store::{FileBatch, SqliteStore, Store};

    use crate::{ArgoQuery, DataSpec, Items, UserMode, VarReq, search};

    /// Every synthetic profile lies in its first 30 days.
    fn jan_feb_2020() -> TimeRange {
        TimeRange::new(
            Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2020, 3, 1, 0, 0, 0).unwrap(),
        )
        .unwrap()
    }

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
    }

    /// A small deterministic generator (xorshift64*), so the property test needs no extra crate.
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

    fn profile(i: usize, lon: f64, lat: f64, day: i64) -> Profile {
        let mut p = Profile::empty(format!("{}", 5_000_000 + i), 1, Direction::Ascending);
        p.time = Some(Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap() + Duration::days(day));
        p.position = Some(Point::new(lon, lat).unwrap());
        p.data_mode = DataMode::Delayed;
        let mut pres = ParamColumn::raw("PRES", DataMode::Delayed, vec![5.0, 50.0, 500.0]);
        pres.qc = vec![QcFlag::GOOD; 3];
        pres.adjusted = Some(vec![5.0, 50.0, 500.0]);
        pres.adjusted_qc = Some(vec![QcFlag::GOOD; 3]);
        pres.adjusted_error = Some(vec![2.4; 3]);
        let mut temp = ParamColumn::raw("TEMP", DataMode::Delayed, vec![20.0, 15.0, 5.0]);
        temp.qc = vec![QcFlag::GOOD; 3];
        temp.adjusted = Some(vec![20.1, 15.1, 5.1]);
        temp.adjusted_qc = Some(vec![QcFlag::GOOD, QcFlag::PROBABLY_BAD, QcFlag::GOOD]);
        p.params = vec![pres, temp];
        if i.is_multiple_of(2) {
            let mut doxy = ParamColumn::raw("DOXY", DataMode::RealTime, vec![200.0, 210.0, 180.0]);
            doxy.qc = vec![QcFlag::PROBABLY_GOOD; 3];
            p.params.push(doxy);
        }
        p
    }

    async fn store_with(points: &[(f64, f64)]) -> Arc<dyn Store> {
        let s: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
        let profiles =
            points.iter().enumerate().map(|(i, &(lon, lat))| profile(i, lon, lat, (i % 30) as i64)).collect();
        s.write_file(&FileBatch { source: "synthetic".into(), profiles, ..Default::default() }).await.unwrap();
        s
    }

    async fn ids(s: &dyn Store, region: Region) -> Vec<String> {
        let q = ArgoQuery {
            region: Some(region),
            time: Some(jan_feb_2020()),
            page: 1,
            page_size: 1_000_000,
            minimal: true,
            ..Default::default()
        };
        let page = search(s, &q, now()).await.unwrap();
        let Items::Minimal(stubs) = page.items else { panic!() };
        let mut v: Vec<String> = stubs.into_iter().map(|s| s.key.platform).collect();
        v.sort();
        v
    }

    fn brute(points: &[(f64, f64)], region: &Region) -> Vec<String> {
        let mut v: Vec<String> = points
            .iter()
            .enumerate()
            .filter(|(_, (lon, lat))| region.contains(Point::new(*lon, *lat).unwrap()))
            .map(|(i, _)| format!("{}", 5_000_000 + i))
            .collect();
        v.sort();
        v
    }

    /// Points just inside and just outside each edge of the regions under test, plus a global grid.
    fn edge_points() -> Vec<(f64, f64)> {
        let mut pts = Vec::new();
        for lon in [169.9, 170.1, 179.9, -179.9, -170.1, -169.9, -10.1, -9.9, 9.9, 10.1] {
            for lat in [-20.1, -19.9, -15.0, -10.1, -9.9, 0.0] {
                pts.push((lon, lat));
            }
        }
        for lon in (-180..180).step_by(7) {
            for lat in (-89..=89).step_by(7) {
                pts.push((lon as f64 + 0.5, lat as f64));
            }
        }
        pts
    }

    #[tokio::test]
    async fn antimeridian_box_polygon_multipolygon_and_circle_respect_every_edge() {
        let pts = edge_points();
        let s = store_with(&pts).await;
        let regions = [
            Region::Box(BBox::new(170.0, -20.0, -170.0, -10.0).unwrap()),
            Region::Polygon(
                Polygon::new(&[(170.0, -20.0), (-170.0, -20.0), (-170.0, -10.0), (170.0, -10.0), (170.0, -20.0)])
                    .unwrap(),
            ),
            Region::multipolygon(vec![
                Polygon::new(&[(-10.0, -20.0), (10.0, -20.0), (10.0, 0.0), (-10.0, 0.0), (-10.0, -20.0)]).unwrap(),
                Polygon::new(&[(-20.0, -15.0), (20.0, -15.0), (20.0, -10.0), (-20.0, -10.0), (-20.0, -15.0)]).unwrap(),
            ])
            .unwrap(),
            Region::circle(Point::new(180.0, -15.0).unwrap(), 600.0).unwrap(),
        ];
        for r in regions {
            let want = brute(&pts, &r);
            assert!(!want.is_empty(), "{r:?}");
            assert_eq!(ids(&*s, r.clone()).await, want, "{r:?}");
        }
        // The antimeridian box holds the inside points on both sides and none of the outside ones.
        let b = Region::Box(BBox::new(170.0, -20.0, -170.0, -10.0).unwrap());
        let got = ids(&*s, b).await;
        let has = |lon: f64, lat: f64| {
            let i = pts.iter().position(|&p| p == (lon, lat)).unwrap();
            got.contains(&format!("{}", 5_000_000 + i))
        };
        assert!(has(170.1, -19.9) && has(179.9, -15.0) && has(-179.9, -15.0) && has(-170.1, -10.1));
        assert!(!has(169.9, -15.0) && !has(-169.9, -15.0) && !has(179.9, -20.1) && !has(-179.9, -9.9));
    }

    #[tokio::test]
    async fn random_regions_return_exactly_what_brute_force_finds() {
        let mut rng = Rng(0x5eed_1234_abcd);
        let pts: Vec<(f64, f64)> =
            (0..3000).map(|_| (rng.range(-180.0, 180.0), rng.range(-90.0, 90.0).asin_deg())).collect();
        let s = store_with(&pts).await;
        for case in 0..150 {
            let lon = rng.range(-180.0, 180.0);
            let lat = rng.range(-89.0, 89.0);
            let r = match case % 3 {
                0 => {
                    let w = rng.range(1.0, 90.0);
                    let h = rng.range(1.0, 60.0);
                    let s = (lat - h / 2.0).max(-90.0);
                    Region::Box(BBox::new(lon, s, lon + w, (s + h).min(90.0)).unwrap())
                }
                1 => {
                    let n = 3 + (rng.next() * 5.0) as usize;
                    let rad = rng.range(2.0, 40.0);
                    let mut ring: Vec<(f64, f64)> = (0..n)
                        .map(|k| {
                            let a = k as f64 / n as f64 * std::f64::consts::TAU;
                            (lon + rad * a.cos(), (lat + rad * a.sin()).clamp(-90.0, 90.0))
                        })
                        .collect();
                    ring.push(ring[0]);
                    Region::Polygon(Polygon::new(&ring).unwrap())
                }
                _ => Region::circle(Point::new(lon, lat).unwrap(), rng.range(50.0, 3000.0)).unwrap(),
            };
            assert_eq!(ids(&*s, r.clone()).await, brute(&pts, &r), "case {case}: {r:?}");
        }
        // Near the poles.
        for lat in [89.0, -89.5] {
            let r = Region::circle(Point::new(0.0, lat).unwrap(), 800.0).unwrap();
            assert_eq!(ids(&*s, r.clone()).await, brute(&pts, &r), "{r:?}");
        }
    }

    /// Region and time together, with times spread over three years: month and band edges, narrow
    /// windows (the store's clustered month × band path) and wide ones (its R*Tree path) alike.
    #[tokio::test]
    async fn random_regions_and_times_return_exactly_what_brute_force_finds() {
        let mut rng = Rng(0x7157_e5ce_0042);
        let n = 3000;
        let pts: Vec<(f64, f64)> =
            (0..n).map(|_| (rng.range(-180.0, 180.0), rng.range(-90.0, 90.0).asin_deg())).collect();
        let days: Vec<i64> = (0..n).map(|_| (rng.next() * 1100.0) as i64).collect();
        // A file database: the store's direct readers (not sqlx) answer searches on files, as in production.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regions.db");
        let s: Arc<dyn Store> = Arc::new(SqliteStore::open(path.to_str().unwrap()).await.unwrap());
        let profiles =
            pts.iter().zip(&days).enumerate().map(|(i, (&(lon, lat), &d))| profile(i, lon, lat, d)).collect();
        s.write_file(&FileBatch { source: "synthetic".into(), profiles, ..Default::default() }).await.unwrap();
        let t0 = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
        for case in 0..120 {
            let lon = rng.range(-180.0, 180.0);
            let lat = rng.range(-80.0, 80.0);
            let r = if case % 4 == 3 {
                // Tall and long: months × bands beyond the clustered path's limit.
                let (w, h) = (rng.range(5.0, 120.0), rng.range(140.0, 175.0));
                let south = rng.range(-90.0, 90.0 - h);
                Region::Box(BBox::new(lon, south, lon + w, south + h).unwrap())
            } else if case % 2 == 0 {
                let (w, h) = (rng.range(5.0, 120.0), rng.range(5.0, 80.0));
                let south = (lat - h / 2.0).max(-90.0);
                Region::Box(BBox::new(lon, south, lon + w, (south + h).min(90.0)).unwrap())
            } else {
                Region::circle(Point::new(lon, lat).unwrap(), rng.range(100.0, 4000.0)).unwrap()
            };
            let start = (rng.next() * 1000.0) as i64;
            let len = if case % 4 == 3 {
                1000 + (rng.next() * 100.0) as i64
            } else if case % 3 == 0 {
                1 + (rng.next() * 1000.0) as i64
            } else {
                1 + (rng.next() * 60.0) as i64
            };
            let time = TimeRange::new(t0 + Duration::days(start), t0 + Duration::days(start + len)).unwrap();
            // The store's candidates with the exact geometry applied, as `search` does (its cost guard
            // would refuse the widest of these).
            let filter = store::ProfileFilter { region: Some(r.clone()), time: Some(time), ..Default::default() };
            let stubs = s.profile_stubs(&filter).await.unwrap();
            assert!(stubs.windows(2).all(|w| w[0].time <= w[1].time), "case {case}: not in time order");
            let mut got: Vec<String> = stubs
                .into_iter()
                .filter(|s| s.position.is_some_and(|p| r.contains(p)))
                .map(|s| s.key.platform)
                .collect();
            got.sort();
            let mut want: Vec<String> = (0..n)
                .filter(|&i| {
                    r.contains(Point::new(pts[i].0, pts[i].1).unwrap()) && (start..start + len).contains(&days[i])
                })
                .map(|i| format!("{}", 5_000_000 + i))
                .collect();
            want.sort();
            assert_eq!(got, want, "case {case}: {r:?} days {start}+{len}");
        }
    }

    trait AsinDeg {
        fn asin_deg(self) -> f64;
    }
    impl AsinDeg for f64 {
        /// Maps a uniform latitude to one uniform on the sphere's area.
        fn asin_deg(self) -> f64 {
            (self / 90.0).asin().to_degrees()
        }
    }

    async fn full(s: &dyn Store, q: ArgoQuery) -> Vec<Profile> {
        let q = ArgoQuery { page: 1, page_size: 1000, ..q };
        match search(s, &q, now()).await.unwrap().items {
            Items::Full(ids) => crate::load(s, &q, &ids).await.unwrap(),
            Items::Minimal(_) => panic!(),
        }
    }

    #[tokio::test]
    async fn data_presrange_modes_and_mostrecent() {
        let pts: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, 0.0)).collect();
        let s = store_with(&pts).await;
        let region = Some(Region::Box(BBox::new(-1.0, -1.0, 20.0, 1.0).unwrap()));
        // data=temperature,1: levels flagged other than 1 become null, then levels without data go.
        let temp1 = DataSpec::Vars(vec![VarReq { param: "TEMP".into(), qc: Some(vec![1]), negate: false }]);
        let got = full(&*s, ArgoQuery { region: region.clone(), data: temp1, ..Default::default() }).await;
        assert_eq!(got.len(), 10);
        let t = got[0].param("TEMP").unwrap();
        assert_eq!(t.values, vec![20.1, 5.1]); // adjusted (mode D); the QC-3 level is gone
        assert_eq!(got[0].param("PRES").unwrap().values, vec![5.0, 500.0]);
        // ~doxy excludes the profiles that have it.
        let no_doxy = DataSpec::Vars(vec![VarReq { param: "DOXY".into(), qc: None, negate: true }]);
        let got = full(&*s, ArgoQuery { region: region.clone(), data: no_doxy, ..Default::default() }).await;
        assert_eq!(got.len(), 5);
        assert!(got.iter().all(|p| p.param("DOXY").is_none()));
        // presRange keeps levels inside [0, 100].
        let got = full(
            &*s,
            ArgoQuery {
                region: region.clone(),
                data: DataSpec::All,
                pres_range: Some((0.0, 100.0)),
                ..Default::default()
            },
        )
        .await;
        assert!(got.iter().all(|p| p.param("PRES").unwrap().values == vec![5.0, 50.0]));
        // Standard mode: adjusted values, QC 1 and 2 only.
        let got = full(
            &*s,
            ArgoQuery { region: region.clone(), data: DataSpec::All, mode: UserMode::Standard, ..Default::default() },
        )
        .await;
        let t = got[0].param("TEMP").unwrap();
        assert_eq!(t.values[0], 20.1);
        assert!(t.values.len() == 3 && t.values[1].is_nan());
        // Research mode drops real-time parameters (DOXY here).
        let got = full(
            &*s,
            ArgoQuery { region: region.clone(), data: DataSpec::All, mode: UserMode::Research, ..Default::default() },
        )
        .await;
        assert!(got.iter().all(|p| p.param("DOXY").is_none_or(|c| c.values.iter().all(|v| v.is_nan()))));
        // mostrecent=3: the three latest.
        let got = full(&*s, ArgoQuery { region, mostrecent: Some(3), ..Default::default() }).await;
        let days: Vec<u32> = got.iter().map(|p| chrono::Datelike::day(&p.time.unwrap())).collect();
        assert_eq!(days, vec![10, 9, 8]);
    }

    #[tokio::test]
    async fn too_large_requests_get_413_with_a_split_and_empty_searches_are_empty() {
        let s = store_with(&[(0.0, 0.0)]).await;
        let t = TimeRange::new(
            Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
        )
        .unwrap();
        let q = ArgoQuery {
            region: Some(Region::Box(BBox::new(-180.0, -90.0, 180.0, 90.0).unwrap())),
            time: Some(t),
            page: 1,
            page_size: 10,
            ..Default::default()
        };
        let err = search(&*s, &q, now()).await.unwrap_err();
        let msg = err.to_string();
        assert_eq!(err.code(), model::ErrorCode::TooLarge);
        assert!(msg.contains("estimated cost") && msg.contains("startDate=2000-01-01T00:00:00Z&endDate="), "{msg}");
        let q = ArgoQuery {
            region: Some(Region::Box(BBox::new(100.0, 10.0, 101.0, 11.0).unwrap())),
            page: 1,
            page_size: 10,
            ..Default::default()
        };
        assert_eq!(search(&*s, &q, now()).await.unwrap().matched, 0);
        let q = ArgoQuery { id: model::ProfileKey::parse("1_001"), page: 1, page_size: 10, ..Default::default() };
        assert_eq!(search(&*s, &q, now()).await.unwrap_err().code(), model::ErrorCode::NotFound);
    }
}

fn hs_day(date: &str, baa: Option<u8>) -> model::HeatStressDay {
    model::HeatStressDay {
        site: "s".into(),
        date: date.parse().unwrap(),
        sst_min: None,
        sst_max: None,
        sst_90th_hs: None,
        ssta_90th_hs: None,
        hotspot: None,
        dhw: None,
        baa_7day_max: baa,
    }
}

#[test]
fn run_at_level_counts_consecutive_days_at_the_last_level() {
    use crate::run_at_level;
    assert_eq!(run_at_level(&[]), 0);
    let days = [hs_day("2024-07-01", Some(2)), hs_day("2024-07-02", Some(3)), hs_day("2024-07-03", Some(3))];
    assert_eq!(run_at_level(&days), 2);
    // A missing calendar day ends the run.
    let days = [hs_day("2024-07-01", Some(3)), hs_day("2024-07-03", Some(3))];
    assert_eq!(run_at_level(&days), 1);
    assert_eq!(run_at_level(&[hs_day("2024-07-03", None)]), 0);
}

#[tokio::test]
async fn reef_status_of_the_florida_keys_station() {
    use std::sync::Arc;
    let store: Arc<dyn store::Store> = Arc::new(store::SqliteStore::open(":memory:").await.unwrap());
    let file = std::path::PathBuf::from(format!(
        "{}/../../data/sample/crw/crw_vs_florida_keys.txt",
        env!("CARGO_MANIFEST_DIR")
    ));
    let s = ingest::ingest_files(store.clone(), vec![file], |_| {}).await;
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    let status = crate::reef_status(&*store).await.unwrap();
    assert_eq!(status.len(), 1);
    let st = &status[0];
    assert_eq!(st.site.id, "florida_keys");
    let last = st.latest.as_ref().unwrap();
    // The file's last row: 2024 08 04 ... DHW 6.2743... BAA_7day_max 3 (Alert 1).
    assert_eq!(last.date.to_string(), "2024-08-04");
    assert_eq!(last.dhw, Some(6.2743));
    assert_eq!(last.baa_7day_max, Some(3));
    // BAA 3 from 2024-07-25 (the row before has 2) through 2024-08-04.
    assert_eq!(st.days_at_level, 11);
}
