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
