//! Rows of our datasets built from domain records (an Argo profile gives one row per level, buoy series
//! points pivot into one row per station and time, a reef heat-stress day is one row), and the row
//! filter that applies a query's constraints and polygon.

use model::{HeatStressDay, Point, Polygon, Profile, QcFlag, ReefSite, SeriesPoint};

use crate::catalog::{ARGO_INDEX, NDBC_COLUMNS};
use crate::cell::Cell;
use crate::dataset::{DataType, Dataset};
use crate::number::write_number;
use crate::query::{Op, Rhs, TableQuery, polygon_contains};

/// The units a column is written with under `units("UCUM")`: the few UDUNITS strings our datasets use.
pub fn unit_of_output(udunits: &str, ucum: bool) -> String {
    if !ucum {
        return udunits.to_string();
    }
    match udunits {
        "degree_Celsius" => "Cel",
        "degrees_north" => "deg{north}",
        "degrees_east" => "deg{east}",
        "degrees_true" => "deg{true}",
        "decibar" => "dbar",
        "m s-1" => "m.s-1",
        "Celsius weeks" | "degree_Celsius_weeks" => "Cel.wk",
        "PSU" | "psu" => "{PSU}",
        other => other,
    }
    .to_string()
}

/// The constraints and polygon of a query, resolved to row positions (rows hold the `needed` columns).
#[derive(Debug, Clone)]
pub struct RowFilter {
    tests: Vec<(usize, Op, Rhs, DataType)>,
    polygon: Option<(Polygon, usize, usize)>,
}

impl RowFilter {
    pub fn new(q: &TableQuery, ds: &Dataset, needed: &[usize]) -> RowFilter {
        let pos = |var: usize| needed.iter().position(|&n| n == var).unwrap_or(0);
        let tests = q.constraints.iter().map(|c| (pos(c.var), c.op, c.value.clone(), ds.vars[c.var].ty)).collect();
        let polygon =
            q.polygon.clone().and_then(|p| Some((p, pos(ds.var_index("longitude")?), pos(ds.var_index("latitude")?))));
        RowFilter { tests, polygon }
    }

    pub fn matches(&self, row: &[Cell]) -> bool {
        for (pos, op, rhs, ty) in &self.tests {
            let Some(cell) = row.get(*pos) else { return false };
            if !test(cell, *op, rhs, *ty) {
                return false;
            }
        }
        if let Some((p, lon, lat)) = &self.polygon {
            let (x, y) = (row.get(*lon).map_or(f64::NAN, Cell::num), row.get(*lat).map_or(f64::NAN, Cell::num));
            if !polygon_contains(p, x, y) {
                return false;
            }
        }
        true
    }
}

fn test(cell: &Cell, op: Op, rhs: &Rhs, ty: DataType) -> bool {
    match (cell, rhs) {
        (_, Rhs::Regex(re)) => match cell {
            Cell::Text(s) => re.is_match(s),
            Cell::Num(v) => {
                let mut b = Vec::new();
                write_number(*v, ty, &mut b);
                re.is_match(std::str::from_utf8(&b).unwrap_or(""))
            }
        },
        (Cell::Num(x), Rhs::Num(v)) => {
            let (x, v) = (*x, *v);
            if v.is_nan() {
                return match op {
                    Op::Eq => x.is_nan(),
                    Op::Ne => !x.is_nan(),
                    _ => false,
                };
            }
            if x.is_nan() {
                return op == Op::Ne;
            }
            let (x, v) = if ty == DataType::Float { (x as f32 as f64, v as f32 as f64) } else { (x, v) };
            match op {
                Op::Eq => x == v,
                Op::Ne => x != v,
                Op::Lt => x < v,
                Op::Le => x <= v,
                Op::Gt => x > v,
                Op::Ge => x >= v,
                Op::Regex => false,
            }
        }
        (Cell::Text(s), Rhs::Str(v)) => {
            let (s, v) = (s.as_str(), v.as_str());
            match op {
                Op::Eq => s == v,
                Op::Ne => s != v,
                Op::Lt => s < v,
                Op::Le => s <= v,
                Op::Gt => s > v,
                Op::Ge => s >= v,
                Op::Regex => false,
            }
        }
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Raw,
    Qc,
    Adjusted,
    AdjustedQc,
    AdjustedError,
}

#[derive(Debug, Clone, PartialEq)]
enum Acc {
    Platform,
    Cycle,
    Direction,
    DataMode,
    Time,
    TimeQc,
    Lat,
    Lon,
    PositionQc,
    Vss,
    Mission,
    DataCentre,
    ProjectName,
    PiName,
    PlatformType,
    WmoInstType,
    PositioningSystem,
    File,
    ProfilerType,
    Param(String, Part),
    MissingNum,
    MissingText,
}

/// Builds ArgoFloats (core, synthetic-BGC) and ArgoFloats-index rows from profiles.
#[derive(Debug, Clone)]
pub struct ArgoRows {
    accs: Vec<Acc>,
    /// One row per profile (the index dataset) rather than one per level.
    per_profile: bool,
}

impl ArgoRows {
    /// Accessors for the `needed` variables of `ds`.
    pub fn new(ds: &Dataset, needed: &[usize]) -> ArgoRows {
        let index = ds.id == ARGO_INDEX;
        let accs = needed
            .iter()
            .map(|&i| {
                let v = &ds.vars[i];
                let text = v.ty.is_text();
                let acc = match v.name.as_str() {
                    "platform_number" => Acc::Platform,
                    "cycle_number" => Acc::Cycle,
                    "direction" => Acc::Direction,
                    "data_mode" => Acc::DataMode,
                    "time" | "date" => Acc::Time,
                    "time_qc" => Acc::TimeQc,
                    "latitude" => Acc::Lat,
                    "longitude" => Acc::Lon,
                    "position_qc" => Acc::PositionQc,
                    "vertical_sampling_scheme" => Acc::Vss,
                    "config_mission_number" => Acc::Mission,
                    "data_center" | "institution" => Acc::DataCentre,
                    "project_name" => Acc::ProjectName,
                    "pi_name" => Acc::PiName,
                    "platform_type" => Acc::PlatformType,
                    "wmo_inst_type" => Acc::WmoInstType,
                    "positioning_system" => Acc::PositioningSystem,
                    "file" => Acc::File,
                    "profiler_type" => Acc::ProfilerType,
                    name if !index => param_of(name).unwrap_or(if text { Acc::MissingText } else { Acc::MissingNum }),
                    _ => {
                        if text {
                            Acc::MissingText
                        } else {
                            Acc::MissingNum
                        }
                    }
                };
                match acc {
                    Acc::Param(_, Part::Qc | Part::AdjustedQc) if !text => Acc::MissingNum,
                    a => a,
                }
            })
            .collect::<Vec<_>>();
        ArgoRows { accs, per_profile: index }
    }

    /// Calls `emit` with each row of `p` (cells in `needed` order), reusing one row buffer.
    pub fn rows(&self, p: &Profile, row: &mut Vec<Cell>, emit: &mut dyn FnMut(&[Cell])) {
        let cols: Vec<Option<&model::ParamColumn>> = self
            .accs
            .iter()
            .map(|a| match a {
                Acc::Param(name, _) => p.param(name),
                _ => None,
            })
            .collect();
        row.clear();
        for a in &self.accs {
            row.push(self.profile_cell(a, p));
        }
        let n = if self.per_profile { 1 } else { p.n_levels() };
        for level in 0..n {
            for (k, a) in self.accs.iter().enumerate() {
                if let Acc::Param(_, part) = a {
                    set_level_cell(&mut row[k], cols[k], *part, level);
                }
            }
            emit(row);
        }
    }

    fn profile_cell(&self, a: &Acc, p: &Profile) -> Cell {
        let text = |s: &str| Cell::Text(s.trim().to_string());
        match a {
            Acc::Platform => text(&p.platform),
            Acc::Cycle => Cell::Num(p.cycle as f64),
            Acc::Direction => Cell::Text(p.direction.to_char().to_string()),
            Acc::DataMode => Cell::Text(p.data_mode.to_char().to_string()),
            Acc::Time => Cell::Num(p.time.map_or(f64::NAN, |t| t.timestamp() as f64)),
            Acc::TimeQc => qc_cell(p.time_qc),
            Acc::Lat => Cell::Num(p.position.map_or(f64::NAN, |pt| pt.lat)),
            Acc::Lon => Cell::Num(p.position.map_or(f64::NAN, |pt| pt.lon)),
            Acc::PositionQc => qc_cell(p.position_qc),
            Acc::Vss => text(&p.vertical_sampling_scheme),
            Acc::Mission => Cell::Num(p.config_mission_number.map_or(f64::NAN, f64::from)),
            Acc::DataCentre => text(&p.data_centre),
            Acc::ProjectName => text(&p.project_name),
            Acc::PiName => text(&p.pi_name),
            Acc::PlatformType => text(&p.platform_type),
            Acc::WmoInstType => text(&p.wmo_inst_type),
            Acc::PositioningSystem => text(&p.positioning_system),
            Acc::File => text(&p.source_file),
            Acc::ProfilerType => Cell::Num(p.wmo_inst_type.trim().parse::<f64>().unwrap_or(f64::NAN)),
            Acc::MissingText => Cell::Text(String::new()),
            Acc::MissingNum | Acc::Param(..) => Cell::Num(f64::NAN),
        }
    }
}

fn param_of(name: &str) -> Option<Acc> {
    const SUFFIXES: &[(&str, Part)] = &[
        ("_adjusted_error", Part::AdjustedError),
        ("_adjusted_qc", Part::AdjustedQc),
        ("_adjusted", Part::Adjusted),
        ("_qc", Part::Qc),
    ];
    let (base, part) =
        SUFFIXES.iter().find_map(|(s, part)| name.strip_suffix(s).map(|b| (b, *part))).unwrap_or((name, Part::Raw));
    (!base.is_empty()).then(|| Acc::Param(base.to_ascii_uppercase(), part))
}

fn qc_cell(q: QcFlag) -> Cell {
    if q.is_blank() { Cell::Text(String::new()) } else { Cell::Text((q.to_char() as char).to_string()) }
}

/// Writes level `i` of a parameter into `cell`, reusing its text buffer (no allocation per row).
fn set_level_cell(cell: &mut Cell, col: Option<&model::ParamColumn>, part: Part, i: usize) {
    let qc = |v: Option<&Vec<QcFlag>>| v.and_then(|v| v.get(i)).copied().unwrap_or(QcFlag::BLANK);
    let flag = match (part, col) {
        (Part::Qc, Some(c)) => Some(qc(Some(&c.qc))),
        (Part::AdjustedQc, Some(c)) => Some(qc(c.adjusted_qc.as_ref())),
        (Part::Qc | Part::AdjustedQc, None) => Some(QcFlag::BLANK),
        _ => None,
    };
    match (flag, cell) {
        (Some(f), Cell::Text(t)) => {
            t.clear();
            if !f.is_blank() {
                t.push(f.to_char() as char);
            }
        }
        (_, cell) => *cell = level_cell(col, part, i),
    }
}

fn level_cell(col: Option<&model::ParamColumn>, part: Part, i: usize) -> Cell {
    let Some(c) = col else {
        return match part {
            Part::Qc | Part::AdjustedQc => Cell::Text(String::new()),
            _ => Cell::Num(f64::NAN),
        };
    };
    let f = |v: Option<&Vec<f32>>| Cell::Num(v.and_then(|v| v.get(i)).map_or(f64::NAN, |&x| x as f64));
    let q = |v: Option<&Vec<QcFlag>>| v.and_then(|v| v.get(i)).map_or(Cell::Text(String::new()), |&x| qc_cell(x));
    match part {
        Part::Raw => f(Some(&c.values)),
        Part::Qc => q(Some(&c.qc)),
        Part::Adjusted => f(c.adjusted.as_ref()),
        Part::AdjustedQc => q(c.adjusted_qc.as_ref()),
        Part::AdjustedError => f(c.adjusted_error.as_ref()),
    }
}

/// Pivots buoy series points (ordered by time, platform, variable) into one row per (station, time)
/// and calls `emit` with each, in `needed` order. Surface points only (depth 0 or NaN).
pub fn ndbc_rows(
    ds: &Dataset,
    needed: &[usize],
    points: &[SeriesPoint],
    position: &dyn Fn(&str) -> Option<Point>,
    emit: &mut dyn FnMut(&[Cell]),
) {
    let names: Vec<&str> = needed.iter().map(|&i| ds.vars[i].name.as_str()).collect();
    let mut row: Vec<Cell> = Vec::with_capacity(names.len());
    let mut i = 0;
    while i < points.len() {
        let (station, time) = (&points[i].platform, points[i].time);
        let mut j = i;
        while j < points.len() && points[j].platform == *station && points[j].time == time {
            j += 1;
        }
        let group = &points[i..j];
        let pos = position(station);
        row.clear();
        for name in &names {
            row.push(match *name {
                "station" => Cell::Text(station.clone()),
                "longitude" => Cell::Num(pos.map_or(f64::NAN, |p| p.lon)),
                "latitude" => Cell::Num(pos.map_or(f64::NAN, |p| p.lat)),
                "time" => Cell::Num(time.timestamp() as f64),
                col => {
                    let var = NDBC_COLUMNS.iter().find(|(c, _)| *c == col).map(|(_, v)| *v);
                    let v = var.and_then(|v| {
                        group.iter().find(|p| p.variable == v && (p.depth == 0.0 || p.depth.is_nan())).map(|p| p.value)
                    });
                    Cell::Num(v.unwrap_or(f64::NAN))
                }
            });
        }
        if group.iter().any(|p| NDBC_COLUMNS.iter().any(|(_, v)| *v == p.variable)) {
            emit(&row);
        }
        i = j;
    }
}

/// One row per heat-stress day of `site`, in `needed` order.
pub fn reef_rows(
    ds: &Dataset,
    needed: &[usize],
    site: &ReefSite,
    days: &[HeatStressDay],
    emit: &mut dyn FnMut(&[Cell]),
) {
    let names: Vec<&str> = needed.iter().map(|&i| ds.vars[i].name.as_str()).collect();
    let mut row = Vec::with_capacity(names.len());
    let o = |v: Option<f64>| Cell::Num(v.unwrap_or(f64::NAN));
    for d in days {
        row.clear();
        for name in &names {
            row.push(match *name {
                "site" => Cell::Text(site.id.clone()),
                "site_name" => Cell::Text(site.name.clone()),
                "longitude" => Cell::Num(site.position.lon),
                "latitude" => Cell::Num(site.position.lat),
                "time" => Cell::Num(d.date.and_hms_opt(12, 0, 0).map_or(f64::NAN, |t| t.and_utc().timestamp() as f64)),
                "sst_min" => o(d.sst_min),
                "sst_max" => o(d.sst_max),
                "sst_90th_hs" => o(d.sst_90th_hs),
                "ssta_90th_hs" => o(d.ssta_90th_hs),
                "hotspot" => o(d.hotspot),
                "dhw" => o(d.dhw),
                "baa_7day_max" => o(d.baa_7day_max.map(f64::from)),
                _ => Cell::Num(f64::NAN),
            });
        }
        emit(&row);
    }
}
