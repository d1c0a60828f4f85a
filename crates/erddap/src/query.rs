//! The tabledap query grammar: `vars&constraint&...&function(...)`, decoded the way ERDDAP decodes it
//! (`Table.getDapQueryParts`) and typed against a dataset (`EDDTable.parseUserDapQuery`).
//!
//! Our extension: `polygon=[[lon,lat],...]` or `polygon="POLYGON((lon lat, ...))"` keeps the rows whose
//! (longitude, latitude) lies inside the polygon (antimeridian-aware, see `model::Polygon`).

use chrono::{DateTime, Utc};
use model::{Point, Polygon};

use crate::dataset::Dataset;
use crate::error::ErddapError;
use crate::functions::{Function, parse_function};
use crate::time::parse_time;

/// A comparison operator, in the order ERDDAP looks for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Ne,
    Regex,
    Le,
    Ge,
    Eq,
    Lt,
    Gt,
}

const OPS: &[(&str, Op)] =
    &[("!=", Op::Ne), ("=~", Op::Regex), ("<=", Op::Le), (">=", Op::Ge), ("=", Op::Eq), ("<", Op::Lt), (">", Op::Gt)];

/// The right-hand side of a constraint, typed by its variable.
#[derive(Debug, Clone)]
pub enum Rhs {
    /// A number or a time in epoch seconds; NaN tests for missing values.
    Num(f64),
    Str(String),
    /// A regular expression that must match the whole value.
    Regex(regex::Regex),
}

impl PartialEq for Rhs {
    fn eq(&self, o: &Rhs) -> bool {
        match (self, o) {
            (Rhs::Num(a), Rhs::Num(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Rhs::Str(a), Rhs::Str(b)) => a == b,
            (Rhs::Regex(a), Rhs::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// Index of the variable in the dataset.
    pub var: usize,
    pub op: Op,
    pub value: Rhs,
}

/// A parsed tabledap request.
#[derive(Debug, Clone, PartialEq)]
pub struct TableQuery {
    /// Result variables (dataset indices), in the requested order.
    pub results: Vec<usize>,
    pub constraints: Vec<Constraint>,
    /// Functions in the order they appear.
    pub functions: Vec<Function>,
    /// Our `polygon=` extension.
    pub polygon: Option<Polygon>,
    /// `units("UCUM")` was asked for.
    pub ucum: bool,
}

/// Splits a raw query string into its decoded parts: when it holds no literal `&` it is decoded whole
/// first (erddapy quotes everything), otherwise split at `&` outside quotes and each part decoded.
/// `+` decodes to a space, as `java.net.URLDecoder` does.
pub fn split_query(raw: &str) -> Vec<String> {
    if !raw.contains('&') {
        split_outside_quotes(&decode(raw)).into_iter().collect()
    } else {
        split_outside_quotes(raw).into_iter().map(|p| decode(&p)).collect()
    }
}

fn split_outside_quotes(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_quotes => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '"' => {
                in_quotes = !in_quotes;
                cur.push(c);
            }
            '&' if !in_quotes => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts
}

/// Percent-decoding with `+` as space; a malformed `%` sequence is kept as it is.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Decodes a JSON string literal (`"a\"b"`), as ERDDAP does with quoted values.
pub(crate) fn json_unquote(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() < 2 || !s.starts_with('"') || !s.ends_with('"') {
        return None;
    }
    serde_json::from_str::<String>(s).ok().or_else(|| {
        // ERDDAP is lenient with backslashes JSON would reject: keep them literally.
        Some(s[1..s.len() - 1].replace("\\\"", "\""))
    })
}

impl TableQuery {
    /// Parses a raw query string (what follows `?`, still percent-encoded) against `ds`.
    pub fn parse(raw: &str, ds: &Dataset, now: DateTime<Utc>) -> Result<TableQuery, ErddapError> {
        let parts = split_query(raw);
        let mut q = TableQuery {
            results: Vec::new(),
            constraints: Vec::new(),
            functions: Vec::new(),
            polygon: None,
            ucum: false,
        };
        let mut iter = parts.iter();
        let first = iter.next().map(String::as_str).unwrap_or("");
        // The first part is the variable list unless it is itself a constraint or a function.
        let mut rest: Vec<&str> = Vec::new();
        if is_var_list(first) {
            for name in first.split(',') {
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                let i = ds
                    .var_index(name)
                    .ok_or_else(|| ErddapError::Query(format!("Unrecognized variable=\"{name}\".")))?;
                if q.results.contains(&i) {
                    return Err(ErddapError::Query(format!(
                        "variable={name} is listed twice in the results variables list."
                    )));
                }
                q.results.push(i);
            }
        } else {
            rest.push(first);
        }
        rest.extend(iter.map(String::as_str));
        if q.results.is_empty() {
            q.results = (0..ds.vars.len()).collect();
        }
        for part in rest {
            if part.is_empty() || part.starts_with('.') {
                continue;
            }
            if let Some(f) = parse_function(part, ds, &q.results)? {
                match f {
                    Function::Units(ucum) => q.ucum = ucum,
                    f => q.functions.push(f),
                }
                continue;
            }
            if let Some(value) = part.strip_prefix("polygon=") {
                q.polygon = Some(parse_polygon(value)?);
                if ds.var_index("longitude").is_none() || ds.var_index("latitude").is_none() {
                    return Err(ErddapError::Query("polygon= needs a dataset with longitude and latitude.".into()));
                }
                continue;
            }
            q.constraints.push(parse_constraint(part, ds, now)?);
        }
        Ok(q)
    }

    /// Every dataset variable the query needs: the results first, then those only constrained.
    pub fn needed(&self, ds: &Dataset) -> Vec<usize> {
        let mut v = self.results.clone();
        let mut add = |i: usize| {
            if !v.contains(&i) {
                v.push(i);
            }
        };
        for c in &self.constraints {
            add(c.var);
        }
        if self.polygon.is_some() {
            ds.var_index("longitude").into_iter().chain(ds.var_index("latitude")).for_each(&mut add);
        }
        v
    }

    /// The numeric bounds the constraints put on variable `var`: `(min, max)`, inclusive, infinite when
    /// open. Used to push filters down to the store; exact filtering still happens on every row.
    pub fn bounds(&self, var: usize) -> (f64, f64) {
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        for c in self.constraints.iter().filter(|c| c.var == var) {
            if let Rhs::Num(v) = c.value {
                if v.is_nan() {
                    continue;
                }
                match c.op {
                    Op::Eq => {
                        lo = lo.max(v);
                        hi = hi.min(v);
                    }
                    Op::Ge | Op::Gt => lo = lo.max(v),
                    Op::Le | Op::Lt => hi = hi.min(v),
                    _ => {}
                }
            }
        }
        (lo, hi)
    }

    /// The single value a string variable must equal, when a constraint pins it (`=` or a regex of
    /// plain letters and digits).
    pub fn pinned_text(&self, var: usize) -> Option<String> {
        self.constraints.iter().filter(|c| c.var == var).find_map(|c| match (&c.value, c.op) {
            (Rhs::Str(s), Op::Eq) => Some(s.clone()),
            (Rhs::Regex(r), Op::Regex) => {
                let p = r.as_str().strip_prefix("^(?:")?.strip_suffix(")$")?;
                p.chars().all(|ch| ch.is_ascii_alphanumeric()).then(|| p.to_string())
            }
            _ => None,
        })
    }
}

/// A first part is a variable list when it has no operator and is not a function call.
fn is_var_list(s: &str) -> bool {
    let before_quote = s.split('"').next().unwrap_or("");
    !s.contains('(')
        && !OPS.iter().any(|(o, _)| before_quote.contains(o))
        && !before_quote.contains('~')
        && !s.starts_with('.')
}

fn parse_constraint(part: &str, ds: &Dataset, now: DateTime<Utc>) -> Result<Constraint, ErddapError> {
    let before_quote = part.split('"').next().unwrap_or("");
    if before_quote.contains("==") {
        return Err(ErddapError::Query("Use '=' instead of '==' in constraints.".into()));
    }
    if before_quote.contains("~=") {
        return Err(ErddapError::Query("Use '=~' instead of '~=' in constraints.".into()));
    }
    let (at, op_str, op) = OPS
        .iter()
        .find_map(|(s, op)| before_quote.find(s).map(|at| (at, *s, *op)))
        .ok_or_else(|| ErddapError::Query(format!("No operator found in constraint=\"{part}\".")))?;
    let name = part[..at].trim();
    let value = &part[at + op_str.len()..];
    let var = ds
        .var_index(name)
        .ok_or_else(|| ErddapError::Query(format!("Unrecognized constraint variable=\"{name}\".")))?;
    let v = &ds.vars[var];
    let quoted = value.trim_start().starts_with('"');
    if op == Op::Regex {
        let pattern = json_unquote(value).ok_or_else(|| {
            ErddapError::Query(format!(
                "For =~ constraints, the right-hand-side value must be surrounded by double quotes. Bad constraint: {part}"
            ))
        })?;
        let re = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(1 << 20)
            .build()
            .map_err(|e| ErddapError::Query(format!("Invalid regex in constraint=\"{part}\": {e}")))?;
        return Ok(Constraint { var, op, value: Rhs::Regex(re) });
    }
    if v.ty.is_text() {
        let s = json_unquote(value).ok_or_else(|| {
            ErddapError::Query(format!(
                "For constraints of String variables, the right-hand-side value must be surrounded by double quotes. Bad constraint: {part}"
            ))
        })?;
        return Ok(Constraint { var, op, value: Rhs::Str(s) });
    }
    if v.is_time() {
        let text = if quoted { json_unquote(value).unwrap_or_default() } else { value.to_string() };
        if text.starts_with("min(") || text.starts_with("max(") {
            return Err(min_max_unsupported(part));
        }
        let t = parse_time(&text, now).map_err(ErddapError::Query)?;
        return Ok(Constraint { var, op, value: Rhs::Num(t) });
    }
    if quoted {
        return Err(ErddapError::Query(format!(
            "For constraints of numeric variables, the right-hand-side value must not be surrounded by double quotes. Bad constraint: {part}"
        )));
    }
    let text = value.trim();
    if text.starts_with("min(") || text.starts_with("max(") {
        return Err(min_max_unsupported(part));
    }
    let n = if text.is_empty() || text.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        text.parse::<f64>().ok().filter(|x| !x.is_infinite()).ok_or_else(|| {
            ErddapError::Query(format!(
                "Numeric tests must use a number or NaN, not value=\"{text}\" (constraint=\"{part}\")."
            ))
        })?
    };
    Ok(Constraint { var, op, value: Rhs::Num(n) })
}

fn min_max_unsupported(part: &str) -> ErddapError {
    ErddapError::Query(format!("min() and max() values are not supported by this server. Bad constraint: {part}"))
}

/// `[[lon,lat],...]` or WKT `POLYGON((lon lat, ...))`, quoted or not.
fn parse_polygon(value: &str) -> Result<Polygon, ErddapError> {
    let value = json_unquote(value).unwrap_or_else(|| value.trim().to_string());
    let bad = |why: &str| ErddapError::Query(format!("polygon={value} is not a polygon: {why}"));
    let ring: Vec<(f64, f64)> = if value.trim_start().starts_with('[') {
        let pts: Vec<Vec<f64>> =
            serde_json::from_str(&value).map_err(|_| bad("expected [[lon,lat],...] or POLYGON((lon lat, ...))"))?;
        pts.iter()
            .map(|p| if p.len() == 2 { Ok((p[0], p[1])) } else { Err(bad("each point is [lon,lat]")) })
            .collect::<Result<_, _>>()?
    } else {
        let upper = value.trim().to_ascii_uppercase();
        let inner = upper
            .strip_prefix("POLYGON")
            .map(str::trim)
            .and_then(|s| s.strip_prefix("(("))
            .and_then(|s| s.strip_suffix("))"))
            .ok_or_else(|| bad("expected [[lon,lat],...] or POLYGON((lon lat, ...))"))?;
        if inner.contains('(') {
            return Err(bad("holes are not supported"));
        }
        inner
            .split(',')
            .map(|p| {
                let mut xy = p.split_whitespace().map(str::parse::<f64>);
                match (xy.next(), xy.next(), xy.next()) {
                    (Some(Ok(x)), Some(Ok(y)), None) => Ok((x, y)),
                    _ => Err(bad("each point is \"lon lat\"")),
                }
            })
            .collect::<Result<_, _>>()?
    };
    Polygon::new(&ring).map_err(|e| bad(&e.to_string()))
}

/// Whether the polygon holds (lon, lat); NaN positions never match.
pub(crate) fn polygon_contains(p: &Polygon, lon: f64, lat: f64) -> bool {
    Point::new(lon, lat).is_ok_and(|pt| p.contains(pt))
}

/// `a=b&c=d` form parameters, each name and value percent-decoded (`+` as space): what the search and
/// list routes take.
pub fn form_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}
