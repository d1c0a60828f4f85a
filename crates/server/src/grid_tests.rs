//! `/api/grids` over the sample grids: the catalogue, JSON cuts with nulls for fill, PNG images decoded
//! back to their colours, legends, and bad parameters answered 4xx.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use store::{SqliteStore, Store};
use tower::ServiceExt;

use crate::{AppState, router};

async fn app() -> axum::Router {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let dir = format!("{}/../../data/sample/grids", env!("CARGO_MANIFEST_DIR"));
    let files = ingest::discover(&[dir.into()]).unwrap();
    let s = ingest::ingest_files(store.clone(), files, |_| {}).await;
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    router(AppState::new(store))
}

async fn get_raw(app: &axum::Router, uri: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let resp = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let bounds = resp.headers().get("x-grid-bounds").and_then(|v| v.to_str().ok()).map(String::from);
    (status, bounds, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    let (s, _, b) = get_raw(app, uri).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[tokio::test]
async fn grids_catalogue_json_image_and_legend() {
    let app = app().await;
    let (s, body) = get(&app, "/api/grids").await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<String> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}/{}", e["dataset"], e["variable"]).replace('"', ""))
        .collect();
    for want in [
        "GEBCO_2020/elevation",
        "crwLikeClimatology/CRW_MMM",
        "crwLikeDaily/CRW_BAA_7D_MAX",
        "crwLikeDaily/CRW_DHW",
        "crwLikeDaily/CRW_HOTSPOT",
        "crwLikeDaily/CRW_SST",
        "erdVHNchlamday/chla",
        "noaacwNPPVIIRSchlaDaily/chlor_a",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} missing from {names:?}");
    }
    let dhw = body.as_array().unwrap().iter().find(|e| e["variable"] == "CRW_DHW").unwrap();
    assert_eq!(dhw["count"], 120);
    assert_eq!(dhw["times"][0], "2023-06-01T12:00:00Z");
    assert_eq!(dhw["time_coverage"][1], "2023-09-28T12:00:00Z");
    assert_eq!(dhw["shape"], serde_json::json!([10, 12]));
    assert_eq!(dhw["units"], "degree_C_weeks");
    let b: Vec<f64> = dhw["bounds"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(
        (b[0] + 81.5).abs() < 1e-9
            && (b[1] - 24.5).abs() < 1e-9
            && (b[2] + 80.9).abs() < 1e-9
            && (b[3] - 25.0).abs() < 1e-9,
        "{b:?}"
    );

    // JSON: the nearest step to a bare date is that day's noon; a box and a stride cut it.
    let (s, g) = get(&app, "/api/grids/crwLikeDaily/CRW_DHW?time=2023-07-04&bbox=-81.5,24.6,-81.0,24.8&stride=2").await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(g["time"], "2023-07-04T12:00:00Z");
    assert_eq!(g["latitudes"].as_array().unwrap().len(), 2); // 24.775, 24.675
    assert!((g["latitudes"][0].as_f64().unwrap() - 24.775).abs() < 1e-9);
    assert_eq!(g["longitudes"].as_array().unwrap().len(), 5);
    // Row 4 (24.775), HotSpot 1.2 for 14 days: DHW 2.4.
    assert!((g["values"][0][1].as_f64().unwrap() - 2.4).abs() < 1e-4, "{}", g["values"]);
    // Fill becomes null: the two north-west land cells.
    let (_, g) = get(&app, "/api/grids/crwLikeDaily/CRW_SST?bbox=-81.5,24.9,-81.3,25").await;
    assert_eq!(g["time"], "2023-09-28T12:00:00Z", "the newest step by default");
    assert_eq!((g["values"][0][0].clone(), g["values"][0][1].clone()), (Value::Null, Value::Null));
    assert!((g["values"][0][2].as_f64().unwrap() - 29.1).abs() < 1e-4);
    let (_, g) = get(&app, "/api/grids/GEBCO_2020/elevation?stride=100").await;
    assert_eq!((g["time"].clone(), g["values"][1][5].as_f64()), (Value::Null, Some(-3099.0)));

    // PNG: BAA on day 33 (row 4 Warning #F8AB00, row 9 Alert 1 #EF0000, land transparent).
    let (s, bounds, png) =
        get_raw(&app, "/api/grids/crwLikeDaily/CRW_BAA_7D_MAX/image.png?time=2023-07-04T12:00:00Z").await;
    assert_eq!(s, StatusCode::OK);
    let bounds: Vec<f64> = bounds.unwrap().split(',').map(|v| v.parse().unwrap()).collect();
    for (got, want) in bounds.iter().zip([-81.5, 24.5, -80.9, 25.0]) {
        assert!((got - want).abs() < 1e-9, "{bounds:?}");
    }
    let (w, h, rgba) = decode_png(&png);
    assert_eq!((w, h), (12, 10));
    let px = |x: u32, y: u32| rgba[((y * w + x) * 4) as usize..((y * w + x) * 4 + 4) as usize].to_vec();
    assert_eq!(px(3, 4), [0xF8, 0xAB, 0x00, 255]);
    assert_eq!(px(3, 9), [0xEF, 0x00, 0x00, 255]);
    assert_eq!(px(3, 0), [0xC6, 0xE5, 0xFA, 255]);
    assert_eq!(px(0, 0)[3], 0);
    let (s, _, png) = get_raw(&app, "/api/grids/crwLikeDaily/CRW_SST/image.png?width=240").await;
    assert_eq!(s, StatusCode::OK);
    let (w2, h2, _) = decode_png(&png);
    assert_eq!((w2, h2), (240, 200));

    // Legends.
    let (s, l) = get(&app, "/api/grids/crwLikeDaily/CRW_BAA_7D_MAX/legend").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((l["palette"].as_str(), l["kind"].as_str()), (Some("crw_baa"), Some("levels")));
    assert_eq!(l["stops"].as_array().unwrap().len(), 8);
    assert_eq!(
        (l["stops"][3]["color"].as_str(), l["stops"][3]["label"].as_str()),
        (Some("#ef0000"), Some("Alert Level 1"))
    );
    let (_, l) = get(&app, "/api/grids/crwLikeDaily/CRW_DHW/legend").await;
    assert_eq!((l["palette"].as_str(), l["min"].as_f64(), l["max"].as_f64()), (Some("inferno"), Some(0.0), Some(20.0)));
    let (_, l) = get(&app, "/api/grids/erdVHNchlamday/chla/legend").await;
    // colorBarMinimum 0.03, colorBarMaximum 30, colorBarScale Log.
    assert_eq!((l["palette"].as_str(), l["log"].as_bool()), (Some("viridis"), Some(true)));
    assert!((l["min"].as_f64().unwrap() - 0.03).abs() < 1e-9 && (l["max"].as_f64().unwrap() - 30.0).abs() < 1e-9);

    // Bad input: 4xx with a reason, never 5xx.
    for (uri, status) in [
        ("/api/grids/nope/none", StatusCode::NOT_FOUND),
        ("/api/grids/crwLikeDaily/CRW_DHW?bbox=1,2,3", StatusCode::BAD_REQUEST),
        ("/api/grids/crwLikeDaily/CRW_DHW?bbox=10,50,20,60", StatusCode::BAD_REQUEST),
        ("/api/grids/crwLikeDaily/CRW_DHW?bbox=-80,24,-81,25", StatusCode::BAD_REQUEST),
        ("/api/grids/crwLikeDaily/CRW_DHW?stride=0", StatusCode::BAD_REQUEST),
        ("/api/grids/crwLikeDaily/CRW_DHW?stride=-1", StatusCode::BAD_REQUEST),
        ("/api/grids/crwLikeDaily/CRW_DHW?time=yesterday", StatusCode::BAD_REQUEST),
        ("/api/grids/crwLikeDaily/CRW_DHW?bogus=1", StatusCode::BAD_REQUEST),
        ("/api/grids/crwLikeDaily/CRW_DHW/image.png?width=0", StatusCode::BAD_REQUEST),
        ("/api/grids/crwLikeDaily/CRW_DHW/image.png?width=99999", StatusCode::BAD_REQUEST),
        ("/api/grids/crwLikeDaily/CRW_DHW/legend?bbox=nan,1,2,3", StatusCode::BAD_REQUEST),
    ] {
        let (s, body) = get(&app, uri).await;
        assert_eq!(s, status, "{uri}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{uri}: {body}");
    }
}

#[tokio::test]
async fn erddap_griddap_answers_ncml_csvp_json_and_errors() {
    let app = app().await;
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    let (s, _, b) = get_raw(&app, "/erddap/griddap/crwLikeDaily.ncml").await;
    assert_eq!(s, StatusCode::OK);
    let x = text(b);
    assert!(x.contains("<dimension name=\"time\" length=\"120\" />"), "{x}");
    assert!(x.contains("<variable name=\"CRW_DHW\" shape=\"time latitude longitude\" type=\"float\">"));

    // erddapy's request form: epoch seconds, percent-encoded brackets.
    let uri = "/erddap/griddap/crwLikeDaily.csvp?CRW_DHW%5B(1.6884720E9)%5D%5B(24.775)%5D%5B(-81.325):1:(-81.275)%5D";
    let (s, _, b) = get_raw(&app, uri).await;
    let csv = text(b);
    assert_eq!(s, StatusCode::OK, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time (UTC),latitude (degrees_north),longitude (degrees_east),CRW_DHW (degree_C_weeks)");
    assert_eq!(lines.len(), 3);
    let cells: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(cells[0], "2023-07-04T12:00:00Z");
    assert!((cells[1].parse::<f64>().unwrap() - 24.775).abs() < 1e-9);
    assert!((cells[2].parse::<f64>().unwrap() + 81.325).abs() < 1e-9);
    assert!((cells[3].parse::<f64>().unwrap() - 2.4).abs() < 1e-4, "{csv}");

    // Two variables with identical brackets; json table; land is NaN/null.
    let uri = "/erddap/griddap/crwLikeDaily.json?CRW_SST[last][0][0:1:2],CRW_HOTSPOT[last][0][0:1:2]";
    let (s, _, b) = get_raw(&app, uri).await;
    assert_eq!(s, StatusCode::OK);
    let j: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(
        j["table"]["columnNames"],
        serde_json::json!(["time", "latitude", "longitude", "CRW_SST", "CRW_HOTSPOT"])
    );
    let rows = j["table"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!((rows[0][3].clone(), rows[2][0].as_str()), (Value::Null, Some("2023-09-28T12:00:00Z")));
    assert!((rows[2][3].as_f64().unwrap() - 29.1).abs() < 1e-4);

    // A grid without time: GEBCO (latitude, longitude).
    let (s, _, b) = get_raw(&app, "/erddap/griddap/GEBCO_2020.csv?elevation[100][500]").await;
    let csv = text(b);
    assert_eq!(s, StatusCode::OK, "{csv}");
    assert_eq!(csv.lines().nth(1), Some("degrees_north,degrees_east,m"));
    assert!(csv.lines().nth(2).unwrap().ends_with(",-3099.0"), "{csv}");

    let (s, _, b) = get_raw(&app, "/erddap/griddap/index.csv").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(b).contains("crwLikeDaily"));
    for (uri, status) in [
        ("/erddap/griddap/nope.csv", StatusCode::NOT_FOUND),
        ("/erddap/griddap/crwLikeDaily.csv?CRW_DHW[0][0]", StatusCode::BAD_REQUEST),
        ("/erddap/griddap/crwLikeDaily.csv?CRW_DHW[(2031-01-01)][0][0]", StatusCode::BAD_REQUEST),
        ("/erddap/griddap/crwLikeDaily.geoJson?CRW_DHW", StatusCode::NOT_FOUND),
    ] {
        let (s, _, b) = get_raw(&app, uri).await;
        assert_eq!(s, status, "{uri}");
        assert!(text(b).starts_with("Error {"), "{uri}");
    }
}

#[tokio::test]
async fn erddap_griddap_nc_reads_back_as_the_same_grid() {
    let app = app().await;
    let uri =
        "/erddap/griddap/crwLikeDaily.nc?CRW_DHW%5B(2023-07-03T12:00:00Z):1:(2023-07-04T12:00:00Z)%5D%5B%5D%5B%5D";
    let (s, _, b) = get_raw(&app, uri).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    // Our own reader takes it back: the dataset id comes from the history line ending with the request.
    let (_, parsed) = formats::read_file("answer.nc", &b).unwrap();
    let formats::Dataset::Grids(g) = parsed.dataset else { panic!("not grids") };
    assert_eq!(g.len(), 2);
    assert_eq!((g[1].dataset.as_str(), g[1].variable.as_str()), ("crwLikeDaily", "CRW_DHW"));
    assert_eq!(g[1].time.map(|t| t.to_rfc3339()), Some("2023-07-04T12:00:00+00:00".into()));
    assert_eq!((g[1].latitudes.len(), g[1].longitudes.len()), (10, 12));
    assert!((g[1].at(4, 3) - 2.4).abs() < 1e-4);
    assert!(g[1].at(0, 0).is_nan());
}

#[tokio::test]
async fn erddap_info_and_lists_include_grid_datasets() {
    let app = app().await;
    let (s, j) = get(&app, "/erddap/info/crwLikeDaily/index.json").await;
    assert_eq!(s, StatusCode::OK);
    let rows = j["table"]["rows"].as_array().unwrap();
    let dim = rows.iter().find(|r| r[0] == "dimension" && r[1] == "time").unwrap();
    assert_eq!(dim[4], "nValues=120, evenlySpaced=true, averageSpacing=1 day");
    let lat = rows.iter().find(|r| r[0] == "dimension" && r[1] == "latitude").unwrap();
    assert_eq!(lat[4], "nValues=10, evenlySpaced=true, averageSpacing=-0.05");
    let var = rows.iter().find(|r| r[0] == "variable" && r[1] == "CRW_DHW").unwrap();
    assert_eq!(var[4], "time, latitude, longitude");
    let (s, _, b) = get_raw(&app, "/erddap/info/index.csv").await;
    let csv = String::from_utf8(b).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("http://localhost/erddap/griddap/crwLikeDaily,") && l.ends_with(",crwLikeDaily")),
        "{csv}"
    );
    let (s, j) = get(&app, "/erddap/griddap/index.json").await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = j["table"]["rows"].as_array().unwrap().iter().map(|r| r[16].as_str().unwrap()).collect();
    assert!(ids.contains(&"GEBCO_2020") && ids.contains(&"crwLikeClimatology"), "{ids:?}");
    let (s, _) = get(&app, "/erddap/info/nope/index.json").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn erddap_griddap_dds_das_ncheader_and_html() {
    let app = app().await;
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    let (s, _, b) = get_raw(&app, "/erddap/griddap/crwLikeClimatology.dds").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        text(b),
        "Dataset {\n  Float64 latitude[latitude = 10];\n  Float64 longitude[longitude = 12];\n  GRID {\n    ARRAY:\n      \
         Float32 CRW_MMM[latitude = 10][longitude = 12];\n    MAPS:\n      Float64 latitude[latitude = 10];\n      \
         Float64 longitude[longitude = 12];\n  } CRW_MMM;\n} crwLikeClimatology;\n"
    );
    let (_, _, b) = get_raw(&app, "/erddap/griddap/crwLikeDaily.das").await;
    let das = text(b);
    assert!(das.contains("  time {\n    Float64 actual_range 1685620800.0, 1695902400.0;\n"), "{das}");
    assert!(das.contains("  CRW_DHW {\n    Float32 _FillValue NaN;\n"), "{das}");
    let (s, _, b) = get_raw(&app, "/erddap/griddap/crwLikeDaily.ncHeader?CRW_DHW[last][0:2][0:3]").await;
    let h = text(b);
    assert_eq!(s, StatusCode::OK, "{h}");
    assert!(h.contains("    float CRW_DHW(time=1, latitude=3, longitude=4);\n"), "{h}");
    assert!(h.contains("  :history = \""), "{h}");
    let (s, _, b) = get_raw(&app, "/erddap/griddap/crwLikeDaily.htmlTable?CRW_DHW[last][0][0:1:1]").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(b).contains("<table"));
}
