//! ioos_qc's config JSON in its three forms (plain, streams, contexts) → a plan of test calls.
//!
//! Keyword arguments follow `ioos_qc.qartod.*_test` and `ioos_qc.argo.*_test` 3.0.0; as ioos_qc does,
//! arguments a test does not take are ignored (e.g. `bbox` for `location_test`).

use compute::qc::{AttenuatedWindow, CheckType, ClimatologyMember, Period, RangeMethod, Span, SpikeMethod, TimeSpan};
use serde_json::{Map, Value};

use super::table::parse_time;

/// Module names ioos_qc resolves as `ioos_qc.<name>`; a config whose keys are all among them is plain.
const MODULES: [&str; 4] = ["qartod", "argo", "axds", "gliders"];

/// How ioos_qc runs the config, which decides what happens to a test it cannot run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Engine {
    /// Plain and streams configs: every test runs on every row; a test that cannot run is an error.
    Direct,
    /// Context configs (ioos_qc's `PandasStream`): tests see the rows of their window; a test or stream
    /// that cannot run is left out with a warning, as ioos_qc logs and drops it.
    Stream,
}

pub(super) struct Plan {
    pub engine: Engine,
    pub contexts: Vec<Context>,
}

/// One time window (`starting` inclusive, `ending` exclusive, UTC seconds) and its calls.
pub(super) struct Context {
    pub starting: Option<i64>,
    pub ending: Option<i64>,
    pub calls: Vec<Call>,
}

/// One configured test on one stream; `test` is the reason it cannot run when the arguments are bad.
pub(super) struct Call {
    pub stream: String,
    pub module: String,
    pub name: String,
    pub test: Result<Test, String>,
}

impl Call {
    /// The output column: `<stream>.<module>.<test>`.
    pub fn column(&self) -> String {
        format!("{}.{}.{}", self.stream, self.module, self.name)
    }
}

/// A test with its arguments parsed.
pub(super) enum Test {
    GrossRange { fail: Span, suspect: Option<Span> },
    Spike { suspect: Option<f64>, fail: Option<f64>, method: SpikeMethod },
    RateOfChange { suspect: f64, fail: Option<f64> },
    FlatLine { suspect_s: f64, fail_s: f64, tolerance: f64 },
    AttenuatedSignal { suspect: f64, fail: f64, window: Option<(f64, MinObs)>, check: CheckType },
    Climatology(Vec<ClimatologyMember>),
    Location { range_max: Option<f64>, method: RangeMethod },
    DensityInversion { suspect: Option<f64>, fail: Option<f64> },
    PressureIncreasing,
    Speed { suspect: f64, fail: f64 },
}

/// `min_obs` (a count) or `min_period` (seconds, turned into a count with the data's median step).
pub(super) enum MinObs {
    Default,
    Count(usize),
    Period(f64),
}

impl MinObs {
    /// The window for these rows; `min_period` needs a positive median time step (ioos_qc raises
    /// "min_periods must be >= 0" otherwise).
    pub fn window(&self, period_s: f64, times: &[i64]) -> Result<AttenuatedWindow, String> {
        let min_obs = match *self {
            MinObs::Default => None,
            MinObs::Count(c) => Some(c),
            MinObs::Period(p) => Some(
                compute::qc::min_obs_for_period(times, p)
                    .ok_or("min_period needs at least two rows with a positive median time step")?,
            ),
        };
        Ok(AttenuatedWindow { period_s, min_obs })
    }
}

/// Parses the config JSON in any of the three forms.
pub(super) fn parse(cfg: &Value) -> anyhow::Result<Plan> {
    let Some(root) = cfg.as_object() else { anyhow::bail!("the qc config must be a JSON object") };
    if root.contains_key("contexts") || root.contains_key("streams") {
        let contexts = match root.get("contexts") {
            Some(list) => {
                let list = list.as_array().ok_or_else(|| anyhow::anyhow!("'contexts' must be a list"))?;
                list.iter().map(parse_context).collect::<anyhow::Result<Vec<_>>>()?
            }
            None => vec![parse_context(cfg)?],
        };
        return Ok(Plan { engine: Engine::Stream, contexts: merge_equal_windows(contexts) });
    }
    let calls = if root.keys().all(|k| MODULES.contains(&k.as_str())) {
        stream_calls("value", cfg)?
    } else {
        let mut calls = Vec::new();
        for (stream, modules) in root {
            calls.extend(stream_calls(stream, modules)?);
        }
        calls
    };
    Ok(Plan { engine: Engine::Direct, contexts: vec![Context { starting: None, ending: None, calls }] })
}

/// ioos_qc groups calls by context (window), keeping the first occurrence's place.
fn merge_equal_windows(contexts: Vec<Context>) -> Vec<Context> {
    let mut merged: Vec<Context> = Vec::new();
    for c in contexts {
        match merged.iter_mut().find(|m| m.starting == c.starting && m.ending == c.ending) {
            Some(m) => m.calls.extend(c.calls),
            None => merged.push(c),
        }
    }
    merged
}

fn parse_context(ctx: &Value) -> anyhow::Result<Context> {
    let window = ctx.get("window").and_then(Value::as_object);
    let bound = |key: &str| -> anyhow::Result<Option<i64>> {
        match window.and_then(|w| w.get(key)) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => {
                parse_time(s).map(Some).ok_or_else(|| anyhow::anyhow!("window {key} {s:?} is not an ISO 8601 time"))
            }
            Some(other) => anyhow::bail!("window {key} must be a time string, got {other}"),
        }
    };
    let mut calls = Vec::new();
    if let Some(streams) = ctx.get("streams").and_then(Value::as_object) {
        for (stream, modules) in streams {
            calls.extend(stream_calls(stream, modules)?);
        }
    }
    Ok(Context { starting: bound("starting")?, ending: bound("ending")?, calls })
}

/// The calls of one stream: `{"qartod": {TEST: {kwargs}}, "argo": {...}}`. `aggregate` is skipped
/// (the aggregate column is always written).
fn stream_calls(stream: &str, modules: &Value) -> anyhow::Result<Vec<Call>> {
    let Some(modules) = modules.as_object() else {
        anyhow::bail!("the config of stream {stream:?} must be an object of modules");
    };
    let mut calls = Vec::new();
    for (module, tests) in modules {
        let Some(tests) = tests.as_object() else {
            anyhow::bail!("{stream}.{module} must be an object of tests");
        };
        for (name, kwargs) in tests {
            if name == "aggregate" {
                continue;
            }
            let empty = Map::new();
            let kwargs = kwargs.as_object().unwrap_or(&empty);
            let test = parse_test(module, name, &Args(kwargs));
            calls.push(Call { stream: stream.to_string(), module: module.clone(), name: name.clone(), test });
        }
    }
    Ok(calls)
}

fn parse_test(module: &str, name: &str, a: &Args) -> Result<Test, String> {
    Ok(match (module, name) {
        ("qartod", "gross_range_test") => {
            let fail = a.span("fail_span")?.ok_or("gross_range_test needs fail_span")?;
            let suspect = a.span("suspect_span")?;
            if let Some(s) = suspect.filter(|s| !s.within(fail)) {
                return Err(format!("suspect span {s:?} must fall within the fail span {fail:?}"));
            }
            Test::GrossRange { fail, suspect }
        }
        ("qartod", "spike_test") => {
            let method = match a.string("method")?.as_deref() {
                None | Some("average") => SpikeMethod::Average,
                Some("differential") => SpikeMethod::Differential,
                Some(other) => return Err(format!("unknown spike method {other:?}")),
            };
            Test::Spike { suspect: a.number("suspect_threshold")?, fail: a.number("fail_threshold")?, method }
        }
        ("qartod", "rate_of_change_test") => {
            Test::RateOfChange { suspect: a.required("threshold", name)?, fail: a.number("fail_threshold")? }
        }
        ("qartod", "flat_line_test") => Test::FlatLine {
            suspect_s: a.required("suspect_threshold", name)?,
            fail_s: a.required("fail_threshold", name)?,
            tolerance: a.number("tolerance")?.unwrap_or(0.0),
        },
        ("qartod", "attenuated_signal_test") => {
            let check = match a.string("check_type")?.as_deref() {
                None | Some("std") => CheckType::Std,
                Some("range") => CheckType::Range,
                Some(other) => return Err(format!("check type {other:?} is not one of std, range")),
            };
            // ioos_qc tests `if test_period:`, so 0 means the whole series.
            let period = a.number("test_period")?.filter(|&p| p != 0.0);
            let min_obs = match (a.number("min_obs")?, a.number("min_period")?) {
                (Some(c), _) if c >= 0.0 && c.fract() == 0.0 => MinObs::Count(c as usize),
                (Some(c), _) => return Err(format!("min_obs must be a whole number ≥ 0, got {c}")),
                (None, Some(p)) => MinObs::Period(p),
                (None, None) => MinObs::Default,
            };
            Test::AttenuatedSignal {
                suspect: a.required("suspect_threshold", name)?,
                fail: a.required("fail_threshold", name)?,
                window: period.map(|p| (p, min_obs)),
                check,
            }
        }
        ("qartod", "climatology_test") => {
            let members = a.0.get("config").and_then(Value::as_array).ok_or("climatology_test needs a config list")?;
            Test::Climatology(members.iter().map(parse_member).collect::<Result<_, _>>()?)
        }
        ("qartod", "location_test") => {
            let method = match a.string("range_method")?.map(|m| m.to_lowercase()).as_deref() {
                None | Some("haversine") => RangeMethod::Haversine,
                Some("wgs84") => RangeMethod::Wgs84,
                Some(other) => return Err(format!("unknown range_method {other:?}")),
            };
            Test::Location { range_max: a.number("range_max")?, method }
        }
        ("qartod", "density_inversion_test") => {
            Test::DensityInversion { suspect: a.number("suspect_threshold")?, fail: a.number("fail_threshold")? }
        }
        ("argo", "pressure_increasing_test") => Test::PressureIncreasing,
        ("argo", "speed_test") => {
            Test::Speed { suspect: a.required("suspect_threshold", name)?, fail: a.required("fail_threshold", name)? }
        }
        _ => {
            return Err(format!(
                "no test {module}.{name} (known: qartod gross_range, spike, rate_of_change, flat_line, attenuated_signal, climatology, location, density_inversion; argo pressure_increasing, speed)"
            ));
        }
    })
}

/// One climatology member: `tspan` (dates, or numbers with `period`), `vspan`, `fspan`, `zspan`.
fn parse_member(m: &Value) -> Result<ClimatologyMember, String> {
    let a = Args(m.as_object().ok_or("a climatology member must be an object")?);
    let vspan = a.span("vspan")?.ok_or("a climatology member needs vspan")?;
    let raw =
        a.0.get("tspan")
            .and_then(Value::as_array)
            .filter(|t| t.len() == 2)
            .ok_or("a climatology member needs a tspan of 2")?;
    let tspan = match a.string("period")? {
        Some(p) => {
            let period = Period::from_pandas_name(&p).ok_or_else(|| format!("the period {p:?} is not recognized"))?;
            let n = |v: &Value| v.as_f64().ok_or_else(|| format!("tspan {v} must be a number with a period"));
            TimeSpan::Period { period, span: Span::new(n(&raw[0])?, n(&raw[1])?) }
        }
        None => {
            let t = |v: &Value| v.as_str().and_then(parse_time).ok_or_else(|| format!("tspan {v} must be a date"));
            let (a, b) = (t(&raw[0])?, t(&raw[1])?);
            TimeSpan::Dates { start: a.min(b), end: a.max(b) }
        }
    };
    Ok(ClimatologyMember { tspan, vspan, fspan: a.span("fspan")?, zspan: a.span("zspan")? })
}

/// Keyword arguments of one test; `null` is the same as absent.
struct Args<'a>(&'a Map<String, Value>);

impl Args<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn number(&self, key: &str) -> Result<Option<f64>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| format!("{key} must be a number, got {v}")),
        }
    }

    fn required(&self, key: &str, test: &str) -> Result<f64, String> {
        self.number(key)?.ok_or_else(|| format!("{test} needs {key}"))
    }

    fn string(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => {
                v.as_str().map(|s| Some(s.to_string())).ok_or_else(|| format!("{key} must be a string, got {v}"))
            }
        }
    }

    fn span(&self, key: &str) -> Result<Option<Span>, String> {
        let Some(v) = self.get(key) else { return Ok(None) };
        match v.as_array().map(|a| a.iter().map(Value::as_f64).collect::<Option<Vec<f64>>>()) {
            Some(Some(ends)) if ends.len() == 2 => Ok(Some(Span::new(ends[0], ends[1]))),
            _ => Err(format!("{key} must be a list of 2 numbers, got {v}")),
        }
    }
}
