//! Archive rows as gzip-compressed CSV: a header of column names, then one line per row. Text is always
//! quoted (`""` escapes a quote), so an unquoted empty field is NULL and `""` is the empty string; integers
//! are decimal; reals print the shortest text that reads back to the same bits (`inf`, `-inf` for
//! infinities); blobs (a profile's levels) are standard base64, unquoted.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use store::{ArchiveTable, Cell, ColumnKind};

use crate::RetentionError;

pub(crate) fn write(path: &Path, t: ArchiveTable, rows: &[Vec<Cell>]) -> Result<(), RetentionError> {
    let file = std::fs::File::create(path).map_err(|e| RetentionError::io(path, e))?;
    let mut gz = GzEncoder::new(BufWriter::new(file), Compression::default());
    let header: Vec<&str> = t.columns().iter().map(|(n, _)| *n).collect();
    let mut line = header.join(",");
    line.push('\n');
    gz.write_all(line.as_bytes()).map_err(|e| RetentionError::io(path, e))?;
    for r in rows {
        line.clear();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            match c {
                Cell::Null => {}
                Cell::I(x) => line.push_str(&x.to_string()),
                Cell::F(x) => line.push_str(&x.to_string()),
                Cell::T(s) => {
                    line.push('"');
                    line.push_str(&s.replace('"', "\"\""));
                    line.push('"');
                }
                Cell::B(b) => line.push_str(&base64_encode(b)),
            }
        }
        line.push('\n');
        gz.write_all(line.as_bytes()).map_err(|e| RetentionError::io(path, e))?;
    }
    let inner = gz.finish().map_err(|e| RetentionError::io(path, e))?;
    let file = inner.into_inner().map_err(|e| RetentionError::io(path, e.into_error()))?;
    file.sync_all().map_err(|e| RetentionError::io(path, e))?;
    Ok(())
}

/// One field of a CSV line: its text and whether it was quoted.
fn split_fields(line: &str) -> Option<Vec<(String, bool)>> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => break,
                    c => field.push(c),
                }
            }
        }
        while let Some(&c) = chars.peek() {
            if c == ',' {
                break;
            }
            if quoted {
                return None; // text after a closing quote
            }
            field.push(c);
            chars.next();
        }
        out.push((field, quoted));
        if chars.next().is_none() {
            return Some(out);
        }
    }
}

/// Reads an archive written by [`write`]; any malformed byte is an error naming the line.
pub(crate) fn read(path: &Path, t: ArchiveTable) -> Result<Vec<Vec<Cell>>, RetentionError> {
    let file = std::fs::File::open(path).map_err(|e| RetentionError::io(path, e))?;
    let mut text = String::new();
    BufReader::new(MultiGzDecoder::new(BufReader::new(file)))
        .read_to_string(&mut text)
        .map_err(|e| RetentionError::Corrupt(format!("{}: {e}", path.display())))?;
    let bad = |line: usize, what: &str| RetentionError::Corrupt(format!("{}:{line}: {what}", path.display()));
    let cols = t.columns();
    // Lines are records, except inside quotes (text may hold newlines).
    let mut records = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut start_line = 1;
    for (n, l) in text.split_terminator('\n').enumerate() {
        if cur.is_empty() && !in_quotes {
            start_line = n + 1;
        } else {
            cur.push('\n');
        }
        in_quotes ^= l.matches('"').count() % 2 == 1;
        cur.push_str(l);
        if !in_quotes {
            records.push((start_line, std::mem::take(&mut cur)));
        }
    }
    if in_quotes {
        return Err(bad(start_line, "unterminated quote"));
    }
    let mut it = records.into_iter();
    let (_, header) = it.next().ok_or_else(|| bad(1, "empty file"))?;
    let want: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    if header != want.join(",") {
        return Err(bad(1, &format!("header is not the {} columns", t.name())));
    }
    let mut rows = Vec::new();
    for (line, rec) in it {
        let fields = split_fields(&rec).ok_or_else(|| bad(line, "malformed quoting"))?;
        if fields.len() != cols.len() {
            return Err(bad(line, &format!("{} fields, expected {}", fields.len(), cols.len())));
        }
        let mut row = Vec::with_capacity(cols.len());
        for ((f, quoted), (name, kind)) in fields.into_iter().zip(cols) {
            let cell = match (kind, quoted) {
                (ColumnKind::Text, true) => Cell::T(f),
                (_, false) if f.is_empty() => Cell::Null,
                (ColumnKind::Int, false) => Cell::I(f.parse().map_err(|_| bad(line, &format!("{name} {f:?}")))?),
                (ColumnKind::Real, false) => Cell::F(f.parse().map_err(|_| bad(line, &format!("{name} {f:?}")))?),
                (ColumnKind::Bytes, false) => {
                    Cell::B(base64_decode(&f).ok_or_else(|| bad(line, &format!("{name} is not base64")))?)
                }
                _ => return Err(bad(line, &format!("{name} {f:?} has the wrong form"))),
            };
            row.push(cell);
        }
        rows.push(row);
    }
    Ok(rows)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &x)| acc | (x as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    for (ci, chunk) in b.chunks(4).enumerate() {
        let last = ci == b.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = if i >= 4 - pad { 0 } else { B64.iter().position(|&x| x == c)? as u32 };
            n |= v << (18 - 6 * i);
        }
        for i in 0..3 - pad {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_every_length() {
        assert_eq!(base64_encode(b"Man"), "TWFu");
        assert_eq!(base64_encode(b"Ma"), "TWE=");
        assert_eq!(base64_encode(b"M"), "TQ==");
        for n in 0..40 {
            let b: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base64_decode(&base64_encode(&b)).unwrap(), b);
        }
        assert!(base64_decode("TQ=").is_none());
        assert!(base64_decode("T!==").is_none());
    }

    #[test]
    fn csv_keeps_nulls_empty_text_quotes_and_newlines_apart() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.csv.gz");
        let rows = vec![
            vec![
                Cell::T("a,\"b\"\nc".into()),
                Cell::T(String::new()),
                Cell::F(0.1),
                Cell::Null,
                Cell::F(f64::INFINITY),
                Cell::F(-1e-300),
                Cell::F(5.0),
                Cell::Null,
                Cell::I(-3),
            ],
            vec![
                Cell::T("x".into()),
                Cell::T("2020-01-01".into()),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ],
        ];
        write(&p, ArchiveTable::HeatStress, &rows).unwrap();
        assert_eq!(read(&p, ArchiveTable::HeatStress).unwrap(), rows);
        // The wrong table's header is refused.
        assert!(read(&p, ArchiveTable::Series).is_err());
    }
}
