//! NOAA Coral Reef Watch virtual-station text: header (MMM, monthly means, first valid dates), daily rows.
//!
//! The header is a list of `Key:` lines each followed by its value on the next line (a value on the key's
//! own line is read too): `Name`, `Polygon Middle Longitude`, `Polygon Middle Latitude`, `Averaged Maximum
//! Monthly Mean` (the MMM, °C), `Averaged Monthly Mean (Jan-Dec)` (12 values, °C), `First Valid DHW Date`,
//! `First Valid BAA Date`. Then a column line `YYYY MM DD SST_MIN SST_MAX SST@90th_HS SSTA@90th_HS 90th_HS>0
//! DHW_from_90th_HS>1 BAA_7day_max` and one row per day. Columns are found by name.
//!
//! The two "first valid" dates are written year, day, month (`1985 25 03` is 25 March 1985), unlike the
//! daily rows (year, month, day). The reader takes the middle number as the day when it is above 12, the last
//! as the day when that one is above 12, and otherwise assumes the year-day-month order the files use.
//!
//! The site id is a slug of the name: lower case, every run of other characters than ASCII letters and
//! digits replaced by one `_`, none at the ends (`Florida Keys` → `florida_keys`). A value written `NaN`,
//! `MM` or as a fill of -999 or less is missing. Source: NOAA Coral Reef Watch, Daily 5km Regional Virtual
//! Stations v3.1 (<https://coralreefwatch.noaa.gov/product/vs/data.php>).

use chrono::NaiveDate;
use model::{HeatStressDay, Point, ReefSite};

use crate::{Dataset, Diagnostic, FormatError, Parsed, text};

/// The daily columns, by their names in the column line.
const COLUMNS: [&str; 10] = [
    "YYYY",
    "MM",
    "DD",
    "SST_MIN",
    "SST_MAX",
    "SST@90th_HS",
    "SSTA@90th_HS",
    "90th_HS>0",
    "DHW_from_90th_HS>1",
    "BAA_7day_max",
];

/// Reads a virtual-station file; `name` (the file name) names the site when the header does not.
pub fn read(bytes: &[u8], name: &str) -> Result<Parsed, FormatError> {
    let text = text(bytes)?;
    let mut diagnostics = Vec::new();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty());

    let mut header = SiteHeader::default();
    let mut pending_key: Option<(usize, &str)> = None;
    let columns_line = loop {
        let Some((n, line)) = lines.next() else {
            return Err(FormatError::Header("no daily column line (YYYY MM DD ...) found".into()));
        };
        if line.split_ascii_whitespace().next() == Some("YYYY") {
            break (n, line);
        }
        if let Some(key) = line.strip_suffix(':') {
            if let Some((n, key)) = pending_key.replace((n, key.trim())) {
                diagnostics.push(Diagnostic::new(format!("line {n}"), format!("{key} has no value")));
            }
        } else if let Some((_, key)) = pending_key.take() {
            header.set(n, key, line, &mut diagnostics);
        } else if let Some((key, value)) = line.split_once(':') {
            header.set(n, key.trim(), value.trim(), &mut diagnostics);
        } else {
            diagnostics.push(Diagnostic::new(format!("line {n}"), "text outside a header field ignored"));
        }
    };
    if let Some((n, key)) = pending_key {
        diagnostics.push(Diagnostic::new(format!("line {n}"), format!("{key} has no value")));
    }

    let (n, line) = columns_line;
    let names: Vec<&str> = line.split_ascii_whitespace().collect();
    let index: Vec<Option<usize>> = COLUMNS.iter().map(|c| names.iter().position(|n| n == c)).collect();
    let [Some(year), Some(month), Some(day)] = [index[0], index[1], index[2]] else {
        return Err(FormatError::Header(format!("line {n}: the column line lacks YYYY, MM or DD: {line:?}")));
    };
    let missing: Vec<&str> = COLUMNS.iter().zip(&index).filter(|(_, i)| i.is_none()).map(|(c, _)| *c).collect();
    if !missing.is_empty() {
        diagnostics.push(Diagnostic::new(
            format!("line {n}"),
            format!("columns missing, read as empty: {}", missing.join(" ")),
        ));
    }

    let site = header.into_site(name, &mut diagnostics)?;
    let mut days = Vec::new();
    let mut rows = 0usize;
    let mut fields: Vec<&str> = Vec::with_capacity(names.len());
    for (n, line) in lines {
        rows += 1;
        let location = || format!("line {n}");
        fields.clear();
        fields.extend(line.split_ascii_whitespace());
        if fields.len() != names.len() {
            let message = format!("expected {} fields, found {}; row skipped", names.len(), fields.len());
            diagnostics.push(Diagnostic::new(location(), message));
            continue;
        }
        let date = match (fields[year].parse(), fields[month].parse(), fields[day].parse()) {
            (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        };
        let Some(date) = date else {
            diagnostics.push(Diagnostic::new(location(), "bad date; row skipped"));
            continue;
        };
        let mut value = |column: usize| {
            let cell = fields[index[column]?];
            let v = number(cell);
            if v.is_none() && !is_missing(cell) {
                diagnostics.push(Diagnostic::new(location(), format!("bad {} value {cell:?}", COLUMNS[column])));
            }
            v
        };
        let (sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw) =
            (value(3), value(4), value(5), value(6), value(7), value(8));
        let baa_7day_max = value(9).and_then(|v| {
            let level = (v.fract() == 0.0 && (0.0..=7.0).contains(&v)).then_some(v as u8);
            if level.is_none() {
                diagnostics.push(Diagnostic::new(location(), format!("BAA {v} is not a level 0-7")));
            }
            level
        });
        days.push(HeatStressDay {
            site: site.id.clone(),
            date,
            sst_min,
            sst_max,
            sst_90th_hs,
            ssta_90th_hs,
            hotspot,
            dhw,
            baa_7day_max,
        });
    }
    if rows == 0 {
        return Err(FormatError::NoRecords("the header is followed by no daily rows".into()));
    }
    if days.is_empty() {
        let example = diagnostics.last().map(ToString::to_string).unwrap_or_default();
        return Err(FormatError::NoRecords(format!("none of {rows} daily rows could be read, e.g. {example}")));
    }
    if !days.is_sorted_by(|a, b| a.date < b.date) {
        days.sort_by_key(|d| d.date); // stable: the first in file order stays first
        let before = days.len();
        days.dedup_by_key(|d| d.date);
        if days.len() < before {
            let message = format!("{} repeated dates dropped, the first kept", before - days.len());
            diagnostics.push(Diagnostic::new("file", message));
        }
    }
    Ok(Parsed { dataset: Dataset::HeatStress { site, days }, diagnostics })
}

/// What the header said, before it is checked.
#[derive(Default)]
struct SiteHeader {
    name: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
    mmm: Option<f64>,
    monthly_means: Option<[f64; 12]>,
    first_valid_dhw: Option<NaiveDate>,
    first_valid_baa: Option<NaiveDate>,
}

impl SiteHeader {
    fn set(&mut self, n: usize, key: &str, value: &str, diagnostics: &mut Vec<Diagnostic>) {
        let read = match key {
            "Name" => {
                self.name = Some(value.to_string());
                true
            }
            "Polygon Middle Longitude" => {
                self.lon = number(value);
                self.lon.is_some()
            }
            "Polygon Middle Latitude" => {
                self.lat = number(value);
                self.lat.is_some()
            }
            "Averaged Maximum Monthly Mean" => {
                self.mmm = number(value);
                self.mmm.is_some()
            }
            "Averaged Monthly Mean (Jan-Dec)" => {
                let values: Option<Vec<f64>> = value.split_ascii_whitespace().map(number).collect();
                self.monthly_means = values.and_then(|v| <[f64; 12]>::try_from(v).ok());
                self.monthly_means.is_some()
            }
            "First Valid DHW Date" => {
                self.first_valid_dhw = header_date(value);
                self.first_valid_dhw.is_some()
            }
            "First Valid BAA Date" => {
                self.first_valid_baa = header_date(value);
                self.first_valid_baa.is_some()
            }
            _ => {
                diagnostics.push(Diagnostic::new(format!("line {n}"), format!("unknown header field {key:?} ignored")));
                true
            }
        };
        if !read {
            diagnostics.push(Diagnostic::new(format!("line {n}"), format!("bad {key} {value:?}; ignored")));
        }
    }

    fn into_site(self, file_name: &str, diagnostics: &mut Vec<Diagnostic>) -> Result<ReefSite, FormatError> {
        let name = match self.name {
            Some(name) if !slug(&name).is_empty() => name,
            _ => {
                let stem = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
                let stem = stem.split('.').next().unwrap_or(stem);
                let stem = stem.strip_prefix("crw_vs_").unwrap_or(stem).to_string();
                diagnostics
                    .push(Diagnostic::new("header", format!("no Name; the site is named {stem:?} after the file")));
                stem
            }
        };
        let id = slug(&name);
        if id.is_empty() {
            return Err(FormatError::Header("no Name, and the file name gives none".into()));
        }
        let (Some(lon), Some(lat)) = (self.lon, self.lat) else {
            return Err(FormatError::Header("no Polygon Middle Longitude/Latitude".into()));
        };
        let position = Point::new(lon, lat).map_err(|e| FormatError::Header(format!("polygon middle: {e}")))?;
        Ok(ReefSite {
            id,
            name,
            position,
            mmm: self.mmm,
            monthly_means: self.monthly_means,
            first_valid_dhw: self.first_valid_dhw,
            first_valid_baa: self.first_valid_baa,
            polygon: None,
        })
    }
}

/// A header date, year first: `1985 25 03` is 25 March 1985 (see the module docs for the order rule).
fn header_date(value: &str) -> Option<NaiveDate> {
    let mut parts = value.split_ascii_whitespace().map(str::parse::<u32>);
    let (Some(Ok(year)), Some(Ok(b)), Some(Ok(c)), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (month, day) = if b <= 12 && c > 12 { (b, c) } else { (c, b) };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// A finite number that is not a fill (-999 or less).
fn number(cell: &str) -> Option<f64> {
    cell.parse::<f64>().ok().filter(|v| v.is_finite() && *v > -999.0)
}

/// A cell that says "no value" rather than being garbled.
fn is_missing(cell: &str) -> bool {
    cell.eq_ignore_ascii_case("nan") || cell == "MM" || cell.parse::<f64>().is_ok_and(|v| v <= -999.0)
}

/// `Florida Keys` → `florida_keys`.
fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_end_matches('_').len();
    out.truncate(trimmed);
    out
}

#[cfg(test)]
mod tests;
