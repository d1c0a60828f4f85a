//! Depth phrases in metres, positive down: "surface" (the layer, not sea surface temperature) is
//! [0, 10]; "at X m" is [X, X]; "below / deeper than X m" is [X, open]; "between A and B m" is [A, B];
//! "top / upper / first X m" and "shallower than X m" are [0, X]. Feet and kilometres are converted;
//! decibars count as metres.

use crate::interpretation::DepthRange;
use crate::text::Text;

pub const WORDS: &[&str] =
    &["surface depth depths deep deeper below beneath under underneath top upper first shallower shallow between \
     meters metres meter metre dbar decibars feet fathoms profundidad profondeur profundidade metros superficie \
     debajo abajo abaixo sous dessous entre primeros premiers primeiros"];

fn unit_factor(w: &str) -> Option<f64> {
    Some(match w {
        "m" | "meters" | "metres" | "meter" | "metre" | "metros" | "mts" | "dbar" | "decibars" | "decibar" | "db" => {
            1.0
        }
        "km" | "kilometers" | "kilometres" => 1000.0,
        "ft" | "feet" | "foot" | "pies" | "pieds" => 0.3048,
        "fathoms" | "fathom" => 1.8288,
        _ => return None,
    })
}

/// A number followed by a depth unit at `i`: (metres, tokens).
fn metres(text: &Text, i: usize) -> Option<(f64, usize)> {
    let v = text.num(i)?;
    let f = unit_factor(text.free(i + 1)?)?;
    if f == 1000.0 && matches!(text.free(i + 2), Some("of" | "from" | "around" | "radius")) {
        return None; // "200 km of 35N": a radius, not a depth
    }
    Some((v * f, 2))
}

pub(crate) const BELOW: &[&str] = &[
    "below",
    "beneath",
    "under",
    "underneath",
    "deeper than",
    "greater than",
    "more than",
    "bajo",
    "debajo de",
    "por debajo de",
    "mas profundo que",
    "sous",
    "en dessous de",
    "au dessous de",
    "plus profond que",
    "abaixo de",
    "mais profundo que",
    "deeper",
    "past",
    "beyond",
];
pub(crate) const ABOVE: &[&str] = &[
    "from the surface to",
    "from the surface down to",
    "the surface to",
    "surface to",
    "between the surface and",
    "surface and",
    "from 0 to",
    "down to",
    "desde la superficie hasta",
    "de la surface a",
    "da superficie ate",
    "top",
    "upper",
    "first",
    "shallower than",
    "above",
    "within the top",
    "within the upper",
    "upper most",
    "los primeros",
    "primeros",
    "les premiers",
    "premiers",
    "os primeiros",
    "primeiros",
    "en los primeros",
    "above a depth of",
    "less than",
    "over the top",
];

pub fn parse(text: &mut Text) -> Option<DepthRange> {
    let n = text.len();
    for i in 0..n {
        // between A and B m / from A to B m / A-B m / entre A y B m
        let Some(a) = text.num(i) else { continue };
        if !matches!(text.free(i + 1), Some("and" | "to" | "-" | "y" | "et" | "e" | "a")) {
            continue;
        }
        let Some((b, k)) = metres(text, i + 2) else { continue };
        // "between 1 and 2 km": the unit after the second number applies to both
        let factor = text.free(i + 3).and_then(unit_factor).unwrap_or(1.0);
        let a = a * factor;
        let mut start = i;
        if i > 0 && matches!(text.free(i - 1), Some("between" | "from" | "entre" | "de" | "desde")) {
            start -= 1;
        }
        text.claim(start, i + 2 + k - start);
        claim_depth_words(text, i + 2 + k);
        return Some(DepthRange { min: Some(a.min(b)), max: Some(a.max(b)) });
    }
    for i in 0..n {
        let Some((x, k)) = metres(text, i) else { continue };
        // the words before decide the kind
        let strip_depth_of = |j: usize| -> usize {
            // "... a depth of X m"
            if j >= 3 && text.matches_at(j - 3, &["a", "depth", "of"]) {
                j - 3
            } else if j >= 2 && text.matches_at(j - 2, &["depth", "of"]) {
                j - 2
            } else {
                j
            }
        };
        let j = strip_depth_of(i);
        let tail_below = matches!(text.free(i + k), Some("and" | "or"))
            && matches!(text.free(i + k + 1), Some("deeper" | "below" | "more"));
        if tail_below {
            text.claim(i, k + 2);
            return Some(DepthRange { min: Some(x), max: None });
        }
        let tail_deeper = matches!(text.free(i + k), Some("deep" | "depth" | "down"))
            && matches!(text.free(i + k + 1), Some("and" | "or"))
            && matches!(text.free(i + k + 2), Some("deeper" | "below"));
        if tail_deeper {
            text.claim(i, k + 3);
            return Some(DepthRange { min: Some(x), max: None });
        }
        if let Some(s) = phrase_before(text, j, BELOW) {
            text.claim(s, i + k - s);
            claim_depth_words(text, i + k);
            return Some(DepthRange { min: Some(x), max: None });
        }
        if let Some(s) = phrase_before(text, j, ABOVE) {
            let s = if s > 0 && text.free(s - 1) == Some("the") { s - 1 } else { s };
            text.claim(s, i + k - s);
            claim_depth_words(text, i + k);
            return Some(DepthRange { min: Some(0.0), max: Some(x) });
        }
        // at X m / X m depth / a depth of X m / à X m
        let mut s = j;
        if s > 0 && matches!(text.free(s - 1), Some("at" | "a" | "en" | "em" | "around" | "near" | "to")) {
            s -= 1;
        }
        text.claim(s, i + k - s);
        claim_depth_words(text, i + k);
        return Some(DepthRange { min: Some(x), max: Some(x) });
    }
    // the surface layer (sea surface temperature was claimed as a variable already)
    if let Some((i, n)) = text.take_any(&[
        "near surface",
        "near-surface",
        "surface layer",
        "surface waters",
        "surface water",
        "at the surface",
        "surface",
        "superficie",
        "superficial",
        "superficiales",
        "surface de la mer",
    ]) {
        let _ = (i, n);
        return Some(DepthRange { min: Some(0.0), max: Some(10.0) });
    }
    None
}

/// Where one of `phrases` ends right before token `j` (its first token), the earliest such start.
fn phrase_before(text: &Text, j: usize, phrases: &[&str]) -> Option<usize> {
    phrases
        .iter()
        .filter_map(|p| {
            let w: Vec<&str> = p.split(' ').collect();
            let s = j.checked_sub(w.len())?;
            text.matches_at(s, &w).then_some(s)
        })
        .min()
}

fn claim_depth_words(text: &mut Text, i: usize) {
    if matches!(text.free(i), Some("depth" | "deep" | "down" | "de" | "profundidad" | "profondeur" | "profundidade")) {
        text.claim(i, 1);
        if matches!(text.free(i + 1), Some("profundidad" | "profondeur" | "profundidade")) {
            text.claim(i + 1, 1);
        }
    }
}
