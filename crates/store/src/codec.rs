//! The compact binary layout of a profile's levels (one BLOB per profile, column-major).
//!
//! Layout, little-endian: magic `HLV1`, u32 level count, u16 parameter count, then per parameter: u8 name
//! length, name, u8 data mode (`R`/`A`/`D`), u8 presence bits (1 adjusted, 2 adjusted QC, 4 adjusted
//! error), f32 values, u8 QC bytes, then the present optional arrays in that order.

use model::{DataMode, ParamColumn, QcFlag};

const MAGIC: &[u8; 4] = b"HLV1";

pub fn encode_levels(params: &[ParamColumn]) -> Vec<u8> {
    let n = params.first().map_or(0, |c| c.len());
    let mut out = Vec::with_capacity(10 + params.len() * (n * 13 + 20));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(n as u32).to_le_bytes());
    out.extend_from_slice(&(params.len() as u16).to_le_bytes());
    for c in params {
        let name = c.name.as_bytes();
        out.push(name.len().min(255) as u8);
        out.extend_from_slice(&name[..name.len().min(255)]);
        out.push(c.data_mode.to_char() as u8);
        let bits = u8::from(c.adjusted.is_some()) | (u8::from(c.adjusted_qc.is_some()) << 1) | (u8::from(c.adjusted_error.is_some()) << 2);
        out.push(bits);
        put_f32(&mut out, &c.values);
        out.extend(c.qc.iter().map(|q| q.to_byte()));
        if let Some(a) = &c.adjusted {
            put_f32(&mut out, a);
        }
        if let Some(q) = &c.adjusted_qc {
            out.extend(q.iter().map(|q| q.to_byte()));
        }
        if let Some(e) = &c.adjusted_error {
            put_f32(&mut out, e);
        }
    }
    out
}

fn put_f32(out: &mut Vec<u8>, v: &[f32]) {
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let s = self.b.get(self.pos..self.pos + n).ok_or("levels blob ends early")?;
        self.pos += n;
        Ok(s)
    }
    fn f32s(&mut self, n: usize) -> Result<Vec<f32>, String> {
        Ok(self.take(n * 4)?.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
    fn qcs(&mut self, n: usize) -> Result<Vec<QcFlag>, String> {
        Ok(self.take(n)?.iter().map(|&b| QcFlag::from_byte(b)).collect())
    }
}

pub fn decode_levels(b: &[u8]) -> Result<Vec<ParamColumn>, String> {
    let mut r = Reader { b, pos: 0 };
    if r.take(4)? != MAGIC {
        return Err("levels blob has no HLV1 magic".into());
    }
    let n = u32::from_le_bytes(r.take(4)?.try_into().map_err(|_| "bad count")?) as usize;
    let np = u16::from_le_bytes(r.take(2)?.try_into().map_err(|_| "bad count")?) as usize;
    let mut out = Vec::with_capacity(np);
    for _ in 0..np {
        let len = r.take(1)?[0] as usize;
        let name = String::from_utf8_lossy(r.take(len)?).into_owned();
        let mode = DataMode::from_char(r.take(1)?[0]).ok_or("bad data mode in levels blob")?;
        let bits = r.take(1)?[0];
        let values = r.f32s(n)?;
        let qc = r.qcs(n)?;
        let adjusted = if bits & 1 != 0 { Some(r.f32s(n)?) } else { None };
        let adjusted_qc = if bits & 2 != 0 { Some(r.qcs(n)?) } else { None };
        let adjusted_error = if bits & 4 != 0 { Some(r.f32s(n)?) } else { None };
        out.push(ParamColumn { name, data_mode: mode, values, qc, adjusted, adjusted_qc, adjusted_error });
    }
    Ok(out)
}

/// FNV-1a 64-bit, a stable digest used to skip rewriting unchanged rows.
pub(crate) fn fnv1a(parts: &[&[u8]]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}
