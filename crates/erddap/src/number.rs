//! Numbers as Java's `Double.toString` / `Float.toString` write them (ERDDAP's text outputs):
//! shortest round-trip digits, `3.0` not `3`, scientific `1.0E12` outside [1e-3, 1e7), `NaN`.

use std::io::Write;

use crate::dataset::DataType;

/// A number of type `ty` in ERDDAP's text form.
pub fn write_number(v: f64, ty: DataType, out: &mut Vec<u8>) {
    match ty {
        DataType::Float => java_float(v as f32, out),
        t if t.is_integer() => java_int(v, out),
        _ => java_double(v, out),
    }
}

/// Appends `x` in Java's `Double.toString` form.
pub fn java_double(x: f64, out: &mut Vec<u8>) {
    if !x.is_finite() {
        return java_form(x, b"", out);
    }
    let mut b = ryu::Buffer::new();
    let s = b.format_finite(x).as_bytes();
    let mut e = [0u8; 40];
    let n = to_sci(s, &mut e);
    java_form(x, &e[..n], out);
}

/// Appends `x` in Java's `Float.toString` form (digits of the shortest f32 representation).
pub fn java_float(x: f32, out: &mut Vec<u8>) {
    if !x.is_finite() {
        return java_form(x as f64, b"", out);
    }
    let mut b = ryu::Buffer::new();
    let s = b.format_finite(x).as_bytes();
    let mut e = [0u8; 40];
    let n = to_sci(s, &mut e);
    java_form(x as f64, &e[..n], out);
}

/// Rewrites ryu's text (`-27.212`, `1e16`, `1.5e-7`, `0.001`) as Rust's `{:e}` text (`-2.7212e1`):
/// the significant digits and the decimal exponent. Returns the length written to `out`.
fn to_sci(s: &[u8], out: &mut [u8; 40]) -> usize {
    let (neg, s) = match s.split_first() {
        Some((b'-', r)) => (true, r),
        _ => (false, s),
    };
    let epos = s.iter().position(|&b| b == b'e' || b == b'E').unwrap_or(s.len());
    let (mant, exp_part) = (&s[..epos], s.get(epos + 1..).unwrap_or(b""));
    let mut exp: i32 = std::str::from_utf8(exp_part).ok().and_then(|t| t.parse().ok()).unwrap_or(0);
    let dot = mant.iter().position(|&b| b == b'.').unwrap_or(mant.len());
    let mut digits = [0u8; 32];
    let mut nd = 0;
    let mut first: Option<usize> = None;
    for (i, &b) in mant.iter().enumerate() {
        if b == b'.' {
            continue;
        }
        if first.is_none() && b == b'0' {
            continue;
        }
        if first.is_none() {
            first = Some(if i < dot { i } else { i - 1 });
        }
        if nd < digits.len() {
            digits[nd] = b;
            nd += 1;
        }
    }
    while nd > 1 && digits[nd - 1] == b'0' {
        nd -= 1;
    }
    let mut n = 0;
    let mut push = |c: u8, n: &mut usize| {
        if *n < out.len() {
            out[*n] = c;
            *n += 1;
        }
    };
    if neg {
        push(b'-', &mut n);
    }
    let Some(f) = first else {
        push(b'0', &mut n);
        push(b'e', &mut n);
        push(b'0', &mut n);
        return n;
    };
    exp += dot as i32 - 1 - f as i32;
    push(digits[0], &mut n);
    if nd > 1 {
        push(b'.', &mut n);
        for &d in &digits[1..nd] {
            push(d, &mut n);
        }
    }
    push(b'e', &mut n);
    let mut t = [0u8; 8];
    let mut c = std::io::Cursor::new(&mut t[..]);
    let _ = write!(c, "{exp}");
    let len = c.position() as usize;
    for &d in &t[..len] {
        push(d, &mut n);
    }
    n
}

/// Rewrites Rust's `{:e}` text (`-1.2345e6`, `1e-5`) of `x` into Java's form.
pub(crate) fn java_form(x: f64, e: &[u8], out: &mut Vec<u8>) {
    if x.is_nan() {
        out.extend_from_slice(b"NaN");
        return;
    }
    if x.is_infinite() {
        out.extend_from_slice(if x > 0.0 { b"Infinity" } else { b"-Infinity" });
        return;
    }
    let (neg, e) = match e.split_first() {
        Some((b'-', r)) => (true, r),
        _ => (false, e),
    };
    let epos = e.iter().position(|&b| b == b'e').unwrap_or(e.len());
    let mant = &e[..epos];
    let exp: i32 =
        std::str::from_utf8(e.get(epos + 1..).unwrap_or(b"0")).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    // Digits without the dot.
    let mut digits = [0u8; 32];
    let mut nd = 0;
    for &b in mant {
        if b.is_ascii_digit() && nd < digits.len() {
            digits[nd] = b;
            nd += 1;
        }
    }
    let digits = &digits[..nd.max(1)];
    if neg {
        out.push(b'-');
    }
    if x == 0.0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            for i in 0..int_len {
                out.push(*digits.get(i).unwrap_or(&b'0'));
            }
            out.push(b'.');
            if digits.len() > int_len {
                out.extend_from_slice(&digits[int_len..]);
            } else {
                out.push(b'0');
            }
        } else {
            out.extend_from_slice(b"0.");
            for _ in 0..(-exp - 1) {
                out.push(b'0');
            }
            out.extend_from_slice(digits);
        }
    } else {
        out.push(digits[0]);
        out.push(b'.');
        if digits.len() > 1 {
            out.extend_from_slice(&digits[1..]);
        } else {
            out.push(b'0');
        }
        out.push(b'E');
        let _ = write!(out, "{exp}");
    }
}

/// Appends an integer value (missing as `NaN`, as ERDDAP writes a missing int in text).
pub fn java_int(x: f64, out: &mut Vec<u8>) {
    if x.is_finite() {
        let _ = write!(out, "{}", x as i64);
    } else {
        out.extend_from_slice(b"NaN");
    }
}
