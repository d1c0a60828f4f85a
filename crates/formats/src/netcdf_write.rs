//! A writer of NetCDF classic (CDF-1) files with fixed-size variables: dimensions, text and numeric
//! attributes, and `byte`, `float`, `double` data, big-endian, each variable padded to 4 bytes, as the
//! "NetCDF Classic Format Specification" lays them out. Enough for gridded products (DHW, BAA).

/// Data of one variable.
#[derive(Debug, Clone, PartialEq)]
pub enum NcData {
    Byte(Vec<i8>),
    Float(Vec<f32>),
    Double(Vec<f64>),
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum NcAttr {
    Text(String),
    Byte(i8),
    Float(f32),
    Double(f64),
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
        }
        pad(out);
    }
}

impl NcData {
    fn code(&self) -> u32 {
        match self {
            NcData::Byte(_) => 1,
            NcData::Float(_) => 5,
            NcData::Double(_) => 6,
        }
    }

    fn bytes(&self) -> usize {
        match self {
            NcData::Byte(v) => v.len(),
            NcData::Float(v) => v.len() * 4,
            NcData::Double(v) => v.len() * 8,
        }
    }

    fn len(&self) -> usize {
        match self {
            NcData::Byte(v) => v.len(),
            NcData::Float(v) => v.len(),
            NcData::Double(v) => v.len(),
        }
    }
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
    // The header, with begin offsets filled once its size is known.
    let header = |begins: &[u32]| {
        let mut h = Vec::new();
        h.extend_from_slice(b"CDF\x01");
        h.extend_from_slice(&0u32.to_be_bytes()); // no records
        if file.dims.is_empty() {
            h.extend_from_slice(&[0; 8]);
        } else {
            h.extend_from_slice(&0x0Au32.to_be_bytes());
            h.extend_from_slice(&(file.dims.len() as u32).to_be_bytes());
            for (n, len) in &file.dims {
                name(&mut h, n);
                h.extend_from_slice(&(*len as u32).to_be_bytes());
            }
        }
        attrs(&mut h, &file.attrs);
        if file.vars.is_empty() {
            h.extend_from_slice(&[0; 8]);
        } else {
            h.extend_from_slice(&0x0Bu32.to_be_bytes());
            h.extend_from_slice(&(file.vars.len() as u32).to_be_bytes());
            for (v, begin) in file.vars.iter().zip(begins) {
                name(&mut h, &v.name);
                h.extend_from_slice(&(v.dims.len() as u32).to_be_bytes());
                for d in &v.dims {
                    h.extend_from_slice(&(*d as u32).to_be_bytes());
                }
                attrs(&mut h, &v.attrs);
                h.extend_from_slice(&v.data.code().to_be_bytes());
                h.extend_from_slice(&(v.data.bytes().div_ceil(4) as u32 * 4).to_be_bytes());
                h.extend_from_slice(&begin.to_be_bytes());
            }
        }
        h
    };
    let size = header(&vec![0; file.vars.len()]).len();
    let mut begins = Vec::with_capacity(file.vars.len());
    let mut at = size as u64;
    for v in &file.vars {
        begins.push(u32::try_from(at).map_err(|_| "file over 4 GiB needs CDF-2, not written".to_string())?);
        at += v.data.bytes().div_ceil(4) as u64 * 4;
    }
    if at > i32::MAX as u64 {
        return Err("file over 2 GiB needs 64-bit offsets, not written".into());
    }
    let mut out = header(&begins);
    out.reserve(at as usize - out.len());
    for v in &file.vars {
        match &v.data {
            NcData::Byte(d) => out.extend(d.iter().map(|&b| b as u8)),
            NcData::Float(d) => d.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
            NcData::Double(d) => d.iter().for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
        }
        pad(&mut out);
    }
    Ok(out)
}
