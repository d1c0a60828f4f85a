//! ERDDAP's plain tables: `/info/{id}/index.*` (one row per attribute, `Erddap.doInfo`), the dataset
//! lists of `/info/index.*`, `/tabledap/index.*`, `/search/...` and `/categorize/...`
//! (`Erddap.makePlainDatasetTable`, Dataset ID last), and the category lists. Plain tables have no units
//! row and no `columnUnits`.

use chrono::{DateTime, Utc};

use crate::cell::{Cell, Column, Columns};
use crate::dataset::{AttrValue, DataType, Dataset};
use crate::error::ErddapError;
use crate::number::{java_double, java_float, java_int};
use crate::text::{TextFormat, TextWriter};
use crate::time::parse_time;

/// A table of strings.
#[derive(Debug, Clone, PartialEq)]
pub struct PlainTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl PlainTable {
    /// The table in a text layout; `.geoJson` and the NetCDF types are not offered for plain tables.
    pub fn write(&self, fmt: TextFormat) -> Result<Vec<u8>, ErddapError> {
        if fmt == TextFormat::GeoJson {
            return Err(ErddapError::Query("fileType=.geoJson is not supported for this request.".into()));
        }
        let cols = Columns {
            cols: self
                .columns
                .iter()
                .map(|c| Column {
                    name: c.clone(),
                    ty: DataType::String,
                    units: None,
                    is_time: false,
                    attrs: Vec::new(),
                })
                .collect(),
        };
        let mut w = TextWriter::new(fmt, cols, true)?;
        let mut out = Vec::new();
        w.begin(&mut out);
        for r in &self.rows {
            let cells: Vec<Cell> = r.iter().map(|s| Cell::Text(s.clone())).collect();
            w.row(&cells, &mut out);
        }
        w.end(&mut out);
        Ok(out)
    }
}

fn attr_value(v: &AttrValue) -> (String, String) {
    match v {
        AttrValue::Text(t) => ("String".into(), t.clone()),
        AttrValue::Numbers(ty, vals) => {
            let mut out = Vec::new();
            for (i, x) in vals.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                match ty {
                    DataType::Float => java_float(*x as f32, &mut out),
                    t if t.is_integer() => java_int(*x, &mut out),
                    _ => java_double(*x, &mut out),
                }
            }
            (ty.name().into(), String::from_utf8(out).unwrap_or_default())
        }
    }
}

/// `/info/{id}/index.*`: `Row Type, Variable Name, Attribute Name, Data Type, Value`.
pub fn info_table(ds: &Dataset) -> PlainTable {
    let mut rows = Vec::new();
    let mut globals = ds.globals.clone();
    globals.sort_by_key(|a| a.name.to_lowercase());
    for a in &globals {
        let (t, v) = attr_value(&a.value);
        rows.push(vec!["attribute".into(), "NC_GLOBAL".into(), a.name.clone(), t, v]);
    }
    for var in &ds.vars {
        rows.push(vec!["variable".into(), var.name.clone(), String::new(), var.ty.name().into(), String::new()]);
        let mut attrs = var.attrs.clone();
        attrs.sort_by_key(|a| a.name.to_lowercase());
        for a in &attrs {
            let (t, v) = attr_value(&a.value);
            rows.push(vec!["attribute".into(), var.name.clone(), a.name.clone(), t, v]);
        }
    }
    PlainTable {
        columns: ["Row Type", "Variable Name", "Attribute Name", "Data Type", "Value"].map(String::from).to_vec(),
        rows,
    }
}

/// The search summary: `{summary}\n\ncdm_data_type = X\nVARIABLES:\nname (long_name, units)\n...`.
fn search_summary(ds: &Dataset) -> String {
    let mut s = format!("{}\n\ncdm_data_type = {}\nVARIABLES:\n", ds.summary(), ds.cdm_data_type());
    const SHOWN: usize = 30;
    for v in ds.vars.iter().take(SHOWN) {
        let mut extra: Vec<&str> = Vec::new();
        if let Some(l) = v.text_attr("long_name").filter(|l| *l != v.name) {
            extra.push(l);
        }
        if let Some(u) = v.units() {
            extra.push(u);
        }
        if extra.is_empty() {
            s.push_str(&format!("{}\n", v.name));
        } else {
            s.push_str(&format!("{} ({})\n", v.name, extra.join(", ")));
        }
    }
    if ds.vars.len() > SHOWN {
        s.push_str(&format!("... ({} more variables)\n", ds.vars.len() - SHOWN));
    }
    s
}

/// The plain dataset table (`griddap, Subset, tabledap, ..., Institution, Dataset ID`) with links under
/// `base` (`http://host/erddap`) and `ext` for the info links.
pub fn dataset_table(datasets: &[&Dataset], base: &str, ext: &str) -> PlainTable {
    let columns = [
        "griddap",
        "Subset",
        "tabledap",
        "Make A Graph",
        "wms",
        "files",
        "Accessible",
        "Title",
        "Summary",
        "FGDC",
        "ISO 19115",
        "Info",
        "Background Info",
        "RSS",
        "Email",
        "Institution",
        "Dataset ID",
    ]
    .map(String::from)
    .to_vec();
    let mut sorted: Vec<&Dataset> = datasets.to_vec();
    sorted.sort_by_key(|d| d.title().to_lowercase());
    let rows = sorted
        .iter()
        .map(|d| {
            vec![
                String::new(),
                String::new(),
                format!("{base}/tabledap/{}", d.id),
                String::new(),
                String::new(),
                String::new(),
                "public".into(),
                d.title().to_string(),
                search_summary(d),
                String::new(),
                String::new(),
                format!("{base}/info/{}/index.{ext}", d.id),
                d.global("infoUrl").unwrap_or("").to_string(),
                String::new(),
                String::new(),
                d.institution().to_string(),
                d.id.clone(),
            ]
        })
        .collect();
    PlainTable { columns, rows }
}

/// The parameters of `/search/index.*` and `/search/advanced.*`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchParams {
    pub search_for: String,
    pub protocol: Option<String>,
    pub cdm_data_type: Option<String>,
    pub institution: Option<String>,
    pub ioos_category: Option<String>,
    pub keywords: Option<String>,
    pub long_name: Option<String>,
    pub standard_name: Option<String>,
    pub variable_name: Option<String>,
    /// Advanced search's `minLon`..`maxLon` (degrees east, -180..360), `None` when neither is given.
    pub lon: Option<(f64, f64)>,
    /// `minLat`..`maxLat`.
    pub lat: Option<(f64, f64)>,
    /// `minTime`..`maxTime` in epoch seconds (ISO 8601, epoch seconds or `now-7days`), inclusive.
    pub time: Option<(f64, f64)>,
}

impl SearchParams {
    /// Reads the parameters (`(ANY)` and empty mean no filter); `minLon > maxLon` is a 400, as is a
    /// bound that is not a number (or, for time, not a time). `now` resolves `now-7days`.
    pub fn from_pairs(pairs: &[(String, String)], now: DateTime<Utc>) -> Result<SearchParams, ErddapError> {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty() && v != "(ANY)")
        };
        let num = |k: &str| -> Result<Option<f64>, ErddapError> {
            get(k)
                .map(|v| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| ErddapError::Query(format!("{k}={v} is not a number.")))
                })
                .transpose()
        };
        let time = |k: &str| -> Result<Option<f64>, ErddapError> {
            get(k)
                .map(|v| {
                    parse_time(&v, now).map_err(ErddapError::Query).and_then(|t| {
                        if t.is_nan() { Err(ErddapError::Query(format!("{k}={v} is not a time."))) } else { Ok(t) }
                    })
                })
                .transpose()
        };
        let pair = |lo: Option<f64>, hi: Option<f64>, what: &str, (dlo, dhi): (f64, f64)| match (lo, hi) {
            (None, None) => Ok(None),
            (Some(a), Some(b)) if a > b => {
                Err(ErddapError::Query(format!("min{what}={a} is greater than max{what}={b}.")))
            }
            (a, b) => Ok(Some((a.unwrap_or(dlo), b.unwrap_or(dhi)))),
        };
        let (min_lon, max_lon) = (num("minLon")?, num("maxLon")?);
        // An open east edge stays on the side of the 0..360 or -180..180 convention the west edge uses.
        let lon_hi = if min_lon.is_some_and(|w| w > 180.0) { 360.0 } else { 180.0 };
        let lon = pair(min_lon, max_lon, "Lon", (-180.0, lon_hi))?;
        let lat = pair(num("minLat")?, num("maxLat")?, "Lat", (-90.0, 90.0))?;
        if let Some((s, n)) = lat
            && (s > 90.0 || n < -90.0)
        {
            return Err(ErddapError::Query(format!("minLat={s} and maxLat={n} are outside -90..90.")));
        }
        let time = pair(time("minTime")?, time("maxTime")?, "Time", (f64::NEG_INFINITY, f64::INFINITY))?;
        Ok(SearchParams {
            search_for: get("searchFor").unwrap_or_default(),
            protocol: get("protocol"),
            cdm_data_type: get("cdm_data_type"),
            institution: get("institution"),
            ioos_category: get("ioos_category"),
            keywords: get("keywords"),
            long_name: get("long_name"),
            standard_name: get("standard_name"),
            variable_name: get("variableName"),
            lon,
            lat,
            time,
        })
    }

    /// Whether the search has a lon, lat or time bound (which only the store can test).
    pub fn has_extent(&self) -> bool {
        self.lon.is_some() || self.lat.is_some() || self.time.is_some()
    }
}

fn search_text(ds: &Dataset) -> String {
    let mut s = format!("{} {}", ds.id, ds.title());
    for a in &ds.globals {
        if let AttrValue::Text(t) = &a.value {
            s.push(' ');
            s.push_str(t);
        }
    }
    for v in &ds.vars {
        s.push(' ');
        s.push_str(&v.name);
        for a in &v.attrs {
            if let AttrValue::Text(t) = &a.value {
                s.push(' ');
                s.push_str(t);
            }
        }
    }
    s.to_lowercase()
}

/// Words (and `"phrases"`) of a `searchFor`; a leading `-` excludes.
fn terms(q: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut rest = q.trim();
    while !rest.is_empty() {
        let (neg, r) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if let Some(r) = r.strip_prefix('"') {
            let end = r.find('"').unwrap_or(r.len());
            out.push((neg, r[..end].to_lowercase()));
            rest = r.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            out.push((neg, r[..end].to_lowercase()));
            rest = r[end..].trim_start();
        }
    }
    out.retain(|(_, t)| !t.is_empty());
    out
}

/// The values of a category attribute a dataset has, lower-cased.
pub fn category_values(ds: &Dataset, attr: &str) -> Vec<String> {
    let mut v: Vec<String> = match attr {
        "cdm_data_type" | "institution" => ds.global(attr).map(|s| vec![s.to_string()]).unwrap_or_default(),
        "keywords" => {
            ds.global("keywords").map(|k| k.split(',').map(|s| s.trim().to_string()).collect()).unwrap_or_default()
        }
        "variableName" => ds.vars.iter().map(|v| v.name.clone()).collect(),
        "ioos_category" | "long_name" | "standard_name" => {
            ds.vars.iter().filter_map(|v| v.text_attr(attr).map(str::to_string)).collect()
        }
        _ => Vec::new(),
    };
    v.iter_mut().for_each(|s| *s = s.to_lowercase());
    v.retain(|s| !s.is_empty());
    v.sort();
    v.dedup();
    v
}

/// The datasets a search finds, in catalog order; none is a 404 with ERDDAP's search message.
pub fn search_datasets<'a>(datasets: &'a [Dataset], p: &SearchParams) -> Result<Vec<&'a Dataset>, ErddapError> {
    let t = terms(&p.search_for);
    let hits: Vec<&Dataset> = datasets
        .iter()
        .filter(|d| {
            let text = search_text(d);
            t.iter().all(|(neg, w)| text.contains(w.as_str()) != *neg)
        })
        .filter(|_| p.protocol.as_deref().is_none_or(|x| x.eq_ignore_ascii_case("tabledap")))
        .filter(|d| {
            let has = |attr: &str, want: &Option<String>| {
                want.as_ref().is_none_or(|w| category_values(d, attr).contains(&w.to_lowercase()))
            };
            has("cdm_data_type", &p.cdm_data_type)
                && has("institution", &p.institution)
                && has("ioos_category", &p.ioos_category)
                && has("keywords", &p.keywords)
                && has("long_name", &p.long_name)
                && has("standard_name", &p.standard_name)
                && has("variableName", &p.variable_name)
        })
        // A lon/lat/time bound needs the variable; the server then asks the store whether data lies inside.
        .filter(|d| {
            (p.lon.is_none() || d.var_index("longitude").is_some())
                && (p.lat.is_none() || d.var_index("latitude").is_some())
                && (p.time.is_none() || d.var_index("time").is_some())
        })
        .collect();
    if hits.is_empty() {
        return Err(ErddapError::NoSearchResults);
    }
    Ok(hits)
}

/// The category attributes ERDDAP offers by default (setup.xml `categoryAttributes`).
pub const CATEGORY_ATTRIBUTES: &[&str] =
    &["cdm_data_type", "institution", "ioos_category", "keywords", "long_name", "standard_name", "variableName"];

/// `/categorize/{attr}/index.*`: `Category, URL`.
pub fn categorize_table(datasets: &[Dataset], attr: &str, base: &str, ext: &str) -> Result<PlainTable, ErddapError> {
    if !CATEGORY_ATTRIBUTES.contains(&attr) {
        return Err(ErddapError::NotFound(format!(
            "categoryAttribute=\"{attr}\" is not an option. The options are: {}.",
            CATEGORY_ATTRIBUTES.join(", ")
        )));
    }
    let mut all: Vec<String> = datasets.iter().flat_map(|d| category_values(d, attr)).collect();
    all.sort();
    all.dedup();
    Ok(PlainTable {
        columns: vec!["Category".into(), "URL".into()],
        rows: all
            .into_iter()
            .map(|v| {
                let url = format!("{base}/categorize/{attr}/{}/index.{ext}", v.replace(' ', "%20"));
                vec![v, url]
            })
            .collect(),
    })
}
