//! What a question was understood to ask: the parser's output types ([`Interpretation`] and its parts),
//! shared by every concern module and by the crates that answer an interpretation.

use chrono::NaiveDate;

use crate::geometry::Area;

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
