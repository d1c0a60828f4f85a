//! One value of a row ([`Cell`]) and the output columns of a query ([`Columns`]): the table shape that
//! rows, functions and every writer share. A leaf: it needs only the dataset descriptions.

use crate::dataset::{Attr, DataType, Dataset};

/// One value of a row: a number (time in epoch seconds, missing as NaN) or text (missing as "").
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Num(f64),
    Text(String),
}

impl Cell {
    pub fn num(&self) -> f64 {
        match self {
            Cell::Num(v) => *v,
            Cell::Text(_) => f64::NAN,
        }
    }
}

/// An output column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: DataType,
    /// Units as data responses state them (`UTC` for time).
    pub units: Option<String>,
    pub is_time: bool,
    /// The variable's attributes (for `.nc` and `.ncHeader`).
    pub attrs: Vec<Attr>,
}

/// The result columns of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub cols: Vec<Column>,
}

impl Columns {
    pub fn new(ds: &Dataset, results: &[usize]) -> Columns {
        Columns {
            cols: results
                .iter()
                .map(|&i| {
                    let v = &ds.vars[i];
                    Column {
                        name: v.name.clone(),
                        ty: v.ty,
                        units: v.output_units().map(str::to_string),
                        is_time: v.is_time(),
                        attrs: v.attrs.clone(),
                    }
                })
                .collect(),
        }
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.cols.iter().position(|c| c.name == name)
    }
}
