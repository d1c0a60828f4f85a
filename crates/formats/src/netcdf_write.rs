//! A writer of NetCDF classic (CDF-1) files with fixed-size variables: dimensions, text and numeric
//! attributes, and `byte`, `float`, `double` data, big-endian, each variable padded to 4 bytes, as the
//! "NetCDF Classic Format Specification" lays them out. Enough for gridded products (DHW, BAA) and
//! ERDDAP tables; [`header`] alone lets a caller stream the data of large variables after it.

/// Data of one variable.
#[derive(Debug, Clone, PartialEq)]
pub enum NcData {
    Byte(Vec<i8>),
    Char(Vec<u8>),
    Short(Vec<i16>),
    Int(Vec<i32>),
    Float(Vec<f32>),
    Double(Vec<f64>),
}

/// NetCDF classic external types (codes 1 to 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NcKind {
    Byte,
    Char,
    Short,
    Int,
    Float,
    Double,
}

impl NcKind {
    pub fn code(self) -> u32 {
        match self {
            NcKind::Byte => 1,
            NcKind::Char => 2,
            NcKind::Short => 3,
            NcKind::Int => 4,
            NcKind::Float => 5,
            NcKind::Double => 6,
        }
    }

    pub fn size(self) -> usize {
        match self {
            NcKind::Byte | NcKind::Char => 1,
            NcKind::Short => 2,
            NcKind::Int | NcKind::Float => 4,
            NcKind::Double => 8,
        }
    }
}

/// A variable's header entry, without its data (for [`header`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NcVarSpec {
    pub name: String,
    /// Indices into the file's dimensions.
    pub dims: Vec<usize>,
    pub attrs: Vec<(String, NcAttr)>,
    pub kind: NcKind,
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum NcAttr {
    Text(String),
    Byte(i8),
    Float(f32),
    Double(f64),
    Bytes(Vec<i8>),
    Shorts(Vec<i16>),
    Ints(Vec<i32>),
    Floats(Vec<f32>),
    Doubles(Vec<f64>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NcVarOut {
    pub name: String,
    /// Indices into the file's dimensions.
    pub dims: Vec<usize>,
    pub attrs: Vec<(String, NcAttr)>,
    pub data: NcData,
}

/// A file to write.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NcOut {
    pub dims: Vec<(String, usize)>,
    pub attrs: Vec<(String, NcAttr)>,
    pub vars: Vec<NcVarOut>,
}

fn pad(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn name(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    pad(out);
}

fn attrs(out: &mut Vec<u8>, list: &[(String, NcAttr)]) {
    if list.is_empty() {
        out.extend_from_slice(&[0; 8]);
        return;
    }
    out.extend_from_slice(&0x0Cu32.to_be_bytes());
    out.extend_from_slice(&(list.len() as u32).to_be_bytes());
    for (n, a) in list {
        name(out, n);
        match a {
            NcAttr::Text(t) => {
                out.extend_from_slice(&2u32.to_be_bytes());
                out.extend_from_slice(&(t.len() as u32).to_be_bytes());
                out.extend_from_slice(t.as_bytes());
            }
            NcAttr::Byte(b) => {
                out.extend_from_slice(&1u32.to_be_bytes());
                out.extend_from_slice(&1u32.to_be_bytes());
                out.push(*b as u8);
            }
            NcAttr::Float(f) => {
                out.extend_from_slice(&5u32.to_be_bytes());
                out.extend_from_slice(&1u32.to_be_bytes());
                out.extend_from_slice(&f.to_be_bytes());
            }
            NcAttr::Double(d) => {
                out.extend_from_slice(&6u32.to_be_bytes());
                out.extend_from_slice(&1u32.to_be_bytes());
                out.extend_from_slice(&d.to_be_bytes());
            }
            NcAttr::Bytes(v) => {
                out.extend_from_slice(&1u32.to_be_bytes());
                out.extend_from_slice(&(v.len() as u32).to_be_bytes());
                out.extend(v.iter().map(|&b| b as u8));
            }
            NcAttr::Shorts(v) => {
                out.extend_from_slice(&3u32.to_be_bytes());
                out.extend_from_slice(&(v.len() as u32).to_be_bytes());
                v.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes()));
            }
            NcAttr::Ints(v) => {
                out.extend_from_slice(&4u32.to_be_bytes());
                out.extend_from_slice(&(v.len() as u32).to_be_bytes());
                v.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes()));
            }
            NcAttr::Floats(v) => {
                out.extend_from_slice(&5u32.to_be_bytes());
                out.extend_from_slice(&(v.len() as u32).to_be_bytes());
                v.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes()));
            }
            NcAttr::Doubles(v) => {
                out.extend_from_slice(&6u32.to_be_bytes());
                out.extend_from_slice(&(v.len() as u32).to_be_bytes());
                v.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes()));
            }
        }
        pad(out);
    }
}

impl NcData {
    fn kind(&self) -> NcKind {
        match self {
            NcData::Byte(_) => NcKind::Byte,
            NcData::Char(_) => NcKind::Char,
            NcData::Short(_) => NcKind::Short,
            NcData::Int(_) => NcKind::Int,
            NcData::Float(_) => NcKind::Float,
            NcData::Double(_) => NcKind::Double,
        }
    }

    fn len(&self) -> usize {
        match self {
            NcData::Byte(v) => v.len(),
            NcData::Char(v) => v.len(),
            NcData::Short(v) => v.len(),
            NcData::Int(v) => v.len(),
            NcData::Float(v) => v.len(),
            NcData::Double(v) => v.len(),
        }
    }
}

/// Bytes a variable's data takes, padded to 4.
fn var_size(dims: &[(String, usize)], spec_dims: &[usize], kind: NcKind) -> u64 {
    let n: u64 = spec_dims.iter().map(|&d| dims.get(d).map_or(0, |x| x.1 as u64)).product();
    (n * kind.size() as u64).div_ceil(4) * 4
}

/// The header of a file whose variables' data follow it in order, each padded to 4 bytes; fails when
/// the file would need 64-bit offsets (over 2 GiB).
pub fn header(dims: &[(String, usize)], global: &[(String, NcAttr)], vars: &[NcVarSpec]) -> Result<Vec<u8>, String> {
    let build = |begins: &[u32]| {
        let mut h = Vec::new();
        h.extend_from_slice(b"CDF\x01");
        h.extend_from_slice(&0u32.to_be_bytes()); // no records
        if dims.is_empty() {
            h.extend_from_slice(&[0; 8]);
        } else {
            h.extend_from_slice(&0x0Au32.to_be_bytes());
            h.extend_from_slice(&(dims.len() as u32).to_be_bytes());
            for (n, len) in dims {
                name(&mut h, n);
                h.extend_from_slice(&(*len as u32).to_be_bytes());
            }
        }
        attrs(&mut h, global);
        if vars.is_empty() {
            h.extend_from_slice(&[0; 8]);
        } else {
            h.extend_from_slice(&0x0Bu32.to_be_bytes());
            h.extend_from_slice(&(vars.len() as u32).to_be_bytes());
            for (v, begin) in vars.iter().zip(begins) {
                name(&mut h, &v.name);
                h.extend_from_slice(&(v.dims.len() as u32).to_be_bytes());
                for d in &v.dims {
                    h.extend_from_slice(&(*d as u32).to_be_bytes());
                }
                attrs(&mut h, &v.attrs);
                h.extend_from_slice(&v.kind.code().to_be_bytes());
                let size = var_size(dims, &v.dims, v.kind).min(u32::MAX as u64) as u32;
                h.extend_from_slice(&size.to_be_bytes());
                h.extend_from_slice(&begin.to_be_bytes());
            }
        }
        h
    };
    if vars.iter().any(|v| v.dims.iter().any(|&d| d >= dims.len())) {
        return Err("a variable names a dimension the file does not have".into());
    }
    let size = build(&vec![0; vars.len()]).len();
    let mut begins = Vec::with_capacity(vars.len());
    let mut at = size as u64;
    for v in vars {
        begins.push(u32::try_from(at).map_err(|_| "file over 4 GiB needs CDF-2, not written".to_string())?);
        at += var_size(dims, &v.dims, v.kind);
    }
    if at > i32::MAX as u64 {
        return Err("file over 2 GiB needs 64-bit offsets, not written".into());
    }
    Ok(build(&begins))
}

/// Serialises `file`; fails when a variable's data does not match its dimensions or the file would need
/// 64-bit offsets (over 2 GiB).
pub fn write(file: &NcOut) -> Result<Vec<u8>, String> {
    for v in &file.vars {
        let expected: usize = v.dims.iter().map(|&d| file.dims.get(d).map_or(0, |x| x.1)).product();
        if v.dims.iter().any(|&d| d >= file.dims.len()) || v.data.len() != expected {
            return Err(format!("variable {}: {} values for dimensions of {} values", v.name, v.data.len(), expected));
        }
    }
    let specs: Vec<NcVarSpec> = file
        .vars
        .iter()
        .map(|v| NcVarSpec { name: v.name.clone(), dims: v.dims.clone(), attrs: v.attrs.clone(), kind: v.data.kind() })
        .collect();
    let mut out = header(&file.dims, &file.attrs, &specs)?;
    for v in &file.vars {
        match &v.data {
            NcData::Byte(d) => out.extend(d.iter().map(|&b| b as u8)),
            NcData::Char(d) => out.extend_from_slice(d),
            NcData::Short(d) => d.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
            NcData::Int(d) => d.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
            NcData::Float(d) => d.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
            NcData::Double(d) => d.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
        }
        pad(&mut out);
    }
    Ok(out)
}
