//! Numbers as Java's `Double.toString` / `Float.toString` write them (ERDDAP's text outputs):
//! shortest round-trip digits, `3.0` not `3`, scientific `1.0E12` outside [1e-3, 1e7), `NaN`.

use std::io::Write;

/// Appends `x` in Java's `Double.toString` form.
pub fn java_double(x: f64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 40];
    let n = {
        let mut c = std::io::Cursor::new(&mut buf[..]);
        let _ = write!(c, "{x:e}");
        c.position() as usize
    };
    java_form(x, &buf[..n], out);
}

/// Appends `x` in Java's `Float.toString` form (digits of the shortest f32 representation).
pub fn java_float(x: f32, out: &mut Vec<u8>) {
    let mut buf = [0u8; 40];
    let n = {
        let mut c = std::io::Cursor::new(&mut buf[..]);
        let _ = write!(c, "{x:e}");
        c.position() as usize
    };
    java_form(x as f64, &buf[..n], out);
}

/// Rewrites Rust's `{:e}` text (`-1.2345e6`, `1e-5`) of `x` into Java's form.
fn java_form(x: f64, e: &[u8], out: &mut Vec<u8>) {
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
