//! Stores written by the previous release open unchanged: a SQLite file and a PostgreSQL schema (a plain
//! `pg_dump`, restored into a fresh schema of `TEST_DATABASE_URL`) made by it from the same sample files
//! (`tests/compat/SOURCES.md`, `scripts/store-compat-fixture.sh`) are read by this version with the
//! checksums that release's `halocline checksum` printed, and with the same answers.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use model::{BBox, DirectionKey, PlatformKind, ProfileKey, Region, TimeRange};
use store::{ProfileFilter, Store};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compat");

/// `(table, rows, checksum)` from `halocline checksum`'s table (`  profiles   5 rows  checksum cc6c…`).
fn recorded(file: &str) -> Vec<(String, u64, u64)> {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{file}")).unwrap();
    text.lines()
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            assert_eq!((w.len(), w[2], w[3]), (5, "rows", "checksum"), "{l}");
            (w[0].to_string(), w[1].parse().unwrap(), u64::from_str_radix(w[4], 16).unwrap())
        })
        .collect()
}

async fn same_checksums(s: &dyn Store, file: &str) {
    let now: Vec<(String, u64, u64)> =
        s.checksums().await.unwrap().into_iter().map(|t| (t.table.to_string(), t.rows, t.checksum)).collect();
    assert_eq!(now, recorded(file));
}

/// What the previous release answered for the fixture's rows (its `/api/platforms`, `/api/profiles/…`).
async fn same_answers(s: &dyn Store) {
    assert!(s.ready().await.unwrap());
    let c = s.counts().await.unwrap();
    assert_eq!(
        (c.platforms, c.profiles, c.series_points, c.reef_sites, c.heat_stress_days, c.index_rows, c.files),
        (6, 5, 192, 1, 121, 40, 8)
    );

    let key = ProfileKey { platform: "4900590".into(), cycle: 97, direction: DirectionKey::A };
    let p = s.profile(&key).await.unwrap().unwrap();
    assert_eq!(p.time, Utc.with_ymd_and_hms(2007, 8, 2, 11, 27, 55).single());
    let pos = p.position.unwrap();
    assert_eq!((pos.lon, pos.lat), (-56.108001708984375, 40.26100158691406));
    assert_eq!(p.params.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["PRES", "TEMP", "PSAL", "CNDC"]);
    assert_eq!(p.n_levels(), 67);
    assert_eq!((p.params[0].values[0], p.params[0].values[66]), (3.0, 1435.5));
    assert_eq!(p.params[1].values[0], 25.997);

    let t = TimeRange::new(
        Utc.with_ymd_and_hms(2004, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2004, 2, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let f = ProfileFilter {
        region: Some(Region::Box(BBox::new(-180.0, -90.0, 180.0, 90.0).unwrap())),
        time: Some(t),
        ..Default::default()
    };
    let stubs = s.profile_stubs(&f).await.unwrap();
    assert_eq!(
        stubs.iter().map(|st| (st.key.platform.as_str(), st.key.cycle)).collect::<Vec<_>>(),
        [("1900207", 24), ("1900207", 25), ("1900207", 26)]
    );
    assert_eq!(s.profiles(&f).await.unwrap().iter().map(|p| p.n_levels()).collect::<Vec<_>>(), [18, 18, 19]);

    let platforms = s.platforms(None).await.unwrap();
    let times = |id: &str| {
        let p = platforms.iter().find(|p| p.platform.id == id).unwrap();
        (p.profiles, p.series_points, p.heat_stress_days, p.first_time, p.last_time)
    };
    let day = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single();
    assert_eq!(times("florida_keys"), (0, 0, 121, day(1985, 1, 1), day(2024, 8, 4)));
    assert_eq!(
        times("41024"),
        (
            0,
            192,
            0,
            Utc.with_ymd_and_hms(2022, 8, 9, 16, 30, 0).single(),
            Utc.with_ymd_and_hms(2022, 8, 13, 17, 30, 0).single()
        )
    );
    assert_eq!(times("1900207").0, 3);
    let buoys = s.platforms(Some(PlatformKind::Buoy)).await.unwrap();
    assert_eq!(buoys[0].variables, ["ocean_temperature", "sea_water_salinity"]);
    let float = &platforms.iter().find(|p| p.platform.id == "13857").unwrap().platform;
    assert_eq!(float.attributes.len(), 56);
    assert!(float.attributes.contains(&("platform_type".to_string(), "PALACE".to_string())));

    let stats = s.series_stats().await.unwrap();
    assert_eq!(
        stats.iter().map(|v| (v.variable.as_str(), v.count, v.min, v.max)).collect::<Vec<_>>(),
        [("ocean_temperature", 96, 17.4, 17.6), ("sea_water_salinity", 96, 35.0, 35.1)]
    );
    let site = s.reef_site("florida_keys").await.unwrap().unwrap();
    assert_eq!((site.mmm, site.first_valid_dhw), (Some(29.6264), NaiveDate::from_ymd_opt(1985, 3, 25)));
    let days = s.heat_stress("florida_keys", NaiveDate::MIN, NaiveDate::MAX).await.unwrap();
    let last = days.last().unwrap();
    assert_eq!(
        (days.len(), last.date, last.dhw, last.baa_7day_max),
        (121, NaiveDate::from_ymd_opt(2024, 8, 4).unwrap(), Some(6.2743), Some(3))
    );
    assert_eq!(s.index_updates().await.unwrap().len(), 40);

    let grids = s.grid_summaries().await.unwrap();
    assert_eq!(
        grids.iter().map(|g| (g.dataset.as_str(), g.variable.as_str(), g.shape, g.fill_value)).collect::<Vec<_>>(),
        [("crwLikeClimatology", "CRW_MMM", (10, 12), Some(-999.0))]
    );
    let mmm = s.grid("crwLikeClimatology", "CRW_MMM", None).await.unwrap().unwrap();
    assert_eq!((mmm.latitudes.len(), mmm.longitudes.len(), mmm.values.len()), (10, 12, 120));

    let users = s.users().await.unwrap();
    assert_eq!(
        users.iter().map(|u| (u.name.as_str(), u.role.as_str(), u.disabled)).collect::<Vec<_>>(),
        [("ada", "admin", false)]
    );
    assert!(users[0].password_hash.starts_with("$argon2id$"));
    let keys = s.api_keys().await.unwrap();
    assert_eq!(
        keys.iter().map(|k| (k.name.as_str(), k.owner.as_deref())).collect::<Vec<_>>(),
        [("compat", Some("cli"))]
    );
    assert_eq!(s.api_key_by_hash(&keys[0].key_hash).await.unwrap().as_ref(), Some(&keys[0]));
    assert!(!s.audit_log(10, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_sqlite_file_of_the_previous_release_reads_with_its_checksums() {
    // A copy: opening a store may write (its WAL, pending migrations).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    std::fs::copy(format!("{FIXTURES}/old.db"), &path).unwrap();
    let s: Arc<dyn Store> = store::open(path.to_str().unwrap()).await.unwrap();
    same_checksums(&*s, "sqlite.sums").await;
    same_answers(&*s).await;
}

#[tokio::test]
async fn a_postgres_schema_of_the_previous_release_reads_with_its_checksums() {
    let Some(url) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("TEST_DATABASE_URL is not set: the PostgreSQL half is skipped");
        return;
    };
    let fresh = store::fresh_schema_url(&url, "compat");
    let schema = fresh.rsplit_once("schema=").unwrap().1.to_string();
    // The dump names its schema in every statement; restore it under the fresh name on a connection of
    // its own (the dump empties that connection's search path).
    let sql =
        std::fs::read_to_string(format!("{FIXTURES}/old-pg.sql")).unwrap().replace("halocline_compat_fixture", &schema);
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
    let s: Arc<dyn Store> = store::open(&fresh).await.unwrap();
    same_checksums(&*s, "postgres.sums").await;
    same_answers(&*s).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&mut conn).await.unwrap();
}
