//! The CSV side of `halocline qc`: reading the data table (times to UTC seconds, cells to numbers) and
//! writing the flag table.

use std::io::Write;

use anyhow::{Context, bail};
use compute::qc::NOT_EVALUATED;

/// The data file as columns: UTC times in whole seconds and every other column as numbers (NaN where
/// a cell is empty or not a number, as pandas' `to_numeric(errors="coerce")`).
pub(super) struct Table {
    pub times: Vec<i64>,
    pub columns: Vec<(String, Vec<f64>)>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.times.len()
    }

    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }

    /// The first of `names` that is a column (the axis aliases: `depth`, `z`, `pres`, `pressure`, ...).
    pub fn first_of(&self, names: &[&str]) -> Option<&[f64]> {
        names.iter().find_map(|n| self.column(n))
    }
}

/// Reads the CSV text. The header names the columns; `time` is required: ISO 8601 with any UTC offset
/// (no offset means UTC) or, when every cell is a number, Unix seconds.
pub(super) fn read(text: &str) -> anyhow::Result<Table> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = split_row(lines.next().context("the data file is empty")?);
    let Some(time_col) = header.iter().position(|h| h == "time") else {
        bail!("the data file needs a 'time' column");
    };
    let mut time_cells: Vec<String> = Vec::new();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); header.len()];
    let mut fields: Vec<String> = Vec::new();
    for line in lines {
        fields.clear();
        if line.contains('"') {
            fields.extend(split_row(line));
        } else {
            fields.extend(line.split(',').map(|f| f.trim().to_string()));
        }
        for (c, column) in values.iter_mut().enumerate() {
            let cell = fields.get(c).map_or("", String::as_str);
            if c == time_col {
                time_cells.push(cell.to_string());
            } else {
                column.push(parse_number(cell).unwrap_or(f64::NAN));
            }
        }
    }
    let numeric_time = time_cells.iter().all(|c| c.is_empty() || parse_number(c).is_some());
    let mut times = Vec::with_capacity(time_cells.len());
    for (i, c) in time_cells.iter().enumerate() {
        let t = if numeric_time {
            parse_number(c).filter(|s| s.is_finite()).map(|s| s.floor() as i64)
        } else {
            parse_time(c)
        };
        times.push(t.with_context(|| format!("row {i}: cannot read time {c:?}"))?);
    }
    let columns =
        header.into_iter().zip(values).enumerate().filter(|&(c, _)| c != time_col).map(|(_, column)| column).collect();
    Ok(Table { times, columns })
}

/// Splits one CSV line on commas; a field in double quotes may hold commas and `""` for a quote.
fn split_row(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_string()),
            _ => field.push(ch),
        }
    }
    fields.push(field.trim().to_string());
    fields
}

/// A number as pandas reads it; `NaN`, `NA`, empty and text are `None` (missing).
fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

/// Parses an ISO 8601 time to UTC seconds: `YYYY-MM-DD`, then optionally `T` or a space, `HH:MM`,
/// `:SS`, a fraction (dropped), and `Z` or an offset `±HH`, `±HHMM`, `±HH:MM`. No offset means UTC.
pub(super) fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month as u32, day as u32)?;
    let mut secs = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    let mut pos = 10;
    if pos < b.len() && (b[pos] == b'T' || b[pos] == b' ') {
        let (h, m) = (num(pos + 1, 2)?, num(pos + 4, 2)?);
        if b.get(pos + 3) != Some(&b':') || h > 24 || m > 59 {
            return None;
        }
        secs += h * 3600 + m * 60;
        pos += 6;
        if b.get(pos) == Some(&b':') {
            secs += num(pos + 1, 2)?;
            pos += 3;
            if matches!(b.get(pos), Some(b'.') | Some(b',')) {
                pos += 1;
                while pos < b.len() && b[pos].is_ascii_digit() {
                    pos += 1;
                }
            }
        }
    }
    let rest = &s[pos..];
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
            if !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (h, m) = match digits.len() {
                2 => (digits.parse::<i64>().ok()?, 0),
                4 => (digits[..2].parse::<i64>().ok()?, digits[2..].parse::<i64>().ok()?),
                _ => return None,
            };
            sign * (h * 3600 + m * 60)
        }
    };
    Some(secs - offset)
}

/// Writes `row,time,<columns>` with one line per input row; a not-evaluated flag is an empty cell.
pub(super) fn write(out: &mut dyn Write, table: &Table, columns: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut line = String::from("row,time");
    for (name, _) in columns {
        line.push(',');
        line.push_str(name);
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;
    for (i, &t) in table.times.iter().enumerate() {
        line.clear();
        write_utc(&mut line, i, t);
        for (_, flags) in columns {
            line.push(',');
            if flags[i] != NOT_EVALUATED {
                line.push(char::from(b'0' + flags[i] % 10));
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// `<row>,YYYY-MM-DDTHH:MM:SSZ` for UTC seconds `t`.
fn write_utc(line: &mut String, row: usize, t: i64) {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write as _;
    let _ = match chrono::DateTime::from_timestamp(t, 0) {
        Some(dt) => write!(
            line,
            "{row},{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        ),
        None => write!(line, "{row},"),
    };
}
