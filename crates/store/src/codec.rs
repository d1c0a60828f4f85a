//! The compact binary layout of a profile's levels (one BLOB per profile, column-major).
//!
//! Layout, little-endian: magic `HLV2`, u32 level count, u16 parameter count, then per parameter: u8 name
//! length, name, u8 data mode (`R`/`A`/`D`), then five arrays in order: values (f32), QC (u8), adjusted
//! (f32), adjusted QC (u8), adjusted error (f32). Each array starts with a tag: 0 absent, 1 stored in
//! full, 2 one constant value, 3 identical to the raw array above it (adjusted = values, adjusted QC =
//! QC), 4 all missing (NaN). Argo profiles are full of constant QC columns, constant adjusted errors and
//! adjusted values equal to raw ones, so this halves what is written without a compressor's CPU cost.

use model::{DataMode, ParamColumn, Profile, QcFlag};

const MAGIC: &[u8; 4] = b"HLV2";
const ABSENT: u8 = 0;
const FULL: u8 = 1;
const CONSTANT: u8 = 2;
const SAME_AS_RAW: u8 = 3;
const ALL_NAN: u8 = 4;

fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

fn put_f32s(out: &mut Vec<u8>, v: &[f32], raw: Option<&[f32]>) {
    if let Some(r) = raw
        && same_bits(v, r)
    {
        out.push(SAME_AS_RAW);
    } else if v.iter().all(|x| x.is_nan()) {
        out.push(ALL_NAN);
    } else if v.iter().all(|x| x.to_bits() == v[0].to_bits()) {
        out.push(CONSTANT);
        out.extend_from_slice(&v[0].to_le_bytes());
    } else {
        out.push(FULL);
        for x in v {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
}

fn put_qcs(out: &mut Vec<u8>, v: &[QcFlag], raw: Option<&[QcFlag]>) {
    if raw.is_some_and(|r| r == v) {
        out.push(SAME_AS_RAW);
    } else if v.iter().all(|q| *q == v[0]) {
        out.push(CONSTANT);
        out.push(v[0].to_byte());
    } else {
        out.push(FULL);
        out.extend(v.iter().map(|q| q.to_byte()));
    }
}

pub fn encode_levels(params: &[ParamColumn]) -> Vec<u8> {
    let n = params.first().map_or(0, |c| c.len());
    let mut out = Vec::with_capacity(10 + params.len() * (n * 6 + 24));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(n as u32).to_le_bytes());
    out.extend_from_slice(&(params.len() as u16).to_le_bytes());
    for c in params {
        let name = &c.name.as_bytes()[..c.name.len().min(255)];
        out.push(name.len() as u8);
        out.extend_from_slice(name);
        out.push(c.data_mode.to_char() as u8);
        if n == 0 {
            // Zero levels: every array is empty; tag them absent/constant-free.
            out.extend_from_slice(&[FULL, FULL]);
            out.push(if c.adjusted.is_some() { FULL } else { ABSENT });
            out.push(if c.adjusted_qc.is_some() { FULL } else { ABSENT });
            out.push(if c.adjusted_error.is_some() { FULL } else { ABSENT });
            continue;
        }
        put_f32s(&mut out, &c.values, None);
        put_qcs(&mut out, &c.qc, None);
        match &c.adjusted {
            Some(a) => put_f32s(&mut out, a, Some(&c.values)),
            None => out.push(ABSENT),
        }
        match &c.adjusted_qc {
            Some(q) => put_qcs(&mut out, q, Some(&c.qc)),
            None => out.push(ABSENT),
        }
        match &c.adjusted_error {
            Some(e) => put_f32s(&mut out, e, None),
            None => out.push(ABSENT),
        }
    }
    out
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    n: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let s = self.b.get(self.pos..self.pos + n).ok_or("levels blob ends early")?;
        self.pos += n;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn f32s(&mut self, raw: Option<&[f32]>) -> Result<Option<Vec<f32>>, String> {
        let n = self.n;
        Ok(match self.byte()? {
            ABSENT => None,
            FULL => {
                Some(self.take(n * 4)?.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
            }
            CONSTANT => {
                let c = self.take(4)?;
                Some(vec![f32::from_le_bytes([c[0], c[1], c[2], c[3]]); n])
            }
            SAME_AS_RAW => Some(raw.ok_or("adjusted array refers to a missing raw array")?.to_vec()),
            ALL_NAN => Some(vec![f32::NAN; n]),
            t => return Err(format!("unknown array tag {t} in levels blob")),
        })
    }

    fn qcs(&mut self, raw: Option<&[QcFlag]>) -> Result<Option<Vec<QcFlag>>, String> {
        let n = self.n;
        Ok(match self.byte()? {
            ABSENT => None,
            FULL => Some(self.take(n)?.iter().map(|&b| QcFlag::from_byte(b)).collect()),
            CONSTANT => Some(vec![QcFlag::from_byte(self.byte()?); n]),
            SAME_AS_RAW => Some(raw.ok_or("adjusted QC refers to a missing raw QC")?.to_vec()),
            t => return Err(format!("unknown QC tag {t} in levels blob")),
        })
    }
}

pub fn decode_levels(b: &[u8]) -> Result<Vec<ParamColumn>, String> {
    let mut r = Reader { b, pos: 0, n: 0 };
    if r.take(4)? != MAGIC {
        return Err("levels blob has no HLV2 magic".into());
    }
    let c = r.take(4)?;
    r.n = u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize;
    let c = r.take(2)?;
    let np = u16::from_le_bytes([c[0], c[1]]) as usize;
    let mut out = Vec::with_capacity(np);
    for _ in 0..np {
        let len = r.byte()? as usize;
        let name = String::from_utf8_lossy(r.take(len)?).into_owned();
        let mode = DataMode::from_char(r.byte()?).ok_or("bad data mode in levels blob")?;
        let values = r.f32s(None)?.ok_or("levels blob has no values array")?;
        let qc = r.qcs(None)?.ok_or("levels blob has no QC array")?;
        let adjusted = r.f32s(Some(&values))?;
        let adjusted_qc = r.qcs(Some(&qc))?;
        let adjusted_error = r.f32s(None)?;
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

/// The content digest of a profile's metadata and encoded levels, the same on every backend, so that a
/// migrated row and a re-ingested file agree (an unchanged row is never rewritten).
pub(crate) fn profile_digest(p: &Profile, blob: &[u8]) -> i64 {
    let (lon, lat) = p.position.map_or((None, None), |pt| (Some(pt.lon), Some(pt.lat)));
    let meta = format!(
        "{:?}|{}|{:?}|{:?}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{:?}|{}|{}",
        p.time.map(|t| t.timestamp()),
        p.time_qc.to_byte(),
        lon,
        lat,
        p.position_qc.to_byte(),
        p.data_mode.to_char(),
        p.data_centre,
        p.project_name,
        p.pi_name,
        p.platform_type,
        p.wmo_inst_type,
        p.positioning_system,
        p.vertical_sampling_scheme,
        p.config_mission_number,
        p.source_format.as_str(),
        p.source_file
    );
    fnv1a(&[meta.as_bytes(), blob])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_every_tag() {
        let mut a = ParamColumn::raw("TEMP", DataMode::Delayed, vec![1.0, 2.0, f32::NAN]);
        a.qc = vec![QcFlag::GOOD, QcFlag::GOOD, QcFlag::BLANK];
        a.adjusted = Some(a.values.clone());
        a.adjusted_qc = Some(a.qc.clone());
        a.adjusted_error = Some(vec![0.002; 3]);
        let mut b = ParamColumn::raw("PSAL", DataMode::Adjusted, vec![f32::NAN; 3]);
        b.adjusted = Some(vec![35.0, 35.1, 35.2]);
        b.adjusted_qc = Some(vec![QcFlag::GOOD; 3]);
        let enc = encode_levels(&[a.clone(), b.clone()]);
        let dec = decode_levels(&enc).unwrap();
        assert_eq!(encode_levels(&dec), enc);
        assert_eq!(dec[0].adjusted_error, Some(vec![0.002; 3]));
        assert_eq!(dec[1].adjusted, b.adjusted);
        assert!(dec[1].values.iter().all(|x| x.is_nan()));
        assert!(decode_levels(&enc[..enc.len() - 3]).is_err());
        let empty = encode_levels(&[ParamColumn::raw("PRES", DataMode::RealTime, vec![])]);
        assert_eq!(decode_levels(&empty).unwrap()[0].len(), 0);
    }
}
