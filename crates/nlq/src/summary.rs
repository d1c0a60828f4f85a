//! The plain-language reading of an [`Interpretation`] that Ocean Chat shows before its answer.

use crate::interpretation::{Agg, Interpretation, NlqPlatform};

impl Interpretation {
    /// A one-paragraph plain-language reading of the interpretation ("Mean sea surface temperature in
    /// the Bering Sea from 2025-03-15 to 2025-06-15.").
    pub fn summary(&self) -> String {
        summary(self)
    }
}

fn summary(it: &Interpretation) -> String {
    if let Some(c) = &it.clarify {
        return format!("Needs clarification: {}", c.message);
    }
    let vars = if it.variables.is_empty() {
        match it.platform {
            Some(NlqPlatform::Argo) => "Argo profiles".to_string(),
            Some(NlqPlatform::Buoy) => "buoys".to_string(),
            Some(NlqPlatform::Reef) => "reef sites".to_string(),
            None => "observations".to_string(),
        }
    } else {
        let names: Vec<&str> = it.variables.iter().map(|v| v.label()).collect();
        names.join(" and ")
    };
    let head = match it.agg {
        Agg::List => format!("List {vars}"),
        Agg::Mean => format!("Mean {vars}"),
        Agg::Median => format!("Median {vars}"),
        Agg::Min => format!("Minimum {vars}"),
        Agg::Max => format!("Maximum {vars}"),
        Agg::Count => {
            format!("Count of {}", if it.variables.is_empty() { vars } else { format!("platforms reporting {vars}") })
        }
        Agg::Trend => format!("Trend of {vars}"),
        Agg::Anomaly => format!("Anomalies of {vars}"),
        Agg::Compare => format!("Compare {vars}"),
        Agg::Profile => format!("Profiles of {vars}"),
        Agg::Latest => format!("Latest {vars}"),
    };
    let mut s = head;
    if let Some(p) = it.platform
        && !it.variables.is_empty()
    {
        s.push_str(match p {
            NlqPlatform::Argo => " from Argo floats",
            NlqPlatform::Buoy => " from buoys",
            NlqPlatform::Reef => " at reef sites",
        });
    }
    if let Some(d) = it.depth {
        s.push_str(&match (d.min, d.max) {
            (Some(0.0), Some(10.0)) => " at the surface (0–10 m)".to_string(),
            (Some(a), Some(b)) if a == b => format!(" at {a} m"),
            (Some(0.0), Some(b)) => format!(" in the top {b} m"),
            (Some(a), Some(b)) => format!(" between {a} and {b} m"),
            (Some(a), None) => format!(" below {a} m"),
            (None, Some(b)) => format!(" above {b} m"),
            (None, None) => String::new(),
        });
    }
    if let Some((op, v)) = it.value_filter {
        let units = it.variables.first().map(|v| v.units()).unwrap_or("");
        s.push_str(&format!(
            " where the value is {} {v}{}{units}",
            op.symbol(),
            if units.is_empty() { "" } else { " " }
        ));
    }
    match &it.region {
        Some(r) if r.label.starts_with("within") => s.push_str(&format!(" {}", r.label)),
        Some(r) => s.push_str(&format!(" in {}", r.label)),
        None => s.push_str(" anywhere"),
    }
    match it.time {
        Some(t) if t.start == t.end => s.push_str(&format!(" on {}", t.start)),
        Some(t) => s.push_str(&format!(" from {} to {}", t.start, t.end)),
        None => s.push_str(", any time"),
    }
    s.push('.');
    s
}
