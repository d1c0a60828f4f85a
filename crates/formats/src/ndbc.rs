//! NDBC text files: standard meteorological (historical and realtime2), oceanographic and spectral summaries.
//!
//! All three are whitespace-separated tables: a header line naming the columns (`YY MM DD hh mm WDIR ...`,
//! with or without a leading `#`), in realtime2 files a `#yr mo dy ...` units line, then one row per
//! observation time. Columns are found by their header names, never by position, so the older historical
//! layouts (`YYYY`, no `mm` column, `WD` for `WDIR`, `BAR` for `PRES`) read the same way.
//!
//! Missing values are `MM` (realtime2) or an all-9 fill (historical: `99.0`, `99.00`, `999`, `999.0`,
//! `9999.0`). A fill is a value equal to 99, 999, 9999 or 99999 that is also at least the column's smallest
//! fill (999 for directions, 9999 for pressure, 99 for the rest), so real readings like `9.9` m/s, a wind from
//! `99`° or a pressure of `999.9` hPa are kept. NDBC text carries no QC flags: every point is
//! [`QcFlag::NO_QC`]. Times are UTC; two-digit years are 19YY (NDBC wrote four-digit years from 1999).
//!
//! Source: NDBC "Measurement Descriptions and Units" (<https://www.ndbc.noaa.gov/faq/measdes.shtml>) and the
//! realtime2 file descriptions (<https://www.ndbc.noaa.gov/faq/rt_data_access.shtml>).

use chrono::{DateTime, NaiveDate, Utc};
use model::{Platform, PlatformKind, QcFlag, SeriesPoint, Variable};

use crate::{Dataset, Diagnostic, FormatError, Parsed, text};

/// The station id an NDBC file name carries: `44005h2012.txt` → `44005`, `TPLM2_realtime2_x.txt` → `TPLM2`,
/// `41024.ocean` → `41024`. Upper case.
///
/// The id is the leading run of ASCII letters and digits of the name (directories dropped), without the
/// historical `h2012` suffix (any lower-case file-type letter followed by a four-digit year: `h` stdmet,
/// `o` ocean, `w` spectral, ...).
pub fn station_from_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let run_len = base.bytes().take_while(u8::is_ascii_alphanumeric).count();
    let run = &base[..run_len];
    let id = match run.len().checked_sub(5) {
        Some(cut)
            if cut > 0
                && run.as_bytes()[cut].is_ascii_lowercase()
                && run.as_bytes()[cut + 1..].iter().all(u8::is_ascii_digit) =>
        {
            &run[..cut]
        }
        _ => run,
    };
    (!id.is_empty()).then(|| id.to_ascii_uppercase())
}

/// Reads a standard meteorological file (historical `44005h2012.txt` or realtime2 `TPLM2.txt`).
pub fn read_stdmet(bytes: &[u8], station: &str) -> Result<Parsed, FormatError> {
    read_table(bytes, station)
}

/// Reads a realtime2 oceanographic file (`41024.ocean`): the `DEPTH` column gives each point's depth (m).
pub fn read_ocean(bytes: &[u8], station: &str) -> Result<Parsed, FormatError> {
    read_table(bytes, station)
}

/// Reads a realtime2 spectral wave summary (`41001.spec`).
///
/// `SwD` and `WWD` are 16-point compass names, read as degrees true (`N` 0, `NNE` 22.5, ... `NNW` 337.5).
/// `STEEPNESS` is a class, read as a number: `SWELL` 1, `AVERAGE` 2, `STEEP` 3, `VERY_STEEP` 4. `N/A`, like
/// `MM`, is missing in any column.
pub fn read_spec(bytes: &[u8], station: &str) -> Result<Parsed, FormatError> {
    read_table(bytes, station)
}

/// What a header column holds.
#[derive(Debug, Clone, Copy)]
enum Column {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    /// Depth of the row's points, m.
    Depth,
    /// A number; values `>= fill_min` made only of 9s are missing.
    Number {
        var: &'static Variable,
        fill_min: f64,
    },
    /// A 16-point compass name, read as degrees true.
    Compass(&'static Variable),
    /// A wave steepness class, read as 1–4.
    Steepness(&'static Variable),
    Ignored,
}

fn column(name: &str) -> Option<Column> {
    let source = match name {
        "YY" | "YYYY" => return Some(Column::Year),
        "MM" => return Some(Column::Month),
        "DD" => return Some(Column::Day),
        "hh" => return Some(Column::Hour),
        "mm" => return Some(Column::Minute),
        "DEPTH" => return Some(Column::Depth),
        // Older historical headers.
        "WD" => "WDIR",
        "BAR" => "PRES",
        other => other,
    };
    let var = Variable::for_ndbc(source)?;
    Some(match source {
        "SwD" | "WWD" => Column::Compass(var),
        "STEEPNESS" => Column::Steepness(var),
        "WDIR" | "MWD" | "O2%" | "CLCON" | "TURB" => Column::Number { var, fill_min: 999.0 },
        "PRES" | "EH" => Column::Number { var, fill_min: 9999.0 },
        _ => Column::Number { var, fill_min: 99.0 },
    })
}

/// The parsed header: where the time fields are and which columns carry values.
struct Header {
    width: usize,
    year: usize,
    month: usize,
    day: usize,
    hour: usize,
    minute: Option<usize>,
    depth: Option<usize>,
    /// Value columns, ordered by variable name so each row yields its points already sorted.
    values: Vec<(usize, Column)>,
}

impl Header {
    fn parse(n: usize, line: &str, diagnostics: &mut Vec<Diagnostic>) -> Result<Header, FormatError> {
        let names: Vec<&str> = line.trim_start_matches('#').split_ascii_whitespace().collect();
        let columns: Vec<Column> = names.iter().map(|n| column(n).unwrap_or(Column::Ignored)).collect();
        let find = |want: fn(&Column) -> bool| columns.iter().position(want);
        let (Some(year), Some(month), Some(day), Some(hour)) = (
            find(|c| matches!(c, Column::Year)),
            find(|c| matches!(c, Column::Month)),
            find(|c| matches!(c, Column::Day)),
            find(|c| matches!(c, Column::Hour)),
        ) else {
            return Err(FormatError::Header(format!(
                "not an NDBC table: expected YY MM DD hh columns, found {line:?}"
            )));
        };
        let mut values: Vec<(usize, Column)> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, Column::Number { .. } | Column::Compass(_) | Column::Steepness(_)))
            .map(|(i, c)| (i, *c))
            .collect();
        if values.is_empty() {
            return Err(FormatError::Header(format!("no known NDBC value columns in {line:?}")));
        }
        values.sort_by_key(|(_, c)| match c {
            Column::Number { var, .. } | Column::Compass(var) | Column::Steepness(var) => var.name,
            _ => "",
        });
        let unknown: Vec<&str> =
            names.iter().zip(&columns).filter(|(_, c)| matches!(c, Column::Ignored)).map(|(name, _)| *name).collect();
        if !unknown.is_empty() {
            diagnostics
                .push(Diagnostic::new(format!("line {n}"), format!("unknown columns ignored: {}", unknown.join(" "))));
        }
        Ok(Header {
            width: names.len(),
            year,
            month,
            day,
            hour,
            minute: find(|c| matches!(c, Column::Minute)),
            depth: find(|c| matches!(c, Column::Depth)),
            values,
        })
    }

    fn time(&self, fields: &[&str]) -> Option<DateTime<Utc>> {
        let year: i32 = fields[self.year].parse().ok()?;
        let year = if (0..100).contains(&year) { 1900 + year } else { year };
        let minute = match self.minute {
            Some(i) => fields[i].parse().ok()?,
            None => 0,
        };
        let date = NaiveDate::from_ymd_opt(year, fields[self.month].parse().ok()?, fields[self.day].parse().ok()?)?;
        Some(date.and_hms_opt(fields[self.hour].parse().ok()?, minute, 0)?.and_utc())
    }
}

/// Reads any of the three tables; the header says which columns there are.
fn read_table(bytes: &[u8], station: &str) -> Result<Parsed, FormatError> {
    let text = text(bytes)?;
    let station = station.to_ascii_uppercase();
    let mut diagnostics = Vec::new();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty());
    let Some((header_n, header_line)) = lines.next() else {
        return Err(FormatError::Empty);
    };
    let header = Header::parse(header_n, header_line, &mut diagnostics)?;

    let mut points = Vec::new();
    let mut fields: Vec<&str> = Vec::with_capacity(header.width);
    let (mut rows, mut rows_read) = (0usize, 0usize);
    for (n, line) in lines {
        if line.trim_start().starts_with('#') {
            continue; // the realtime2 units line
        }
        rows += 1;
        let location = || format!("line {n}");
        fields.clear();
        fields.extend(line.split_ascii_whitespace());
        if fields.len() != header.width {
            let message = format!("expected {} fields, found {}; row skipped", header.width, fields.len());
            diagnostics.push(Diagnostic::new(location(), message));
            continue;
        }
        let Some(time) = header.time(&fields) else {
            diagnostics.push(Diagnostic::new(location(), "bad date or time; row skipped"));
            continue;
        };
        let depth = match header.depth {
            None => 0.0,
            Some(i) => match fields[i].parse::<f64>() {
                Ok(d) if d.is_finite() && !is_fill(d, 9999.0) => d,
                _ => {
                    diagnostics
                        .push(Diagnostic::new(location(), format!("missing DEPTH {:?}; row skipped", fields[i])));
                    continue;
                }
            },
        };
        rows_read += 1;
        for &(i, col) in &header.values {
            let cell = fields[i];
            if cell == "MM" || cell == "N/A" {
                continue;
            }
            let (var, value) = match col {
                Column::Number { var, fill_min } => match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => {
                        if is_fill(v, fill_min) {
                            continue;
                        }
                        (var, Some(v))
                    }
                    _ => (var, None),
                },
                Column::Compass(var) => (var, compass_degrees(cell)),
                Column::Steepness(var) => (var, steepness_class(cell)),
                _ => continue,
            };
            let Some(value) = value else {
                diagnostics.push(Diagnostic::new(location(), format!("bad {} value {cell:?}", var.source_name)));
                continue;
            };
            points.push(SeriesPoint {
                platform: station.clone(),
                variable: var.name.to_string(),
                time,
                depth,
                value,
                qc: QcFlag::NO_QC,
            });
        }
    }
    if rows == 0 {
        return Err(FormatError::NoRecords("the header is followed by no data rows".into()));
    }
    if rows_read == 0 {
        let example = diagnostics.last().map(ToString::to_string).unwrap_or_default();
        return Err(FormatError::NoRecords(format!("none of {rows} rows could be read, e.g. {example}")));
    }

    sort_and_dedup(&mut points, &mut diagnostics);
    let kind =
        if station.bytes().all(|b| b.is_ascii_digit()) { PlatformKind::Buoy } else { PlatformKind::FixedStation };
    Ok(Parsed { dataset: Dataset::Series { platform: Platform::new(station, kind), points }, diagnostics })
}

/// Orders points by (time, variable, depth) and drops repeated keys, keeping the first in file order.
fn sort_and_dedup(points: &mut Vec<SeriesPoint>, diagnostics: &mut Vec<Diagnostic>) {
    let key_order = |a: &SeriesPoint, b: &SeriesPoint| {
        a.time.cmp(&b.time).then_with(|| a.variable.cmp(&b.variable)).then_with(|| a.depth.total_cmp(&b.depth))
    };
    if points.is_sorted_by(|a, b| key_order(a, b).is_le()) {
        // Historical files: already in order.
    } else if is_reverse_by_row(points) {
        // Realtime2 files: newest row first, each row's points already ordered.
        reverse_rows(points);
    } else {
        points.sort_by(key_order); // stable: the first in file order stays first
    }
    let before = points.len();
    points.dedup_by(|b, a| key_order(a, b).is_eq());
    let dropped = before - points.len();
    if dropped > 0 {
        diagnostics.push(Diagnostic::new(
            "file",
            format!("{dropped} repeated points (same time, variable and depth) dropped, the first kept"),
        ));
    }
}

/// True when rows (runs of one time) are strictly newest first and each row's points are in order.
fn is_reverse_by_row(points: &[SeriesPoint]) -> bool {
    let mut previous: Option<DateTime<Utc>> = None;
    for row in points.chunk_by(|a, b| a.time == b.time) {
        if previous.is_some_and(|p| row[0].time >= p) {
            return false;
        }
        if !row.is_sorted_by(|a, b| (&a.variable, a.depth) <= (&b.variable, b.depth)) {
            return false;
        }
        previous = Some(row[0].time);
    }
    true
}

/// Reverses the order of rows (runs of one time) while keeping the order inside each row.
fn reverse_rows(points: &mut [SeriesPoint]) {
    points.reverse();
    let mut start = 0;
    while start < points.len() {
        let time = points[start].time;
        let len = points[start..].iter().take_while(|p| p.time == time).count();
        points[start..start + len].reverse();
        start += len;
    }
}

/// An all-9 fill: 99, 999, 9999 or 99999, no smaller than the column's smallest fill.
fn is_fill(value: f64, fill_min: f64) -> bool {
    value >= fill_min && [99.0, 999.0, 9999.0, 99999.0].contains(&value)
}

/// Degrees true of a 16-point compass name (`N` 0, `NNE` 22.5, ..., `NNW` 337.5).
fn compass_degrees(name: &str) -> Option<f64> {
    const POINTS: [&str; 16] =
        ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"];
    POINTS.iter().position(|p| *p == name).map(|i| i as f64 * 22.5)
}

/// NDBC wave steepness classes, mildest first: `SWELL` 1, `AVERAGE` 2, `STEEP` 3, `VERY_STEEP` 4.
fn steepness_class(name: &str) -> Option<f64> {
    match name {
        "SWELL" => Some(1.0),
        "AVERAGE" => Some(2.0),
        "STEEP" => Some(3.0),
        "VERY_STEEP" => Some(4.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
