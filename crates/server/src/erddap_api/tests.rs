//! The ERDDAP routes over real sample files: the `.nc` argopy asks for, read back, equals IFREMER's
//! recorded answer; error statuses and bodies; HEAD; lists; `.ncCF` and `.ncHeader`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use formats::Dataset as Parsed;
use http_body_util::BodyExt;
use store::{SqliteStore, Store};
use tower::ServiceExt;

use crate::{AppState, router};

const ARGOPY_PROFILE: &str = "/erddap/tabledap/ArgoFloats.nc?config_mission_number,cycle_number,data_mode,direction,latitude,longitude,platform_number,position_qc,pres,pres_adjusted,pres_adjusted_error,pres_adjusted_qc,pres_qc,psal,psal_adjusted,psal_adjusted_error,psal_adjusted_qc,psal_qc,temp,temp_adjusted,temp_adjusted_error,temp_adjusted_qc,temp_qc,time,time_qc,vertical_sampling_scheme&platform_number=~%226902746%22&cycle_number=~%2234%22&latitude!=NaN&longitude!=NaN&distinct()&orderBy(%22time,pres%22)";

fn sample(f: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{}/../../data/sample/{f}", env!("CARGO_MANIFEST_DIR")))
}

async fn app() -> axum::Router {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let files = ["argo/erddap_ArgoFloats_6902746_cyc34.nc", "argo/D4900590_097.nc", "buoy/44005h2012.txt"];
    let s = ingest::ingest_files(store.clone(), files.iter().map(|f| sample(f)).collect(), |_| {}).await;
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    router(AppState::new(store))
}

async fn send(app: &axum::Router, method: &str, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder().method(method).uri(uri).header("host", "example.org").body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ct, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

fn profiles(bytes: &[u8]) -> Vec<model::Profile> {
    match formats::erddap_nc::read(bytes, "x").unwrap().dataset {
        Parsed::Profiles { profiles, .. } => profiles,
        _ => panic!("not profiles"),
    }
}

#[tokio::test]
async fn argopy_nc_reads_back_as_the_recorded_answer() {
    let app = app().await;
    let (s, ct, body) = send(&app, "GET", ARGOPY_PROFILE).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(ct, "application/x-netcdf");
    let ours = profiles(&body);
    let recorded = profiles(&std::fs::read(sample("argo/erddap_ArgoFloats_6902746_cyc34.nc")).unwrap());
    assert_eq!(ours.len(), 1);
    let (a, b) = (&ours[0], &recorded[0]);
    assert_eq!(a.n_levels(), 109);
    assert_eq!((a.time, a.position, a.data_mode, a.cycle), (b.time, b.position, b.data_mode, b.cycle));
    assert_eq!(a.vertical_sampling_scheme, b.vertical_sampling_scheme);
    for name in ["PRES", "TEMP", "PSAL"] {
        let (x, y) = (a.param(name).unwrap(), b.param(name).unwrap());
        assert_eq!(x.values, y.values, "{name}");
        assert_eq!(x.qc, y.qc, "{name}");
        assert_eq!(x.adjusted, y.adjusted, "{name}");
        assert_eq!(x.adjusted_qc, y.adjusted_qc, "{name}");
        assert_eq!(x.adjusted_error, y.adjusted_error, "{name}");
    }
    let nc = formats::netcdf::NcFile::parse(&body).unwrap();
    assert_eq!(nc.dim("row").unwrap().len, 109);
    let history = nc.attr("history").unwrap().as_text().unwrap().to_string();
    assert!(history.ends_with(&format!(" http://example.org{ARGOPY_PROFILE}")), "{history}");
    let pres = nc.var("pres").unwrap();
    assert_eq!(pres.attr("units").unwrap().as_text().unwrap(), "decibar");
    assert_eq!(pres.attr("actual_range").unwrap().as_f64(), Some(3.0));
}

#[tokio::test]
async fn nc_header_counts_rows_as_argopy_reads_them() {
    let app = app().await;
    let (s, ct, body) = send(&app, "GET", &ARGOPY_PROFILE.replace(".nc?", ".ncHeader?")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "text/plain;charset=UTF-8");
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("    row = 109;\n"));
    assert!(text.contains("    float pres(row=109);\n      :_CoordinateAxisType = \"Height\";\n      :_FillValue = 99999.0f; // float\n      :actual_range = 3.0f, 2007.0f; // float\n"));
    assert!(text.contains(
        "    int cycle_number(row=109);\n      :_FillValue = 99999; // int\n      :actual_range = 34, 34; // int\n"
    ));
    assert!(text.contains("  :time_coverage_start = \"2017-12-20T06:58:00Z\";\n"));
}

#[tokio::test]
async fn errors_have_erddap_status_and_body() {
    let app = app().await;
    let (s, ct, body) = send(&app, "GET", "/erddap/tabledap/ArgoFloats.nc?time,pres&time%3E=2999-01-01").await;
    assert_eq!((s, ct.as_str()), (StatusCode::NOT_FOUND, "text/plain;charset=UTF-8"));
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "Error {\n    code=404;\n    message=\"Not Found: Your query produced no matching results. (nRows = 0)\";\n}\n"
    );
    let (s, _, body) = send(&app, "GET", "/erddap/tabledap/ArgoFloats.csv?bbbbb").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8(body).unwrap().contains("Unrecognized variable=\\\"bbbbb\\\""));
    let (s, _, body) = send(&app, "GET", "/erddap/tabledap/org_cormp_cap2.csvp?time").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(String::from_utf8(body).unwrap().contains("Currently unknown datasetID=org_cormp_cap2"));
    let (s, _, _) =
        send(&app, "GET", "/erddap/search/index.csv?page=1&itemsPerPage=10&searchFor=nothing_matches_this").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = send(&app, "GET", "/erddap/griddap/index.json").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn head_and_text_answers() {
    let app = app().await;
    let q = "/erddap/tabledap/ArgoFloats.csvp?platform_number,time,pres,temp&platform_number=%226902746%22&pres%3C=5";
    let (s, _, body) = send(&app, "HEAD", q).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.is_empty());
    let (s, ct, body) = send(&app, "GET", q).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "text/csv;charset=ISO-8859-1"));
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "platform_number,time (UTC),pres (decibar),temp (degree_Celsius)\n6902746,2017-12-20T06:58:00Z,3.0,27.212\n6902746,2017-12-20T06:58:00Z,4.0,27.212\n6902746,2017-12-20T06:58:00Z,5.0,27.213\n"
    );
    let (s, _, body) =
        send(&app, "GET", "/erddap/tabledap/ArgoFloats.csv?platform_number,cycle_number&distinct()").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(String::from_utf8(body).unwrap(), "platform_number,cycle_number\n,\n4900590,97\n6902746,34\n");
    let (_, _, body) = send(&app, "GET", "/erddap/version").await;
    assert_eq!(body, b"ERDDAP_version=2.31\n");
    let (s, _, body) = send(&app, "GET", "/erddap/info/index.json?page=1&itemsPerPage=1000000").await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let ids: Vec<&str> = v["table"]["rows"].as_array().unwrap().iter().map(|r| r[16].as_str().unwrap()).collect();
    assert!(ids.contains(&"ArgoFloats") && ids.contains(&"ndbcStdMet"));
}

#[tokio::test]
async fn buoy_nccf_is_a_contiguous_ragged_timeseries() {
    let app = app().await;
    let (s, _, body) = send(
        &app,
        "GET",
        "/erddap/tabledap/ndbcStdMet.ncCF?station,time,wtmp,wspd&time%3E=2012-06-01&time%3C2012-06-02",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let nc = formats::netcdf::NcFile::parse(&body).unwrap();
    assert_eq!(nc.dim("timeseries").unwrap().len, 1);
    let obs = nc.dim("obs").unwrap().len;
    assert!(obs >= 20, "{obs} hourly rows in a day");
    assert_eq!(nc.i32s(nc.var("rowSize").unwrap()).unwrap(), vec![obs as i32]);
    assert_eq!(nc.attr("featureType").unwrap().as_text().unwrap(), "TimeSeries");
    let wtmp = nc.f32s(nc.var("wtmp").unwrap()).unwrap();
    assert_eq!(wtmp[0], 13.4);
}

#[tokio::test]
async fn polygon_constraint_selects_by_shape() {
    let app = app().await;
    let inside = "/erddap/tabledap/ArgoFloats.csv0?platform_number&distinct()&polygon=%5B%5B-60,18%5D,%5B-55,18%5D,%5B-55,20%5D,%5B-60,20%5D,%5B-60,18%5D%5D";
    let (s, _, body) = send(&app, "GET", inside).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(String::from_utf8(body).unwrap(), "6902746\n");
    let outside = "/erddap/tabledap/ArgoFloats.csv0?platform_number&polygon=%22POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))%22";
    let (s, _, _) = send(&app, "GET", &outside.replace(' ', "%20")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn argo_nccf_is_a_trajectory_profile_ragged_array() {
    let app = app().await;
    // Only observation variables asked for: ERDDAP adds the ids, position, time and the pres proxy.
    let (s, ct, body) = send(&app, "GET", "/erddap/tabledap/ArgoFloats.ncCF?pres,temp").await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(ct, "application/x-netcdf");
    let nc = formats::netcdf::NcFile::parse(&body).unwrap();
    let dims: Vec<(&str, usize)> = nc.dims.iter().map(|d| (d.name, d.len)).collect();
    assert_eq!(dims, [("trajectory", 2), ("profile", 2), ("obs", 67 + 109), ("platform_number_strlen", 7)]);
    let names: Vec<&str> = nc.vars.iter().map(|v| v.name).collect();
    assert_eq!(
        names,
        [
            "platform_number",
            "cycle_number",
            "longitude",
            "latitude",
            "time",
            "trajectoryIndex",
            "rowSize",
            "pres",
            "temp"
        ]
    );
    assert_eq!(nc.strings(nc.var("platform_number").unwrap()).unwrap(), ["4900590", "6902746"]);
    assert_eq!(nc.i32s(nc.var("cycle_number").unwrap()).unwrap(), [97, 34]);
    assert_eq!(nc.i32s(nc.var("trajectoryIndex").unwrap()).unwrap(), [0, 1]);
    assert_eq!(nc.i32s(nc.var("rowSize").unwrap()).unwrap(), [67, 109]);
    let lat = nc.f64s(nc.var("latitude").unwrap()).unwrap();
    assert!((lat[0] - 40.261).abs() < 1e-3 && (lat[1] - 18.983).abs() < 1e-6, "{lat:?}");
    let (pres, temp) = (nc.f32s(nc.var("pres").unwrap()).unwrap(), nc.f32s(nc.var("temp").unwrap()).unwrap());
    // D4900590_097's first level, then 6902746_034's (IFREMER's recorded answer).
    assert_eq!((pres[0], temp[0]), (3.0, 25.997));
    assert_eq!((pres[66], temp[66]), (1435.5, 4.18));
    assert_eq!((pres[67], temp[67]), (3.0, 27.212));
    assert_eq!(nc.attr("featureType").unwrap().as_text().unwrap(), "TrajectoryProfile");
    let temp_var = nc.var("temp").unwrap();
    assert_eq!(temp_var.attr("coordinates").unwrap().as_text().unwrap(), "time latitude longitude pres");
    // Asking for outer variables only is ERDDAP's 400.
    let (s, _, body) = send(&app, "GET", "/erddap/tabledap/ArgoFloats.ncCF?platform_number,time").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8(body).unwrap().contains("must at least one variable not on this list: platform_number,"));
    // The index dataset is a Point table without `time`: not offered as .ncCF.
    let (s, _, _) = send(&app, "GET", "/erddap/tabledap/ArgoFloats-index.ncCF?file,date").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn min_and_max_constraint_values() {
    let app = app().await;
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    // The last three hours of 44005's 2012 file (its last line is 2012-12-14 05:50).
    let (s, _, body) = send(&app, "GET", "/erddap/tabledap/ndbcStdMet.csv0?time,wtmp&time%3E=max(time)-2hours").await;
    assert_eq!(s, StatusCode::OK, "{}", text(body));
    assert_eq!(text(body), "2012-12-14T03:50:00Z,9.7\n2012-12-14T04:50:00Z,9.7\n2012-12-14T05:50:00Z,9.6\n");
    let (s, _, body) = send(
        &app,
        "GET",
        "/erddap/tabledap/ArgoFloats.csv0?platform_number,cycle_number,time&distinct()&time=max(time)",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", text(body));
    assert_eq!(text(body), "6902746,34,2017-12-20T06:58:00Z\n");
    let (s, _, body) = send(
        &app,
        "GET",
        "/erddap/tabledap/ArgoFloats.csv0?platform_number&distinct()&latitude%3Cmin(latitude)%2B1&cycle_number%3E=max(cycle_number)-63",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", text(body));
    assert_eq!(text(body), "6902746\n");
    // Extremes of level values are not kept: ERDDAP's message for an unknown actual_range.
    let (s, _, body) = send(&app, "GET", "/erddap/tabledap/ArgoFloats.csv?pres&pres%3Emax(pres)-10").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(text(body).contains("\\\"max(pres)\\\" is not allowed because the maximum value isn't known."));
}

#[tokio::test]
async fn add_variables_where_adds_the_matching_columns() {
    let app = app().await;
    let (s, _, body) = send(
        &app,
        "GET",
        "/erddap/tabledap/ArgoFloats.csvp?platform_number,pres&addVariablesWhere(%22ioos_category%22,%22Temperature%22)&platform_number=%226902746%22&pres%3C=4",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let text = String::from_utf8(body).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "platform_number,pres (decibar),temp (degree_Celsius),temp_adjusted (degree_Celsius)");
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("6902746,3.0,27.212,"), "{}", lines[1]);
}

#[tokio::test]
async fn advanced_search_applies_lon_lat_and_time() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let files =
        ["argo/erddap_ArgoFloats_6902746_cyc34.nc", "buoy/44005h2012.txt", "buoy/ndbc_activestations_2024-08-27.xml"];
    let s = ingest::ingest_files(store.clone(), files.iter().map(|f| sample(f)).collect(), |_| {}).await;
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    let app = router(AppState::new(store));
    let ids = |body: Vec<u8>| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let mut r: Vec<String> =
            v["table"]["rows"].as_array().unwrap().iter().map(|r| r[16].as_str().unwrap().to_string()).collect();
        r.sort();
        r
    };
    let search = |q: &str| format!("/erddap/search/advanced.json?page=1&itemsPerPage=1000&searchFor=&{q}");
    // 6902746_034 lies at 58.119 W, 18.983 N (in ArgoFloats and its index); 44005 at 69.127 W, 43.201 N.
    let (s, _, body) = send(&app, "GET", &search("minLon=-60&maxLon=-55&minLat=18&maxLat=20")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ids(body), ["ArgoFloats", "ArgoFloats-index"]);
    // The same box in 0..360 longitudes.
    let (_, _, body) = send(&app, "GET", &search("minLon=300&maxLon=305&minLat=18&maxLat=20")).await;
    assert_eq!(ids(body), ["ArgoFloats", "ArgoFloats-index"]);
    let (_, _, body) = send(&app, "GET", &search("minLon=-71&maxLon=-68&minLat=42&maxLat=44")).await;
    assert_eq!(ids(body), ["ndbcStdMet"]);
    let (_, _, body) = send(&app, "GET", &search("minTime=2012-06-01&maxTime=2012-06-30")).await;
    assert_eq!(ids(body), ["ndbcStdMet"]);
    // The index has no `time` variable, so a time bound leaves it out (as ERDDAP does).
    let (_, _, body) = send(&app, "GET", &search("minTime=2017-12-20T00:00:00Z&maxTime=2017-12-21")).await;
    assert_eq!(ids(body), ["ArgoFloats"]);
    // Text and bounds together; no dataset in the box is ERDDAP's search 404.
    let (s, _, _) = send(&app, "GET", &search("minLon=0&maxLon=10&minLat=0&maxLat=10")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = send(&app, "GET", &search("minLat=50&maxLat=10")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
