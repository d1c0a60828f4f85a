//! ERDDAP's tabledap functions: `distinct()`, the `orderBy` family and `units()`, parsed from a query
//! part and applied, in the order they appear, to the rows that passed the constraints (messages.xml,
//! tabledap form help). They need every row at once, so responses that use them are built in memory
//! (bounded by the caller's row limit).

use std::cmp::Ordering;

use crate::cell::Cell;
use crate::dataset::{DataType, Dataset};
use crate::error::ErddapError;
use crate::json::json_unquote;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    By,
    Descending,
    Max,
    Min,
    MinMax,
    Closest,
    Count,
    Limit,
    Mean,
    Sum,
}

const NAMES: &[(&str, OrderKind)] = &[
    ("orderByDescending", OrderKind::Descending),
    ("orderByMinMax", OrderKind::MinMax),
    ("orderByMax", OrderKind::Max),
    ("orderByMin", OrderKind::Min),
    ("orderByClosest", OrderKind::Closest),
    ("orderByCount", OrderKind::Count),
    ("orderByLimit", OrderKind::Limit),
    ("orderByMean", OrderKind::Mean),
    ("orderBySum", OrderKind::Sum),
    ("orderBy", OrderKind::By),
];

/// A key column of an `orderBy` function: its position among the result columns and an optional
/// divisor (`time/1day` → 86400) that buckets its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub col: usize,
    pub divisor: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Function {
    Distinct,
    /// `units("UCUM")` (true) or `units("UDUNITS")` (false).
    Units(bool),
    /// An `orderBy*` function with its keys; `n` is orderByLimit's count or orderByClosest's interval.
    Order {
        kind: OrderKind,
        name: &'static str,
        keys: Vec<Key>,
        n: Option<f64>,
    },
}

/// Parses `part` when it is a function call; `Ok(None)` when it is not one.
pub fn parse_function(part: &str, ds: &Dataset, results: &[usize]) -> Result<Option<Function>, ErddapError> {
    let part = part.trim();
    if part == "distinct()" {
        return Ok(Some(Function::Distinct));
    }
    if let Some(arg) = part.strip_prefix("units(").and_then(|s| s.strip_suffix(')')) {
        return match json_unquote(arg).as_deref() {
            Some("UDUNITS") => Ok(Some(Function::Units(false))),
            Some("UCUM") => Ok(Some(Function::Units(true))),
            // ERDDAP 2.02 names the default in this message whatever was asked (fixture error_400_units_value.txt).
            _ => Err(ErddapError::Query("toUnits=UDUNITS must be UDUNITS or UCUM.".into())),
        };
    }
    let Some(&(name, kind)) = NAMES.iter().find(|(n, _)| part.starts_with(&format!("{n}("))) else {
        return Ok(None);
    };
    let arg = part[name.len() + 1..]
        .strip_suffix(')')
        .ok_or_else(|| ErddapError::Query(format!("'{name}' is missing its closing parenthesis.")))?;
    let list = json_unquote(arg).ok_or_else(|| {
        ErddapError::Query(format!("The '{name}' value must be a quoted, comma-separated list of variable names."))
    })?;
    let mut items: Vec<&str> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let mut n = None;
    match kind {
        OrderKind::Limit => {
            let last = items.pop().ok_or_else(|| {
                ErddapError::Query("'orderByLimit' needs a limit, e.g. orderByLimit(\"station,10\").".into())
            })?;
            let v: f64 = last.parse().ok().filter(|v: &f64| *v >= 1.0 && v.fract() == 0.0).ok_or_else(|| {
                ErddapError::Query(format!("'orderByLimit' limit={last} must be a positive integer."))
            })?;
            n = Some(v);
        }
        OrderKind::Closest => {
            // orderByClosest("a,time,2hours") or ("a,time/2hours").
            if let Some(last) = items.last()
                && ds.var_index(last).is_none()
                && let Some(secs) = interval(last)
            {
                items.pop();
                n = Some(secs);
            }
        }
        _ => {}
    }
    if items.is_empty() && kind != OrderKind::Count {
        return Err(ErddapError::Query(format!("'{name}' needs at least one variable name.")));
    }
    let mut keys = Vec::new();
    for item in items {
        let (vname, div) = match item.split_once('/') {
            Some((v, d)) => (v.trim(), Some(d.trim())),
            None => (item, None),
        };
        let vi = ds
            .var_index(vname)
            .ok_or_else(|| ErddapError::Query(format!("'{name}' variable={vname} isn't in the dataset.")))?;
        let col = results.iter().position(|&r| r == vi).ok_or_else(|| {
            ErddapError::Query(format!("'{name}' variable={vname} isn't in the list of results variables."))
        })?;
        let divisor = match div {
            None => None,
            Some(d) => {
                let d = d.split(':').next().unwrap_or(d);
                let secs = interval(d).filter(|v| *v > 0.0).ok_or_else(|| {
                    ErddapError::Query(format!(
                        "'{name}' divisor={d} for variable={vname} is not a positive number or time interval."
                    ))
                })?;
                if ds.vars[vi].ty.is_text() {
                    return Err(ErddapError::Query(format!(
                        "'{name}' variable={vname} is a String and can't have a divisor."
                    )));
                }
                Some(secs)
            }
        };
        keys.push(Key { col, divisor });
    }
    if kind == OrderKind::Closest {
        let last = keys
            .last_mut()
            .ok_or_else(|| ErddapError::Query("'orderByClosest' needs a variable and an interval.".into()))?;
        if let Some(d) = last.divisor.take() {
            n = Some(d);
        }
        if n.is_none() {
            return Err(ErddapError::Query(
                "'orderByClosest' needs an interval, e.g. orderByClosest(\"station,time/2hours\").".into(),
            ));
        }
    }
    Ok(Some(Function::Order { kind, name, keys, n }))
}

/// `10`, `1day`, `2hours`, `30min` → a number (seconds for time units).
fn interval(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = if num.trim().is_empty() { 1.0 } else { num.trim().parse().ok()? };
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" => 1.0,
        "ms" | "millis" | "millisecond" | "milliseconds" => 0.001,
        "s" | "sec" | "second" | "seconds" => 1.0,
        "m" | "min" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "week" | "weeks" => 7.0 * 86400.0,
        "mon" | "month" | "months" => 30.0 * 86400.0,
        "yr" | "year" | "years" => 365.0 * 86400.0,
        _ => return None,
    };
    (n.is_finite()).then_some(n * mult)
}

pub(crate) fn cmp_cell(a: &Cell, b: &Cell) -> Ordering {
    match (a, b) {
        (Cell::Num(x), Cell::Num(y)) => match (x.is_nan(), y.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => x.total_cmp(y),
        },
        (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
        (Cell::Num(_), Cell::Text(_)) => Ordering::Less,
        (Cell::Text(_), Cell::Num(_)) => Ordering::Greater,
    }
}

fn bucket(c: &Cell, divisor: Option<f64>) -> Cell {
    match (c, divisor) {
        (Cell::Num(v), Some(d)) => Cell::Num((v / d).floor() * d),
        _ => c.clone(),
    }
}

fn group_of(row: &[Cell], keys: &[Key]) -> Vec<Cell> {
    keys.iter().map(|k| bucket(&row[k.col], k.divisor)).collect()
}

fn cmp_groups(a: &[Cell], b: &[Cell]) -> Ordering {
    a.iter().zip(b).map(|(x, y)| cmp_cell(x, y)).find(|o| *o != Ordering::Equal).unwrap_or(Ordering::Equal)
}

fn num(c: &Cell) -> f64 {
    match c {
        Cell::Num(v) => *v,
        Cell::Text(_) => f64::NAN,
    }
}

/// Sorts by group (stable), then hands each group's rows to `f`.
fn per_group(
    rows: Vec<Vec<Cell>>,
    keys: &[Key],
    mut f: impl FnMut(Vec<Vec<Cell>>, &mut Vec<Vec<Cell>>),
) -> Vec<Vec<Cell>> {
    let mut keyed: Vec<(Vec<Cell>, Vec<Cell>)> = rows.into_iter().map(|r| (group_of(&r, keys), r)).collect();
    keyed.sort_by(|a, b| cmp_groups(&a.0, &b.0));
    let mut out = Vec::new();
    let mut group: Vec<Vec<Cell>> = Vec::new();
    let mut current: Option<Vec<Cell>> = None;
    for (k, r) in keyed {
        if current.as_ref().is_some_and(|c| cmp_groups(c, &k) != Ordering::Equal) {
            f(std::mem::take(&mut group), &mut out);
        }
        current = Some(k);
        group.push(r);
    }
    if !group.is_empty() {
        f(group, &mut out);
    }
    out
}

/// Applies the functions in order; `types` (one per result column) is updated where a function changes
/// a column's type (`orderByCount` → int, `orderByMean` → double).
pub fn apply_functions(mut rows: Vec<Vec<Cell>>, functions: &[Function], types: &mut [DataType]) -> Vec<Vec<Cell>> {
    for f in functions {
        rows = match f {
            Function::Units(_) => rows,
            Function::Distinct => {
                rows.sort_by(|a, b| cmp_groups(a, b));
                rows.dedup();
                rows
            }
            Function::Order { kind, keys, n, .. } => apply_order(rows, *kind, keys, *n, types),
        };
    }
    rows
}

fn apply_order(
    mut rows: Vec<Vec<Cell>>,
    kind: OrderKind,
    keys: &[Key],
    n: Option<f64>,
    types: &mut [DataType],
) -> Vec<Vec<Cell>> {
    let (group_keys, last) = match keys.split_last() {
        Some((l, g)) => (g.to_vec(), Some(l.clone())),
        None => (Vec::new(), None),
    };
    let is_key = |c: usize| keys.iter().any(|k| k.col == c);
    match kind {
        OrderKind::By => {
            let plain: Vec<Key> = keys.iter().map(|k| Key { col: k.col, divisor: k.divisor }).collect();
            rows.sort_by(|a, b| cmp_groups(&group_of(a, &plain), &group_of(b, &plain)));
            rows
        }
        OrderKind::Descending => {
            rows.sort_by(|a, b| cmp_groups(&group_of(b, keys), &group_of(a, keys)));
            rows
        }
        OrderKind::Max | OrderKind::Min | OrderKind::MinMax => {
            let Some(last) = last else { return rows };
            per_group(rows, &group_keys, |g, out| {
                let vals: Vec<f64> = g.iter().map(|r| num(&r[last.col])).collect();
                let pick = |better: fn(f64, f64) -> bool| {
                    let mut best: Option<usize> = None;
                    for (i, v) in vals.iter().enumerate() {
                        if !v.is_nan() && best.is_none_or(|b| better(*v, vals[b])) {
                            best = Some(i);
                        }
                    }
                    best
                };
                let mut picks = Vec::new();
                if matches!(kind, OrderKind::Min | OrderKind::MinMax) {
                    picks.extend(pick(|a, b| a < b));
                }
                if matches!(kind, OrderKind::Max | OrderKind::MinMax) {
                    picks.extend(pick(|a, b| a > b));
                }
                picks.dedup();
                for i in picks {
                    out.push(g[i].clone());
                }
            })
        }
        OrderKind::Closest => {
            let (Some(last), Some(step)) = (last, n) else { return rows };
            let mut gk = group_keys.clone();
            gk.push(Key { col: last.col, divisor: None });
            // Group by the other keys and the interval the value is closest to.
            let mut tagged: Vec<Vec<Cell>> = rows
                .into_iter()
                .map(|mut r| {
                    let v = num(&r[last.col]);
                    r.push(Cell::Num((v / step).round() * step));
                    r
                })
                .collect();
            let width = tagged.first().map_or(0, |r| r.len());
            let tag = width.saturating_sub(1);
            let mut keys2 = group_keys.clone();
            keys2.push(Key { col: tag, divisor: None });
            tagged.retain(|r| !num(&r[tag]).is_nan());
            per_group(tagged, &keys2, |g, out| {
                let best = g
                    .iter()
                    .min_by(|a, b| {
                        let da = (num(&a[last.col]) - num(&a[tag])).abs();
                        let db = (num(&b[last.col]) - num(&b[tag])).abs();
                        da.total_cmp(&db)
                    })
                    .cloned();
                if let Some(mut r) = best {
                    r.pop();
                    out.push(r);
                }
            })
        }
        OrderKind::Limit => {
            let limit = n.unwrap_or(1.0) as usize;
            per_group(rows, keys, |g, out| out.extend(g.into_iter().take(limit)))
        }
        OrderKind::Count | OrderKind::Mean | OrderKind::Sum => {
            for (c, t) in types.iter_mut().enumerate() {
                if is_key(c) {
                    continue;
                }
                *t = match kind {
                    OrderKind::Count => DataType::Int,
                    _ if t.is_text() => *t,
                    _ => DataType::Double,
                };
            }
            per_group(rows, keys, |g, out| {
                let mut row = g[0].clone();
                for (c, cell) in row.iter_mut().enumerate() {
                    if is_key(c) {
                        if let Some(k) = keys.iter().find(|k| k.col == c) {
                            *cell = bucket(cell, k.divisor);
                        }
                        continue;
                    }
                    let present = g.iter().filter(|r| match &r[c] {
                        Cell::Num(v) => !v.is_nan(),
                        Cell::Text(s) => !s.is_empty(),
                    });
                    *cell = match kind {
                        OrderKind::Count => Cell::Num(present.count() as f64),
                        _ if matches!(cell, Cell::Text(_)) => {
                            if g.iter().all(|r| r[c] == g[0][c]) {
                                g[0][c].clone()
                            } else {
                                Cell::Text(String::new())
                            }
                        }
                        _ => {
                            let vals: Vec<f64> = present.map(|r| num(&r[c])).collect();
                            let sum: f64 = vals.iter().sum();
                            if vals.is_empty() {
                                Cell::Num(f64::NAN)
                            } else if kind == OrderKind::Mean {
                                Cell::Num(sum / vals.len() as f64)
                            } else {
                                Cell::Num(sum)
                            }
                        }
                    };
                }
                out.push(row);
            })
        }
    }
}
