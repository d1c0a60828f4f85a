//! The tabledap query grammar: `vars&constraint&...&function(...)`, decoded the way ERDDAP decodes it
//! (`Table.getDapQueryParts`) and typed against a dataset (`EDDTable.parseUserDapQuery`).
//!
//! Our extension: `polygon=[[lon,lat],...]` or `polygon="POLYGON((lon lat, ...))"` keeps the rows whose
//! (longitude, latitude) lies inside the polygon (antimeridian-aware, see `model::Polygon`).

use chrono::{DateTime, Utc};
use model::{Point, Polygon};

use crate::dataset::{AttrValue, Dataset};
use crate::error::ErddapError;
use crate::functions::{Function, parse_function};
use crate::json::json_unquote;
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
    /// `min(var)` or `max(var)`, optionally moved (`max(time)-7days`, `min(longitude)+10`): the
    /// dataset's own extreme of `var`. The server, which knows the store, resolves it into a number
    /// ([`TableQuery::resolve_extremes`]) before the query runs; unresolved it matches nothing.
    Extreme {
        var: usize,
        max: bool,
        offset: String,
    },
}

impl PartialEq for Rhs {
    fn eq(&self, o: &Rhs) -> bool {
        match (self, o) {
            (Rhs::Num(a), Rhs::Num(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Rhs::Str(a), Rhs::Str(b)) => a == b,
            (Rhs::Regex(a), Rhs::Regex(b)) => a.as_str() == b.as_str(),
            (Rhs::Extreme { var: a, max: x, offset: o }, Rhs::Extreme { var: b, max: y, offset: p }) => {
                a == b && x == y && o == p
            }
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
            if part.starts_with("addVariablesWhere(") {
                add_variables_where(part, ds, &mut q.results)?;
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

    /// The `(variable, max)` pairs whose dataset-wide extreme the query's `min()`/`max()` values need.
    pub fn extremes(&self) -> Vec<(usize, bool)> {
        let mut v: Vec<(usize, bool)> = self
            .constraints
            .iter()
            .filter_map(|c| match &c.value {
                Rhs::Extreme { var, max, .. } => Some((*var, *max)),
                _ => None,
            })
            .collect();
        v.dedup();
        v
    }

    /// Replaces every `min(var)`/`max(var)` by the number `known(var, max)` gives, moved by its offset.
    /// An extreme that is not known is ERDDAP's 400 (`"max(x)" is not allowed because the maximum value
    /// isn't known.`).
    pub fn resolve_extremes(
        &mut self,
        ds: &Dataset,
        known: &dyn Fn(usize, bool) -> Option<f64>,
    ) -> Result<(), ErddapError> {
        for c in &mut self.constraints {
            let Rhs::Extreme { var, max, offset } = &c.value else { continue };
            let mm = if *max { "max" } else { "min" };
            let name = &ds.vars[*var].name;
            let base = known(*var, *max).filter(|x| !x.is_nan()).ok_or_else(|| {
                ErddapError::Query(format!("\"{mm}({name})\" is not allowed because the {mm}imum value isn't known."))
            })?;
            let v = apply_extreme_offset(base, offset, ds.vars[*var].is_time())
                .ok_or_else(|| ErddapError::Query(format!("The offset in \"{mm}({name}){offset}\" is not valid.")))?;
            c.value = Rhs::Num(v);
        }
        Ok(())
    }

    /// Makes the query fit a `.ncCF` answer, as ERDDAP does: when variables were listed, the ones every
    /// CF file needs (feature ids, longitude, latitude, time, vertical) are put first if missing, and at
    /// least one listed variable must be an observation (not an outer, feature or profile) variable.
    pub fn add_cf_variables(&mut self, ds: &Dataset) -> Result<(), ErddapError> {
        if ds.cf_feature().is_none() {
            return Err(ErddapError::Query(format!(
                "For .ncCF requests, the dataset's cdm_data_type must be TimeSeries, Trajectory, Profile, TimeSeriesProfile or TrajectoryProfile (datasetID={} is {}).",
                ds.id,
                ds.cdm_data_type()
            )));
        }
        if self.results.len() == ds.vars.len() {
            return Ok(());
        }
        let outer = ds.cf_outer_vars();
        if self.results.iter().all(|&i| outer.contains(&ds.vars[i].name)) {
            return Err(ErddapError::Query(format!(
                ".ncCF and .ncCFMA queries for this dataset must at least one variable not on this list: {}.",
                outer.join(", ")
            )));
        }
        let missing: Vec<usize> = ds.cf_required().into_iter().filter(|i| !self.results.contains(i)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        let shift = missing.len();
        self.results.splice(0..0, missing);
        for f in &mut self.functions {
            if let Function::Order { keys, .. } = f {
                keys.iter_mut().for_each(|k| k.col += shift);
            }
        }
        Ok(())
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
    if op != Op::Regex && (value.starts_with("min(") || value.starts_with("max(")) {
        return Ok(Constraint { var, op, value: parse_extreme(value, ds)? });
    }
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
        let t = parse_time(&text, now).map_err(ErddapError::Query)?;
        return Ok(Constraint { var, op, value: Rhs::Num(t) });
    }
    if quoted {
        return Err(ErddapError::Query(format!(
            "For constraints of numeric variables, the right-hand-side value must not be surrounded by double quotes. Bad constraint: {part}"
        )));
    }
    let text = value.trim();
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

/// `min(var)`, `max(var)`, each optionally followed by an offset: `+10`, `-2.5` for numbers, `-7days`,
/// `+1month` for times (`EDDTable.parseUserDapQuery`, `Calendar2.parseMinMaxString`).
fn parse_extreme(value: &str, ds: &Dataset) -> Result<Rhs, ErddapError> {
    let mm = &value[..3];
    let close = value.find(')').ok_or_else(|| ErddapError::Query(format!("')' not found after \"{mm}(\".")))?;
    let name = value[4..close].trim();
    let var = ds
        .var_index(name)
        .ok_or_else(|| ErddapError::Query(format!("Unrecognized variable=\"{name}\" in {mm}({name}).")))?;
    // `+` arrives as a space when the client left it unencoded (URL decoding), as with `now 2hours`.
    let raw = value[close + 1..].trim_end();
    let offset = match raw.strip_prefix(' ') {
        Some(r) => format!("+{}", r.trim_start()),
        None => raw.to_string(),
    };
    if !offset.is_empty() && apply_extreme_offset(0.0, &offset, ds.vars[var].is_time()).is_none() {
        return Err(ErddapError::Query(format!(
            "The offset in \"{value}\" must be +|-number, or for a time +|-N units (e.g. max(time)-7days)."
        )));
    }
    Ok(Rhs::Extreme { var, max: mm == "max", offset })
}

/// `base` moved by a `min()`/`max()` offset; `None` when the offset is malformed.
fn apply_extreme_offset(base: f64, offset: &str, is_time: bool) -> Option<f64> {
    if offset.is_empty() {
        return Some(base);
    }
    let sign = match offset.as_bytes()[0] {
        b'+' => 1.0,
        b'-' => -1.0,
        _ => return None,
    };
    let num = &offset[1..];
    if is_time && num.bytes().any(|b| b.is_ascii_alphabetic()) {
        return crate::time::add_time_offset(base, offset);
    }
    num.trim().parse::<f64>().ok().filter(|x| x.is_finite()).map(|x| base + sign * x)
}

/// `addVariablesWhere("attName","attValue")`: appends to the results every variable whose attribute
/// `attName` is `attValue` (compared as text; a numeric attribute by its first value), in dataset order.
fn add_variables_where(part: &str, ds: &Dataset, results: &mut Vec<usize>) -> Result<(), ErddapError> {
    let bad =
        || ErddapError::Query("&addVariablesWhere() MUST have 2 parameters: attributeName and attributeValue.".into());
    let inner = part.strip_prefix("addVariablesWhere(").and_then(|s| s.strip_suffix(')')).ok_or_else(bad)?;
    let args: Vec<String> = serde_json::from_str(&format!("[{inner}]")).map_err(|_| bad())?;
    let [name, value] = <[String; 2]>::try_from(args).map_err(|_| bad())?;
    if name.trim().is_empty() || value.trim().is_empty() {
        return Err(bad());
    }
    for (i, v) in ds.vars.iter().enumerate() {
        let text = match v.attr(&name) {
            Some(AttrValue::Text(t)) => Some(t.clone()),
            Some(AttrValue::Numbers(ty, nums)) => nums.first().map(|x| {
                let mut b = Vec::new();
                crate::number::write_number(*x, *ty, &mut b);
                String::from_utf8(b).unwrap_or_default()
            }),
            None => None,
        };
        if text.as_deref() == Some(value.as_str()) && !results.contains(&i) {
            results.push(i);
        }
    }
    Ok(())
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
