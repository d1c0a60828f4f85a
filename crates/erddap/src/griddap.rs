//! griddap: the bracket grammar of data requests (`var[(t0):stride:(t1)][(lat0):(lat1)][(lon0):(lon1)]`,
//! ERDDAP `EDDGrid.parseDataDapQuery` / `parseAxisBrackets` as research/erddap.md §2.1 records them),
//! the flattened table layout of grid answers (axes in order, then the data variables, last axis
//! fastest) and the `.ncml` document erddapy's `griddap_initialize` reads.
//!
//! Grammar of one bracket: `[]` all; `[start]`; `[start:stop]`; `[start:stride:stop]`; start/stop an
//! index `N`, `last`, `last-N`, or a value `(v)` (closest index; time as ISO 8601 or epoch seconds,
//! `(last)` / `(last-X)` in axis units). A start after its stop is swapped, as ERDDAP 2.x does. Without
//! brackets a variable means the full extent; every data variable of one request must use identical
//! brackets.

use crate::cell::{Column, Columns};
use crate::dataset::{Attr, DataType};
use crate::error::ErddapError;

/// One axis of a grid dataset, in axis order.
#[derive(Debug, Clone, PartialEq)]
pub struct GridAxis {
    pub name: String,
    /// Values as stored (time in epoch seconds).
    pub values: Vec<f64>,
    pub units: String,
    pub is_time: bool,
}

/// A parsed data request: the variables asked for and, per axis, the selected indices.
#[derive(Debug, Clone, PartialEq)]
pub struct GridSelection {
    pub vars: Vec<String>,
    pub indices: Vec<Vec<usize>>,
}

impl GridSelection {
    /// Cells per variable.
    pub fn cells(&self) -> usize {
        self.indices.iter().map(Vec::len).product()
    }
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_err(msg: impl Into<String>) -> ErddapError {
    ErddapError::Query(msg.into())
}

/// The closest index of a value on an axis (ERDDAP `destinationToClosestIndex`); outside the axis
/// range by more than half a spacing is an error.
fn closest(axis: &GridAxis, v: f64) -> Result<usize, ErddapError> {
    let vals = &axis.values;
    let (lo, hi) = vals.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let half = if vals.len() > 1 { (hi - lo) / (vals.len() - 1) as f64 / 2.0 } else { 0.0 };
    let tol = half.max(1e-9 * hi.abs().max(1.0));
    if !v.is_finite() || v < lo - tol || v > hi + tol {
        return Err(query_err(format!(
            "For variable={} axis#0={} Constraint=\"[({v})]\": {v} is outside of the axis range ({lo} to {hi}).",
            axis.name, axis.name
        )));
    }
    let mut best = 0;
    for (i, &x) in vals.iter().enumerate() {
        if (x - v).abs() < (vals[best] - v).abs() {
            best = i;
        }
    }
    Ok(best)
}

/// One start or stop of a bracket.
fn position(axis: &GridAxis, s: &str) -> Result<usize, ErddapError> {
    let n = axis.values.len();
    let last = n.saturating_sub(1);
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        let inner = inner.trim();
        let v = if let Some(rest) = inner.strip_prefix("last") {
            let max = axis.values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let off = if rest.trim().is_empty() {
                0.0
            } else {
                rest.trim().replace(' ', "").parse::<f64>().map_err(|_| query_err(format!("bad value ({inner})")))?
            };
            max + off
        } else if axis.is_time && !inner.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) {
            crate::time::parse_time(inner, chrono::Utc::now())
                .map_err(|e| query_err(format!("For axis {}: {e}", axis.name)))?
        } else {
            inner
                .parse::<f64>()
                .map_err(|_| query_err(format!("For axis {}: ({inner}) is not a number.", axis.name)))?
        };
        return closest(axis, v);
    }
    if let Some(rest) = s.strip_prefix("last") {
        let off: i64 = if rest.is_empty() {
            0
        } else {
            rest.replace(' ', "").parse().map_err(|_| query_err(format!("bad index {s}")))?
        };
        let i = last as i64 + off;
        if i < 0 || i > last as i64 {
            return Err(query_err(format!("For axis {}: index {s} is outside 0..{last}.", axis.name)));
        }
        return Ok(i as usize);
    }
    let i: usize = s.parse().map_err(|_| query_err(format!("For axis {}: {s:?} is not an index.", axis.name)))?;
    if i > last || n == 0 {
        return Err(query_err(format!("For axis {}: index {i} is outside 0..{last}.", axis.name)));
    }
    Ok(i)
}

/// The indices one bracket body selects.
fn bracket(axis: &GridAxis, body: &str) -> Result<Vec<usize>, ErddapError> {
    if body.trim().is_empty() {
        return Ok((0..axis.values.len()).collect());
    }
    // Split on ':' outside parentheses.
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in body.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ':' if depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    let (a, stride, b) = match parts.as_slice() {
        [one] => (*one, "1", *one),
        [a, b] => (*a, "1", *b),
        [a, s, b] => (*a, *s, *b),
        _ => return Err(query_err(format!("For axis {}: [{body}] has too many ':'.", axis.name))),
    };
    let stride: usize = stride
        .trim()
        .parse()
        .ok()
        .filter(|s| *s >= 1)
        .ok_or_else(|| query_err(format!("For axis {}: stride {stride:?} must be an integer >= 1.", axis.name)))?;
    let (mut i, mut j) = (position(axis, a)?, position(axis, b)?);
    if i > j {
        std::mem::swap(&mut i, &mut j);
    }
    Ok((i..=j).step_by(stride).collect())
}

/// Parses a griddap data query against the dataset's axes and data variables. An empty query asks for
/// every data variable over the full extent.
pub fn parse_grid_query(raw: &str, axes: &[GridAxis], data_vars: &[String]) -> Result<GridSelection, ErddapError> {
    let q = decode(raw);
    let (main, rest) = q.split_once('&').unwrap_or((q.as_str(), ""));
    if rest.split('&').any(|c| !c.is_empty() && !c.starts_with('.')) {
        return Err(query_err("griddap queries take no &constraints (only &.options)."));
    }
    let full: Vec<Vec<usize>> = axes.iter().map(|a| (0..a.values.len()).collect()).collect();
    if main.trim().is_empty() {
        return Ok(GridSelection { vars: data_vars.to_vec(), indices: full });
    }
    let mut vars = Vec::new();
    let mut chosen: Option<(String, Vec<Vec<usize>>)> = None;
    // Split variables on ',' outside brackets.
    let mut items = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in main.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&main[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&main[start..]);
    for item in items {
        let item = item.trim();
        let (name, brackets) = item.split_at(item.find('[').unwrap_or(item.len()));
        if axes.iter().any(|a| a.name == name) {
            return Err(query_err(format!(
                "axis-only requests ({name}) are not supported here; ask for a data variable"
            )));
        }
        if !data_vars.iter().any(|v| v == name) {
            return Err(query_err(format!("Unrecognized variable=\"{name}\".")));
        }
        let indices = if brackets.is_empty() {
            full.clone()
        } else {
            let bodies: Vec<&str> = brackets
                .strip_prefix('[')
                .and_then(|b| b.strip_suffix(']'))
                .map(|b| b.split("][").collect())
                .ok_or_else(|| query_err(format!("For variable={name}: malformed brackets {brackets}")))?;
            if bodies.len() != axes.len() {
                return Err(query_err(format!(
                    "For variable={name}: the number of bracket constraints ({}) must equal the number of axes ({}).",
                    bodies.len(),
                    axes.len()
                )));
            }
            axes.iter().zip(bodies).map(|(a, b)| bracket(a, b)).collect::<Result<_, _>>()?
        };
        match &chosen {
            Some((first, idx)) if *idx != indices => {
                return Err(query_err(format!(
                    "The constraint for {name} is not identical to the constraint for {first}."
                )));
            }
            None => chosen = Some((name.to_string(), indices)),
            _ => {}
        }
        vars.push(name.to_string());
    }
    let indices = chosen.map(|c| c.1).unwrap_or(full);
    Ok(GridSelection { vars, indices })
}

/// The columns of a flattened grid answer: every axis, then the data variables (`(name, units)`).
pub fn grid_columns(axes: &[GridAxis], vars: &[(String, String)]) -> Columns {
    let mut cols: Vec<Column> = axes
        .iter()
        .map(|a| Column {
            name: a.name.clone(),
            ty: DataType::Double,
            units: Some(if a.is_time { "UTC".into() } else { a.units.clone() }),
            is_time: a.is_time,
            attrs: vec![Attr::text("units", &a.units)],
        })
        .collect();
    cols.extend(vars.iter().map(|(n, u)| Column {
        name: n.clone(),
        ty: DataType::Float,
        units: Some(u.clone()).filter(|u| !u.is_empty()),
        is_time: false,
        attrs: vec![Attr::text("units", u)],
    }));
    Columns { cols }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The `.ncml` of a grid dataset: global attributes, one dimension and coordinate variable per axis
/// with `actual_range`, then the data variables `(name, units, long_name)` over all axes.
pub fn ncml(base: &str, id: &str, title: &str, axes: &[GridAxis], vars: &[(String, String, String)]) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<netcdf xmlns=\"https://www.unidata.ucar.edu/namespaces/netcdf/ncml-2.2\" location=\"{}/griddap/{}\">\n",
        xml(base),
        xml(id)
    ));
    s.push_str("  <attribute name=\"cdm_data_type\" value=\"Grid\" />\n");
    s.push_str("  <attribute name=\"Conventions\" value=\"CF-1.6, COARDS, ACDD-1.3\" />\n");
    s.push_str(&format!("  <attribute name=\"title\" value=\"{}\" />\n", xml(title)));
    for a in axes {
        s.push_str(&format!("  <dimension name=\"{}\" length=\"{}\" />\n", xml(&a.name), a.values.len()));
    }
    for a in axes {
        let (lo, hi) = a.values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(x, y), &v| (x.min(v), y.max(v)));
        s.push_str(&format!("  <variable name=\"{0}\" shape=\"{0}\" type=\"double\">\n", xml(&a.name)));
        s.push_str(&format!("    <attribute name=\"actual_range\" type=\"double\" value=\"{lo:?} {hi:?}\" />\n"));
        s.push_str(&format!("    <attribute name=\"units\" value=\"{}\" />\n", xml(&a.units)));
        s.push_str("  </variable>\n");
    }
    let shape: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
    for (name, units, long) in vars {
        s.push_str(&format!("  <variable name=\"{}\" shape=\"{}\" type=\"float\">\n", xml(name), shape.join(" ")));
        s.push_str(&format!("    <attribute name=\"long_name\" value=\"{}\" />\n", xml(long)));
        s.push_str(&format!("    <attribute name=\"units\" value=\"{}\" />\n", xml(units)));
        s.push_str("  </variable>\n");
    }
    s.push_str("</netcdf>\n");
    s
}

/// One data variable of a `.nc` grid answer: name, units, long name, fill value and the selected cells
/// (row-major over the selected axes; NaN for no data).
pub struct GridNcVar {
    pub name: String,
    pub units: String,
    pub long_name: String,
    pub values: Vec<f32>,
}

/// A griddap `.nc` answer (NetCDF-3 classic, as ERDDAP writes it): one dimension and one double
/// coordinate variable per axis with `actual_range` of the subset (time in epoch seconds), each data
/// variable as float over all axes with `_FillValue` NaN, and the global `history` ending with the
/// request (`history_line`), which argopy and erddapy read back.
pub fn grid_nc(
    id: &str,
    axes: &[GridAxis],
    sel: &GridSelection,
    vars: &[GridNcVar],
    history_line: &str,
) -> Result<Vec<u8>, ErddapError> {
    use formats::netcdf_write::{NcAttr, NcData, NcOut, NcVarOut, write};
    let t = |s: &str| NcAttr::Text(s.to_string());
    let mut out = NcOut {
        dims: axes.iter().zip(&sel.indices).map(|(a, i)| (a.name.clone(), i.len())).collect(),
        attrs: vec![
            ("cdm_data_type".into(), t("Grid")),
            ("Conventions".into(), t("CF-1.6, COARDS, ACDD-1.3")),
            ("history".into(), t(history_line)),
            ("id".into(), t(id)),
        ],
        vars: Vec::new(),
    };
    for (k, (a, idx)) in axes.iter().zip(&sel.indices).enumerate() {
        let vals: Vec<f64> = idx.iter().map(|&i| a.values[i]).collect();
        let (lo, hi) = vals.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(x, y), &v| (x.min(v), y.max(v)));
        let (axis, std) = match a.name.as_str() {
            "time" => ("T", "time"),
            "latitude" => ("Y", "latitude"),
            "longitude" => ("X", "longitude"),
            _ => ("Z", a.name.as_str()),
        };
        out.vars.push(NcVarOut {
            name: a.name.clone(),
            dims: vec![k],
            attrs: vec![
                ("actual_range".into(), NcAttr::Doubles(vec![lo, hi])),
                ("axis".into(), t(axis)),
                ("standard_name".into(), t(std)),
                ("units".into(), t(&a.units)),
            ],
            data: NcData::Double(vals),
        });
    }
    let dims: Vec<usize> = (0..axes.len()).collect();
    for v in vars {
        if v.values.len() != sel.cells() {
            return Err(ErddapError::Internal(format!(
                "{}: {} values for {} cells",
                v.name,
                v.values.len(),
                sel.cells()
            )));
        }
        out.vars.push(NcVarOut {
            name: v.name.clone(),
            dims: dims.clone(),
            attrs: vec![
                ("_FillValue".into(), NcAttr::Float(f32::NAN)),
                ("long_name".into(), t(&v.long_name)),
                ("units".into(), t(&v.units)),
            ],
            data: NcData::Float(v.values.clone()),
        });
    }
    write(&out).map_err(ErddapError::Internal)
}

/// `averageSpacing` as ERDDAP writes it: a number, or for time `N days` / `N hours` / `N seconds`.
fn spacing(a: &GridAxis) -> (bool, String) {
    if a.values.len() < 2 {
        return (true, "(just one value)".into());
    }
    let n = a.values.len() - 1;
    let avg = (a.values[n] - a.values[0]) / n as f64;
    let even = a.values.windows(2).all(|w| ((w[1] - w[0]) - avg).abs() <= 1e-6 * avg.abs().max(1e-12));
    let text = if a.is_time {
        let s = avg.abs();
        if (s / 86_400.0).fract() == 0.0 {
            let d = (s / 86_400.0) as i64;
            format!("{d} day{}", if d == 1 { "" } else { "s" })
        } else if (s / 3600.0).fract() == 0.0 {
            format!("{}h", (s / 3600.0) as i64)
        } else {
            format!("{s}s")
        }
    } else {
        // Ten decimals, as ERDDAP's rounded spacing reads (0.05, not 0.04999999999999992).
        format!("{:?}", (avg * 1e10).round() / 1e10)
    };
    (even, text)
}

/// `/info/{id}/index.{ext}` of a grid dataset: global attributes, then per axis a `dimension` row
/// (`nValues=..., evenlySpaced=..., averageSpacing=...`) with its attributes, then per data variable a
/// `variable` row whose value is the axis list, with its attributes (`(name, units, long_name)`).
pub fn grid_info_table(
    title: &str,
    institution: &str,
    axes: &[GridAxis],
    vars: &[(String, String, String)],
) -> crate::PlainTable {
    let row = |a: &str, b: &str, c: &str, d: &str, e: &str| vec![a.into(), b.into(), c.into(), d.into(), e.into()];
    let mut rows = vec![
        row("attribute", "NC_GLOBAL", "cdm_data_type", "String", "Grid"),
        row("attribute", "NC_GLOBAL", "Conventions", "String", "CF-1.6, COARDS, ACDD-1.3"),
        row("attribute", "NC_GLOBAL", "institution", "String", institution),
        row("attribute", "NC_GLOBAL", "title", "String", title),
    ];
    for a in axes {
        let (even, avg) = spacing(a);
        rows.push(row(
            "dimension",
            &a.name,
            "",
            "double",
            &format!("nValues={}, evenlySpaced={even}, averageSpacing={avg}", a.values.len()),
        ));
        let (lo, hi) = a.values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(x, y), &v| (x.min(v), y.max(v)));
        rows.push(row("attribute", &a.name, "actual_range", "double", &format!("{lo:?}, {hi:?}")));
        rows.push(row("attribute", &a.name, "units", "String", &a.units));
    }
    let dims: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
    for (name, units, long) in vars {
        rows.push(row("variable", name, "", "float", &dims.join(", ")));
        rows.push(row("attribute", name, "long_name", "String", long));
        rows.push(row("attribute", name, "units", "String", units));
    }
    crate::PlainTable {
        columns: ["Row Type", "Variable Name", "Attribute Name", "Data Type", "Value"].map(String::from).to_vec(),
        rows,
    }
}

fn dap_number(v: f64) -> String {
    if v.is_nan() { "NaN".into() } else { format!("{v:?}") }
}

/// The OPeNDAP `.dds` of a grid dataset (whole extent): the axes, then one `GRID` per data variable.
pub fn grid_dds(id: &str, axes: &[GridAxis], vars: &[String]) -> String {
    let dim = |a: &GridAxis| format!("{} = {}", a.name, a.values.len());
    let mut s = String::from("Dataset {\n");
    for a in axes {
        s.push_str(&format!("  Float64 {}[{}];\n", a.name, dim(a)));
    }
    for v in vars {
        let shape: String = axes.iter().map(|a| format!("[{}]", dim(a))).collect();
        s.push_str(&format!("  GRID {{\n    ARRAY:\n      Float32 {v}{shape};\n    MAPS:\n"));
        for a in axes {
            s.push_str(&format!("      Float64 {}[{}];\n", a.name, dim(a)));
        }
        s.push_str(&format!("  }} {v};\n"));
    }
    s.push_str(&format!("}} {id};\n"));
    s
}

/// The OPeNDAP `.das` of a grid dataset: each axis (`actual_range`, `units`), each data variable
/// (`_FillValue`, `long_name`, `units`; `(name, units, long_name)`), then `NC_GLOBAL`.
pub fn grid_das(title: &str, axes: &[GridAxis], vars: &[(String, String, String)]) -> String {
    let q = |s: &str| crate::json::json_string(s);
    let mut s = String::from("Attributes {\n");
    for a in axes {
        let (lo, hi) = a.values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(x, y), &v| (x.min(v), y.max(v)));
        s.push_str(&format!("  {} {{\n", a.name));
        s.push_str(&format!("    Float64 actual_range {}, {};\n", dap_number(lo), dap_number(hi)));
        s.push_str(&format!("    String units {};\n  }}\n", q(&a.units)));
    }
    for (name, units, long) in vars {
        s.push_str(&format!("  {name} {{\n    Float32 _FillValue NaN;\n"));
        s.push_str(&format!("    String long_name {};\n    String units {};\n  }}\n", q(long), q(units)));
    }
    s.push_str(
        "  NC_GLOBAL {\n    String cdm_data_type \"Grid\";\n    String Conventions \"CF-1.6, COARDS, ACDD-1.3\";\n",
    );
    s.push_str(&format!("    String title {};\n  }}\n}}\n", q(title)));
    s
}

/// The `.ncHeader` (CDL, as `ncdump -h` prints it) of a `.nc` answer's bytes.
pub fn nc_header_of(bytes: &[u8], file_name: &str) -> Result<String, ErddapError> {
    use formats::netcdf::{NcFile, NcType};
    let nc = NcFile::parse(bytes).map_err(|e| ErddapError::Internal(e.to_string()))?;
    let attr = |a: &formats::netcdf::Attr| -> String {
        match a.ty {
            NcType::Char => crate::json::json_string(&a.to_text()),
            NcType::Float => format!(
                "{} // float",
                a.f64s().iter().map(|v| format!("{}f", dap_number(*v as f32 as f64))).collect::<Vec<_>>().join(", ")
            ),
            NcType::Double => {
                format!("{} // double", a.f64s().iter().map(|v| dap_number(*v)).collect::<Vec<_>>().join(", "))
            }
            _ => a.to_text(),
        }
    };
    let mut s = format!("netcdf {file_name} {{\n  dimensions:\n");
    for d in &nc.dims {
        s.push_str(&format!("    {} = {};\n", d.name, d.len));
    }
    s.push_str("  variables:\n");
    for v in &nc.vars {
        let ty = match v.ty {
            NcType::Byte => "byte",
            NcType::Char => "char",
            NcType::Short => "short",
            NcType::Int => "int",
            NcType::Float => "float",
            NcType::Double => "double",
        };
        let dims: Vec<String> = v.dim_ids.iter().map(|&d| format!("{}={}", nc.dims[d].name, nc.dims[d].len)).collect();
        s.push_str(&format!("    {ty} {}({});\n", v.name, dims.join(", ")));
        for a in &v.attrs {
            s.push_str(&format!("      :{} = {};\n", a.name, attr(a)));
        }
    }
    s.push_str("\n  // global attributes:\n");
    for a in &nc.attrs {
        s.push_str(&format!("  :{} = {};\n", a.name, attr(a)));
    }
    s.push_str("}\n");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axes() -> Vec<GridAxis> {
        vec![
            GridAxis {
                name: "time".into(),
                values: (0..5).map(|d| 1_688_212_800.0 + 86_400.0 * d as f64).collect(), // 2023-07-01T12Z..
                units: "seconds since 1970-01-01T00:00:00Z".into(),
                is_time: true,
            },
            GridAxis {
                name: "latitude".into(),
                values: vec![25.0, 24.5, 24.0, 23.5], // descending, as CRW serves it
                units: "degrees_north".into(),
                is_time: false,
            },
            GridAxis {
                name: "longitude".into(),
                values: vec![-81.0, -80.5, -80.0],
                units: "degrees_east".into(),
                is_time: false,
            },
        ]
    }

    fn vars() -> Vec<String> {
        vec!["CRW_DHW".into(), "CRW_SST".into()]
    }

    #[test]
    fn brackets_by_index_value_last_and_stride() {
        let a = axes();
        let s =
            parse_grid_query("CRW_DHW[(2023-07-02T12:00:00Z):1:(last)][(24.6):(23.4)][0:2:2]", &a, &vars()).unwrap();
        assert_eq!(s.vars, ["CRW_DHW"]);
        assert_eq!(s.indices, vec![vec![1, 2, 3, 4], vec![1, 2, 3], vec![0, 2]]);
        // erddapy's form: epoch seconds in scientific notation, percent-encoded brackets.
        let s = parse_grid_query("CRW_DHW%5B(1.6882992E9)%5D%5B(23.5):1:(25)%5D%5Blast%5D", &a, &vars()).unwrap();
        assert_eq!(s.indices, vec![vec![1], vec![0, 1, 2, 3], vec![2]]);
        let s = parse_grid_query("CRW_DHW[last-1][][(-80.4)],CRW_SST[last-1][][(-80.4)]", &a, &vars()).unwrap();
        assert_eq!((s.vars.len(), s.indices.clone()), (2, vec![vec![3], vec![0, 1, 2, 3], vec![1]]));
        assert_eq!(s.cells(), 4);
        let all = parse_grid_query("", &a, &vars()).unwrap();
        assert_eq!((all.vars.len(), all.cells()), (2, 60));
        let bare = parse_grid_query("CRW_SST", &a, &vars()).unwrap();
        assert_eq!(bare.cells(), 60);
    }

    #[test]
    fn bad_requests_are_query_errors() {
        let a = axes();
        for q in [
            "nope[0][0][0]",
            "CRW_DHW[0][0]",
            "CRW_DHW[9][0][0]",
            "CRW_DHW[(2030-01-01)][0][0]",
            "CRW_DHW[0][(60)][0]",
            "CRW_DHW[0:0:1][0][0]",
            "CRW_DHW[0][0][0],CRW_SST[1][0][0]",
            "CRW_DHW[0][0][0]&time>=2023",
            "CRW_DHW[0][0][x]",
            "latitude",
        ] {
            let e = parse_grid_query(q, &a, &vars()).unwrap_err();
            assert_eq!(e.status(), 400, "{q}: {e}");
        }
    }

    #[test]
    fn ncml_has_actual_range_for_every_dimension() {
        let a = axes();
        let x = ncml("http://h/erddap", "crw", "T", &a, &[("CRW_DHW".into(), "degree_C_weeks".into(), "DHW".into())]);
        assert!(x.contains("xmlns=\"https://www.unidata.ucar.edu/namespaces/netcdf/ncml-2.2\""));
        assert!(x.contains("<dimension name=\"latitude\" length=\"4\" />"));
        assert!(x.contains("value=\"23.5 25.0\""));
        assert!(x.contains("<variable name=\"CRW_DHW\" shape=\"time latitude longitude\" type=\"float\">"));
        assert_eq!(x.matches("actual_range").count(), 3);
    }
}
