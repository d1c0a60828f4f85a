//! ERDDAP clients (any server): tabledap requests (IFREMER `ArgoFloats` as `.nc`, read by
//! `formats::erddap_nc`) and griddap requests (CoastWatch CRW SST/DHW and VIIRS chlorophyll grids as
//! `.nc` bytes). Queries are percent-encoded exactly once; a 413 splits the request by time, then by
//! space, until each part fits; 404 "no matching results" is an empty part.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::http::{Body, FetchError, HttpClient};

/// Percent-encodes an ERDDAP query once: everything but unreserved characters and the separators
/// ERDDAP reads (`&`, `=`, `,`, `(`, `)`, `:`, `!`, `~`, `*`, `.`, `-`, `_`) is escaped, so `"`, `<`, `>`,
/// `[`, `]`, `{`, `}`, `|`, `\`, `^`, space and `%` itself never reach a server raw (§7 of the ERDDAP notes).
pub fn encode_query(q: &str) -> String {
    let mut out = String::with_capacity(q.len() * 2);
    for b in q.bytes() {
        if b.is_ascii_alphanumeric() || b"&=,():!~*.-_".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A longitude/latitude box, degrees (west, east, south, north).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub west: f64,
    pub east: f64,
    pub south: f64,
    pub north: f64,
}

/// One tabledap request: `{base}/tabledap/{dataset}.nc?{variables}&{constraints}&time...&{box}&{extra}`.
/// The time range is half-open `[start, end)` except for the last part of a split, so parts never overlap.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRequest {
    pub base: String,
    pub dataset: String,
    pub variables: Vec<String>,
    /// Extra constraints, unencoded (`platform_number=~"6902746"`).
    pub constraints: Vec<String>,
    pub time: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Whether `time` includes its end (`<=`) rather than excluding it (`<`).
    pub time_end_inclusive: bool,
    pub bbox: Option<BBox>,
    /// Whether the box includes its east and north edges (the last part of a spatial split does).
    pub bbox_end_inclusive: (bool, bool),
    /// Functions appended at the end (`distinct()`, `orderBy("time,pres")`).
    pub functions: Vec<String>,
    /// A 413 halves the time range while it is longer than this, then the box.
    pub min_time_span: Duration,
}

impl TableRequest {
    /// The query, unencoded.
    pub fn query(&self) -> String {
        let mut parts = vec![self.variables.join(",")];
        parts.extend(self.constraints.iter().cloned());
        if let Some((a, b)) = self.time {
            parts.push(format!("time>={}", iso(a)));
            parts.push(format!("time{}{}", if self.time_end_inclusive { "<=" } else { "<" }, iso(b)));
        }
        if let Some(bb) = self.bbox {
            parts.push(format!("longitude>={}", bb.west));
            parts.push(format!("longitude{}{}", if self.bbox_end_inclusive.0 { "<=" } else { "<" }, bb.east));
            parts.push(format!("latitude>={}", bb.south));
            parts.push(format!("latitude{}{}", if self.bbox_end_inclusive.1 { "<=" } else { "<" }, bb.north));
        }
        parts.extend(self.functions.iter().cloned());
        parts.join("&")
    }

    /// The full URL, encoded once.
    pub fn url(&self) -> String {
        format!("{}/tabledap/{}.nc?{}", self.base.trim_end_matches('/'), self.dataset, encode_query(&self.query()))
    }

    /// Two halves of the request: by time while the range is longer than `min_time_span`, else by the
    /// longer side of the box while it is wider than 0.01°; `None` when it cannot be split further.
    pub fn split(&self) -> Option<(TableRequest, TableRequest)> {
        if let Some((a, b)) = self.time
            && b - a > self.min_time_span
        {
            let mid = a + (b - a) / 2;
            let first = TableRequest { time: Some((a, mid)), time_end_inclusive: false, ..self.clone() };
            let second = TableRequest { time: Some((mid, b)), ..self.clone() };
            return Some((first, second));
        }
        let bb = self.bbox?;
        let (dx, dy) = (bb.east - bb.west, bb.north - bb.south);
        if dx.max(dy) <= 0.01 {
            return None;
        }
        if dx >= dy {
            let mid = bb.west + dx / 2.0;
            let first = TableRequest {
                bbox: Some(BBox { east: mid, ..bb }),
                bbox_end_inclusive: (false, self.bbox_end_inclusive.1),
                ..self.clone()
            };
            let second = TableRequest { bbox: Some(BBox { west: mid, ..bb }), ..self.clone() };
            Some((first, second))
        } else {
            let mid = bb.south + dy / 2.0;
            let first = TableRequest {
                bbox: Some(BBox { north: mid, ..bb }),
                bbox_end_inclusive: (self.bbox_end_inclusive.0, false),
                ..self.clone()
            };
            let second = TableRequest { bbox: Some(BBox { south: mid, ..bb }), ..self.clone() };
            Some((first, second))
        }
    }
}

/// The variables of IFREMER's `ArgoFloats` that `formats::erddap_nc` reads (what argopy asks for).
pub const ARGO_VARIABLES: &[&str] = &[
    "config_mission_number",
    "cycle_number",
    "data_mode",
    "direction",
    "latitude",
    "longitude",
    "platform_number",
    "position_qc",
    "pres",
    "pres_adjusted",
    "pres_adjusted_error",
    "pres_adjusted_qc",
    "pres_qc",
    "psal",
    "psal_adjusted",
    "psal_adjusted_error",
    "psal_adjusted_qc",
    "psal_qc",
    "temp",
    "temp_adjusted",
    "temp_adjusted_error",
    "temp_adjusted_qc",
    "temp_qc",
    "time",
    "time_qc",
    "vertical_sampling_scheme",
];

/// One axis selection of a griddap request: `[(start):stride:(stop)]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisRange {
    pub start: String,
    pub stride: u32,
    pub stop: String,
}

impl AxisRange {
    pub fn new(start: impl ToString, stop: impl ToString) -> AxisRange {
        AxisRange { start: start.to_string(), stride: 1, stop: stop.to_string() }
    }
}

/// One griddap request: `{base}/griddap/{dataset}.nc?{var}[time][axis]...,{var2}[...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRequest {
    /// The name this grid is known by (`crw-sst`, `crw-dhw`, `viirs-chla`).
    pub name: String,
    pub base: String,
    pub dataset: String,
    pub variables: Vec<String>,
    /// Axis selections in the dataset's order (time first).
    pub axes: Vec<AxisRange>,
}

impl GridRequest {
    pub fn query(&self) -> String {
        let sel: String = self.axes.iter().map(|a| format!("[({}):{}:({})]", a.start, a.stride, a.stop)).collect();
        self.variables.iter().map(|v| format!("{v}{sel}")).collect::<Vec<_>>().join(",")
    }

    pub fn url(&self) -> String {
        format!("{}/griddap/{}.nc?{}", self.base.trim_end_matches('/'), self.dataset, encode_query(&self.query()))
    }

    /// The file name the grid's bytes are ingested under.
    pub fn file_name(&self) -> String {
        format!("griddap_{}_{}.nc", self.dataset, self.variables.join("_"))
    }

    /// Halves: the first axis whose bounds are both numbers or ISO times and differ (time first, then
    /// space in the dataset's order), split at its midpoint; `None` when no axis can be split.
    pub fn split(&self) -> Option<(GridRequest, GridRequest)> {
        for (i, a) in self.axes.iter().enumerate() {
            let halves = if let (Ok(x), Ok(y)) = (a.start.parse::<f64>(), a.stop.parse::<f64>()) {
                ((y - x).abs() > 0.01).then(|| {
                    let m = x + (y - x) / 2.0;
                    (m.to_string(), m.to_string())
                })
            } else if let (Ok(x), Ok(y)) =
                (DateTime::parse_from_rfc3339(&a.start), DateTime::parse_from_rfc3339(&a.stop))
            {
                let (x, y) = (x.with_timezone(&Utc), y.with_timezone(&Utc));
                (y - x > Duration::days(1)).then(|| {
                    let m = x + (y - x) / 2;
                    // ERDDAP selects the nearest grid time to each bound; the second half starts a day on.
                    (iso(m), iso(m + Duration::days(1)))
                })
            } else {
                None
            };
            if let Some((end_first, start_second)) = halves {
                let mut first = self.clone();
                first.axes[i].stop = end_first;
                let mut second = self.clone();
                second.axes[i].start = start_second;
                return Some((first, second));
            }
        }
        None
    }
}

/// Something that can be fetched, and split in two when the server says it is too large.
pub trait Splittable: Sized + Send + Sync {
    fn url(&self) -> String;
    fn halves(&self) -> Option<(Self, Self)>;
}

impl Splittable for TableRequest {
    fn url(&self) -> String {
        TableRequest::url(self)
    }
    fn halves(&self) -> Option<(Self, Self)> {
        self.split()
    }
}

impl Splittable for GridRequest {
    fn url(&self) -> String {
        GridRequest::url(self)
    }
    fn halves(&self) -> Option<(Self, Self)> {
        self.split()
    }
}

/// Each part's URL and body.
pub type Parts = Vec<(String, Vec<u8>)>;

/// The answers to a request, split as many times as the server asked (at most `max_depth` deep): each
/// part's URL and body, in order. Parts with no matching results are left out.
pub fn fetch_split<'a, R: Splittable + 'a>(
    http: &'a HttpClient,
    source: &'a str,
    req: R,
    max_depth: u32,
) -> Pin<Box<dyn Future<Output = Result<Parts, FetchError>> + Send + 'a>> {
    Box::pin(async move {
        let url = req.url();
        match http.get(source, &url).await {
            Ok(Body::Data(b)) => Ok(vec![(url, b)]),
            Ok(Body::NoMatch) => Ok(Vec::new()),
            Err(FetchError::TooLarge { url }) => {
                let Some((a, b)) = req.halves().filter(|_| max_depth > 0) else {
                    return Err(FetchError::TooLarge { url });
                };
                tracing::info!(source, url, "413: splitting the request in two");
                let mut out = fetch_split(http, source, a, max_depth - 1).await?;
                out.extend(fetch_split(http, source, b, max_depth - 1).await?);
                Ok(out)
            }
            Err(e) => Err(e),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn queries_are_encoded_once() {
        let q = "temp,time&time>=2020-01-01T00:00:00Z&platform_number=~\"6902746\"&orderBy(\"time,pres\")";
        let e = encode_query(q);
        assert_eq!(e, "temp,time&time%3E=2020-01-01T00:00:00Z&platform_number=~%226902746%22&orderBy(%22time,pres%22)");
        // Encoding the encoded form again would escape the `%`: the client encodes only once.
        assert!(encode_query(&e).contains("%253E"));
        let g = GridRequest {
            name: "x".into(),
            base: "https://coastwatch.noaa.gov/erddap/".into(),
            dataset: "noaacwNPPVIIRSchlaDaily".into(),
            variables: vec!["chlor_a".into()],
            axes: vec![
                AxisRange::new("2020-07-07T12:00:00Z", "2020-07-07T13:00:00Z"),
                AxisRange::new(0, 0),
                AxisRange::new(31, 30),
                AxisRange::new(-120, -119),
            ],
        };
        assert_eq!(
            g.url(),
            "https://coastwatch.noaa.gov/erddap/griddap/noaacwNPPVIIRSchlaDaily.nc?chlor_a%5B(2020-07-07T12:00:00Z):1:(2020-07-07T13:00:00Z)%5D%5B(0):1:(0)%5D%5B(31):1:(30)%5D%5B(-120):1:(-119)%5D"
        );
    }

    #[test]
    fn splits_by_time_then_space() {
        let t = |d| Utc.with_ymd_and_hms(2004, 1, d, 0, 0, 0).unwrap();
        let r = TableRequest {
            base: "http://x/erddap".into(),
            dataset: "ArgoFloats".into(),
            variables: vec!["temp".into()],
            constraints: vec![],
            time: Some((t(1), t(3))),
            time_end_inclusive: true,
            bbox: Some(BBox { west: -60.0, east: -40.0, south: 0.0, north: 10.0 }),
            bbox_end_inclusive: (true, true),
            functions: vec![],
            min_time_span: Duration::hours(1),
        };
        let (a, b) = r.split().unwrap();
        assert!(a.query().contains("time>=2004-01-01T00:00:00Z&time<2004-01-02T00:00:00Z"));
        assert!(b.query().contains("time>=2004-01-02T00:00:00Z&time<=2004-01-03T00:00:00Z"));
        let short = TableRequest { time: Some((t(1), t(1) + Duration::minutes(30))), ..r.clone() };
        let (c, d) = short.split().unwrap();
        assert!(c.query().contains("longitude>=-60&longitude<-50&latitude>=0&latitude<=10"));
        assert!(d.query().contains("longitude>=-50&longitude<=-40"));
        let tiny = TableRequest { bbox: Some(BBox { west: 1.0, east: 1.005, south: 2.0, north: 2.005 }), ..short };
        assert!(tiny.split().is_none());
    }
}
