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

mod aggregation;
mod clarify;
mod coords;
mod depth;
mod filters;
mod gazetteer;
mod geometry;
mod normalise;
mod places;
mod platform;
mod summary;
mod time;
mod variables;

use chrono::NaiveDate;

pub use geometry::Area;
pub use normalise::Text;

/// A variable the parser knows, by its canonical name in the NLQ contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NlqVariable {
    Temperature,
    Salinity,
    Sst,
    SstAnomaly,
    Dhw,
    Baa,
    Chlorophyll,
    Oxygen,
    Ph,
}

impl NlqVariable {
    pub const ALL: [NlqVariable; 9] = [
        NlqVariable::Temperature,
        NlqVariable::Salinity,
        NlqVariable::Sst,
        NlqVariable::SstAnomaly,
        NlqVariable::Dhw,
        NlqVariable::Baa,
        NlqVariable::Chlorophyll,
        NlqVariable::Oxygen,
        NlqVariable::Ph,
    ];

    /// The contract's name (`temperature`, `sst`, `dhw`, ...).
    pub fn name(self) -> &'static str {
        match self {
            NlqVariable::Temperature => "temperature",
            NlqVariable::Salinity => "salinity",
            NlqVariable::Sst => "sst",
            NlqVariable::SstAnomaly => "sst_anomaly",
            NlqVariable::Dhw => "dhw",
            NlqVariable::Baa => "baa",
            NlqVariable::Chlorophyll => "chlorophyll",
            NlqVariable::Oxygen => "oxygen",
            NlqVariable::Ph => "ph",
        }
    }

    pub fn parse(s: &str) -> Option<NlqVariable> {
        NlqVariable::ALL.into_iter().find(|v| v.name() == s)
    }

    /// Words for a summary ("sea surface temperature").
    pub fn label(self) -> &'static str {
        match self {
            NlqVariable::Temperature => "water temperature",
            NlqVariable::Salinity => "salinity",
            NlqVariable::Sst => "sea surface temperature",
            NlqVariable::SstAnomaly => "SST anomaly",
            NlqVariable::Dhw => "degree heating weeks",
            NlqVariable::Baa => "bleaching alert level",
            NlqVariable::Chlorophyll => "chlorophyll",
            NlqVariable::Oxygen => "dissolved oxygen",
            NlqVariable::Ph => "pH",
        }
    }

    /// Units of values and value filters.
    pub fn units(self) -> &'static str {
        match self {
            NlqVariable::Temperature | NlqVariable::Sst | NlqVariable::SstAnomaly => "°C",
            NlqVariable::Salinity => "psu",
            NlqVariable::Dhw => "°C-weeks",
            NlqVariable::Baa => "level",
            NlqVariable::Chlorophyll => "mg/m³",
            NlqVariable::Oxygen => "µmol/kg",
            NlqVariable::Ph => "",
        }
    }
}

/// What to compute over the matching data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Agg {
    #[default]
    List,
    Mean,
    Median,
    Min,
    Max,
    Count,
    Trend,
    Anomaly,
    Compare,
    Profile,
    Latest,
}

impl Agg {
    pub fn name(self) -> &'static str {
        match self {
            Agg::List => "list",
            Agg::Mean => "mean",
            Agg::Median => "median",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Count => "count",
            Agg::Trend => "trend",
            Agg::Anomaly => "anomaly",
            Agg::Compare => "compare",
            Agg::Profile => "profile",
            Agg::Latest => "latest",
        }
    }
}

/// Which kind of platform the question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NlqPlatform {
    Argo,
    Buoy,
    Reef,
}

impl NlqPlatform {
    pub fn name(self) -> &'static str {
        match self {
            NlqPlatform::Argo => "argo",
            NlqPlatform::Buoy => "buoy",
            NlqPlatform::Reef => "reef",
        }
    }
}

/// A comparison of a value filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }

    pub fn holds(self, x: f64, v: f64) -> bool {
        match self {
            Op::Gt => x > v,
            Op::Ge => x >= v,
            Op::Lt => x < v,
            Op::Le => x <= v,
        }
    }
}

/// Inclusive depth range in metres (positive down); `None` is an open bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DepthRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// Inclusive calendar dates (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Why the parser asks back instead of answering, with choices the user can pick.
#[derive(Debug, Clone, PartialEq)]
pub struct Clarification {
    pub message: String,
    pub choices: Vec<String>,
}

/// What a question was understood to ask.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Interpretation {
    /// Canonical variables, in the order first mentioned; empty when counting or listing platforms.
    pub variables: Vec<NlqVariable>,
    /// Where, as polygons already split at the antimeridian; `None` = anywhere.
    pub region: Option<Area>,
    pub time: Option<DateSpan>,
    pub depth: Option<DepthRange>,
    pub agg: Agg,
    pub platform: Option<NlqPlatform>,
    pub value_filter: Option<(Op, f64)>,
    /// Set when the question must be clarified or refused; the other fields are then a best effort.
    pub clarify: Option<Clarification>,
}

impl Interpretation {
    /// A one-paragraph plain-language reading of the interpretation ("Mean sea surface temperature in
    /// the Bering Sea from 2025-03-15 to 2025-06-15.").
    pub fn summary(&self) -> String {
        summary::summary(self)
    }
}

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
    let mut text = Text::new(question);
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
