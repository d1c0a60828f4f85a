//! The NetCDF answers of tabledap: `.nc` (a flat table along a `row` dimension, strings as
//! `char var(row, var_strlen)`, per-variable `actual_range` of the subset, the global `history` ending
//! with the request URL), `.ncHeader` (its `ncdump -h` text) and `.ncCF` (a CF-1.6 discrete sampling
//! geometry as a contiguous ragged array).
//!
//! `.nc` is streamed with flat memory: rows are spooled column by column to scratch files while the
//! ranges and string widths are measured, then the header is written and the columns copied after it.

use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use formats::netcdf_write::{NcAttr, NcData, NcKind, NcOut, NcVarOut, NcVarSpec, header, write};

use crate::dataset::{Attr, AttrValue, DataType};
use crate::error::ErddapError;
use crate::number::{java_double, java_float};
use crate::rows::{Cell, Columns};
use crate::time::iso_string;

/// Scratch storage for one column of a streamed `.nc` (a temporary file in the server).
pub trait Scratch: Read + Write + Seek + Send {}
impl<T: Read + Write + Seek + Send> Scratch for T {}

fn kind_of(ty: DataType) -> NcKind {
    match ty {
        DataType::Byte => NcKind::Byte,
        DataType::Short => NcKind::Short,
        DataType::Int => NcKind::Int,
        DataType::Float => NcKind::Float,
        DataType::Long | DataType::Double => NcKind::Double,
        DataType::Char | DataType::String => NcKind::Char,
    }
}

/// The value an integer column stores for a missing value: its `_FillValue`, else ERDDAP's default.
fn int_fill(attrs: &[Attr], ty: DataType) -> f64 {
    attrs
        .iter()
        .find(|a| a.name == "_FillValue" || a.name == "missing_value")
        .and_then(|a| match &a.value {
            AttrValue::Numbers(_, v) => v.first().copied(),
            AttrValue::Text(_) => None,
        })
        .unwrap_or(match ty {
            DataType::Byte => 127.0,
            DataType::Short => 32767.0,
            _ => 2147483647.0,
        })
}

/// Dimensions, variables and global attributes of a NetCDF answer.
type Layout = (Vec<(String, usize)>, Vec<NcVarSpec>, Vec<(String, NcAttr)>);

struct ColState {
    kind: NcKind,
    fill: f64,
    min: f64,
    max: f64,
    strlen: usize,
    spool: Option<BufWriter<Box<dyn Scratch>>>,
}

/// Measures (and, with scratch files, spools) the rows of a `.nc` answer.
pub struct NcSpool {
    cols: Columns,
    state: Vec<ColState>,
    rows: u64,
    buf: Vec<u8>,
}

impl NcSpool {
    /// A spool for `cols`; `scratch` makes one scratch file per column (`None` only measures, which is
    /// what `.ncHeader` needs).
    pub fn new(
        cols: Columns,
        scratch: Option<&mut dyn FnMut() -> io::Result<Box<dyn Scratch>>>,
    ) -> io::Result<NcSpool> {
        let mut state = Vec::new();
        let mut scratch = scratch;
        for c in &cols.cols {
            let spool = match scratch.as_mut() {
                Some(f) => Some(BufWriter::with_capacity(64 * 1024, f()?)),
                None => None,
            };
            state.push(ColState {
                kind: kind_of(c.ty),
                fill: int_fill(&c.attrs, c.ty),
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
                strlen: 1,
                spool,
            });
        }
        Ok(NcSpool { cols, state, rows: 0, buf: Vec::with_capacity(64) })
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn push(&mut self, row: &[Cell]) -> io::Result<()> {
        for (s, cell) in self.state.iter_mut().zip(row) {
            self.buf.clear();
            match (s.kind, cell) {
                (NcKind::Char, c) => {
                    let text = match c {
                        Cell::Text(t) => t.as_str(),
                        Cell::Num(_) => "",
                    };
                    let bytes: Vec<u8> =
                        text.chars().map(|ch| if (ch as u32) < 256 { ch as u8 } else { b'?' }).collect();
                    s.strlen = s.strlen.max(bytes.len());
                    self.buf.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
                    self.buf.extend_from_slice(&bytes);
                }
                (k, c) => {
                    let v = c.num();
                    if !v.is_nan() {
                        s.min = s.min.min(v);
                        s.max = s.max.max(v);
                    }
                    match k {
                        NcKind::Byte => self.buf.push(if v.is_nan() { s.fill } else { v } as i8 as u8),
                        NcKind::Short => {
                            self.buf.extend_from_slice(&(if v.is_nan() { s.fill } else { v } as i16).to_be_bytes())
                        }
                        NcKind::Int => {
                            self.buf.extend_from_slice(&(if v.is_nan() { s.fill } else { v } as i32).to_be_bytes())
                        }
                        NcKind::Float => self.buf.extend_from_slice(&(v as f32).to_be_bytes()),
                        _ => self.buf.extend_from_slice(&v.to_be_bytes()),
                    }
                }
            }
            if let Some(w) = s.spool.as_mut() {
                w.write_all(&self.buf)?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Dimensions, variables and global attributes of the answer.
    fn layout(&self, globals: &[Attr], history_line: &str) -> Layout {
        let mut dims = vec![("row".to_string(), self.rows as usize)];
        let mut vars = Vec::new();
        for (c, s) in self.cols.cols.iter().zip(&self.state) {
            let mut d = vec![0];
            if s.kind == NcKind::Char {
                dims.push((format!("{}_strlen", c.name), s.strlen));
                d.push(dims.len() - 1);
            }
            vars.push(NcVarSpec { name: c.name.clone(), dims: d, attrs: var_attrs(c.ty, &c.attrs, s), kind: s.kind });
        }
        (dims, vars, global_attrs(globals, &self.cols, &self.state, history_line))
    }

    /// Writes the file: header, then each column's data. `history_line` is appended to the `history`
    /// attribute (ERDDAP writes `{time} {request URL}`).
    pub fn finish(
        self,
        globals: &[Attr],
        history_line: &str,
        out: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<(), ErddapError> {
        let (dims, vars, g) = self.layout(globals, history_line);
        let head = header(&dims, &g, &vars).map_err(|e| ErddapError::TooLarge(format!("[nc] {e}")))?;
        let io_err = |e: io::Error| ErddapError::Internal(format!("writing .nc: {e}"));
        out(&head).map_err(io_err)?;
        let rows = self.rows;
        for s in self.state {
            let Some(w) = s.spool else { continue };
            let mut f = w.into_inner().map_err(|e| io_err(e.into_error()))?;
            f.seek(SeekFrom::Start(0)).map_err(io_err)?;
            let mut r = BufReader::with_capacity(64 * 1024, f);
            let mut chunk: Vec<u8> = Vec::with_capacity(64 * 1024);
            let mut written: u64 = 0;
            if s.kind == NcKind::Char {
                let mut len = [0u8; 4];
                let mut text = vec![0u8; s.strlen];
                for _ in 0..rows {
                    r.read_exact(&mut len).map_err(io_err)?;
                    let n = u32::from_be_bytes(len) as usize;
                    text.iter_mut().for_each(|b| *b = 0);
                    r.read_exact(&mut text[..n]).map_err(io_err)?;
                    chunk.extend_from_slice(&text);
                    if chunk.len() >= 60 * 1024 {
                        out(&chunk).map_err(io_err)?;
                        written += chunk.len() as u64;
                        chunk.clear();
                    }
                }
            } else {
                let mut b = [0u8; 64 * 1024];
                loop {
                    let n = r.read(&mut b).map_err(io_err)?;
                    if n == 0 {
                        break;
                    }
                    out(&b[..n]).map_err(io_err)?;
                    written += n as u64;
                }
            }
            written += chunk.len() as u64;
            let pad = (4 - written % 4) % 4;
            chunk.extend(std::iter::repeat_n(0u8, pad as usize));
            if !chunk.is_empty() {
                out(&chunk).map_err(io_err)?;
            }
        }
        Ok(())
    }
}

fn nc_attr(ty: DataType, v: &[f64]) -> NcAttr {
    match ty {
        DataType::Byte => NcAttr::Bytes(v.iter().map(|&x| x as i8).collect()),
        DataType::Short => NcAttr::Shorts(v.iter().map(|&x| x as i16).collect()),
        DataType::Int => NcAttr::Ints(v.iter().map(|&x| x as i32).collect()),
        DataType::Float => NcAttr::Floats(v.iter().map(|&x| x as f32).collect()),
        _ => NcAttr::Doubles(v.to_vec()),
    }
}

fn to_nc(a: &Attr) -> (String, NcAttr) {
    let v = match &a.value {
        AttrValue::Text(t) => NcAttr::Text(t.clone()),
        AttrValue::Numbers(ty, v) => nc_attr(*ty, v),
    };
    (a.name.clone(), v)
}

/// The attributes a column carries in `.nc`: its own, with `actual_range` of the subset (dropped when
/// it holds no value) and `_Encoding` on strings.
fn var_attrs(ty: DataType, attrs: &[Attr], s: &ColState) -> Vec<(String, NcAttr)> {
    let mut out: Vec<Attr> = attrs.iter().filter(|a| a.name != "actual_range").cloned().collect();
    if s.kind == NcKind::Char {
        out.push(Attr::text("_Encoding", "ISO-8859-1"));
    } else if s.min.is_finite() {
        let aty = if ty == DataType::Long { DataType::Double } else { ty };
        out.push(Attr::nums("actual_range", aty, &[s.min, s.max]));
    }
    sort_attrs(&mut out);
    out.iter().map(to_nc).collect()
}

fn sort_attrs(a: &mut [Attr]) {
    a.sort_by_key(|x| x.name.to_lowercase());
}

/// Globals with the subset's geospatial and time coverage, and the history line appended.
fn global_attrs(globals: &[Attr], cols: &Columns, state: &[ColState], history_line: &str) -> Vec<(String, NcAttr)> {
    let range = |name: &str| cols.position(name).map(|i| (state[i].min, state[i].max)).filter(|(a, _)| a.is_finite());
    let mut g: Vec<Attr> = globals.to_vec();
    fn set(g: &mut Vec<Attr>, name: &str, v: AttrValue) {
        match g.iter_mut().find(|a| a.name == name) {
            Some(a) => a.value = v,
            None => g.push(Attr { name: name.to_string(), value: v }),
        }
    }
    let d = |x: f64| AttrValue::Numbers(DataType::Double, vec![x]);
    if let Some((lo, hi)) = range("longitude") {
        set(&mut g, "geospatial_lon_min", d(lo));
        set(&mut g, "geospatial_lon_max", d(hi));
        set(&mut g, "Westernmost_Easting", d(lo));
        set(&mut g, "Easternmost_Easting", d(hi));
    }
    if let Some((lo, hi)) = range("latitude") {
        set(&mut g, "geospatial_lat_min", d(lo));
        set(&mut g, "geospatial_lat_max", d(hi));
        set(&mut g, "Southernmost_Northing", d(lo));
        set(&mut g, "Northernmost_Northing", d(hi));
    }
    if let Some((lo, hi)) = range("time") {
        set(&mut g, "time_coverage_start", AttrValue::Text(iso_string(lo)));
        set(&mut g, "time_coverage_end", AttrValue::Text(iso_string(hi)));
    }
    let history = match g.iter().find(|a| a.name == "history").and_then(|a| match &a.value {
        AttrValue::Text(t) => Some(t.clone()),
        AttrValue::Numbers(..) => None,
    }) {
        Some(h) if !h.is_empty() => format!("{h}\n{history_line}"),
        _ => history_line.to_string(),
    };
    set(&mut g, "history", AttrValue::Text(history));
    sort_attrs(&mut g);
    g.iter().map(to_nc).collect()
}

/// The `ncdump -h` text of the `.nc` answer `spool` measured (ERDDAP's `.ncHeader`).
pub fn nc_header(spool: &NcSpool, file_name: &str, globals: &[Attr], history_line: &str) -> String {
    let (dims, vars, g) = spool.layout(globals, history_line);
    let mut s = format!("netcdf {file_name} {{\n  dimensions:\n");
    for (n, len) in &dims {
        s.push_str(&format!("    {n} = {len};\n"));
    }
    s.push_str("  variables:\n");
    for v in &vars {
        let ty = match v.kind {
            NcKind::Byte => "byte",
            NcKind::Char => "char",
            NcKind::Short => "short",
            NcKind::Int => "int",
            NcKind::Float => "float",
            NcKind::Double => "double",
        };
        let shape: Vec<String> = v.dims.iter().map(|&d| format!("{}={}", dims[d].0, dims[d].1)).collect();
        s.push_str(&format!("    {ty} {}({});\n", v.name, shape.join(", ")));
        for (n, a) in &v.attrs {
            s.push_str(&format!("      :{n} = {}\n", cdl_attr(a)));
        }
        s.push('\n');
    }
    s.push_str("  // global attributes:\n");
    for (n, a) in &g {
        s.push_str(&format!("  :{n} = {}\n", cdl_attr(a)));
    }
    s.push_str("}\n");
    s
}

fn cdl_attr(a: &NcAttr) -> String {
    fn list<T: Copy>(v: &[T], f: impl Fn(T, &mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        for (i, x) in v.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            f(*x, &mut out);
        }
        String::from_utf8(out).unwrap_or_default()
    }
    match a {
        NcAttr::Text(t) => format!("\"{}\";", t.replace('\\', "\\\\").replace('"', "\\\"")),
        NcAttr::Byte(b) => format!("{b}b; // byte"),
        NcAttr::Float(f) => format!("{}f; // float", list(&[*f], java_float)),
        NcAttr::Double(d) => format!("{}; // double", list(&[*d], java_double)),
        NcAttr::Bytes(v) => format!("{}; // byte", list(v, |x, o| o.extend_from_slice(format!("{x}b").as_bytes()))),
        NcAttr::Shorts(v) => format!("{}; // short", list(v, |x, o| o.extend_from_slice(format!("{x}s").as_bytes()))),
        NcAttr::Ints(v) => format!("{}; // int", list(v, |x, o| o.extend_from_slice(x.to_string().as_bytes()))),
        NcAttr::Floats(v) => format!(
            "{}; // float",
            list(v, |x, o| {
                java_float(x, o);
                o.push(b'f');
            })
        ),
        NcAttr::Doubles(v) => format!("{}; // double", list(v, java_double)),
    }
}

/// The `.ncCF` answer: a contiguous ragged array of one feature level (TimeSeries, Profile or
/// Trajectory). Feature variables are the dataset's `cdm_{feature}_variables` among the results (the
/// `cf_role` variable is always added, as ERDDAP does); rows are grouped by it.
pub fn nc_cf(
    cols: &Columns,
    rows: &[Vec<Cell>],
    cdm_data_type: &str,
    feature_vars: &[String],
    globals: &[Attr],
    history_line: &str,
) -> Result<Vec<u8>, ErddapError> {
    let feature = match cdm_data_type {
        "TimeSeries" => "timeseries",
        "Profile" => "profile",
        "Trajectory" => "trajectory",
        other => {
            return Err(ErddapError::Query(format!(
                "For .ncCF requests, cdm_data_type must be TimeSeries, Profile or Trajectory here (this dataset is {other})."
            )));
        }
    };
    let id_col =
        cols.cols.iter().position(|c| c.attrs.iter().any(|a| a.name == "cf_role")).ok_or_else(|| {
            ErddapError::Query("For .ncCF requests, the cf_role variable must be in the results.".into())
        })?;
    let is_feature: Vec<bool> =
        cols.cols.iter().enumerate().map(|(i, c)| i == id_col || feature_vars.contains(&c.name)).collect();
    // Group rows by feature id, keeping first-seen order.
    let mut order: Vec<String> = Vec::new();
    let mut groups: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for (r, row) in rows.iter().enumerate() {
        let key = match &row[id_col] {
            Cell::Text(t) => t.clone(),
            Cell::Num(v) => v.to_string(),
        };
        groups
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(r);
    }
    let obs_order: Vec<usize> = order.iter().flat_map(|k| groups[k].iter().copied()).collect();
    let firsts: Vec<usize> = order.iter().map(|k| groups[k][0]).collect();
    let mut dims = vec![(feature.to_string(), order.len()), ("obs".to_string(), obs_order.len())];
    let mut vars = Vec::new();
    let mut states = Vec::new();
    for (i, c) in cols.cols.iter().enumerate() {
        let picks: &[usize] = if is_feature[i] { &firsts } else { &obs_order };
        let dim = if is_feature[i] { 0 } else { 1 };
        let kind = kind_of(c.ty);
        let mut st = ColState {
            kind,
            fill: int_fill(&c.attrs, c.ty),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            strlen: 1,
            spool: None,
        };
        let data = if kind == NcKind::Char {
            let texts: Vec<&str> = picks
                .iter()
                .map(|&r| match &rows[r][i] {
                    Cell::Text(t) => t.as_str(),
                    Cell::Num(_) => "",
                })
                .collect();
            st.strlen = texts.iter().map(|t| t.len()).max().unwrap_or(1).max(1);
            dims.push((format!("{}_strlen", c.name), st.strlen));
            let mut b = Vec::with_capacity(texts.len() * st.strlen);
            for t in texts {
                let mut x: Vec<u8> = t.chars().map(|ch| if (ch as u32) < 256 { ch as u8 } else { b'?' }).collect();
                x.resize(st.strlen, 0);
                b.extend_from_slice(&x);
            }
            NcData::Char(b)
        } else {
            let v: Vec<f64> = picks.iter().map(|&r| rows[r][i].num()).collect();
            for x in v.iter().filter(|x| !x.is_nan()) {
                st.min = st.min.min(*x);
                st.max = st.max.max(*x);
            }
            let f = |x: f64| if x.is_nan() { st.fill } else { x };
            match kind {
                NcKind::Byte => NcData::Byte(v.iter().map(|&x| f(x) as i8).collect()),
                NcKind::Short => NcData::Short(v.iter().map(|&x| f(x) as i16).collect()),
                NcKind::Int => NcData::Int(v.iter().map(|&x| f(x) as i32).collect()),
                NcKind::Float => NcData::Float(v.iter().map(|&x| x as f32).collect()),
                _ => NcData::Double(v),
            }
        };
        let d = if kind == NcKind::Char { vec![dim, dims.len() - 1] } else { vec![dim] };
        vars.push(NcVarOut { name: c.name.clone(), dims: d, attrs: var_attrs(c.ty, &c.attrs, &st), data });
        states.push(st);
    }
    let title = format!("Number of Observations for this {cdm_data_type}");
    vars.push(NcVarOut {
        name: "rowSize".into(),
        dims: vec![0],
        attrs: vec![
            ("ioos_category".into(), NcAttr::Text("Identifier".into())),
            ("long_name".into(), NcAttr::Text(title)),
            ("sample_dimension".into(), NcAttr::Text("obs".into())),
        ],
        data: NcData::Int(order.iter().map(|k| groups[k].len() as i32).collect()),
    });
    let mut g = global_attrs(globals, cols, &states, history_line);
    match g.iter_mut().find(|(n, _)| n == "featureType") {
        Some(a) => a.1 = NcAttr::Text(cdm_data_type.into()),
        None => g.push(("featureType".into(), NcAttr::Text(cdm_data_type.into()))),
    }
    write(&NcOut { dims, attrs: g, vars }).map_err(|e| ErddapError::TooLarge(format!("[ncCF] {e}")))
}
