//! What each kind of rule finds in the stored data: one [`Finding`] per subject (platform, reef site or
//! `all`) for which the condition holds now. Times are data times, so the same data gives the same
//! findings whenever it is evaluated.

use chrono::{Days, Duration, NaiveDate};
use model::{Aggregate, AlertCondition, AlertRule, Comparison, PlatformKind, QcFlag, TimeRange, Variable};
use store::{SeriesFilter, Store};

use crate::AlertError;

/// A condition that holds for one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub subject: String,
    /// A new fingerprint for the same subject is a new alert (a changed BAA level); empty otherwise.
    pub fingerprint: String,
    pub value: f64,
    pub message: String,
}

/// Platforms whose newest observation is older than this before the variable's newest observation in
/// the store are not current and take no part in threshold rules (the same rule as the ocean gauges).
pub const CURRENT_WITHIN: Duration = query::CURRENT_WITHIN;

/// The condition's findings over `store`.
pub async fn findings(store: &dyn Store, rule: &AlertRule) -> Result<Vec<Finding>, AlertError> {
    match &rule.condition {
        AlertCondition::Threshold { variable, platform, comparison, threshold, for_seconds, aggregate } => {
            threshold_findings(
                store,
                rule,
                variable,
                platform.as_deref(),
                *comparison,
                *threshold,
                *for_seconds,
                *aggregate,
            )
            .await
        }
        AlertCondition::BaaLevel { site, min_level } => baa_findings(store, site.as_deref(), *min_level).await,
        AlertCondition::DhwRecord { site } => dhw_record_findings(store, site.as_deref()).await,
    }
}

/// Mean of the values, or `None` for none.
fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// `10 min`, `2 h`, `1 day` (for messages).
pub fn human_duration(secs: i64) -> String {
    match secs {
        s if s % 86_400 == 0 && s > 0 => format!("{} day{}", s / 86_400, if s == 86_400 { "" } else { "s" }),
        s if s % 3_600 == 0 && s > 0 => format!("{} h", s / 3_600),
        s if s % 60 == 0 && s > 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn threshold_findings(
    store: &dyn Store,
    rule: &AlertRule,
    variable: &str,
    platform: Option<&str>,
    comparison: Comparison,
    threshold: f64,
    for_seconds: i64,
    aggregate: Aggregate,
) -> Result<Vec<Finding>, AlertError> {
    let units = Variable::lookup(variable).map_or("", |v| v.units);
    let latest: Vec<_> = store
        .series_latest()
        .await?
        .into_iter()
        .filter(|p| p.variable == variable && platform.is_none_or(|want| p.platform == want))
        .collect();
    let Some(newest) = latest.iter().map(|p| p.time).max() else { return Ok(Vec::new()) };
    let mut per_platform: Vec<(String, f64, usize)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for p in &latest {
        if p.time < newest - CURRENT_WITHIN || !seen.insert(p.platform.clone()) {
            continue;
        }
        let end = p.time + Duration::seconds(1);
        let time = TimeRange::new(end - Duration::seconds(for_seconds.max(0) + 1), end)
            .map_err(|e| AlertError::Invalid(e.to_string()))?;
        let filter = SeriesFilter {
            platform: Some(p.platform.clone()),
            variable: Some(variable.to_string()),
            time: Some(time),
            ..Default::default()
        };
        // Points QC flagged suspect or bad do not raise alerts.
        let values: Vec<f64> = store
            .series_points(&filter)
            .await?
            .into_iter()
            .filter(|x| x.qc != QcFlag::PROBABLY_BAD && x.qc != QcFlag::BAD && x.value.is_finite())
            .map(|x| x.value)
            .collect();
        if let Some(m) = mean(&values) {
            per_platform.push((p.platform.clone(), m, values.len()));
        }
    }
    let side = match comparison {
        Comparison::Above => "above",
        Comparison::Below => "below",
    };
    let span = human_duration(for_seconds);
    Ok(match aggregate {
        Aggregate::Each => per_platform
            .into_iter()
            .filter(|(_, m, _)| comparison.holds(*m, threshold))
            .map(|(platform, m, n)| Finding {
                message: format!(
                    "{}: {variable} at {platform} averaged {m:.2} {units} over the last {span} of data ({n} observation{}), {side} {threshold} {units}",
                    rule.name,
                    if n == 1 { "" } else { "s" }
                ),
                subject: platform,
                fingerprint: String::new(),
                value: m,
            })
            .collect(),
        Aggregate::Mean => {
            let means: Vec<f64> = per_platform.iter().map(|(_, m, _)| *m).collect();
            match mean(&means) {
                Some(m) if comparison.holds(m, threshold) => vec![Finding {
                    subject: "all".into(),
                    fingerprint: String::new(),
                    value: m,
                    message: format!(
                        "{}: {variable} averaged {m:.2} {units} over {} platform{} in the last {span} of data, {side} {threshold} {units}",
                        rule.name,
                        means.len(),
                        if means.len() == 1 { "" } else { "s" }
                    ),
                }],
                _ => Vec::new(),
            }
        }
    })
}

/// CRW's name of a 7-day-maximum BAA level (0–7).
pub fn baa_name(level: u8) -> &'static str {
    match level {
        0 => "No Stress",
        1 => "Bleaching Watch",
        2 => "Bleaching Warning",
        3 => "Alert Level 1",
        4 => "Alert Level 2",
        5 => "Alert Level 3",
        6 => "Alert Level 4",
        _ => "Alert Level 5",
    }
}

async fn baa_findings(store: &dyn Store, site: Option<&str>, min_level: u8) -> Result<Vec<Finding>, AlertError> {
    let mut out = Vec::new();
    for s in query::reef_status(store).await? {
        if site.is_some_and(|want| s.site.id != want) {
            continue;
        }
        let Some(day) = &s.latest else { continue };
        let Some(level) = day.baa_7day_max else { continue };
        if level < min_level {
            continue;
        }
        let dhw = day.dhw.map_or_else(|| "unknown".to_string(), |d| format!("{d:.2} °C-weeks"));
        out.push(Finding {
            subject: s.site.id.clone(),
            fingerprint: level.to_string(),
            value: f64::from(level),
            message: format!(
                "{} ({}) is at {} (BAA {level}) on {}, for {} day{}; DHW {dhw}",
                s.site.name,
                s.site.id,
                baa_name(level),
                day.date,
                s.days_at_level,
                if s.days_at_level == 1 { "" } else { "s" }
            ),
        });
    }
    Ok(out)
}

async fn dhw_record_findings(store: &dyn Store, site: Option<&str>) -> Result<Vec<Finding>, AlertError> {
    let mut out = Vec::new();
    for s in store.platforms(Some(PlatformKind::ReefSite)).await? {
        let id = &s.platform.id;
        if site.is_some_and(|want| id != want) {
            continue;
        }
        let Some(last) = s.last_time.map(|t| t.date_naive()) else { continue };
        let to = last.checked_add_days(Days::new(1)).unwrap_or(last);
        let recent = store.heat_stress(id, last.checked_sub_days(Days::new(7)).unwrap_or(last), to).await?;
        let Some((date, dhw)) = recent.iter().rev().find_map(|d| d.dhw.map(|v| (d.date, v))) else { continue };
        let Some(cut) = date.checked_sub_days(Days::new(365)) else { continue };
        let from = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
        let history = store.heat_stress(id, from, cut).await?;
        let Some(max) = history.iter().filter_map(|d| d.dhw).reduce(f64::max) else { continue };
        if dhw > max {
            out.push(Finding {
                subject: id.clone(),
                fingerprint: String::new(),
                value: dhw,
                message: format!(
                    "{} ({id}): DHW {dhw:.2} °C-weeks on {date} is above the site's historical maximum {max:.2} °C-weeks (stored days before {cut})",
                    s.platform.name.as_deref().unwrap_or(id)
                ),
            });
        }
    }
    Ok(out)
}
