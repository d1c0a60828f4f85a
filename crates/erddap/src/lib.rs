//! The ERDDAP protocol as clients (erddapy, argopy, rerddap) speak it, with no HTTP and no store: the
//! tabledap query grammar parsed into a typed [`TableQuery`], the dataset descriptions ([`Dataset`]),
//! rows built from domain records, ERDDAP's functions (`distinct()`, `orderBy...`), the response layouts
//! as streaming writers (`.csv`, `.csvp`, `.json`, `.nc`, `.ncCF`, `.ncHeader`, ...), the info and
//! search tables, and the `Error {code=...}` text. The server wraps these in routes.
//!
//! Sources: ERDDAP 2.31 `Table.getDapQueryParts`, `EDDTable.parseUserDapQuery`, `TableWriter*`,
//! `EDStatic.lowSendError`; the recorded responses in `test-data/` (see its SOURCES.md).

mod answer;
mod catalog;
mod cell;
pub mod dataset;
mod error;
mod functions;
mod griddap;
mod info;
mod json;
mod nc;
mod number;
mod query;
mod rows;
mod text;
mod time;

pub use answer::{Answer, Output, ScratchMaker};
pub use catalog::{ARGO_CORE, ARGO_INDEX, ARGO_SYNTHETIC_BGC, NDBC_COLUMNS, NDBC_STDMET, REEF_HEAT_STRESS, catalog};
pub use cell::{Cell, Column, Columns};
pub use dataset::{Attr, AttrValue, DataType, Dataset, Var};
pub use error::ErddapError;
pub use functions::{Function, OrderKind, apply_functions};
pub use griddap::{
    GridAxis, GridNcVar, GridSelection, grid_columns, grid_das, grid_dds, grid_info_table, grid_nc, nc_header_of, ncml,
    parse_grid_query,
};
pub use info::{
    CATEGORY_ATTRIBUTES, PlainTable, SearchParams, categorize_table, category_values, dataset_table, info_table,
    search_datasets,
};
pub use json::json_string;
pub use nc::{NcSpool, Scratch, nc_cf, nc_header};
pub use query::{Constraint, Op, Rhs, TableQuery, form_pairs, split_query};
pub use rows::{ArgoRows, RowFilter, ndbc_rows, reef_rows, unit_of_output};
pub use text::{TextFormat, TextWriter};
pub use time::{format_iso, iso_string, parse_time};

/// The ERDDAP version we answer as (`/erddap/version`, the `erddap-server` header).
pub const ERDDAP_VERSION: &str = "2.31";

/// A response file type of tabledap, from the URL's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Text(TextFormat),
    Nc,
    NcHeader,
    NcCf,
}

impl FileType {
    /// The file type an extension (without the dot) names; `None` for one we do not serve.
    pub fn parse(ext: &str) -> Option<FileType> {
        Some(match ext {
            "nc" => FileType::Nc,
            "ncHeader" => FileType::NcHeader,
            "ncCF" => FileType::NcCf,
            _ => FileType::Text(TextFormat::parse(ext)?),
        })
    }

    /// The `Content-Type` ERDDAP sends for this file type.
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Text(t) => t.content_type(),
            FileType::Nc | FileType::NcCf => "application/x-netcdf",
            FileType::NcHeader => "text/plain;charset=UTF-8",
        }
    }
}

#[cfg(test)]
mod tests;
