//! Archive rows as Parquet: one optional column per archive column (INT64, DOUBLE, UTF8 BYTE_ARRAY, or
//! plain BYTE_ARRAY for a profile's levels BLOB), snappy-compressed, row groups of at most 65,536 rows.
//! Read back through the row API to verify (and to restore when the CSV copy is damaged).

use std::path::Path;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::parser::parse_message_type;
use store::{ArchiveTable, Cell, ColumnKind};

use crate::RetentionError;

const ROW_GROUP: usize = 65_536;

fn schema(t: ArchiveTable) -> String {
    let mut s = format!("message {} {{\n", t.name());
    for (name, kind) in t.columns() {
        let ty = match kind {
            ColumnKind::Int => "INT64",
            ColumnKind::Real => "DOUBLE",
            ColumnKind::Text => "BYTE_ARRAY",
            ColumnKind::Bytes => "BYTE_ARRAY",
        };
        let ann = if *kind == ColumnKind::Text { " (UTF8)" } else { "" };
        s.push_str(&format!("  OPTIONAL {ty} {name}{ann};\n"));
    }
    s.push('}');
    s
}

fn perr(path: &Path, e: impl std::fmt::Display) -> RetentionError {
    RetentionError::Corrupt(format!("{}: {e}", path.display()))
}

pub(crate) fn write(path: &Path, t: ArchiveTable, rows: &[Vec<Cell>]) -> Result<(), RetentionError> {
    let schema = Arc::new(parse_message_type(&schema(t)).map_err(|e| perr(path, e))?);
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let file = std::fs::File::create(path).map_err(|e| RetentionError::io(path, e))?;
    let mut w = SerializedFileWriter::new(file, schema, props).map_err(|e| perr(path, e))?;
    for group in rows.chunks(ROW_GROUP) {
        let mut rg = w.next_row_group().map_err(|e| perr(path, e))?;
        let mut col = 0;
        while let Some(mut cw) = rg.next_column().map_err(|e| perr(path, e))? {
            let kind = t.columns()[col].1;
            let defs: Vec<i16> = group.iter().map(|r| i16::from(!matches!(r[col], Cell::Null))).collect();
            let res = match kind {
                ColumnKind::Int => {
                    let v: Vec<i64> =
                        group.iter().filter_map(|r| if let Cell::I(x) = r[col] { Some(x) } else { None }).collect();
                    cw.typed::<Int64Type>().write_batch(&v, Some(&defs), None)
                }
                ColumnKind::Real => {
                    let v: Vec<f64> =
                        group.iter().filter_map(|r| if let Cell::F(x) = r[col] { Some(x) } else { None }).collect();
                    cw.typed::<DoubleType>().write_batch(&v, Some(&defs), None)
                }
                ColumnKind::Text | ColumnKind::Bytes => {
                    let v: Vec<ByteArray> = group
                        .iter()
                        .filter_map(|r| match &r[col] {
                            Cell::T(s) => Some(ByteArray::from(s.as_bytes().to_vec())),
                            Cell::B(b) => Some(ByteArray::from(b.clone())),
                            _ => None,
                        })
                        .collect();
                    cw.typed::<ByteArrayType>().write_batch(&v, Some(&defs), None)
                }
            };
            res.map_err(|e| perr(path, e))?;
            cw.close().map_err(|e| perr(path, e))?;
            col += 1;
        }
        rg.close().map_err(|e| perr(path, e))?;
    }
    let file = w.into_inner().map_err(|e| perr(path, e))?;
    file.sync_all().map_err(|e| RetentionError::io(path, e))?;
    Ok(())
}

pub(crate) fn read(path: &Path, t: ArchiveTable) -> Result<Vec<Vec<Cell>>, RetentionError> {
    let file = std::fs::File::open(path).map_err(|e| RetentionError::io(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(|e| perr(path, e))?;
    let cols = t.columns();
    let fields = reader.metadata().file_metadata().schema_descr().columns().to_vec();
    let names: Vec<&str> = fields.iter().map(|c| c.name()).collect();
    let want: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    if names != want {
        return Err(perr(path, format!("columns are not the {} columns", t.name())));
    }
    let mut rows = Vec::new();
    for row in reader.get_row_iter(None).map_err(|e| perr(path, e))? {
        let row = row.map_err(|e| perr(path, e))?;
        let mut out = Vec::with_capacity(cols.len());
        for ((_, f), (name, kind)) in row.get_column_iter().zip(cols) {
            out.push(match (f, kind) {
                (Field::Null, _) => Cell::Null,
                (Field::Long(x), ColumnKind::Int) => Cell::I(*x),
                (Field::Double(x), ColumnKind::Real) => Cell::F(*x),
                (Field::Str(s), ColumnKind::Text) => Cell::T(s.clone()),
                (Field::Bytes(b), ColumnKind::Bytes) => Cell::B(b.data().to_vec()),
                (f, _) => return Err(perr(path, format!("{name}: unexpected value {f:?}"))),
            });
        }
        if out.len() != cols.len() {
            return Err(perr(path, "a row lacks columns"));
        }
        rows.push(out);
    }
    Ok(rows)
}
