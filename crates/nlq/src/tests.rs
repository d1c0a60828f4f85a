//! Unit tests of the NLQ parser, one section per phrase family. The reference date is Sunday 2025-06-15
//! unless a test says otherwise.

use chrono::NaiveDate;

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn p(q: &str) -> Interpretation {
    parse(q, d("2025-06-15"))
}

fn time(q: &str) -> Option<(String, String)> {
    p(q).time.map(|t| (t.start.to_string(), t.end.to_string()))
}

fn span(a: &str, b: &str) -> Option<(String, String)> {
    Some((a.to_string(), b.to_string()))
}

fn vars(q: &str) -> Vec<&'static str> {
    p(q).variables.iter().map(|v| v.name()).collect()
}

fn inside(it: &Interpretation, lat: f64, lon: f64) -> bool {
    it.region.as_ref().expect("a region").contains(lat, lon)
}

/// Every ring closed, longitudes within [-180, 180], no edge longer than 180° of longitude.
fn valid_geojson(it: &Interpretation) {
    for r in &it.region.as_ref().unwrap().polygons {
        assert!(r.len() >= 4);
        assert_eq!(r.first(), r.last());
        for w in r.windows(2) {
            assert!((-180.0..=180.0).contains(&w[0].0));
            assert!((w[1].0 - w[0].0).abs() <= 180.0, "edge {w:?} spans the globe");
        }
    }
}

// ---- normalising and typos

#[test]
fn typos_and_accents_are_normalised() {
    let t = vocabulary::read("avrage salnity in the gulf of mexcio for febuary 2024");
    let words: Vec<&str> = t.toks.iter().map(|t| t.s.as_str()).collect();
    assert_eq!(words, ["average", "salinity", "in", "the", "gulf", "of", "mexico", "for", "february", "2024"]);
    let t = vocabulary::read("salinité moyenne à 5°S–5°N, -1 °C, 1,000 m");
    let words: Vec<&str> = t.toks.iter().map(|t| t.s.as_str()).collect();
    assert_eq!(words, ["salinite", "moyenne", "a", "5", "s", "-", "5", "n", ",", "-1", "c", ",", "1000", "m"]);
    assert_eq!(vars("whats the temprature trend in the meditteranean sea last 20 yrs"), ["temperature"]);
}

#[test]
fn odd_input_never_panics() {
    for q in [
        "",
        "   ",
        "🌊🌊🌊",
        "99999999999999999999 days ago",
        "last 9999999999 weeks",
        "within 1e9 km of 91N 500E",
        "ÆØÅ 北太平洋",
        "-",
        "--5",
        "2024-13-45",
        "between 2024-02-30 and 1 Feb",
    ] {
        let _ = p(q);
    }
}

// ---- variables and synonyms

#[test]
fn variable_synonyms() {
    assert_eq!(vars("SST in the Coral Sea"), ["sst"]);
    assert_eq!(vars("sea surface temperature in the Coral Sea"), ["sst"]);
    assert_eq!(vars("water temp in the Coral Sea"), ["temperature"]);
    assert_eq!(vars("how salty is the Red Sea"), ["salinity"]);
    assert_eq!(vars("DO in Chesapeake Bay"), ["oxygen"]);
    assert_eq!(vars("dissolved oxygen in Chesapeake Bay"), ["oxygen"]);
    assert_eq!(vars("chl in Monterey Bay"), ["chlorophyll"]);
    assert_eq!(vars("pH at Palau reefs"), ["ph"]);
    assert_eq!(vars("heat stress at Palau"), ["dhw"]);
    assert_eq!(vars("bleaching risk at Palau"), ["baa"]);
    assert_eq!(vars("SST anomaly at Palau"), ["sst_anomaly"]);
    assert_eq!(vars("temperature and salinity profiles in the Tasman Sea"), ["temperature", "salinity"]);
    assert_eq!(vars("température de surface de la mer en Méditerranée"), ["sst"]);
}

// ---- regions: gazetteer, antimeridian, places, coordinates

#[test]
fn bering_sea_is_split_at_the_antimeridian() {
    let it = p("average SST in the Bering Sea");
    valid_geojson(&it);
    assert!(it.region.as_ref().unwrap().polygons.len() >= 2);
    assert!(inside(&it, 58.0, -175.0) && inside(&it, 60.0, 179.0));
    assert!(!inside(&it, 58.0, -150.0) && !inside(&it, 45.0, 170.0));
}

#[test]
fn fiji_buffer_crosses_the_antimeridian() {
    let it = p("chlorophyll in Fijian waters");
    valid_geojson(&it);
    assert!(inside(&it, -17.0, 179.5) && inside(&it, -18.4, -178.6));
    assert!(!inside(&it, -13.8, -172.0) && !inside(&it, -17.8, 150.0));
}

#[test]
fn north_pacific_spans_both_sides_of_the_antimeridian_north_of_the_equator() {
    let it = p("temperature in the North Pacific");
    valid_geojson(&it);
    assert!(inside(&it, 35.0, -160.0) && inside(&it, 30.0, 170.0) && inside(&it, 58.0, -175.0));
    assert!(!inside(&it, -20.0, -150.0) && !inside(&it, 35.0, -40.0) && !inside(&it, 25.0, -90.0));
}

#[test]
fn boxes_and_radii() {
    let it = p("temperature for lat 40 to 50 N and lon 170E to 170W");
    valid_geojson(&it);
    assert_eq!(it.region.as_ref().unwrap().polygons.len(), 2);
    assert!(inside(&it, 45.0, 175.0) && inside(&it, 45.0, -175.0) && !inside(&it, 45.0, 160.0));
    let it = p("salinity in the box 5°S–5°N, 85°E–95°E");
    assert!(inside(&it, 0.0, 90.0) && !inside(&it, -7.0, 90.0) && !inside(&it, 0.0, 97.0));
    let it = p("dissolved oxygen within 150 km of 12N 66E");
    assert!(inside(&it, 12.8, 66.5) && !inside(&it, 12.0, 69.0));
    assert_eq!(it.region.as_ref().unwrap().polygons[0].len(), 65, "a 64-vertex circle, closed");
    let it = p("chlorophyll within 50 nautical miles of Monterey Bay");
    assert!(inside(&it, 36.8, -122.1) && !inside(&it, 36.8, -124.0));
    let it = p("temperature within 300 km of 0N 180E");
    valid_geojson(&it);
    assert!(inside(&it, 0.0, 179.0) && inside(&it, 0.0, -179.0));
    let it = p("SST near 10N 120W");
    assert!(inside(&it, 10.3, -120.2) && !inside(&it, 12.0, -120.0));
}

#[test]
fn named_places_and_unions() {
    let it = p("DHW at Lizard Island");
    assert!(inside(&it, -14.69, 145.48) && !inside(&it, -14.67, 150.0));
    let it = p("average SST across the Great Barrier Reef");
    assert!(inside(&it, -21.0, 151.0) && !inside(&it, -27.5, 153.5));
    let it = p("compare SST in the Sea of Japan and the Yellow Sea");
    assert_eq!(it.agg, Agg::Compare);
    assert!(inside(&it, 40.0, 135.0) && inside(&it, 35.0, 123.0) && !inside(&it, 30.0, 140.0));
    let it = p("max chlorophyl off the coast of Namibia");
    assert!(inside(&it, -23.0, 13.5) && !inside(&it, -23.0, 2.0));
    let it = p("salinité moyenne dans le golfe de Gascogne");
    assert!(inside(&it, 45.5, -4.0));
}

// ---- time

#[test]
fn relative_days_weeks_months_years() {
    assert_eq!(time("SST in the Coral Sea today"), span("2025-06-15", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea yesterday"), span("2025-06-14", "2025-06-14"));
    assert_eq!(time("SST in the Coral Sea in the last 48 hours"), span("2025-06-13", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea over the past 10 days"), span("2025-06-05", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea over the last 4 weeks"), span("2025-05-18", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea for the last three months"), span("2025-03-15", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea over the past 5 years"), span("2020-06-15", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea last week"), span("2025-06-02", "2025-06-08"));
    assert_eq!(time("SST in the Coral Sea this week"), span("2025-06-09", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea last month"), span("2025-05-01", "2025-05-31"));
    assert_eq!(time("SST in the Coral Sea this month"), span("2025-06-01", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea so far this year"), span("2025-01-01", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea last year"), span("2024-01-01", "2024-12-31"));
    assert_eq!(time("SST in the Coral Sea in the past year"), span("2024-06-15", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea since 2015"), span("2015-01-01", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea over the last decade"), span("2015-06-15", "2025-06-15"));
}

#[test]
fn explicit_dates_months_and_ranges() {
    assert_eq!(time("SST in the Coral Sea from 1 to 15 May 2025"), span("2025-05-01", "2025-05-15"));
    assert_eq!(time("SST in the Coral Sea from April to May 2024"), span("2024-04-01", "2024-05-31"));
    assert_eq!(time("SST in the Coral Sea for febuary 2024"), span("2024-02-01", "2024-02-29"));
    assert_eq!(time("SST in the Coral Sea from 2024-07-01 to 2024-07-31"), span("2024-07-01", "2024-07-31"));
    assert_eq!(time("SST in the Coral Sea over 2005-2024"), span("2005-01-01", "2024-12-31"));
    assert_eq!(time("SST in the Coral Sea during 2022"), span("2022-01-01", "2022-12-31"));
    assert_eq!(time("SST in the Coral Sea in March"), span("2025-03-01", "2025-03-31"));
    assert_eq!(time("SST in the Coral Sea in September"), span("2024-09-01", "2024-09-30"));
    assert_eq!(time("SST in the Coral Sea on May 3, 2024"), span("2024-05-03", "2024-05-03"));
    assert_eq!(time("SST in the Coral Sea in the 1990s"), span("1990-01-01", "1999-12-31"));
    assert_eq!(
        time("temperatura máxima da água no Atlântico Sul em janeiro de 2025"),
        span("2025-01-01", "2025-01-31")
    );
    assert_eq!(time("température moyenne en mer du Nord les 30 derniers jours"), span("2025-05-16", "2025-06-15"));
    assert_eq!(time("temperatura en el Mar Mediterráneo el mes pasado"), span("2025-05-01", "2025-05-31"));
}

#[test]
fn seasons_follow_the_hemisphere() {
    // north
    assert_eq!(time("salinity in the Irish Sea during autumn 2024"), span("2024-09-01", "2024-11-30"));
    assert_eq!(time("SST in the Sea of Japan for winter 2025"), span("2024-12-01", "2025-02-28"));
    assert_eq!(time("Kaneohe Bay heat stress last summer"), span("2024-06-01", "2024-08-31"));
    // south: the region decides, or the word austral
    assert_eq!(time("minimum temperature in the Ross Sea during winter 2024"), span("2024-06-01", "2024-08-31"));
    assert_eq!(time("mean temperature in the Drake Passage last austral summer"), span("2024-12-01", "2025-02-28"));
    assert_eq!(time("SST in the Tasman Sea last summer"), span("2024-12-01", "2025-02-28"));
    assert_eq!(time("SST in the Tasman Sea in spring 2024"), span("2024-09-01", "2024-11-30"));
    assert_eq!(time("average DHW in the Coral Sea during the 2024 austral summer"), span("2023-12-01", "2024-02-29"));
}

// ---- depth

#[test]
fn depth_phrases() {
    let depth = |q: &str| p(q).depth.map(|d| (d.min, d.max));
    assert_eq!(depth("surface salinity in the Irish Sea"), Some((Some(0.0), Some(10.0))));
    assert_eq!(depth("sea surface temperature in the Irish Sea"), None);
    assert_eq!(depth("water temperature at 20 m depth at Davies Reef"), Some((Some(20.0), Some(20.0))));
    assert_eq!(depth("temperature below 800 m in the Gulf of Alaska"), Some((Some(800.0), None)));
    assert_eq!(depth("salinity between 300 and 700 metres in the Norwegian Sea"), Some((Some(300.0), Some(700.0))));
    assert_eq!(depth("oxygen in the top 200 m of the Gulf of Oman"), Some((Some(0.0), Some(200.0))));
    assert_eq!(depth("temperature at 1,000 m in the Sargasso Sea"), Some((Some(1000.0), Some(1000.0))));
    assert_eq!(depth("temperature deeper than 2 km in the Labrador Sea"), Some((Some(2000.0), None)));
    assert_eq!(depth("temperatura entre 300 y 700 m en el Mar Caribe"), Some((Some(300.0), Some(700.0))));
}

// ---- aggregation, platform, value filters

#[test]
fn aggregations() {
    let agg = |q: &str| p(q).agg;
    assert_eq!(agg("show SST in the Coral Sea"), Agg::List);
    assert_eq!(agg("average SST in the Coral Sea"), Agg::Mean);
    assert_eq!(agg("median pH at reef sites in Palau"), Agg::Median);
    assert_eq!(agg("coldest water temperature in the Baltic"), Agg::Min);
    assert_eq!(agg("hottest SST in the Red Sea"), Agg::Max);
    assert_eq!(agg("How many floats were active in the Tasman Sea last month?"), Agg::Count);
    assert_eq!(agg("how has SST changed in the Coral Sea since 2000"), Agg::Trend);
    assert_eq!(agg("how did SST change in the North Atlantic over the past 30 years"), Agg::Trend);
    assert_eq!(agg("marine heatwaves in the Tasman Sea"), Agg::Anomaly);
    assert_eq!(agg("temperature anomalies in the Tasman Sea"), Agg::Anomaly);
    assert_eq!(agg("compare SST in the Red Sea and the Persian Gulf"), Agg::Compare);
    assert_eq!(agg("temperature vs depth in the Tasman Sea"), Agg::Profile);
    assert_eq!(agg("what did the Chesapeake Bay buoys last report for pH?"), Agg::Latest);
    assert_eq!(p("what did the Chesapeake Bay buoys last report for pH?").time, None);
}

#[test]
fn platforms_and_value_filters() {
    assert_eq!(p("Argo salinity in the Tasman Sea").platform, Some(NlqPlatform::Argo));
    assert_eq!(p("buoy water temperatures off Oahu").platform, Some(NlqPlatform::Buoy));
    assert_eq!(p("sea surface temperature at Tonga's reefs").platform, Some(NlqPlatform::Reef));
    assert_eq!(p("bleaching alert level at Ningaloo Reef").platform, None, "a reef's name is a place");
    assert_eq!(p("temperatures above 31 °C in the Gulf of Thailand").value_filter, Some((Op::Gt, 31.0)));
    assert_eq!(p("water colder than -1 °C below 500 m in the Greenland Sea").value_filter, Some((Op::Lt, -1.0)));
    assert_eq!(p("DHW above 4 at Palau").value_filter, Some((Op::Gt, 4.0)));
    assert_eq!(p("DHW of 8 or more at Palau").value_filter, Some((Op::Ge, 8.0)));
    let f = p("SST above 86 °F near Key West").value_filter.unwrap();
    assert_eq!(f.0, Op::Gt);
    assert!((f.1 - 30.0).abs() < 1e-9);
    assert_eq!(vars("where is the water colder than -1 °C in the Greenland Sea"), ["temperature"]);
}

// ---- clarify

#[test]
fn clarifications() {
    for q in [
        "show me the data",
        "temperature near Springfield",
        "salinity near Denver",
        "forecast the SST in the Coral Sea for next month",
        "what will SST be in the Coral Sea tomorrow",
        "delete all buoy records from 2020",
        "please drop the observations table",
        "SST in the Coral Sea in 2030",
        "temperature near Xanadoo",
    ] {
        assert!(p(q).clarify.is_some(), "{q} should ask back");
    }
    let c = p("temperature near Springfield").clarify.unwrap();
    assert!(c.message.contains("Springfield") && !c.choices.is_empty());
    assert!(p("temperature drop below 10 °C in the Baltic").clarify.is_none());
}

#[test]
fn follow_ups_reuse_the_previous_interpretation() {
    let now = d("2025-06-15");
    let first = parse("mean temperature below 200 m in the Tasman Sea last month", now);
    let next = parse_in_context("and at 1000 m?", now, Some(&first));
    assert!(next.clarify.is_none());
    assert_eq!(next.depth, Some(DepthRange { min: Some(1000.0), max: Some(1000.0) }));
    assert_eq!((next.agg, next.variables.clone(), next.time), (first.agg, first.variables.clone(), first.time));
    assert_eq!(next.region, first.region);
    let other = parse_in_context("what about last year?", now, Some(&first));
    assert_eq!(other.time.unwrap().start, d("2024-01-01"));
    assert_eq!(other.depth, first.depth);
    let fresh = parse_in_context("SST at Palau today", now, Some(&first));
    assert_eq!(fresh.variables, [NlqVariable::Sst]);
    assert_eq!(fresh.depth, None);
}

#[test]
fn summary_reads_the_interpretation_back() {
    let s = p("average SST in the Bering Sea for the last three months").summary();
    assert_eq!(s, "Mean sea surface temperature in Bering Sea from 2025-03-15 to 2025-06-15.");
}

#[test]
fn latitude_bands_narrow_a_named_region() {
    let it = p("temperature between 40S and 50S in the Indian Ocean last winter");
    valid_geojson(&it);
    assert!(inside(&it, -45.0, 80.0) && !inside(&it, -30.0, 80.0) && !inside(&it, -55.0, 80.0));
    assert_eq!(it.time.unwrap().start, d("2024-06-01"), "austral winter");
    let it = p("SST between 10N and 20N last week");
    assert!(inside(&it, 15.0, -150.0) && inside(&it, 15.0, 100.0) && !inside(&it, 25.0, 0.0));
    assert_eq!(vars("marine heatwaves off Western Australia"), ["sst"]);
    assert!(inside(&p("marine heatwaves off Western Australia"), -28.0, 112.0));
}

#[test]
fn season_codes_fortnights_and_profiles() {
    assert_eq!(time("salinity in the Solomon Sea during JJA 2024"), span("2024-06-01", "2024-08-31"));
    assert_eq!(time("salinity in the Tasman Sea in DJF 2024"), span("2023-12-01", "2024-02-29"));
    assert_eq!(time("water temperature around Samoa in the past fortnight"), span("2025-06-01", "2025-06-15"));
    assert_eq!(time("cuales son las temperaturas en el Mar Caribe hoy"), span("2025-06-15", "2025-06-15"));
    let it = p("How many profiles were collected in the Indian Ocean in 2024?");
    assert!(it.clarify.is_none());
    assert_eq!((it.agg, it.platform, it.variables.len()), (Agg::Count, Some(NlqPlatform::Argo), 0));
    assert_eq!(vars("temperatura superficial del mar en el Caribe la semana pasada"), ["sst"]);
}

#[test]
fn more_filters_futures_and_names() {
    assert_eq!(p("DHW greater than or equal to 4 at Palau").value_filter, Some((Op::Ge, 4.0)));
    assert_eq!(p("salinity less than or equal to 34 in the Bay of Bengal").value_filter, Some((Op::Le, 34.0)));
    assert_eq!(time("SST in the Sea of Japan in winter 2023/24"), span("2023-12-01", "2024-02-29"));
    assert!(p("will the Great Barrier Reef bleach next summer").clarify.is_some());
    assert!(p("temperature in Lake Superior").clarify.is_some());
    assert_eq!(p("drifters in the Gulf of Mexico").platform, Some(NlqPlatform::Buoy));
}

#[test]
fn points_by_words() {
    let it = p("SST near lat 35 lon -120 yesterday");
    assert!(inside(&it, 35.2, -120.3) && !inside(&it, 37.0, -120.0));
    let it = p("temperature within 50 km of lat -17.5, lon 179.9");
    valid_geojson(&it);
    assert!(inside(&it, -17.5, -179.8) && inside(&it, -17.5, 179.6));
}

#[test]
fn wide_boxes_and_polar_circles_stay_valid() {
    let it = p("SST between 10N and 90N");
    valid_geojson(&it);
    assert!(inside(&it, 45.0, 179.0) && inside(&it, 45.0, -179.0) && !inside(&it, 5.0, 0.0));
    let it = p("SST within 500 km of 89N 10E");
    valid_geojson(&it);
    assert!(inside(&it, 88.0, -170.0) && !inside(&it, 80.0, 10.0));
}

#[test]
fn common_words_are_not_corrected_into_places() {
    for (q, bad) in [
        ("SST in the Caribbean as a woman sees it", "Oman"),
        ("create a map of SST in the Coral Sea", "Crete"),
        ("pero la temperatura en el Caribe hoy", "Peru"),
    ] {
        let label = p(q).region.map(|r| r.label).unwrap_or_default();
        assert!(!label.contains(bad), "{q}: {label}");
    }
    assert_eq!(p("salinity in the gulf of mexcio").region.unwrap().label, "Gulf of Mexico");
}

#[test]
fn surface_to_depth() {
    let depth = |q: &str| p(q).depth.map(|d| (d.min, d.max));
    assert_eq!(depth("temperature from the surface to 200 m in the Coral Sea"), Some((Some(0.0), Some(200.0))));
    assert_eq!(depth("salinity between the surface and 500 m in the Coral Sea"), Some((Some(0.0), Some(500.0))));
    assert_eq!(depth("oxygen down to 1000 m in the Arabian Sea"), Some((Some(0.0), Some(1000.0))));
}

#[test]
fn german_and_italian_basics() {
    assert_eq!(time("Salzgehalt in der Ostsee seit 2015"), span("2015-01-01", "2025-06-15"));
    assert_eq!(vars("durchschnittliche Temperatur in der Nordsee im letzten Monat"), ["temperature"]);
    assert_eq!(p("durchschnittliche Temperatur in der Nordsee im letzten Monat").agg, Agg::Mean);
    assert_eq!(time("temperatura media nel Mar Mediterraneo il mese scorso"), span("2025-05-01", "2025-05-31"));
}

#[test]
fn quarters_and_year_to_date() {
    assert_eq!(time("SST in the Coral Sea in Q1 2024"), span("2024-01-01", "2024-03-31"));
    assert_eq!(time("SST in the Coral Sea in the third quarter of 2023"), span("2023-07-01", "2023-09-30"));
    assert_eq!(time("SST in the Coral Sea so far in 2025"), span("2025-01-01", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea since the start of the year"), span("2025-01-01", "2025-06-15"));
    assert_eq!(time("SST in the Coral Sea over the past couple of weeks"), span("2025-06-01", "2025-06-15"));
    assert_eq!(p("record high SST in the Coral Sea last year").agg, Agg::Max);
}
