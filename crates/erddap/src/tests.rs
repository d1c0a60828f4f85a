//! Unit tests: the grammar (three encodings, operators, times, functions), error bodies against the
//! recorded ERDDAP ones, writer layouts against recorded answers, the info table against IFREMER's, and
//! a property test that no input makes the parser panic.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use crate::cell::{Cell, Column, Columns};
use crate::dataset::{Attr, DataType, Dataset, Var};
use crate::functions::{Function, OrderKind};
use crate::*;

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn argo() -> &'static Dataset {
    catalog().iter().find(|d| d.id == ARGO_CORE).unwrap()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

fn parse(raw: &str) -> Result<TableQuery, ErddapError> {
    TableQuery::parse(raw, argo(), now())
}

#[test]
fn the_three_encodings_parse_identically() {
    // erddapy .csvp (whole query quote_plus'ed), erddapy .ncCF (operators encoded), plain.
    let a = parse("platform_number%2Ctime%2Cpres%26time%3E%3D1512086400.0%26platform_number%3D%226902746%22%26pres%3C%3D100%26distinct%28%29%26orderBy%28%22time%2Cpres%22%29").unwrap();
    let b = parse("platform_number,time,pres&time%3E=1512086400.0&platform_number=%226902746%22&pres%3C=100&distinct()&orderBy(%22time,pres%22)").unwrap();
    let c = parse("platform_number,time,pres&time>=1512086400.0&platform_number=\"6902746\"&pres<=100&distinct()&orderBy(\"time,pres\")").unwrap();
    assert_eq!(a, b);
    assert_eq!(b, c);
    let ds = argo();
    assert_eq!(
        c.results,
        vec![ds.var_index("platform_number").unwrap(), ds.var_index("time").unwrap(), ds.var_index("pres").unwrap()]
    );
    assert_eq!(c.constraints.len(), 3);
    assert_eq!(c.constraints[0].op, Op::Ge);
    assert_eq!(c.constraints[0].value, Rhs::Num(1512086400.0));
    assert_eq!(c.constraints[1].value, Rhs::Str("6902746".into()));
    assert_eq!(c.constraints[2].op, Op::Le);
    assert_eq!(c.functions[0], Function::Distinct);
    assert!(matches!(&c.functions[1], Function::Order { kind: OrderKind::By, keys, .. } if keys.len() == 2));
    assert_eq!(c.bounds(ds.var_index("pres").unwrap()), (f64::NEG_INFINITY, 100.0));
    assert_eq!(c.pinned_text(ds.var_index("platform_number").unwrap()).as_deref(), Some("6902746"));
}

#[test]
fn argopy_request_parses_with_regex_and_nan_tests() {
    let q = parse("config_mission_number,cycle_number,data_mode,direction,latitude,longitude,platform_number,position_qc,pres,pres_adjusted,pres_adjusted_error,pres_adjusted_qc,pres_qc,psal,psal_adjusted,psal_adjusted_error,psal_adjusted_qc,psal_qc,temp,temp_adjusted,temp_adjusted_error,temp_adjusted_qc,temp_qc,time,time_qc,vertical_sampling_scheme&platform_number=~%226902746%22&cycle_number=~%2234%22&latitude!=NaN&longitude!=NaN&distinct()&orderBy(%22time,pres%22)").unwrap();
    assert_eq!(q.results.len(), 26);
    assert_eq!(q.constraints[0].op, Op::Regex);
    assert_eq!(q.constraints[2].op, Op::Ne);
    assert!(matches!(q.constraints[2].value, Rhs::Num(v) if v.is_nan()));
    assert_eq!(q.pinned_text(argo().var_index("cycle_number").unwrap()).as_deref(), Some("34"));
}

#[test]
fn time_values() {
    let n = now();
    assert_eq!(parse_time("2020-01-01T00:00:00Z", n), Ok(1577836800.0));
    assert_eq!(parse_time("2020-01", n), Ok(1577836800.0));
    assert_eq!(parse_time("2020-01-01T01:00:00+01:00", n), Ok(1577836800.0));
    assert_eq!(parse_time("1.6E9", n), Ok(1.6e9));
    assert_eq!(parse_time("1512086400.0", n), Ok(1512086400.0));
    assert_eq!(parse_time("now", n), Ok(n.timestamp() as f64));
    assert_eq!(parse_time("now-7days", n), Ok(n.timestamp() as f64 - 7.0 * 86400.0));
    // `+` arrives decoded as a space.
    assert_eq!(parse_time("now 2hours", n), Ok(n.timestamp() as f64 + 7200.0));
    assert_eq!(
        parse_time("now-1month", n),
        Ok(Utc.with_ymd_and_hms(2026, 10, 23, 12, 0, 0).unwrap().timestamp() as f64)
    );
    assert!(parse_time("now-7fortnights", n).unwrap_err().starts_with("Invalid \"now\" constraint"));
    assert!(parse_time("yesterday", n).is_err());
    assert_eq!(iso_string(1513753080.0), "2017-12-20T06:58:00Z");
    assert_eq!(iso_string(-86400.0), "1969-12-31T00:00:00Z");
}

#[test]
fn bad_queries_are_400_with_erddap_messages() {
    let msg = |raw: &str| parse(raw).unwrap_err().message();
    assert_eq!(msg("time&time==5"), "Bad Request: Query error: Use '=' instead of '==' in constraints.");
    assert_eq!(
        msg("time&platform_number~=\"1\""),
        "Bad Request: Query error: Use '=~' instead of '~=' in constraints."
    );
    assert!(msg("time&platform_number=6902746").contains("must be surrounded by double quotes"));
    assert!(msg("time&pres=\"5\"").contains("must not be surrounded by double quotes"));
    assert!(msg("time,time").contains("listed twice"));
    assert_eq!(
        msg("time&orderBy(\"pres\")"),
        "Bad Request: Query error: 'orderBy' variable=pres isn't in the list of results variables."
    );
    assert!(msg("time&temp").starts_with("Bad Request: Query error: No operator found in constraint=\"temp\""));
    assert!(msg("time&polygon=[[0,0],[1,1]]").contains("polygon"));
    // Options (.jsonp, .draw) are ignored.
    assert!(parse("time&.draw=markers").is_ok());
}

#[test]
fn error_bodies_equal_the_recorded_ones() {
    let body = |r: Result<TableQuery, ErddapError>| r.unwrap_err().body();
    assert_eq!(body(parse("bbbbb")), fixture("error_400_unrecognized_variable.txt"));
    assert_eq!(body(parse("&orderBy%28%22things%22%29")), fixture("error_400_orderBy_variable_not_in_dataset.txt"));
    assert_eq!(body(parse("&time%3E%3D2001-07-14&units%28%22STUFF%22%29")), fixture("error_400_units_value.txt"));
    // A client that encodes twice (fixture request: crs%26time%253E%3D2000-03-23...).
    let twice = parse("time%26time%253E%3D2000-03-23T00%253A00%253A00Z");
    assert_eq!(body(twice), fixture("error_400_bad_request.txt"));
    assert_eq!(ErddapError::NoRows.body(), fixture("error_404_no_matching_results.txt"));
    assert_eq!(ErddapError::NoSearchResults.body(), fixture("error_404_search_no_results.txt"));
    assert_eq!(
        ErddapError::UnknownDataset("org_cormp_cap2".into()).body(),
        fixture("error_404_unknown_datasetID_tabledap.txt")
    );
    assert_eq!(
        ErddapError::UnknownDataset("hawaii_b55f_a8f2_ad70".into()).body(),
        fixture("error_404_unknown_datasetID_info.txt")
    );
    let too_big = ErddapError::TooLarge("[memory]  The request needs more memory (10300 MB) than is ever safely available in this Java setup (9984 MB). (TableWriterAll.cumulativeTable)".into());
    assert_eq!(too_big.body(), fixture("error_413_payload_too_large.txt"));
    assert_eq!((too_big.status(), ErddapError::NoRows.status()), (413, 404));
}

fn col(name: &str, ty: DataType, units: Option<&str>) -> Column {
    Column { name: name.into(), ty, units: units.map(String::from), is_time: units == Some("UTC"), attrs: Vec::new() }
}

fn write(fmt: TextFormat, cols: &[Column], rows: &[Vec<Cell>]) -> String {
    let mut w = TextWriter::new(fmt, Columns { cols: cols.to_vec() }, false).unwrap();
    let mut out = Vec::new();
    w.begin(&mut out);
    for r in rows {
        w.row(r, &mut out);
    }
    w.end(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn csvp_and_csv_match_recorded_answers() {
    let tao = fixture("tabledap_pmelTao5dayIso_ISO_6_time.csvp");
    let cols = [col("ISO_6", DataType::Float, Some("m")), col("time", DataType::Double, Some("UTC"))];
    let rows: Vec<Vec<Cell>> = tao
        .lines()
        .skip(1)
        .map(|l| {
            let (a, b) = l.split_once(',').unwrap();
            let t = parse_time(b, now()).unwrap();
            vec![Cell::Num(a.parse::<f32>().unwrap() as f64), Cell::Num(t)]
        })
        .collect();
    assert_eq!(rows.len(), 286);
    assert_eq!(write(TextFormat::Csvp, &cols, &rows), tao);
    let kfm = fixture("tabledap_erdCinpKfmBT_Haliotis_units_UDUNITS.csv");
    let cols = [
        col("longitude", DataType::Double, Some("degrees_east")),
        col("latitude", DataType::Double, Some("degrees_north")),
        col("Haliotis_fulgens_Mean_Density", DataType::Float, Some("m-2")),
    ];
    let rows: Vec<Vec<Cell>> =
        kfm.lines().skip(2).map(|l| l.split(',').map(|x| Cell::Num(x.parse::<f64>().unwrap())).collect()).collect();
    assert_eq!(write(TextFormat::Csv, &cols, &rows), kfm);
}

#[test]
fn json_and_other_layouts() {
    let cols = [
        col("time", DataType::Double, Some("UTC")),
        col("station", DataType::String, None),
        col("longitude", DataType::Float, Some("degrees_east")),
        col("latitude", DataType::Float, Some("degrees_north")),
        col("sst", DataType::Float, Some("degree_Celsius")),
    ];
    let rows = vec![
        vec![Cell::Num(0.0), Cell::Text("a,\"b\"".into()), Cell::Num(-70.0), Cell::Num(42.5), Cell::Num(f64::NAN)],
        vec![Cell::Num(86400.0), Cell::Text("é".into()), Cell::Num(-70.0), Cell::Num(42.5), Cell::Num(0.0)],
    ];
    assert_eq!(
        write(TextFormat::Json, &cols, &rows),
        "{\n  \"table\": {\n    \"columnNames\": [\"time\", \"station\", \"longitude\", \"latitude\", \"sst\"],\n    \"columnTypes\": [\"String\", \"String\", \"float\", \"float\", \"float\"],\n    \"columnUnits\": [\"UTC\", null, \"degrees_east\", \"degrees_north\", \"degree_Celsius\"],\n    \"rows\": [\n      [\"1970-01-01T00:00:00Z\", \"a,\\\"b\\\"\", -70, 42.5, null],\n      [\"1970-01-02T00:00:00Z\", \"\\u00e9\", -70, 42.5, 0]\n    ]\n  }\n}\n"
    );
    assert_eq!(
        write(TextFormat::Csv, &cols, &rows),
        "time,station,longitude,latitude,sst\nUTC,,degrees_east,degrees_north,degree_Celsius\n1970-01-01T00:00:00Z,\"a,\"\"b\"\"\",-70.0,42.5,NaN\n1970-01-02T00:00:00Z,\"\\u00e9\",-70.0,42.5,0.0\n"
    );
    assert_eq!(write(TextFormat::Csv0, &cols, &rows[..1]), "1970-01-01T00:00:00Z,\"a,\"\"b\"\"\",-70.0,42.5,NaN\n");
    assert_eq!(
        write(TextFormat::JsonlKvp, &cols, &rows[1..]),
        "{\"time\":\"1970-01-02T00:00:00Z\", \"station\":\"\\u00e9\", \"longitude\":-70, \"latitude\":42.5, \"sst\":0}\n"
    );
    let geo = write(TextFormat::GeoJson, &cols, &rows);
    assert!(geo.contains("\"coordinates\": [-70.0, 42.5] }"));
    assert!(geo.ends_with("\"bbox\": [-70.0, 42.5, -70.0, 42.5]\n}\n"));
}

#[test]
fn java_number_forms() {
    let d = |x: f64| {
        let mut v = Vec::new();
        crate::number::java_double(x, &mut v);
        String::from_utf8(v).unwrap()
    };
    let f = |x: f32| {
        let mut v = Vec::new();
        crate::number::java_float(x, &mut v);
        String::from_utf8(v).unwrap()
    };
    assert_eq!(d(1.0e12), "1.0E12");
    assert_eq!(d(1513753080.0), "1.51375308E9");
    assert_eq!(d(-58.11900000000003), "-58.11900000000003");
    assert_eq!(d(0.001), "0.001");
    assert_eq!(d(0.0001), "1.0E-4");
    assert_eq!(d(3.0), "3.0");
    assert_eq!(f(17.39), "17.39");
    assert_eq!(f(9.96921e36), "9.96921E36");
    assert_eq!(f(2007.0), "2007.0");
    assert_eq!(f(-0.5), "-0.5");
    assert_eq!(f(1.0e-5), "1.0E-5");
    assert_eq!(d(123456789.0), "1.23456789E8");
    assert_eq!(d(1234567.0), "1234567.0");
    assert_eq!(d(0.0012), "0.0012");
    assert_eq!(d(-0.0), "-0.0");
    // Round-trips, with as many digits as Rust's own shortest form, on many values.
    let mut x = 1.2345e-9_f64;
    while x < 1e15 {
        let mut v = Vec::new();
        crate::number::java_form(x, format!("{x:e}").as_bytes(), &mut v);
        let (ours, std) = (d(x), String::from_utf8(v).unwrap());
        assert_eq!(ours.replace('E', "e").parse::<f64>().unwrap(), x, "{ours}");
        assert_eq!(ours.len(), std.len(), "{ours} {std}");
        x *= 3.7;
    }
}

#[test]
fn info_table_has_ifremer_layout_and_rows() {
    let recorded = include_str!("../datasets/ArgoFloats_info.json");
    let ours = String::from_utf8(info_table(argo()).write(TextFormat::Json).unwrap()).unwrap();
    // Same first lines (plain table: no columnUnits) and the same row layout.
    let head = |s: &str| s.lines().take(5).map(String::from).collect::<Vec<_>>();
    assert_eq!(head(&ours)[..4], head(recorded)[..4]);
    assert!(ours.ends_with("\"]\n    ]\n  }\n}\n"));
    // Every recorded row is ours, except IFREMER's ranges; we add only the `id` global.
    let rows = |s: &str| -> Vec<Vec<String>> {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        serde_json::from_value(v["table"]["rows"].clone()).unwrap()
    };
    let ranges =
        ["actual_range", "geospatial_lat_max", "geospatial_lat_min", "geospatial_lon_max", "geospatial_lon_min"];
    let expected: Vec<Vec<String>> = rows(recorded)
        .into_iter()
        .filter(|r| !ranges.contains(&r[2].as_str()) && !r[2].ends_with("ing") && !r[2].starts_with("time_coverage"))
        .collect();
    let got: Vec<Vec<String>> = rows(&ours).into_iter().filter(|r| r[2] != "id").collect();
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected);
    let csv = String::from_utf8(info_table(argo()).write(TextFormat::Csv).unwrap()).unwrap();
    assert!(csv.starts_with(
        "Row Type,Variable Name,Attribute Name,Data Type,Value\nattribute,NC_GLOBAL,cdm_altitude_proxy,String,pres\n"
    ));
}

#[test]
fn functions_apply_in_order() {
    let mut ds = Dataset { id: "t".into(), globals: Vec::new(), vars: Vec::new() };
    for (n, ty) in [("station", DataType::String), ("time", DataType::Double), ("t", DataType::Float)] {
        let mut attrs = Vec::new();
        if n == "time" {
            attrs.push(Attr::text("units", dataset::TIME_UNITS));
        }
        ds.vars.push(Var { name: n.into(), ty, attrs });
    }
    let rows = || {
        vec![
            vec![Cell::Text("b".into()), Cell::Num(7200.0), Cell::Num(3.0)],
            vec![Cell::Text("a".into()), Cell::Num(3600.0), Cell::Num(1.0)],
            vec![Cell::Text("a".into()), Cell::Num(0.0), Cell::Num(5.0)],
            vec![Cell::Text("a".into()), Cell::Num(0.0), Cell::Num(5.0)],
        ]
    };
    let run = |raw: &str| {
        let q = TableQuery::parse(raw, &ds, now()).unwrap();
        let mut types = vec![DataType::String, DataType::Double, DataType::Float];
        (apply_functions(rows(), &q.functions, &mut types), types)
    };
    let (r, _) = run("station,time,t&distinct()");
    assert_eq!(r.len(), 3);
    assert_eq!(r[0], vec![Cell::Text("a".into()), Cell::Num(0.0), Cell::Num(5.0)]);
    let (r, _) = run("station,time,t&orderByMax(\"station,t\")");
    assert_eq!(r.iter().map(|r| r[2].num()).collect::<Vec<_>>(), [5.0, 3.0]);
    let (r, _) = run("station,time,t&orderByMinMax(\"station,t\")");
    assert_eq!(r.iter().map(|r| r[2].num()).collect::<Vec<_>>(), [1.0, 5.0, 3.0]);
    let (r, types) = run("station,time,t&orderByCount(\"station\")");
    assert_eq!(r[0], vec![Cell::Text("a".into()), Cell::Num(3.0), Cell::Num(3.0)]);
    assert_eq!(types[2], DataType::Int);
    let (r, _) = run("station,time,t&orderByMean(\"station\")");
    assert_eq!(r[0][2], Cell::Num(11.0 / 3.0));
    let (r, _) = run("station,time,t&orderByLimit(\"station,1\")");
    assert_eq!(r.len(), 2);
    let (r, _) = run("station,time,t&orderByDescending(\"time\")");
    assert_eq!(r[0][1], Cell::Num(7200.0));
    let (r, _) = run("station,time,t&orderByClosest(\"station,time/2hours\")");
    // Station a: 0 s is closest to the 0 h mark, 3600 s (tied) to the 2 h mark; station b: 7200 s.
    assert_eq!(r.iter().map(|r| r[1].num()).collect::<Vec<_>>(), [0.0, 3600.0, 7200.0]);
    let (r, _) = run("station,time,t&orderBy(\"time/1hour,t\")");
    assert_eq!(r[0][2], Cell::Num(5.0));
}

#[test]
fn polygon_extension_filters_rows() {
    let q = parse("longitude,latitude&polygon=[[-60,18],[-55,18],[-55,20],[-60,20],[-60,18]]").unwrap();
    let wkt = parse("longitude,latitude&polygon=%22POLYGON((-60 18, -55 18, -55 20, -60 20, -60 18))%22").unwrap();
    assert_eq!(q.polygon, wkt.polygon);
    let needed = q.needed(argo());
    let f = RowFilter::new(&q, argo(), &needed);
    assert!(f.matches(&[Cell::Num(-58.119), Cell::Num(18.983)]));
    assert!(!f.matches(&[Cell::Num(-50.0), Cell::Num(18.983)]));
    assert!(!f.matches(&[Cell::Num(f64::NAN), Cell::Num(f64::NAN)]));
}

#[test]
fn search_and_categories() {
    let hits = search_datasets(catalog(), &SearchParams { search_for: "argo -synthetic".into(), ..Default::default() })
        .unwrap();
    let ids: Vec<&str> = hits.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, [ARGO_CORE, ARGO_INDEX]);
    let p =
        SearchParams::from_pairs(&[("standard_name".into(), "sea_surface_temperature".into())], Utc::now()).unwrap();
    assert_eq!(search_datasets(catalog(), &p).unwrap()[0].id, NDBC_STDMET);
    let none = SearchParams { search_for: "\"incredibly_long_string\"".into(), ..Default::default() };
    assert_eq!(search_datasets(catalog(), &none).unwrap_err(), ErddapError::NoSearchResults);
    let t = categorize_table(catalog(), "cdm_data_type", "http://h/erddap", "csv").unwrap();
    let cats: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(cats, ["point", "timeseries", "trajectoryprofile"]);
    let list = dataset_table(&catalog().iter().collect::<Vec<_>>(), "http://h/erddap", "json");
    assert_eq!(list.columns.last().map(String::as_str), Some("Dataset ID"));
}

fn names(q: &TableQuery) -> Vec<&str> {
    q.results.iter().map(|&i| argo().vars[i].name.as_str()).collect()
}

#[test]
fn nccf_puts_the_required_variables_first() {
    // ERDDAP adds the feature ids, longitude, latitude, time and the vertical proxy (pres) in front.
    let mut q = parse("temp,time&orderBy(%22time%22)").unwrap();
    q.add_cf_variables(argo()).unwrap();
    assert_eq!(names(&q), ["platform_number", "cycle_number", "longitude", "latitude", "pres", "temp", "time"]);
    // The orderBy key still points at `time`, now the 7th result column.
    match &q.functions[0] {
        Function::Order { keys, .. } => assert_eq!(keys[0].col, 6),
        f => panic!("{f:?}"),
    }
    // All variables (no list) are left alone.
    let mut all = parse("").unwrap();
    all.add_cf_variables(argo()).unwrap();
    assert_eq!(all.results.len(), argo().vars.len());
    // Only outer variables: ERDDAP's 400.
    let mut outer = parse("platform_number,time").unwrap();
    let e = outer.add_cf_variables(argo()).unwrap_err();
    assert!(
        e.body().contains(".ncCF and .ncCFMA queries for this dataset must at least one variable not on this list: platform_number, project_name, pi_name, platform_type, float_serial_no, cycle_number, data_type,"),
        "{}",
        e.body()
    );
    let index = catalog().iter().find(|d| d.id == ARGO_INDEX).unwrap();
    let mut q = TableQuery::parse("file,date", index, now()).unwrap();
    assert!(q.add_cf_variables(index).unwrap_err().to_string().contains("cdm_data_type must be TimeSeries"));
}

/// Rows for `platform_number, cycle_number, longitude, latitude, time, pres, temp`: two floats, float B
/// listed first, float A with two cycles.
fn trajectory_profile_rows() -> (Columns, Vec<Vec<Cell>>) {
    let q = parse("platform_number,cycle_number,longitude,latitude,time,pres,temp").unwrap();
    let cols = Columns::new(argo(), &q.results);
    let row = |p: &str, c: f64, lon: f64, t: f64, pres: f64, temp: f64| {
        vec![
            Cell::Text(p.into()),
            Cell::Num(c),
            Cell::Num(lon),
            Cell::Num(10.0),
            Cell::Num(t),
            Cell::Num(pres),
            Cell::Num(temp),
        ]
    };
    let rows = vec![
        row("6902746", 2.0, -58.0, 2e9, 5.0, 20.5),
        row("1900001", 7.0, 150.0, 1e9, 1.0, 25.0),
        row("6902746", 1.0, -57.0, 1.5e9, 3.0, 21.0),
        row("1900001", 7.0, 150.0, 1e9, 2.0, 24.0),
        row("6902746", 2.0, -58.0, 2e9, 6.0, 20.0),
        row("6902746", 1.0, -57.0, 1.5e9, 4.0, f64::NAN),
    ];
    (cols, rows)
}

#[test]
fn nccf_trajectory_profile_is_erddaps_ragged_layout() {
    let (cols, rows) = trajectory_profile_rows();
    let bytes =
        nc_cf(&cols, &rows, argo(), "2026-11-23T12:00:00Z http://h/erddap/tabledap/ArgoFloats.ncCF?pres").unwrap();
    let nc = formats::netcdf::NcFile::parse(&bytes).unwrap();
    let dims: Vec<(&str, usize)> = nc.dims.iter().map(|d| (d.name, d.len)).collect();
    assert_eq!(dims, [("trajectory", 2), ("profile", 3), ("obs", 6), ("platform_number_strlen", 7)]);
    let order: Vec<&str> = nc.vars.iter().map(|v| v.name).collect();
    assert_eq!(
        order,
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
    // Sorted by platform, then cycle; rows keep their order inside a profile.
    assert_eq!(nc.i32s(nc.var("trajectoryIndex").unwrap()).unwrap(), [0, 1, 1]);
    assert_eq!(nc.i32s(nc.var("rowSize").unwrap()).unwrap(), [2, 2, 2]);
    assert_eq!(nc.i32s(nc.var("cycle_number").unwrap()).unwrap(), [7, 1, 2]);
    assert_eq!(nc.f32s(nc.var("pres").unwrap()).unwrap(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let lon = nc.var("longitude").unwrap();
    assert_eq!(lon.dim_ids.len(), 1);
    assert_eq!(nc.dims[lon.dim_ids[0]].name, "profile");
    let pn = nc.var("platform_number").unwrap();
    assert_eq!(nc.dims[pn.dim_ids[0]].name, "trajectory");
    let text = |v: &str, a: &str| nc.var(v).unwrap().attr(a).and_then(|x| x.as_text().map(|c| c.into_owned()));
    assert_eq!(text("trajectoryIndex", "instance_dimension").as_deref(), Some("trajectory"));
    assert_eq!(
        text("trajectoryIndex", "long_name").as_deref(),
        Some("The trajectory to which this profile is associated.")
    );
    assert_eq!(text("rowSize", "sample_dimension").as_deref(), Some("obs"));
    assert_eq!(text("rowSize", "long_name").as_deref(), Some("Number of Observations for this Profile"));
    assert_eq!(text("temp", "coordinates").as_deref(), Some("time latitude longitude pres"));
    assert_eq!(text("pres", "coordinates"), None);
    assert_eq!(text("time", "coordinates"), None);
    assert_eq!(nc.attr("featureType").unwrap().as_text().as_deref(), Some("TrajectoryProfile"));
    assert_eq!(nc.attr("Conventions").unwrap().as_text().as_deref(), Some("Argo-3.1, CF-1.10, COARDS, ACDD-1.3"));
    assert_eq!(nc.attr("cdm_data_type").unwrap().as_text().as_deref(), Some("TrajectoryProfile"));
    assert!(nc.attr("history").unwrap().as_text().unwrap().ends_with("ArgoFloats.ncCF?pres"));
}

#[test]
fn nccf_time_series_puts_row_size_after_the_station_variables() {
    let ndbc = catalog().iter().find(|d| d.id == NDBC_STDMET).unwrap();
    let mut q = TableQuery::parse("time,wtmp", ndbc, now()).unwrap();
    q.add_cf_variables(ndbc).unwrap();
    let cols = Columns::new(ndbc, &q.results);
    let row = |s: &str, lon: f64, t: f64, w: f64| {
        vec![Cell::Text(s.into()), Cell::Num(lon), Cell::Num(40.0), Cell::Num(t), Cell::Num(w)]
    };
    let rows = vec![row("B", -70.0, 1.0, 10.0), row("A", -60.0, 2.0, 11.0), row("B", -70.0, 3.0, 12.0)];
    let nc_bytes = nc_cf(&cols, &rows, ndbc, "h").unwrap();
    let nc = formats::netcdf::NcFile::parse(&nc_bytes).unwrap();
    let order: Vec<&str> = nc.vars.iter().map(|v| v.name).collect();
    assert_eq!(order, ["station", "longitude", "latitude", "rowSize", "time", "wtmp"]);
    assert_eq!(nc.i32s(nc.var("rowSize").unwrap()).unwrap(), [1, 2]);
    assert_eq!(nc.f32s(nc.var("wtmp").unwrap()).unwrap(), [11.0, 10.0, 12.0]);
    let coords = nc.var("wtmp").unwrap().attr("coordinates").and_then(|a| a.as_text().map(|c| c.into_owned()));
    assert_eq!(coords.as_deref(), Some("time latitude longitude"));
    assert_eq!(nc.attr("Conventions").unwrap().as_text().as_deref(), Some("CF-1.10, COARDS, ACDD-1.3"));
}

#[test]
fn min_and_max_values_resolve_to_the_dataset_extremes() {
    let mut q =
        parse("time,pres&time>=max(time)-7days&latitude>min(latitude)+10&cycle_number<=max(cycle_number)").unwrap();
    let (time, lat, cycle) = (
        argo().var_index("time").unwrap(),
        argo().var_index("latitude").unwrap(),
        argo().var_index("cycle_number").unwrap(),
    );
    assert_eq!(q.extremes(), [(time, true), (lat, false), (cycle, true)]);
    let known = |v: usize, max: bool| match (v, max) {
        (v, true) if v == time => Some(1.7e9),
        (v, false) if v == lat => Some(-60.5),
        (v, true) if v == cycle => Some(34.0),
        _ => None,
    };
    q.resolve_extremes(argo(), &known).unwrap();
    assert_eq!(q.constraints[0].value, Rhs::Num(1.7e9 - 7.0 * 86400.0));
    assert_eq!(q.constraints[1].value, Rhs::Num(-50.5));
    assert_eq!(q.constraints[2].value, Rhs::Num(34.0));
    assert_eq!(q.bounds(time), (1.7e9 - 7.0 * 86400.0, f64::INFINITY));
    // Months move the calendar date.
    let mut m = parse("time&time>=max(time)-1month").unwrap();
    m.resolve_extremes(argo(), &|_, _| Some(1_709_251_200.0)).unwrap(); // 2024-03-01
    assert_eq!(m.constraints[0].value, Rhs::Num(1_706_745_600.0)); // 2024-02-01
    // An unknown extreme is ERDDAP's 400.
    let mut u = parse("time&pres<max(pres)").unwrap();
    let e = u.resolve_extremes(argo(), &|_, _| None).unwrap_err();
    assert_eq!(
        e.message(),
        "Bad Request: Query error: \"max(pres)\" is not allowed because the maximum value isn't known."
    );
    assert_eq!(parse("time&time>max(time").unwrap_err().to_string(), "Query error: ')' not found after \"max(\".");
    assert!(parse("time&time>max(nope)").unwrap_err().to_string().contains("nope"));
    assert!(parse("time&pres>max(pres)-2days").is_err(), "units only for times");
    assert!(parse("time&time>max(time)*2").is_err());
    // A string constraint on a min() value is still a min() value (ERDDAP: unknown extreme).
    assert!(matches!(
        parse("time&platform_number>=min(platform_number)").unwrap().constraints[0].value,
        Rhs::Extreme { .. }
    ));
}

#[test]
fn add_variables_where_appends_matching_variables() {
    let q = parse("platform_number&addVariablesWhere(%22ioos_category%22,%22Temperature%22)").unwrap();
    assert_eq!(names(&q), ["platform_number", "temp", "temp_adjusted"]);
    // Already listed variables stay where they are; the numeric attribute compares by its text.
    let q = parse("temp,time&addVariablesWhere(\"ioos_category\",\"Temperature\")&orderBy(\"temp_adjusted\")").unwrap();
    assert_eq!(names(&q), ["temp", "time", "temp_adjusted"]);
    let q = parse("time&addVariablesWhere(\"C_format\",\"%9.3f\")").unwrap();
    assert!(names(&q).starts_with(&["time", "temp", "temp_adjusted"]), "{:?}", names(&q));
    let e = parse("time&addVariablesWhere(\"ioos_category\")").unwrap_err();
    assert_eq!(
        e.to_string(),
        "Query error: &addVariablesWhere() MUST have 2 parameters: attributeName and attributeValue."
    );
    // No match adds nothing.
    assert_eq!(names(&parse("time&addVariablesWhere(\"ioos_category\",\"Nope\")").unwrap()), ["time"]);
}

#[test]
fn advanced_search_bounds() {
    let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    let p = SearchParams::from_pairs(&pairs(&[("minLon", "-60"), ("maxLat", "20"), ("minTime", "now-7days")]), now())
        .unwrap();
    assert_eq!(p.lon, Some((-60.0, 180.0)));
    assert_eq!(p.lat, Some((-90.0, 20.0)));
    assert_eq!(p.time, Some((now().timestamp() as f64 - 7.0 * 86400.0, f64::INFINITY)));
    assert!(p.has_extent());
    // Datasets without the bounded variable drop out before the store is asked (the index has no `time`).
    let p = SearchParams::from_pairs(&pairs(&[("searchFor", "argo"), ("minTime", "2020-01-01")]), now()).unwrap();
    let ids: Vec<&str> = search_datasets(catalog(), &p).unwrap().iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, [ARGO_CORE, ARGO_SYNTHETIC_BGC]);
    let e = SearchParams::from_pairs(&pairs(&[("minLat", "30"), ("maxLat", "10")]), now()).unwrap_err();
    assert_eq!(e.to_string(), "Query error: minLat=30 is greater than maxLat=10.");
    assert!(SearchParams::from_pairs(&pairs(&[("minTime", "yesterday")]), now()).is_err());
    assert!(SearchParams::from_pairs(&pairs(&[("minLon", "west")]), now()).is_err());
}

proptest! {
    #[test]
    fn parser_never_panics(raw in ".{0,200}") {
        let _ = parse(&raw);
        let _ = split_query(&raw);
        let _ = form_pairs(&raw);
    }

    #[test]
    fn parser_never_panics_on_grammar_like_input(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("time".to_string()), Just("pres".to_string()), Just("platform_number".to_string()),
                Just("%".to_string()), Just("%2".to_string()), Just("\"".to_string()), Just("(".to_string()),
                Just(")".to_string()), Just("&".to_string()), Just(",".to_string()), Just("=~".to_string()),
                Just("!=".to_string()), Just("<=".to_string()), Just(">".to_string()), Just("now-".to_string()),
                Just("orderByClosest(".to_string()), Just("orderByLimit(".to_string()), Just("distinct()".to_string()),
                Just("units(".to_string()), Just("polygon=".to_string()), Just("[[".to_string()), Just("NaN".to_string()),
                Just("1.6E9".to_string()), Just("2020-13-45T99".to_string()), Just("min(".to_string()), Just("max(".to_string()),
                Just("addVariablesWhere(".to_string()), Just("é".to_string()), Just("+".to_string()), Just("\\".to_string()), "[a-z0-9/:. -]{0,6}",
            ],
            0..24,
        )
    ) {
        let raw: String = parts.concat();
        let _ = parse(&raw);
    }
}
