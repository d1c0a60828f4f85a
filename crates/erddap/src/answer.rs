//! One tabledap answer from rows to bytes: the constraints filter each row, then the rows stream
//! straight into the file type's writer, or, when functions (`distinct()`, `orderBy...`) or `.ncCF`
//! need every row at once, are collected (up to a row limit, past which the answer is a 413) and
//! written at the end. The status is decided when the first byte is ready: zero rows is ERDDAP's 404.

use std::io;

use crate::cell::{Cell, Columns};
use crate::dataset::Dataset;
use crate::error::ErddapError;
use crate::functions::apply_functions;
use crate::nc::{NcSpool, Scratch, nc_cf, nc_header};
use crate::query::TableQuery;
use crate::rows::{RowFilter, unit_of_output};
use crate::text::TextWriter;
use crate::{FileType, TextFormat};

/// Where an answer's bytes go. `start` is called once, before the first byte: from then on the status
/// is 200 and the answer can only be cut short, not turned into an error response.
pub trait Output {
    fn start(&mut self) -> Result<(), ErddapError>;
    fn write(&mut self, bytes: &[u8]) -> io::Result<()>;
}

/// Makes scratch files for `.nc` columns.
pub type ScratchMaker = Box<dyn FnMut() -> io::Result<Box<dyn Scratch>> + Send>;

enum Sink {
    Text { w: TextWriter, started: bool },
    Nc(NcSpool),
    NcHeader(NcSpool),
    Collect(Vec<Vec<Cell>>),
}

/// The state of one answer.
pub struct Answer {
    ds: Dataset,
    query: TableQuery,
    ft: FileType,
    cols: Columns,
    filter: RowFilter,
    n_results: usize,
    sink: Sink,
    buf: Vec<u8>,
    /// `{time} {request URL}`, appended to `history` in NetCDF answers.
    history_line: String,
    file_name: String,
    max_collect: usize,
    scratch: Option<ScratchMaker>,
}

const FLUSH_AT: usize = 64 * 1024;

impl Answer {
    /// An answer of `ft` to `query` on `ds`. `needed` must be `query.needed(ds)`: the layout rows arrive
    /// in. `max_collect` bounds the rows held in memory for functions and `.ncCF`.
    pub fn new(
        ds: &Dataset,
        query: TableQuery,
        ft: FileType,
        history_line: String,
        file_name: String,
        max_collect: usize,
        scratch: Option<ScratchMaker>,
    ) -> Result<Answer, ErddapError> {
        let needed = query.needed(ds);
        let filter = RowFilter::new(&query, ds, &needed);
        let mut cols = Columns::new(ds, &query.results);
        for c in &mut cols.cols {
            if let Some(u) = c.units.as_mut().filter(|_| !c.is_time) {
                *u = unit_of_output(u, query.ucum);
            }
        }
        let collect = !query.functions.is_empty() || ft == FileType::NcCf;
        let mut scratch = scratch;
        let sink = if collect {
            Sink::Collect(Vec::new())
        } else {
            match ft {
                FileType::Text(t) => {
                    Sink::Text { w: TextWriter::new(t, cols.clone(), false)?.with_title(&ds.id), started: false }
                }
                FileType::Nc => {
                    let make =
                        scratch.as_mut().ok_or_else(|| ErddapError::Internal("no scratch space for .nc".into()))?;
                    let mut f = || make();
                    Sink::Nc(
                        NcSpool::new(cols.clone(), Some(&mut f)).map_err(|e| ErddapError::Internal(e.to_string()))?,
                    )
                }
                _ => {
                    Sink::NcHeader(NcSpool::new(cols.clone(), None).map_err(|e| ErddapError::Internal(e.to_string()))?)
                }
            }
        };
        if let FileType::Text(TextFormat::GeoJson) = ft {
            TextWriter::new(TextFormat::GeoJson, cols.clone(), false)?;
        }
        let n_results = query.results.len();
        Ok(Answer {
            ds: ds.clone(),
            query,
            ft,
            cols,
            filter,
            n_results,
            sink,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            history_line,
            file_name,
            max_collect,
            scratch,
        })
    }

    /// Offers one row (in `needed` order); rows that fail the constraints are dropped.
    pub fn push(&mut self, row: &[Cell], out: &mut dyn Output) -> Result<(), ErddapError> {
        if !self.filter.matches(row) {
            return Ok(());
        }
        let row = &row[..self.n_results.min(row.len())];
        match &mut self.sink {
            Sink::Text { w, started } => {
                if !*started {
                    out.start()?;
                    *started = true;
                    w.begin(&mut self.buf);
                }
                w.row(row, &mut self.buf);
                if self.buf.len() >= FLUSH_AT {
                    out.write(&self.buf).map_err(io_err)?;
                    self.buf.clear();
                }
            }
            Sink::Nc(s) | Sink::NcHeader(s) => s.push(row).map_err(io_err)?,
            Sink::Collect(rows) => {
                if rows.len() >= self.max_collect {
                    return Err(ErddapError::TooLarge(format!(
                        "[memory]  The request needs more than the {} rows this server sorts in memory for distinct(), orderBy...() and .ncCF. Request less data (a smaller region or time range), or drop the functions to stream the rows.",
                        self.max_collect
                    )));
                }
                rows.push(row.to_vec());
            }
        }
        Ok(())
    }

    /// Ends the answer: writes what was held back. Zero rows is `NoRows` (ERDDAP's 404).
    pub fn finish(mut self, out: &mut dyn Output) -> Result<(), ErddapError> {
        let sink = std::mem::replace(&mut self.sink, Sink::Collect(Vec::new()));
        match sink {
            Sink::Text { mut w, started } => {
                if !started {
                    return Err(ErddapError::NoRows);
                }
                w.end(&mut self.buf);
                out.write(&self.buf).map_err(io_err)
            }
            Sink::Nc(s) => self.finish_nc(s, out),
            Sink::NcHeader(s) => self.finish_header(&s, out),
            Sink::Collect(rows) => self.finish_collected(rows, out),
        }
    }

    fn finish_nc(&self, s: NcSpool, out: &mut dyn Output) -> Result<(), ErddapError> {
        if s.rows() == 0 {
            return Err(ErddapError::NoRows);
        }
        out.start()?;
        let globals = self.ds.globals.clone();
        s.finish(&globals, &self.history_line, &mut |b| out.write(b))
    }

    fn finish_header(&self, s: &NcSpool, out: &mut dyn Output) -> Result<(), ErddapError> {
        if s.rows() == 0 {
            return Err(ErddapError::NoRows);
        }
        out.start()?;
        let text = nc_header(s, &self.file_name, &self.ds.globals, &self.history_line);
        out.write(text.as_bytes()).map_err(io_err)
    }

    fn finish_collected(mut self, rows: Vec<Vec<Cell>>, out: &mut dyn Output) -> Result<(), ErddapError> {
        let mut types: Vec<_> = self.cols.cols.iter().map(|c| c.ty).collect();
        let rows = apply_functions(rows, &self.query.functions, &mut types);
        if rows.is_empty() {
            return Err(ErddapError::NoRows);
        }
        for (c, t) in self.cols.cols.iter_mut().zip(types) {
            if c.ty != t {
                c.ty = t;
                c.is_time = false;
                c.units = None;
                c.attrs.retain(|a| a.name != "_FillValue" && a.name != "units" && a.name != "actual_range");
            }
        }
        match self.ft {
            FileType::Text(t) => {
                let mut w = TextWriter::new(t, self.cols.clone(), false)?.with_title(&self.ds.id);
                out.start()?;
                w.begin(&mut self.buf);
                for r in &rows {
                    w.row(r, &mut self.buf);
                    if self.buf.len() >= FLUSH_AT {
                        out.write(&self.buf).map_err(io_err)?;
                        self.buf.clear();
                    }
                }
                w.end(&mut self.buf);
                out.write(&self.buf).map_err(io_err)
            }
            FileType::Nc => {
                let make =
                    self.scratch.as_mut().ok_or_else(|| ErddapError::Internal("no scratch space for .nc".into()))?;
                let mut f = || make();
                let mut s =
                    NcSpool::new(self.cols.clone(), Some(&mut f)).map_err(|e| ErddapError::Internal(e.to_string()))?;
                for r in &rows {
                    s.push(r).map_err(io_err)?;
                }
                drop(rows);
                self.finish_nc(s, out)
            }
            FileType::NcHeader => {
                let mut s = NcSpool::new(self.cols.clone(), None).map_err(|e| ErddapError::Internal(e.to_string()))?;
                for r in &rows {
                    s.push(r).map_err(io_err)?;
                }
                self.finish_header(&s, out)
            }
            FileType::NcCf => {
                let bytes = nc_cf(&self.cols, &rows, &self.ds, &self.history_line)?;
                out.start()?;
                out.write(&bytes).map_err(io_err)
            }
        }
    }
}

fn io_err(e: io::Error) -> ErddapError {
    ErddapError::Internal(format!("writing the answer: {e}"))
}
