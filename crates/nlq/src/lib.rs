//! Ocean Chat's deterministic parser: a plain-language question to a structured [`Interpretation`]
//! (variables, region, time, depth, aggregation, platform, value filter) or a request to clarify.
//!
//! No model, no network: the text is normalised (accents folded, typos corrected against our vocabulary),
//! then each concern claims the words it understands, in an order that lets longer phrases win
//! ("sea surface temperature" is a variable before "surface" can be a depth; "last reported" is an
//! aggregation before "last" can be a time). Regions are GeoJSON-ready polygons split at the antimeridian
//! (RFC 7946 §3.1.9); times are inclusive calendar dates relative to a reference date.
//!
//! ```text
//! parse("average SST in the Bering Sea for the last three months", 2025-06-15)
//!   → variables [sst], region Bering Sea (two polygons, split at ±180), time 2025-03-15..2025-06-15, agg mean
//! ```
//!
//! The files are layered, each importing only files below it (`xtask tidy` checks that no two import
//! each other, directly or around a loop):
//! - leaves: `text` (tokens, folding, number words), `geometry` (`Area`), `places` (curated places),
//!   `interpretation` (the output types);
//! - concerns, one per kind of phrase, each claiming the words it understands: `gazetteer` (named seas
//!   and places) and `coords` (boxes, points, radii, latitude bands), `variables`, `time`, `depth`,
//!   `aggregation`, `platform`, `filters`, `clarify`; and `summary` (an interpretation in words);
//! - `vocabulary`: gathers the concerns' word lists and corrects a question's typos against them;
//! - this file: the order in which the concerns read a question (`parse`, `parse_in_context`).

mod aggregation;
mod clarify;
mod coords;
mod depth;
mod filters;
mod gazetteer;
mod geometry;
mod interpretation;
mod places;
mod platform;
mod summary;
mod text;
mod time;
mod variables;
mod vocabulary;

use chrono::NaiveDate;

pub use geometry::Area;
pub use interpretation::{Agg, Clarification, DateSpan, DepthRange, Interpretation, NlqPlatform, NlqVariable, Op};
use text::Text;

/// Parses a question relative to the reference date `now` (the "today" of relative times).
pub fn parse(question: &str, now: NaiveDate) -> Interpretation {
    let (mut it, text, open) = parse_inner(question, now);
    if open {
        it.clarify = clarify::vague(&text, &it);
    }
    it
}

/// Words that continue the previous question ("and at 1000 m?", "what about last year?").
const FOLLOW: &[&str] =
    &["and", "what about", "how about", "same", "now", "also", "then", "y", "et", "e", "e se", "and what about"];

/// Parses a question in the context of the previous interpretation of the same conversation: a
/// follow-up ("and at 1000 m?") keeps everything it does not change. A question that stands on its own
/// (it names a variable or platform and does not start with a continuation word) replaces the context.
pub fn parse_in_context(question: &str, now: NaiveDate, previous: Option<&Interpretation>) -> Interpretation {
    let (mut it, text, open) = parse_inner(question, now);
    let Some(prev) = previous.filter(|p| p.clarify.is_none()) else {
        if open {
            it.clarify = clarify::vague(&text, &it);
        }
        return it;
    };
    let continues = FOLLOW.iter().any(|f| {
        let w: Vec<&str> = f.split(' ').collect();
        w.iter().enumerate().all(|(k, x)| text.word(k) == Some(*x))
    });
    let standalone = !it.variables.is_empty() || it.platform.is_some();
    if !open || (standalone && !continues) {
        if open {
            it.clarify = clarify::vague(&text, &it);
        }
        return it;
    }
    let mut merged = prev.clone();
    if !it.variables.is_empty() {
        merged.variables = it.variables;
    }
    if it.region.is_some() {
        merged.region = it.region;
    }
    if it.time.is_some() {
        merged.time = it.time;
    }
    if it.depth.is_some() {
        merged.depth = it.depth;
    }
    if it.agg != Agg::List {
        merged.agg = it.agg;
    }
    if it.platform.is_some() {
        merged.platform = it.platform;
    }
    if it.value_filter.is_some() {
        merged.value_filter = it.value_filter;
    }
    merged.clarify = None;
    merged
}

/// The fields of a question; `open` is false when a clarification was already decided (refusals,
/// forecasts, unknown places), true when only the vagueness check is left.
fn parse_inner(question: &str, now: NaiveDate) -> (Interpretation, Text, bool) {
    let mut text = vocabulary::read(question);
    let mut it = Interpretation::default();
    if let Some(c) = clarify::refusal(&text, now) {
        it.clarify = Some(c);
        return (it, text, false);
    }
    // Order matters: each step claims the words it understands.
    let explicit = coords::parse(&mut text);
    let named = gazetteer::resolve(&mut text);
    let mut region_problem = None;
    let region = match (explicit, named) {
        (Some(a), gazetteer::Resolved::None) => Some(a),
        (Some(a), gazetteer::Resolved::Areas(b)) => Some(a.union(b)),
        (None, gazetteer::Resolved::Areas(b)) => Some(b),
        (_, gazetteer::Resolved::Problem(c)) => {
            region_problem = Some(c);
            None
        }
        (None, gazetteer::Resolved::None) => None,
    };
    // "between 40S and 50S in the Indian Ocean": a latitude band narrows the region
    let region = match (coords::lat_band(&mut text), region) {
        (Some((s, n)), Some(r)) => {
            let label = format!("{} between {}° and {}°", r.label, s, n);
            let band = r.clip_lat(s, true, label.clone()).clip_lat(n, false, label);
            if band.polygons.is_empty() { Some(r) } else { Some(band) }
        }
        (Some((s, n)), None) => Some(Area::bbox(-180.0, s, 180.0, n, format!("latitudes {s}° to {n}°"))),
        (None, r) => r,
    };
    it.region = region;
    it.agg = aggregation::early(&mut text).unwrap_or_default();
    let vars = variables::parse(&mut text);
    let south = it.region.as_ref().is_some_and(|r| r.centroid_lat() < 0.0);
    let time = time::parse(&mut text, now, south);
    it.depth = depth::parse(&mut text);
    it.value_filter = filters::parse(&mut text);
    it.platform = platform::parse(&mut text);
    if it.platform.is_none()
        && text.mentions(&["profile", "profiles", "perfil", "perfiles", "profil", "profils", "perfis"])
    {
        // profiles are what Argo floats measure
        it.platform = Some(NlqPlatform::Argo);
    }
    if let Some(a) = aggregation::late(&mut text, it.agg) {
        it.agg = a;
    }
    it.variables = variables::finish(vars, &text, &it);
    match time {
        time::TimeResult::Span(s) => it.time = Some(s),
        time::TimeResult::None => {}
        time::TimeResult::Future(msg) => {
            it.clarify = Some(clarify::future(&msg));
            return (it, text, false);
        }
    }
    if let Some(c) = region_problem {
        it.clarify = Some(c);
        return (it, text, false);
    }
    (it, text, true)
}

#[cfg(test)]
mod tests;
