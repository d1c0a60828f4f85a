//! JSON string literals as ERDDAP writes them (`String2.toJson`) and reads them in queries. A leaf.

/// A JSON string literal as ERDDAP writes one (`String2.toJson`): `"`, `\`, control characters and
/// every character ≥ 127 escaped (`\u00e9`).
pub fn json_string(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    push_json_string(s, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

pub(crate) fn push_json_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            c if (c as u32) < 32 || (c as u32) >= 127 => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.extend_from_slice(format!("\\u{u:04x}").as_bytes());
                }
            }
            c => out.push(c as u8),
        }
    }
    out.push(b'"');
}

/// Decodes a JSON string literal (`"a\"b"`), as ERDDAP does with quoted values.
pub(crate) fn json_unquote(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() < 2 || !s.starts_with('"') || !s.ends_with('"') {
        return None;
    }
    serde_json::from_str::<String>(s).ok().or_else(|| {
        // ERDDAP is lenient with backslashes JSON would reject: keep them literally.
        Some(s[1..s.len() - 1].replace("\\\"", "\""))
    })
}
