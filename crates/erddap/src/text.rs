//! The text layouts of ERDDAP tables as streaming writers: `.csv` (names and units rows), `.csvp`
//! (`name (units)`), `.csv0`, the `.tsv` family, `.json` (`{"table": ...}`), `.jsonlCSV1`/`.jsonlCSV`/
//! `.jsonlKVP`, `.htmlTable` and `.geoJson`, byte for byte as ERDDAP's `TableWriter*` classes write them.
//! `begin`, then `row` per row, then `end`; each appends to a buffer the caller flushes when it likes.

use crate::cell::{Cell, Columns};
use crate::error::ErddapError;
use crate::json::{json_string, push_json_string};
use crate::number::{java_double, write_number};
use crate::time::format_iso;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    Csv,
    Csvp,
    Csv0,
    Tsv,
    Tsvp,
    Tsv0,
    Json,
    JsonlCsv1,
    JsonlCsv,
    JsonlKvp,
    HtmlTable,
    GeoJson,
}

impl TextFormat {
    pub fn parse(ext: &str) -> Option<TextFormat> {
        Some(match ext {
            "csv" => TextFormat::Csv,
            "csvp" => TextFormat::Csvp,
            "csv0" => TextFormat::Csv0,
            "tsv" => TextFormat::Tsv,
            "tsvp" => TextFormat::Tsvp,
            "tsv0" => TextFormat::Tsv0,
            "json" => TextFormat::Json,
            "jsonlCSV1" => TextFormat::JsonlCsv1,
            "jsonlCSV" => TextFormat::JsonlCsv,
            "jsonlKVP" => TextFormat::JsonlKvp,
            "htmlTable" => TextFormat::HtmlTable,
            "geoJson" => TextFormat::GeoJson,
            _ => return None,
        })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            TextFormat::Csv | TextFormat::Csvp | TextFormat::Csv0 => "text/csv;charset=ISO-8859-1",
            TextFormat::Tsv | TextFormat::Tsvp | TextFormat::Tsv0 => "text/tab-separated-values;charset=ISO-8859-1",
            TextFormat::Json => "application/json;charset=UTF-8",
            TextFormat::JsonlCsv1 | TextFormat::JsonlCsv | TextFormat::JsonlKvp => {
                "application/x-jsonlines;charset=UTF-8"
            }
            TextFormat::HtmlTable => "text/html;charset=UTF-8",
            TextFormat::GeoJson => "application/geo+json;charset=UTF-8",
        }
    }

    fn separator(self) -> Option<u8> {
        match self {
            TextFormat::Csv | TextFormat::Csvp | TextFormat::Csv0 => Some(b','),
            TextFormat::Tsv | TextFormat::Tsvp | TextFormat::Tsv0 => Some(b'\t'),
            _ => None,
        }
    }
}

/// A separated-value cell (`String2.toSVString`): bare unless it needs quoting, then a JSON string whose
/// `\"` become `""` in CSV.
fn push_sv_text(s: &str, two_quotes: bool, out: &mut Vec<u8>) {
    let needs = s.starts_with(' ')
        || s.ends_with(' ')
        || s.chars().any(|c| (c as u32) < 32 || (c as u32) >= 127 || c == ',' || c == '\\' || c == '"');
    if !needs {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    let j = json_string(s);
    if two_quotes {
        let inner = &j[1..j.len() - 1];
        out.push(b'"');
        out.extend_from_slice(inner.replace("\\\"", "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(j.as_bytes());
    }
}

fn push_html(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            c => {
                let mut b = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
}

/// Streams one table in one text layout.
#[derive(Debug, Clone)]
pub struct TextWriter {
    fmt: TextFormat,
    cols: Columns,
    /// A plain table (info, search, lists): no units row, no `columnUnits`.
    plain: bool,
    rows: u64,
    lonlat: Option<(usize, usize)>,
    props: Vec<usize>,
    bbox: [f64; 4],
    title: String,
    /// Per column, the last cell written in a separated-value layout and its bytes: the profile-level
    /// columns of a level table (platform, time, position, QC flags) repeat row after row, so they are
    /// formatted once per run instead of once per row.
    memo: Vec<Memo>,
}

/// The last cell a column wrote and its bytes.
#[derive(Debug, Clone, Default)]
struct Memo {
    num: Option<u64>,
    text: Option<String>,
    bytes: Vec<u8>,
}

impl TextWriter {
    /// A writer of `cols`; `.geoJson` needs longitude and latitude among them.
    pub fn new(fmt: TextFormat, cols: Columns, plain: bool) -> Result<TextWriter, ErddapError> {
        let lonlat = cols.position("longitude").zip(cols.position("latitude"));
        if fmt == TextFormat::GeoJson && lonlat.is_none() {
            return Err(ErddapError::Query(
                "For .geoJson requests, longitude and latitude must be in the results variables list.".into(),
            ));
        }
        let n_cols = cols.cols.len();
        let props = (0..cols.cols.len())
            .filter(|&i| !matches!(cols.cols[i].name.as_str(), "longitude" | "latitude" | "altitude"))
            .collect();
        Ok(TextWriter {
            fmt,
            cols,
            plain,
            rows: 0,
            lonlat,
            props,
            bbox: [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY],
            title: String::new(),
            memo: vec![Memo::default(); n_cols],
        })
    }

    /// The page title of `.htmlTable` output.
    pub fn with_title(mut self, title: &str) -> TextWriter {
        self.title = title.to_string();
        self
    }

    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    fn type_name(&self, i: usize) -> &'static str {
        let c = &self.cols.cols[i];
        if c.is_time { "String" } else { c.ty.name() }
    }

    fn units(&self, i: usize) -> Option<&str> {
        self.cols.cols[i].units.as_deref()
    }

    pub fn begin(&mut self, out: &mut Vec<u8>) {
        let names: Vec<&str> = self.cols.cols.iter().map(|c| c.name.as_str()).collect();
        match self.fmt {
            TextFormat::Csv | TextFormat::Tsv => {
                let sep = self.fmt.separator().unwrap_or(b',');
                self.line(&names, sep, out);
                if !self.plain {
                    let units: Vec<&str> = (0..names.len()).map(|i| self.units(i).unwrap_or("")).collect();
                    self.line(&units, sep, out);
                }
            }
            TextFormat::Csvp | TextFormat::Tsvp => {
                let sep = self.fmt.separator().unwrap_or(b',');
                let heads: Vec<String> = (0..names.len())
                    .map(|i| match self.units(i).filter(|_| !self.plain) {
                        Some(u) => format!("{} ({u})", names[i]),
                        None => names[i].to_string(),
                    })
                    .collect();
                let heads: Vec<&str> = heads.iter().map(String::as_str).collect();
                self.line(&heads, sep, out);
            }
            TextFormat::Csv0 | TextFormat::Tsv0 | TextFormat::JsonlCsv | TextFormat::JsonlKvp => {}
            TextFormat::Json => {
                out.extend_from_slice(b"{\n  \"table\": {\n    \"columnNames\": [");
                self.json_list(names.iter().map(|s| Some(*s)), out);
                out.extend_from_slice(b"],\n    \"columnTypes\": [");
                let types: Vec<&str> = (0..names.len()).map(|i| self.type_name(i)).collect();
                self.json_list(types.iter().map(|s| Some(*s)), out);
                if !self.plain {
                    out.extend_from_slice(b"],\n    \"columnUnits\": [");
                    let units: Vec<Option<&str>> = (0..names.len()).map(|i| self.units(i)).collect();
                    self.json_list(units.into_iter(), out);
                }
                out.extend_from_slice(b"],\n    \"rows\": [\n");
            }
            TextFormat::JsonlCsv1 => {
                out.push(b'[');
                self.json_list(names.iter().map(|s| Some(*s)), out);
                out.extend_from_slice(b"]\n");
            }
            TextFormat::HtmlTable => {
                out.extend_from_slice(
                    b"<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n<meta charset=\"UTF-8\">\n<title>",
                );
                push_html(&self.title, out);
                out.extend_from_slice(
                    b"</title>\n</head>\n<body>\n&nbsp;\n<table class=\"erd commonBGColor nowrap\">\n<tr>\n",
                );
                for n in &names {
                    out.extend_from_slice(b"<th>");
                    push_html(n, out);
                    out.push(b'\n');
                }
                out.extend_from_slice(b"</tr>\n");
                if !self.plain {
                    out.extend_from_slice(b"<tr>\n");
                    for i in 0..names.len() {
                        out.extend_from_slice(b"<th>");
                        match self.units(i) {
                            Some(u) => push_html(u, out),
                            None => out.extend_from_slice(b"&nbsp;"),
                        }
                        out.push(b'\n');
                    }
                    out.extend_from_slice(b"</tr>\n");
                }
            }
            TextFormat::GeoJson => {
                out.extend_from_slice(b"{\n  \"type\": \"FeatureCollection\",\n  \"propertyNames\": [");
                let pn: Vec<Option<&str>> = self.props.iter().map(|&i| Some(names[i])).collect();
                self.json_list(pn.into_iter(), out);
                out.extend_from_slice(b"],\n  \"propertyUnits\": [");
                let pu: Vec<Option<&str>> = self.props.iter().map(|&i| self.units(i)).collect();
                self.json_list(pu.into_iter(), out);
                out.extend_from_slice(b"],\n  \"features\": [\n");
            }
        }
    }

    fn line(&self, cells: &[&str], sep: u8, out: &mut Vec<u8>) {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(sep);
            }
            push_sv_text(c, sep == b',', out);
        }
        out.push(b'\n');
    }

    fn json_list<'s>(&self, items: impl Iterator<Item = Option<&'s str>>, out: &mut Vec<u8>) {
        for (i, s) in items.enumerate() {
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            match s {
                Some(s) => push_json_string(s, out),
                None => out.extend_from_slice(b"null"),
            }
        }
    }

    fn sv_cell(&mut self, i: usize, cell: &Cell, two_quotes: bool, out: &mut Vec<u8>) {
        let c = &self.cols.cols[i];
        let m = &mut self.memo[i];
        let hit = match cell {
            Cell::Num(v) => m.num == Some(v.to_bits()),
            Cell::Text(s) => m.text.as_deref() == Some(s.as_str()),
        };
        if !hit {
            m.bytes.clear();
            match cell {
                Cell::Text(s) => {
                    push_sv_text(s, two_quotes, &mut m.bytes);
                    m.num = None;
                    match &mut m.text {
                        Some(t) => {
                            t.clear();
                            t.push_str(s);
                        }
                        None => m.text = Some(s.clone()),
                    }
                }
                Cell::Num(v) => {
                    if c.is_time {
                        format_iso(*v, &mut m.bytes);
                    } else {
                        write_number(*v, c.ty, &mut m.bytes);
                    }
                    m.num = Some(v.to_bits());
                    m.text = None;
                }
            }
        }
        out.extend_from_slice(&m.bytes);
    }

    fn json_cell(&self, i: usize, cell: &Cell, out: &mut Vec<u8>) {
        let c = &self.cols.cols[i];
        match cell {
            Cell::Text(s) => push_json_string(s, out),
            Cell::Num(v) if !v.is_finite() => out.extend_from_slice(b"null"),
            Cell::Num(v) if c.is_time => {
                out.push(b'"');
                format_iso(*v, out);
                out.push(b'"');
            }
            Cell::Num(v) => {
                let start = out.len();
                write_number(*v, c.ty, out);
                if out[start..].ends_with(b".0") {
                    out.truncate(out.len() - 2);
                }
            }
        }
    }

    pub fn row(&mut self, row: &[Cell], out: &mut Vec<u8>) {
        let n = self.cols.cols.len();
        match self.fmt {
            TextFormat::Csv
            | TextFormat::Csvp
            | TextFormat::Csv0
            | TextFormat::Tsv
            | TextFormat::Tsvp
            | TextFormat::Tsv0 => {
                let sep = self.fmt.separator().unwrap_or(b',');
                for (i, cell) in row.iter().take(n).enumerate() {
                    if i > 0 {
                        out.push(sep);
                    }
                    self.sv_cell(i, cell, sep == b',', out);
                }
                out.push(b'\n');
            }
            TextFormat::Json => {
                if self.rows > 0 {
                    out.extend_from_slice(b",\n");
                }
                out.extend_from_slice(b"      [");
                for (i, cell) in row.iter().take(n).enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b", ");
                    }
                    self.json_cell(i, cell, out);
                }
                out.push(b']');
            }
            TextFormat::JsonlCsv1 | TextFormat::JsonlCsv => {
                out.push(b'[');
                for (i, cell) in row.iter().take(n).enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b", ");
                    }
                    self.json_cell(i, cell, out);
                }
                out.extend_from_slice(b"]\n");
            }
            TextFormat::JsonlKvp => {
                out.push(b'{');
                for (i, cell) in row.iter().take(n).enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b", ");
                    }
                    push_json_string(&self.cols.cols[i].name, out);
                    out.push(b':');
                    self.json_cell(i, cell, out);
                }
                out.extend_from_slice(b"}\n");
            }
            TextFormat::HtmlTable => {
                out.extend_from_slice(b"<tr>\n");
                for (i, cell) in row.iter().take(n).enumerate() {
                    match cell {
                        Cell::Num(_) if !self.cols.cols[i].is_time => out.extend_from_slice(b"<td class=\"R\">"),
                        _ => out.extend_from_slice(b"<td>"),
                    }
                    let mut b = Vec::new();
                    self.sv_cell(i, cell, false, &mut b);
                    push_html(&String::from_utf8_lossy(&b), out);
                    out.push(b'\n');
                }
                out.extend_from_slice(b"</tr>\n");
            }
            TextFormat::GeoJson => {
                let Some((lo, la)) = self.lonlat else { return };
                let (x, y) = (row.get(lo).map_or(f64::NAN, Cell::num), row.get(la).map_or(f64::NAN, Cell::num));
                if !x.is_finite() || !y.is_finite() {
                    return;
                }
                self.bbox = [self.bbox[0].min(x), self.bbox[1].min(y), self.bbox[2].max(x), self.bbox[3].max(y)];
                if self.rows > 0 {
                    out.extend_from_slice(b",\n");
                }
                out.extend_from_slice(
                    b"{\"type\": \"Feature\",\n  \"geometry\": {\n    \"type\": \"Point\",\n    \"coordinates\": [",
                );
                java_double(x, out);
                out.extend_from_slice(b", ");
                java_double(y, out);
                out.extend_from_slice(b"] },\n  \"properties\": {\n");
                for (k, &i) in self.props.iter().enumerate() {
                    if k > 0 {
                        out.extend_from_slice(b",\n");
                    }
                    out.extend_from_slice(b"    ");
                    push_json_string(&self.cols.cols[i].name, out);
                    out.extend_from_slice(b": ");
                    self.json_cell(i, &row[i], out);
                }
                out.extend_from_slice(b" }\n}");
            }
        }
        self.rows += 1;
    }

    pub fn end(&mut self, out: &mut Vec<u8>) {
        match self.fmt {
            TextFormat::Json => out.extend_from_slice(b"\n    ]\n  }\n}\n"),
            TextFormat::HtmlTable => out.extend_from_slice(b"</table>\n</body>\n</html>\n"),
            TextFormat::GeoJson => {
                out.extend_from_slice(b"\n  ],\n  \"bbox\": [");
                for (i, v) in self.bbox.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b", ");
                    }
                    if v.is_finite() {
                        java_double(*v, out);
                    } else {
                        out.extend_from_slice(b"null");
                    }
                }
                out.extend_from_slice(b"]\n}\n");
            }
            _ => {}
        }
    }
}
