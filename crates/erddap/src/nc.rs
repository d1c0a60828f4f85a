//! The NetCDF answers of tabledap: `.nc` (a flat table along a `row` dimension, strings as
//! `char var(row, var_strlen)`, per-variable `actual_range` of the subset, the global `history` ending
//! with the request URL), `.ncHeader` (its `ncdump -h` text) and `.ncCF` (a CF-1.6 discrete sampling
//! geometry as a contiguous ragged array).
//!
//! `.nc` is streamed with flat memory: rows are spooled column by column to scratch files while the
//! ranges and string widths are measured, then the header is written and the columns copied after it.

use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use formats::netcdf_write::{NcAttr, NcData, NcKind, NcOut, NcVarOut, NcVarSpec, header, write};

use std::cmp::Ordering;

use crate::cell::{Cell, Columns};
use crate::dataset::{Attr, AttrValue, DataType, Dataset};
use crate::error::ErddapError;
use crate::functions::cmp_cell;
use crate::number::{java_double, java_float};
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

impl ColState {
    fn empty(kind: NcKind) -> ColState {
        ColState { kind, fill: f64::NAN, min: f64::INFINITY, max: f64::NEG_INFINITY, strlen: 1, spool: None }
    }
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

/// The `.ncCF` answer, laid out as ERDDAP's `EDDTable.saveAsNcCF1`/`saveAsNcCF2` do:
///
/// - TimeSeries, Trajectory, Profile: a contiguous ragged array (CF H.2.4, H.4.3, H.3.4). Dimensions
///   `{feature}` and `obs`; the `cdm_{feature}_variables` along `{feature}`, then `rowSize({feature})`
///   (`sample_dimension = "obs"`), then the observation variables along `obs`.
/// - TimeSeriesProfile, TrajectoryProfile: the ragged array of CF H.5.3 / H.6.3 (an indexed ragged array
///   of profiles in features, a contiguous one of observations in profiles). Dimensions `{feature}`,
///   `profile`, `obs`; feature variables, then `cdm_profile_variables` along `profile`, then
///   `{feature}Index(profile)` (`instance_dimension`) and `rowSize(profile)`, then the observations.
///
/// Rows are sorted (stably) by the feature id and, for two levels, the profile id; each feature and
/// profile variable takes its value from the first row of its feature or profile. Observation variables
/// other than the coordinates get `coordinates = "time latitude longitude {vertical}"`. Globals: the
/// subset's ranges, `featureType`, `Conventions` with at least CF-1.10, `history` ending in the request.
pub fn nc_cf(cols: &Columns, rows: &[Vec<Cell>], ds: &Dataset, history_line: &str) -> Result<Vec<u8>, ErddapError> {
    let cdm = ds.cdm_data_type();
    let feature = ds.cf_feature().ok_or_else(|| {
        ErddapError::Query(format!(
            "For .ncCF requests, cdm_data_type must be TimeSeries, Trajectory, Profile, TimeSeriesProfile or TrajectoryProfile (this dataset is {cdm})."
        ))
    })?;
    let outer = feature.outer;
    let two = feature.nested_profiles;
    let role_col = |role: &str| {
        cols.cols
            .iter()
            .position(|c| c.attrs.iter().any(|a| a.name == "cf_role" && a.value == AttrValue::Text(role.into())))
    };
    let missing = |role: &str| {
        ErddapError::Query(format!("For .ncCF requests, the variable with cf_role={role} must be in the results."))
    };
    let oid = role_col(&format!("{outer}_id")).ok_or_else(|| missing(&format!("{outer}_id")))?;
    let pid = if two { Some(role_col("profile_id").ok_or_else(|| missing("profile_id"))?) } else { None };
    let feature_vars = ds.csv_global(&format!("cdm_{outer}_variables"));
    let profile_vars = if two { ds.csv_global("cdm_profile_variables") } else { Vec::new() };
    // 0 = feature, 1 = profile, 2 = obs.
    let level: Vec<u8> = cols
        .cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i == oid || feature_vars.contains(&c.name) {
                0
            } else if Some(i) == pid || profile_vars.contains(&c.name) {
                1
            } else {
                2
            }
        })
        .collect();
    if !level.contains(&2) {
        return Err(ErddapError::Query(format!(
            ".ncCF and .ncCFMA queries for this dataset must at least one variable not on this list: {}.",
            ds.cf_outer_vars().join(", ")
        )));
    }

    // Sort the rows by feature (then profile) id, keeping their order within each.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        cmp_cell(&rows[a][oid], &rows[b][oid])
            .then_with(|| pid.map_or(Ordering::Equal, |p| cmp_cell(&rows[a][p], &rows[b][p])))
    });
    let mut feature_first: Vec<usize> = Vec::new(); // sorted position of each feature's first row
    let mut profile_first: Vec<usize> = Vec::new();
    let mut profile_feature: Vec<i32> = Vec::new(); // the feature number of each profile
    let mut feature_rows: Vec<i32> = Vec::new();
    let mut profile_rows: Vec<i32> = Vec::new();
    for (k, &r) in order.iter().enumerate() {
        let prev = k.checked_sub(1).map(|j| &rows[order[j]]);
        let new_feature = prev.is_none_or(|p| cmp_cell(&p[oid], &rows[r][oid]) != Ordering::Equal);
        let new_profile =
            new_feature || pid.is_some_and(|c| prev.is_none_or(|p| cmp_cell(&p[c], &rows[r][c]) != Ordering::Equal));
        if new_feature {
            feature_first.push(k);
            feature_rows.push(0);
        }
        if two && new_profile {
            profile_first.push(k);
            profile_rows.push(0);
            profile_feature.push(feature_first.len() as i32 - 1);
        }
        *feature_rows.last_mut().unwrap_or(&mut 0) += 1;
        if two {
            *profile_rows.last_mut().unwrap_or(&mut 0) += 1;
        }
    }

    let mut dims = vec![(outer.to_string(), feature_first.len())];
    if two {
        dims.push(("profile".to_string(), profile_first.len()));
    }
    dims.push(("obs".to_string(), order.len()));
    let obs_dim = dims.len() - 1;

    let vertical = ds.vertical().map(|i| ds.vars[i].name.clone());
    let mut coordinates = "time latitude longitude".to_string();
    if let Some(v) = &vertical {
        coordinates.push(' ');
        coordinates.push_str(v);
    }
    let is_coordinate =
        |name: &str| ["longitude", "latitude", "time"].contains(&name) || vertical.as_deref() == Some(name);

    let mut vars = Vec::new();
    let mut states: Vec<Option<ColState>> = (0..cols.cols.len()).map(|_| None).collect();
    for group in 0..3u8 {
        for (i, c) in cols.cols.iter().enumerate().filter(|(i, _)| level[*i] == group) {
            let picks: Vec<usize> = match group {
                0 => feature_first.iter().map(|&k| order[k]).collect(),
                1 => profile_first.iter().map(|&k| order[k]).collect(),
                _ => order.clone(),
            };
            let dim = match group {
                0 => 0,
                1 => 1,
                _ => obs_dim,
            };
            let (var, st) = cf_var(c, rows, i, &picks, dim, &mut dims);
            let mut var = var;
            if group == 2 && !is_coordinate(&c.name) {
                var.attrs.push(("coordinates".into(), NcAttr::Text(coordinates.clone())));
                var.attrs.sort_by_key(|(n, _)| n.to_lowercase());
            }
            vars.push(var);
            states[i] = Some(st);
        }
        let identifier = |long: String, extra: (&str, &str)| {
            vec![
                ("ioos_category".to_string(), NcAttr::Text("Identifier".into())),
                ("long_name".to_string(), NcAttr::Text(long)),
                (extra.0.to_string(), NcAttr::Text(extra.1.into())),
            ]
        };
        if group == 0 && !two {
            vars.push(NcVarOut {
                name: "rowSize".into(),
                dims: vec![0],
                attrs: identifier(format!("Number of Observations for this {cdm}"), ("sample_dimension", "obs")),
                data: NcData::Int(feature_rows.clone()),
            });
        }
        if group == 1 && two {
            vars.push(NcVarOut {
                name: format!("{outer}Index"),
                dims: vec![1],
                attrs: identifier(
                    format!("The {outer} to which this profile is associated."),
                    ("instance_dimension", outer),
                ),
                data: NcData::Int(profile_feature.clone()),
            });
            vars.push(NcVarOut {
                name: "rowSize".into(),
                dims: vec![1],
                attrs: identifier("Number of Observations for this Profile".into(), ("sample_dimension", "obs")),
                data: NcData::Int(profile_rows.clone()),
            });
        }
    }
    let states: Vec<ColState> =
        states.into_iter().map(|s| s.unwrap_or_else(|| ColState::empty(NcKind::Double))).collect();
    let mut g = global_attrs(&ds.globals, cols, &states, history_line);
    g.retain(|(n, _)| n != "observationDimension");
    let mut set = |name: &str, v: String| match g.iter_mut().find(|(n, _)| n == name) {
        Some(a) => a.1 = NcAttr::Text(v),
        None => g.push((name.to_string(), NcAttr::Text(v))),
    };
    set("featureType", cdm.to_string());
    if ds.global("id").is_none() {
        set("id", ds.id.clone());
    }
    set("Conventions", at_least_cf_1_10(ds.global("Conventions").unwrap_or("")));
    g.sort_by_key(|(n, _)| n.to_lowercase());
    write(&NcOut { dims, attrs: g, vars }).map_err(|e| ErddapError::TooLarge(format!("[ncCF] {e}")))
}

/// One `.ncCF` variable: column `i` of `rows` at the row positions `picks`, along dimension `dim`
/// (strings add their `{name}_strlen` dimension to `dims`).
fn cf_var(
    c: &crate::cell::Column,
    rows: &[Vec<Cell>],
    i: usize,
    picks: &[usize],
    dim: usize,
    dims: &mut Vec<(String, usize)>,
) -> (NcVarOut, ColState) {
    let kind = kind_of(c.ty);
    let mut st = ColState::empty(kind);
    st.fill = int_fill(&c.attrs, c.ty);
    let data = if kind == NcKind::Char {
        let texts: Vec<Vec<u8>> = picks
            .iter()
            .map(|&r| match &rows[r][i] {
                Cell::Text(t) => t.chars().map(|ch| if (ch as u32) < 256 { ch as u8 } else { b'?' }).collect(),
                Cell::Num(_) => Vec::new(),
            })
            .collect();
        st.strlen = texts.iter().map(Vec::len).max().unwrap_or(1).max(1);
        dims.push((format!("{}_strlen", c.name), st.strlen));
        let mut b = Vec::with_capacity(texts.len() * st.strlen);
        for mut t in texts {
            t.resize(st.strlen, 0);
            b.extend_from_slice(&t);
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
    (NcVarOut { name: c.name.clone(), dims: d, attrs: var_attrs(c.ty, &c.attrs, &st), data }, st)
}

/// ERDDAP's `ensureAtLeastCF110`: `Conventions` names CF-1.10 or a later CF-1.xx.
fn at_least_cf_1_10(conv: &str) -> String {
    if conv.is_empty() {
        return "CF-1.10".into();
    }
    if !conv.contains("CF-") {
        return format!("{conv}, CF-1.10");
    }
    let two_digits = regex::Regex::new(r"CF[ \-]\d\.\d\d").map(|r| r.is_match(conv)).unwrap_or(true);
    if two_digits {
        return conv.to_string();
    }
    match regex::Regex::new(r"CF[ \-]\d\.\d") {
        Ok(r) => r.replace(conv, "CF-1.10").into_owned(),
        Err(_) => conv.to_string(),
    }
}
