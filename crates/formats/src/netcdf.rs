//! A zero-copy reader of NetCDF classic files (CDF-1 and CDF-2, 64-bit offsets) over a byte slice.
//!
//! The format is the "NetCDF Classic Format Specification" (Unidata): a header of dimensions, global
//! attributes and variables (name, dimension ids, attributes, type, size, begin offset), then the data of
//! fixed-size variables, then records of the variables whose first dimension is unlimited. All numbers are
//! big-endian. The header is parsed once; variables are decoded on demand, without copying the file.

use crate::FormatError;

/// NetCDF external data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NcType {
    Byte,
    Char,
    Short,
    Int,
    Float,
    Double,
}

impl NcType {
    fn from_code(c: u32) -> Option<NcType> {
        Some(match c {
            1 => NcType::Byte,
            2 => NcType::Char,
            3 => NcType::Short,
            4 => NcType::Int,
            5 => NcType::Float,
            6 => NcType::Double,
            _ => return None,
        })
    }

    pub fn size(self) -> usize {
        match self {
            NcType::Byte | NcType::Char => 1,
            NcType::Short => 2,
            NcType::Int | NcType::Float => 4,
            NcType::Double => 8,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dim<'a> {
    pub name: &'a str,
    /// Length; for the unlimited dimension, the number of records.
    pub len: usize,
    pub unlimited: bool,
}

/// An attribute, decoded on demand from the bytes it borrows.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr<'a> {
    pub name: &'a str,
    pub ty: NcType,
    raw: &'a [u8],
}

impl Attr<'_> {
    /// The first value as f64, for numeric attributes.
    pub fn as_f64(&self) -> Option<f64> {
        let r = self.raw;
        match self.ty {
            NcType::Char => None,
            NcType::Byte => r.first().map(|&x| x as i8 as f64),
            NcType::Short => r.get(..2).map(|c| i16::from_be_bytes([c[0], c[1]]) as f64),
            NcType::Int => r.get(..4).map(|c| i32::from_be_bytes(arr4(c)) as f64),
            NcType::Float => r.get(..4).map(|c| f32::from_be_bytes(arr4(c)) as f64),
            NcType::Double => r.get(..8).map(|c| f64::from_be_bytes(arr8(c))),
        }
    }

    /// Every value of a numeric attribute as f64 (empty for text).
    pub fn f64s(&self) -> Vec<f64> {
        let r = self.raw;
        let n = self.raw.len() / self.ty.size().max(1);
        (0..n)
            .filter_map(|i| {
                let c = &r[i * self.ty.size()..];
                match self.ty {
                    NcType::Char => None,
                    NcType::Byte => Some(c[0] as i8 as f64),
                    NcType::Short => Some(i16::from_be_bytes([c[0], c[1]]) as f64),
                    NcType::Int => Some(i32::from_be_bytes(arr4(c)) as f64),
                    NcType::Float => Some(f32::from_be_bytes(arr4(c)) as f64),
                    NcType::Double => Some(f64::from_be_bytes(arr8(c))),
                }
            })
            .collect()
    }

    /// The attribute as text: char attributes as they are, numbers space-separated (floats printed at
    /// their own precision, so a float 0.03 reads `0.03`).
    pub fn to_text(&self) -> String {
        if let Some(t) = self.as_text() {
            return t.into_owned();
        }
        let nums: Vec<String> = self
            .f64s()
            .into_iter()
            .map(|v| if self.ty == NcType::Float { (v as f32).to_string() } else { v.to_string() })
            .collect();
        nums.join(" ")
    }

    /// The text of a char attribute (up to the first NUL).
    pub fn as_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        if self.ty != NcType::Char {
            return None;
        }
        let end = self.raw.iter().position(|&b| b == 0).unwrap_or(self.raw.len());
        Some(String::from_utf8_lossy(&self.raw[..end]))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Var<'a> {
    pub name: &'a str,
    pub dim_ids: Vec<usize>,
    /// Dimension lengths (the record dimension counts its records).
    pub shape: Vec<usize>,
    pub attrs: Vec<Attr<'a>>,
    pub ty: NcType,
    /// Bytes of one record (record variables) or of the whole variable, padded to 4.
    pub vsize: usize,
    pub begin: usize,
    pub is_record: bool,
}

impl<'a> Var<'a> {
    pub fn attr(&self, name: &str) -> Option<&Attr<'a>> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Values per record (record variables) or in all (fixed variables).
    fn chunk_len(&self) -> usize {
        if self.is_record { self.shape[1..].iter().product() } else { self.len() }
    }
}

/// A parsed NetCDF classic file borrowing its bytes.
#[derive(Debug)]
pub struct NcFile<'a> {
    data: &'a [u8],
    pub dims: Vec<Dim<'a>>,
    pub attrs: Vec<Attr<'a>>,
    pub vars: Vec<Var<'a>>,
    num_records: usize,
    record_size: usize,
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

fn trunc(what: &str) -> FormatError {
    FormatError::Truncated(format!("the header ends inside {what}"))
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], FormatError> {
        let end = self.pos.checked_add(n).ok_or_else(|| trunc(what))?;
        let s = self.data.get(self.pos..end).ok_or_else(|| trunc(what))?;
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self, what: &str) -> Result<u32, FormatError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &str) -> Result<u64, FormatError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    fn len(&mut self, what: &str) -> Result<usize, FormatError> {
        let n = self.u32(what)? as usize;
        // Any count larger than the bytes left cannot be honest.
        if n > self.data.len() {
            return Err(FormatError::NotNetcdf(format!("implausible count {n} in {what}")));
        }
        Ok(n)
    }

    fn padded(&mut self, n: usize, what: &str) -> Result<&'a [u8], FormatError> {
        let s = self.take(n, what)?;
        let pad = (4 - n % 4) % 4;
        self.take(pad, what)?;
        Ok(s)
    }

    fn name(&mut self, what: &str) -> Result<&'a str, FormatError> {
        let n = self.len(what)?;
        let b = self.padded(n, what)?;
        std::str::from_utf8(b).map_err(|_| FormatError::NotNetcdf(format!("a {what} name is not UTF-8")))
    }

    fn attrs(&mut self) -> Result<Vec<Attr<'a>>, FormatError> {
        let tag = self.u32("an attribute list")?;
        let n = self.len("an attribute list")?;
        if tag == 0 {
            return Ok(Vec::new());
        }
        if tag != 0x0C {
            return Err(FormatError::NotNetcdf(format!("bad attribute list tag {tag:#x}")));
        }
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let name = self.name("attribute")?;
            let ty_code = self.u32("attribute type")?;
            let ty = NcType::from_code(ty_code)
                .ok_or_else(|| FormatError::NotNetcdf(format!("attribute {name} has unknown type {ty_code}")))?;
            let count = self.len("attribute values")?;
            let raw = self.padded(count * ty.size(), "attribute values")?;
            out.push(Attr { name, ty, raw });
        }
        Ok(out)
    }
}

impl<'a> NcFile<'a> {
    /// Parses the header. Fails on anything that is not a complete classic file.
    pub fn parse(data: &'a [u8]) -> Result<NcFile<'a>, FormatError> {
        if data.is_empty() {
            return Err(FormatError::Empty);
        }
        if data.len() < 4 || &data[..3] != b"CDF" {
            return Err(FormatError::NotNetcdf("no CDF magic number".into()));
        }
        let offset64 = match data[3] {
            1 => false,
            2 => true,
            5 => return Err(FormatError::NotNetcdf("CDF-5 (64-bit data) is not supported".into())),
            v => return Err(FormatError::NotNetcdf(format!("unknown CDF version {v}"))),
        };
        let mut c = Cursor { data, pos: 4 };
        let numrecs_raw = c.u32("the record count")?;
        // 0xFFFFFFFF: streaming, count unknown; computed from the file size below.
        let streaming = numrecs_raw == u32::MAX;
        let mut num_records = if streaming { 0 } else { numrecs_raw as usize };

        let tag = c.u32("the dimension list")?;
        let n = c.len("the dimension list")?;
        let mut dims = Vec::with_capacity(n);
        if tag == 0x0A {
            for _ in 0..n {
                let name = c.name("dimension")?;
                let len = c.u32("a dimension length")? as usize;
                dims.push(Dim { name, len, unlimited: len == 0 });
            }
        } else if tag != 0 {
            return Err(FormatError::NotNetcdf(format!("bad dimension list tag {tag:#x}")));
        }
        let attrs = c.attrs()?;
        let tag = c.u32("the variable list")?;
        let n = c.len("the variable list")?;
        if tag != 0 && tag != 0x0B {
            return Err(FormatError::NotNetcdf(format!("bad variable list tag {tag:#x}")));
        }
        let mut vars = Vec::with_capacity(n);
        for _ in 0..n {
            let name = c.name("variable")?;
            let nd = c.len("a variable's dimensions")?;
            let mut dim_ids = Vec::with_capacity(nd);
            for _ in 0..nd {
                let id = c.u32("a dimension id")? as usize;
                if id >= dims.len() {
                    return Err(FormatError::NotNetcdf(format!(
                        "variable {name} names dimension {id}, which does not exist"
                    )));
                }
                dim_ids.push(id);
            }
            let vattrs = c.attrs()?;
            let ty_code = c.u32("a variable type")?;
            let ty = NcType::from_code(ty_code)
                .ok_or_else(|| FormatError::NotNetcdf(format!("variable {name} has unknown type {ty_code}")))?;
            let vsize = c.u32("a variable size")? as usize;
            let begin =
                if offset64 { c.u64("a variable offset")? as usize } else { c.u32("a variable offset")? as usize };
            let is_record = dim_ids.first().is_some_and(|&d| dims[d].unlimited);
            vars.push(Var { name, shape: Vec::new(), dim_ids, attrs: vattrs, ty, vsize, begin, is_record });
        }
        // Record size: sum of record variables' vsize; a lone record variable is not padded.
        let rec_vars: Vec<&Var> = vars.iter().filter(|v| v.is_record).collect();
        let record_size = if rec_vars.len() == 1 {
            rec_vars[0].ty.size() * rec_vars[0].dim_ids[1..].iter().map(|&d| dims[d].len).product::<usize>()
        } else {
            rec_vars.iter().map(|v| v.vsize).sum()
        };
        if streaming && record_size > 0 {
            let first = rec_vars.iter().map(|v| v.begin).min().unwrap_or(data.len());
            num_records = data.len().saturating_sub(first) / record_size;
        }
        for d in dims.iter_mut().filter(|d| d.unlimited) {
            d.len = num_records;
        }
        for v in vars.iter_mut() {
            v.shape = v.dim_ids.iter().map(|&d| dims[d].len).collect();
        }
        let file = NcFile { data, dims, attrs, vars, num_records, record_size };
        // Every variable's data must lie inside the file.
        for v in &file.vars {
            let end = if v.is_record {
                // With no records, a record variable's offset may point past the end: nothing to read.
                if file.num_records == 0 {
                    continue;
                }
                v.begin + (file.num_records - 1) * file.record_size + v.chunk_len() * v.ty.size()
            } else {
                v.begin + v.len() * v.ty.size()
            };
            if end > data.len() {
                return Err(FormatError::Truncated(format!(
                    "variable {} needs bytes up to {end} but the file has {}",
                    v.name,
                    data.len()
                )));
            }
        }
        Ok(file)
    }

    pub fn dim(&self, name: &str) -> Option<&Dim<'a>> {
        self.dims.iter().find(|d| d.name == name)
    }

    pub fn var(&self, name: &str) -> Option<&Var<'a>> {
        self.vars.iter().find(|v| v.name == name)
    }

    pub fn attr(&self, name: &str) -> Option<&Attr<'a>> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn num_records(&self) -> usize {
        self.num_records
    }

    /// The raw big-endian bytes of a variable, record by record (contiguous for fixed variables).
    fn chunks(&self, v: &Var<'_>) -> Vec<&'a [u8]> {
        let n = v.chunk_len() * v.ty.size();
        if v.is_record {
            (0..self.num_records)
                .map(|r| {
                    let s = v.begin + r * self.record_size;
                    &self.data[s..s + n]
                })
                .collect()
        } else {
            vec![&self.data[v.begin..v.begin + n]]
        }
    }

    /// All values of a numeric variable as f64 (chars are an error).
    pub fn f64s(&self, v: &Var) -> Result<Vec<f64>, FormatError> {
        let mut out = Vec::with_capacity(v.len());
        for chunk in self.chunks(v) {
            match v.ty {
                NcType::Double => out.extend(chunk.chunks_exact(8).map(|c| f64::from_be_bytes(arr8(c)))),
                NcType::Float => out.extend(chunk.chunks_exact(4).map(|c| f32::from_be_bytes(arr4(c)) as f64)),
                NcType::Int => out.extend(chunk.chunks_exact(4).map(|c| i32::from_be_bytes(arr4(c)) as f64)),
                NcType::Short => out.extend(chunk.chunks_exact(2).map(|c| i16::from_be_bytes([c[0], c[1]]) as f64)),
                NcType::Byte => out.extend(chunk.iter().map(|&b| b as i8 as f64)),
                NcType::Char => return Err(FormatError::Layout(format!("variable {} is text, not numbers", v.name))),
            }
        }
        Ok(out)
    }

    /// All values of a numeric variable as f32 (doubles are narrowed).
    pub fn f32s(&self, v: &Var) -> Result<Vec<f32>, FormatError> {
        if v.ty == NcType::Float && !v.is_record {
            let chunk = self.chunks(v)[0];
            return Ok(chunk.chunks_exact(4).map(|c| f32::from_be_bytes(arr4(c))).collect());
        }
        Ok(self.f64s(v)?.into_iter().map(|x| x as f32).collect())
    }

    /// All values of an integer variable as i32.
    pub fn i32s(&self, v: &Var) -> Result<Vec<i32>, FormatError> {
        match v.ty {
            NcType::Int if !v.is_record => {
                Ok(self.chunks(v)[0].chunks_exact(4).map(|c| i32::from_be_bytes(arr4(c))).collect())
            }
            _ => Ok(self.f64s(v)?.into_iter().map(|x| x as i32).collect()),
        }
    }

    /// The bytes of a char variable (fixed variables only; record chars are concatenated).
    pub fn chars(&self, v: &Var) -> Result<std::borrow::Cow<'a, [u8]>, FormatError> {
        if v.ty != NcType::Char {
            return Err(FormatError::Layout(format!("variable {} is not text", v.name)));
        }
        let chunks = self.chunks(v);
        if chunks.len() == 1 {
            Ok(std::borrow::Cow::Borrowed(chunks[0]))
        } else {
            Ok(std::borrow::Cow::Owned(chunks.concat()))
        }
    }

    /// A char variable split into strings along its last dimension, trimmed of spaces and NULs.
    pub fn strings(&self, v: &Var) -> Result<Vec<String>, FormatError> {
        let bytes = self.chars(v)?;
        let width = v.shape.last().copied().unwrap_or(1).max(1);
        if v.shape.len() <= 1 {
            return Ok(vec![trim_str(&bytes)]);
        }
        Ok(bytes.chunks(width).map(trim_str).collect())
    }
}

/// Trims ASCII spaces and NULs from both ends and decodes (lossy) as UTF-8.
pub fn trim_str(b: &[u8]) -> String {
    let start = b.iter().position(|&c| c != b' ' && c != 0).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c != b' ' && c != 0).map_or(start, |e| e + 1);
    String::from_utf8_lossy(&b[start..end]).into_owned()
}

fn arr4(c: &[u8]) -> [u8; 4] {
    [c[0], c[1], c[2], c[3]]
}

fn arr8(c: &[u8]) -> [u8; 8] {
    [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]
}
