//! Explicit positions: latitude/longitude boxes ("5°S–5°N, 85°E–95°E", "lat 40 to 50 N and lon 170E to
//! 170W"), points ("10N 120W"), and great-circle buffers ("within 200 km of 35N, 120W", "within 50
//! nautical miles of Monterey Bay"). A box whose longitudes run across ±180 is split there.

use crate::gazetteer;
use crate::geometry::Area;
use crate::text::Text;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Axis {
    Lat,
    Lon,
}

#[derive(Debug, Clone, Copy)]
struct Coord {
    at: usize,
    end: usize,
    value: f64,
    axis: Option<Axis>,
    tagged: bool,
}

fn hemisphere(w: &str) -> Option<(Axis, f64)> {
    Some(match w {
        "n" | "north" | "nord" | "norte" => (Axis::Lat, 1.0),
        "s" | "south" | "sud" | "sur" | "sul" => (Axis::Lat, -1.0),
        "e" | "east" | "est" | "este" => (Axis::Lon, 1.0),
        "w" | "west" | "oeste" | "ouest" => (Axis::Lon, -1.0),
        _ => return None,
    })
}

const CONNECT: &[&str] = &["to", "-", "and", "a", "et", "y", "e", "through", "ate", "hasta", "au", "until"];

fn scan(text: &Text) -> Vec<Coord> {
    let mut out = Vec::new();
    let mut ctx: Option<(Axis, usize)> = None;
    let mut i = 0;
    while i < text.len() {
        let t = &text.toks[i];
        if t.used {
            i += 1;
            continue;
        }
        match t.s.as_str() {
            "lat" | "latitude" | "latitudes" | "latitud" => ctx = Some((Axis::Lat, i)),
            "lon" | "long" | "longitude" | "longitudes" | "longitud" | "lng" => ctx = Some((Axis::Lon, i)),
            _ => {}
        }
        if let Some(v) = t.num {
            let next = text.free(i + 1);
            let after = text.toks.get(i + 2);
            let tag = next.and_then(hemisphere).filter(|_| {
                // "300 e 700 m" is a conjunction, not east
                let w = next.unwrap_or("");
                !(matches!(w, "e" | "s") && after.is_some_and(|a| a.num.is_some()) && !text.toks[i + 1].glued)
            });
            if let Some((axis, sign)) = tag {
                out.push(Coord { at: i, end: i + 2, value: v.abs() * sign, axis: Some(axis), tagged: true });
                i += 2;
                continue;
            }
            let in_ctx = ctx.is_some_and(|(_, at)| i - at <= 6);
            if in_ctx && (-180.0..=360.0).contains(&v) {
                out.push(Coord { at: i, end: i + 1, value: v, axis: ctx.map(|c| c.0), tagged: false });
            } else {
                out.push(Coord { at: i, end: i + 1, value: v, axis: None, tagged: false });
            }
        }
        i += 1;
    }
    // Untagged members of a range take their partner's hemisphere: "40 to 50 N".
    for k in 0..out.len() {
        if out[k].tagged {
            continue;
        }
        if k + 1 < out.len() && out[k + 1].tagged {
            let gap_ok = (out[k].end..out[k + 1].at).all(|j| text.word(j).is_some_and(|w| CONNECT.contains(&w)));
            if gap_ok && out[k + 1].at - out[k].end <= 2 {
                let sign = out[k + 1].value.signum();
                let v = out[k].value;
                out[k].axis = out[k + 1].axis;
                out[k].value = if v < 0.0 { v } else { v * if sign < 0.0 { -1.0 } else { 1.0 } };
                out[k].tagged = true;
            }
        }
    }
    out.retain(|c| c.axis.is_some());
    out
}

fn distance_km(text: &Text, i: usize) -> Option<(f64, usize, &'static str)> {
    let v = text.num(i)?;
    let u = text.free(i + 1)?;
    let u2 = text.free(i + 2);
    Some(match (u, u2) {
        ("nautical", Some("miles" | "mile")) => (v * 1.852, 3, "nautical miles"),
        ("km" | "kms" | "kilometers" | "kilometres" | "kilometer" | "kilometre" | "kilometros" | "quilometros", _) => {
            (v, 2, "km")
        }
        ("nm" | "nmi", _) => (v * 1.852, 2, "nautical miles"),
        ("miles" | "mile" | "mi", _) => (v * 1.609344, 2, "miles"),
        ("millas", Some("nauticas")) => (v * 1.852, 3, "nautical miles"),
        ("milles", Some("nautiques" | "marins")) => (v * 1.852, 3, "nautical miles"),
        _ => return None,
    })
}

fn fmt_lat(v: f64) -> String {
    format!("{}°{}", trim(v.abs()), if v < 0.0 { "S" } else { "N" })
}

fn fmt_lon(v: f64) -> String {
    format!("{}°{}", trim(v.abs()), if v < 0.0 { "W" } else { "E" })
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A latitude band without longitudes ("between 40S and 50S"): it narrows a named region, or is the
/// whole band around the globe.
pub fn lat_band(text: &mut Text) -> Option<(f64, f64)> {
    let cs = scan(text);
    let lats: Vec<&Coord> = cs.iter().filter(|c| c.axis == Some(Axis::Lat) && c.tagged).collect();
    let lons = cs.iter().filter(|c| c.axis == Some(Axis::Lon)).count();
    if lats.len() != 2 || lons != 0 {
        return None;
    }
    let (a, b) = (lats[0].value, lats[1].value);
    if !(-90.0..=90.0).contains(&a) || !(-90.0..=90.0).contains(&b) || a == b {
        return None;
    }
    let (s, e) = (lats[0].at, lats[1].end);
    let start = if s > 0 && matches!(text.free(s - 1), Some("between" | "from" | "entre")) { s - 1 } else { s };
    text.claim(start, e - start);
    Some((a.min(b), a.max(b)))
}

/// Parses and claims explicit coordinates; `None` when the question has none.
pub fn parse(text: &mut Text) -> Option<Area> {
    // A radius: "within N km of", "N km around/from/of", "N km radius".
    let mut radius: Option<(f64, String, usize, usize)> = None;
    for i in 0..text.len() {
        if let Some((km, n, unit)) = distance_km(text, i) {
            let before = i.checked_sub(1).and_then(|k| text.word(k));
            let after = text.free(i + n);
            if matches!(before, Some("within" | "dentro" | "moins" | "menos" | "radius" | "radio" | "rayon" | "raio"))
                || matches!(after, Some("of" | "around" | "from" | "radius" | "de" | "autour" | "alrededor"))
            {
                let start = if matches!(before, Some("within" | "radius")) { i - 1 } else { i };
                let mut end = i + n;
                if matches!(text.free(end), Some("of" | "around" | "from" | "radius" | "de" | "autour" | "alrededor")) {
                    end += 1;
                }
                radius = Some((km, format!("{} {unit}", trim(text.num(i).unwrap_or(0.0))), start, end));
                break;
            }
        }
    }
    if let Some((km, label, start, end)) = radius {
        // the centre: a named place or a coordinate pair right after
        let mut j = end;
        while matches!(text.free(j), Some("the" | "a" | "la" | "le" | "el" | "o")) {
            j += 1;
        }
        if let Some((lat, lon, _, name, n)) = gazetteer::point_at(text, j) {
            text.claim(start, j + n - start);
            return Some(Area::circle(lat, lon, km, format!("within {label} of {name}")));
        }
        let cs = scan(text);
        let lat = cs.iter().find(|c| c.axis == Some(Axis::Lat) && c.at >= j && c.at <= j + 4);
        let lon = cs.iter().find(|c| c.axis == Some(Axis::Lon) && c.at >= j && c.at <= j + 6);
        if let (Some(a), Some(b)) = (lat, lon) {
            let (la, lo, e) = (a.value, b.value, a.end.max(b.end));
            text.claim(start, e - start);
            return Some(Area::circle(la, lo, km, format!("within {label} of {} {}", fmt_lat(la), fmt_lon(lo))));
        }
        // untagged "35.2, -120.5"
        if let (Some(a), Some(b)) = (text.num(j), text.num(j + 1).or_else(|| text.num(j + 2))) {
            let e = if text.num(j + 1).is_some() { j + 2 } else { j + 3 };
            if a.abs() <= 90.0 && b.abs() <= 180.0 {
                text.claim(start, e - start);
                return Some(Area::circle(a, b, km, format!("within {label} of {} {}", fmt_lat(a), fmt_lon(b))));
            }
        }
    }
    let cs = scan(text);
    let lats: Vec<&Coord> = cs.iter().filter(|c| c.axis == Some(Axis::Lat)).collect();
    let lons: Vec<&Coord> = cs.iter().filter(|c| c.axis == Some(Axis::Lon)).collect();
    let claim_all = |text: &mut Text, list: &[&Coord]| {
        for c in list {
            text.claim(c.at, c.end - c.at);
        }
    };
    if lats.len() >= 2 && lons.len() >= 2 && lats.iter().chain(&lons).any(|c| c.tagged || c.axis.is_some()) {
        let (s, n) = (lats[0].value.min(lats[1].value), lats[0].value.max(lats[1].value));
        let (mut w, mut e) = (lons[0].value, lons[1].value);
        if (e - w).rem_euclid(360.0) > 180.0 {
            std::mem::swap(&mut w, &mut e);
        }
        if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) || s == n || w == e {
            return None;
        }
        claim_all(text, &lats[..2]);
        claim_all(text, &lons[..2]);
        for k in ["box", "bbox", "lat", "latitude", "latitudes", "lon", "longitude", "longitudes", "long"] {
            if let Some(i) = text.find(k) {
                text.claim(i, 1);
            }
        }
        let label = format!("box {}–{}, {}–{}", fmt_lat(s), fmt_lat(n), fmt_lon(w), fmt_lon(e));
        return Some(Area::bbox(w, s, e, n, label));
    }
    // a point: hemisphere letters ("10N 120W") or lat/lon words ("lat 35 lon -120")
    if lats.len() == 1 && lons.len() == 1 {
        let (la, lo) = (lats[0].value, lons[0].value);
        if !(-90.0..=90.0).contains(&la) {
            return None;
        }
        claim_all(text, &[lats[0], lons[0]]);
        return Some(Area::circle(la, lo, 100.0, format!("within 100 km of {} {}", fmt_lat(la), fmt_lon(lo))));
    }
    None
}
