//! The Argo GDAC profile index (`ar_index_global_prof.txt`): one row per profile file.
//!
//! A CSV file: `#` comment lines, the column line `file,date,latitude,longitude,ocean,profiler_type,
//! institution,date_update`, then one row per profile file. Dates are `YYYYMMDDHHMISS` UTC; an empty date,
//! position or profiler type is `None`, and so are the position fills -99.999 (latitude) and -999.999
//! (longitude). The platform, DAC, cycle, direction and data mode come from the file path
//! (`aoml/13857/profiles/R13857_001D.nc`: DAC `aoml`, float `13857`, real-time, cycle 1, descending; BGC
//! files `SD`/`SR`/`MD`/`MR`/`BD`/`BR` take the mode from their last prefix letter). Source: Argo user's
//! manual v3.4, §5.1 "Profile directory file format" (<https://doi.org/10.13155/29825>).

use chrono::{DateTime, NaiveDate, Utc};
use model::{DataMode, Direction};

use crate::{Dataset, Diagnostic, FormatError, Parsed, text};

/// One row of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    /// Path under `dac/`, e.g. `aoml/13857/profiles/R13857_001.nc`.
    pub file: String,
    /// The float's WMO number, from the path (`13857`).
    pub platform: String,
    /// The data assembly centre, the path's first folder (`aoml`).
    pub dac: String,
    pub cycle: i32,
    /// Descending when the file name ends in `D` (`R13857_001D.nc`).
    pub direction: Direction,
    /// From the file-name prefix: `R` real-time, `D` delayed (BGC `SR`, `SD`, `MR`, `MD`: the last letter).
    pub data_mode: DataMode,
    /// Profile time, UTC.
    pub date: Option<DateTime<Utc>>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// `A` Atlantic, `I` Indian, `P` Pacific; empty when the index has none.
    pub ocean: String,
    /// Argo reference table 8 code (`845` Webb APEX, ...).
    pub profiler_type: Option<i32>,
    /// Argo reference table 4 code (`AO`, `IF`, ...).
    pub institution: String,
    /// When the file last changed at the GDAC, UTC.
    pub date_update: Option<DateTime<Utc>>,
}

const COLUMNS: [&str; 8] =
    ["file", "date", "latitude", "longitude", "ocean", "profiler_type", "institution", "date_update"];

/// Reads the index.
pub fn read(bytes: &[u8]) -> Result<Parsed, FormatError> {
    let text = text(bytes)?;
    let mut diagnostics = Vec::new();
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let Some((_, header)) = lines.next() else {
        return Err(FormatError::Header("no column line (file,date,latitude,...) after the # lines".into()));
    };
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let Some(index) = COLUMNS.iter().map(|c| names.iter().position(|n| n == c)).collect::<Option<Vec<usize>>>() else {
        return Err(FormatError::Header(format!("expected the columns {}, found {header:?}", COLUMNS.join(","))));
    };

    let mut entries = Vec::new();
    let mut fields: Vec<&str> = Vec::with_capacity(names.len());
    let mut rows = 0usize;
    for (n, line) in lines {
        rows += 1;
        fields.clear();
        fields.extend(line.split(','));
        match entry(&fields, &index, names.len(), n, &mut diagnostics) {
            Ok(e) => entries.push(e),
            Err(message) => diagnostics.push(Diagnostic::new(format!("line {n}"), format!("{message}; row skipped"))),
        }
    }
    if rows == 0 {
        return Err(FormatError::NoRecords("the index has no rows".into()));
    }
    if entries.is_empty() {
        let example = diagnostics.last().map(ToString::to_string).unwrap_or_default();
        return Err(FormatError::NoRecords(format!("none of {rows} rows could be read, e.g. {example}")));
    }
    Ok(Parsed { dataset: Dataset::ProfileIndex(entries), diagnostics })
}

/// One row, or why it was skipped. Bad optional cells become `None` with a diagnostic.
fn entry(
    fields: &[&str],
    index: &[usize],
    width: usize,
    n: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<IndexEntry, String> {
    if fields.len() != width {
        return Err(format!("expected {width} fields, found {}", fields.len()));
    }
    let cell = |column: usize| fields[index[column]].trim();
    let file = cell(0);
    let path = parse_path(file).ok_or_else(|| format!("cannot tell float, cycle and mode from {file:?}"))?;
    let mut bad = |column: usize| {
        diagnostics.push(Diagnostic::new(
            format!("line {n}"),
            format!("bad {} {:?}, read as empty", COLUMNS[column], cell(column)),
        ));
    };
    let mut time = |column: usize| match cell(column) {
        "" => None,
        s => timestamp(s).or_else(|| {
            bad(column);
            None
        }),
    };
    let (date, date_update) = (time(1), time(7));
    let mut coordinate = |column: usize, limit: f64, fill: f64| match cell(column) {
        "" => None,
        s => match s.parse::<f64>() {
            Ok(v) if v == fill => None,
            Ok(v) if v.abs() <= limit => Some(v),
            _ => {
                bad(column);
                None
            }
        },
    };
    let latitude = coordinate(2, 90.0, -99.999);
    let longitude = coordinate(3, 360.0, -999.999);
    let profiler_type = match cell(5) {
        "" => None,
        s => s.parse().ok().or_else(|| {
            bad(5);
            None
        }),
    };
    Ok(IndexEntry {
        file: file.to_string(),
        platform: path.platform.to_string(),
        dac: path.dac.to_string(),
        cycle: path.cycle,
        direction: path.direction,
        data_mode: path.data_mode,
        date,
        latitude,
        longitude,
        ocean: cell(4).to_string(),
        profiler_type,
        institution: cell(6).to_string(),
        date_update,
    })
}

/// What a profile file's path says.
struct ProfilePath<'a> {
    dac: &'a str,
    platform: &'a str,
    cycle: i32,
    direction: Direction,
    data_mode: DataMode,
}

/// `aoml/13857/profiles/R13857_001D.nc` → aoml, 13857, cycle 1, descending, real-time.
fn parse_path(file: &str) -> Option<ProfilePath<'_>> {
    let mut parts = file.split('/');
    let (dac, platform) = (parts.next()?, parts.next()?);
    let name = parts.next_back()?.strip_suffix(".nc")?;
    let prefix_len = name.bytes().take_while(u8::is_ascii_alphabetic).count();
    let data_mode = DataMode::from_char(*name.as_bytes()[..prefix_len].last()?)?;
    let (wmo, cycle) = name[prefix_len..].split_once('_')?;
    let (cycle, direction) = match cycle.strip_suffix('D') {
        Some(c) => (c, Direction::Descending),
        None => (cycle, Direction::Ascending),
    };
    let valid = !dac.is_empty() && wmo == platform && cycle.bytes().all(|b| b.is_ascii_digit());
    Some(ProfilePath { dac, platform, cycle: cycle.parse().ok().filter(|_| valid)?, direction, data_mode })
}

/// `YYYYMMDDHHMISS`, UTC.
fn timestamp(s: &str) -> Option<DateTime<Utc>> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| s[range].parse::<u32>().ok();
    let date = NaiveDate::from_ymd_opt(s[0..4].parse().ok()?, num(4..6)?, num(6..8)?)?;
    Some(date.and_hms_opt(num(8..10)?, num(10..12)?, num(12..14)?)?.and_utc())
}

#[cfg(test)]
mod tests;
