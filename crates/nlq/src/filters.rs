//! Value filters in the variable's units: "above / warmer than / over X" is `> X`, "below / colder than /
//! under X" is `< X`, "at least X" / "X or more" is `>= X`, "at most X" / "X or less" is `<= X`.
//! Fahrenheit is converted to °C. Depth phrases were claimed before, so "below 500 m" never lands here.

use crate::interpretation::Op;
use crate::text::Text;

pub const WORDS: &[&str] =
    &["above over exceeding exceeds exceed greater higher more warmer hotter colder cooler lower less below under \
     least most than superior superieur superieure inferior inferieur inferieure mayor menor maior plus moins \
     encima dessus acima mais menos chaud froid caliente frio quente"];

pub(crate) const GT: &[&str] = &[
    "above",
    "over",
    "exceeding",
    "exceeds",
    "exceeded",
    "exceed",
    "greater than",
    "higher than",
    "more than",
    "warmer than",
    "hotter than",
    "saltier than",
    "larger than",
    "bigger than",
    ">",
    "superior a",
    "superieur a",
    "superieure a",
    "superieures a",
    "mayor que",
    "mayor a",
    "maior que",
    "mas de",
    "plus de",
    "por encima de",
    "au dessus de",
    "acima de",
    "mais de",
    "plus chaud que",
    "plus chaude que",
    "mas caliente que",
    "mas calido que",
    "mais quente que",
    "in excess of",
    "topping",
];
pub(crate) const GE: &[&str] = &[
    "greater than or equal to",
    "more than or equal to",
    "at or above",
    "equal to or greater than",
    "equal to or above",
    "at least",
    ">=",
    "no less than",
    "al menos",
    "au moins",
    "pelo menos",
    "minimum of",
];
pub(crate) const LT: &[&str] = &[
    "below",
    "under",
    "less than",
    "lower than",
    "colder than",
    "cooler than",
    "fresher than",
    "<",
    "inferior a",
    "inferieur a",
    "inferieure a",
    "inferieures a",
    "menor que",
    "menor a",
    "menos de",
    "moins de",
    "por debajo de",
    "en dessous de",
    "au dessous de",
    "abaixo de",
    "plus froid que",
    "plus froide que",
    "mas frio que",
    "mais frio que",
    "mais fria que",
    "mas fria que",
];
pub(crate) const LE: &[&str] = &[
    "less than or equal to",
    "at or below",
    "equal to or less than",
    "equal to or below",
    "at most",
    "<=",
    "no more than",
    "a lo sumo",
    "au plus",
    "no maximo",
    "maximum of",
];

/// A number with an optional unit at `i`: (value, tokens).
fn value_at(text: &Text, i: usize) -> Option<(f64, usize)> {
    let v = text.num(i)?;
    let mut k = 1;
    let mut fahrenheit = false;
    loop {
        match text.free(i + k) {
            Some(
                "c" | "celsius" | "degrees" | "degree" | "deg" | "degres" | "grados" | "graus" | "psu" | "dhw" | "mg"
                | "umol" | "ph" | "ml" | "%" | "percent",
            ) => k += 1,
            Some("f" | "fahrenheit") => {
                fahrenheit = true;
                k += 1;
            }
            Some("/" | "m3" | "kg" | "l") if k > 1 => k += 1,
            _ => break,
        }
    }
    let v = if fahrenheit { (v - 32.0) * 5.0 / 9.0 } else { v };
    Some((v, k))
}

fn op_before(text: &Text, i: usize) -> Option<(Op, usize)> {
    for (op, list) in [(Op::Ge, GE), (Op::Le, LE), (Op::Gt, GT), (Op::Lt, LT)] {
        for p in list {
            let w: Vec<&str> = p.split(' ').collect();
            // allow one filler word between ("above a temperature of 30"? no: "above 30")
            if let Some(s) = i.checked_sub(w.len())
                && text.matches_at(s, &w)
            {
                return Some((op, s));
            }
        }
    }
    None
}

pub fn parse(text: &mut Text) -> Option<(Op, f64)> {
    for i in 0..text.len() {
        if text.num(i).is_none() {
            continue;
        }
        if let Some((op, s)) = op_before(text, i) {
            let (v, k) = value_at(text, i)?;
            text.claim(s, i + k - s);
            return Some((op, v));
        }
        // "X or more" / "X or above" / "X and above"
        let (v, k) = value_at(text, i)?;
        if matches!(text.free(i + k), Some("or" | "and"))
            && let Some(w) = text.free(i + k + 1)
        {
            let op = match w {
                "more" | "above" | "higher" | "greater" | "over" => Some(Op::Ge),
                "less" | "below" | "lower" | "under" | "fewer" => Some(Op::Le),
                _ => None,
            };
            if let Some(op) = op {
                // only when a value is meant (not "2 or more weeks")
                text.claim(i, k + 2);
                return Some((op, v));
            }
        }
    }
    None
}
