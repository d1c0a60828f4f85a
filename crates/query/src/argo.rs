//! The Argo profile search: candidates from the store's index, exact geometry, Argovis' `data=` rules,
//! argopy's user modes, `presRange` slicing, `mostrecent` and pages.

use chrono::{DateTime, Utc};
use model::{DataMode, ParamColumn, Profile, ProfileKey, QcFlag, Region, TimeRange};
use store::{ProfileFilter, ProfileStub, Store};

use crate::QueryError;
use crate::cost::{COST_LIMIT, cost, record_start, split};

/// One variable of `data=`: an Argo parameter name, the QC flags allowed (`temperature,1,2`), or a
/// `~variable` exclusion.
#[derive(Debug, Clone, PartialEq)]
pub struct VarReq {
    pub param: String,
    pub qc: Option<Vec<u8>>,
    pub negate: bool,
}

/// What `data=` asks for.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum DataSpec {
    /// No `data`: metadata only.
    #[default]
    None,
    /// `data=all`: every variable.
    All,
    /// Listed variables (with their QC filters and exclusions).
    Vars(Vec<VarReq>),
}

/// argopy's user modes. Expert: everything, best values (adjusted in modes A and D). Standard: QC 1 and 2
/// only, best values. Research: delayed-mode parameters only, QC 1, adjusted pressure error < 20 dbar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserMode {
    #[default]
    Expert,
    Standard,
    Research,
}

/// `source=argo_bgc,~argo_core`: required and excluded sources.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceFilter {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// A typed Argo search (what `/api/argo` parameters parse into).
#[derive(Debug, Clone, Default)]
pub struct ArgoQuery {
    pub id: Option<ProfileKey>,
    pub platform: Option<String>,
    pub time: Option<TimeRange>,
    pub region: Option<Region>,
    /// Inclusive pressure range, dbar.
    pub pres_range: Option<(f64, f64)>,
    pub data: DataSpec,
    /// `except-data-values`: filter by `data` but return no values.
    pub except_data_values: bool,
    pub source: SourceFilter,
    pub mostrecent: Option<usize>,
    pub mode: UserMode,
    /// 1-based page of `page_size` documents.
    pub page: usize,
    pub page_size: usize,
    pub minimal: bool,
}

/// What a page holds.
#[derive(Debug, Clone)]
pub enum Items {
    /// `compression=minimal`: no levels loaded.
    Minimal(Vec<ProfileStub>),
    /// Row ids of the page's profiles, in order; [`load`] reads and reduces them to what was asked
    /// (selected parameters, best values after QC and mode rules, levels in `presRange`; columns carry
    /// the best values in `values`, with no separate adjusted arrays).
    Full(Vec<i64>),
}

#[derive(Debug, Clone)]
pub struct SearchPage {
    pub items: Items,
    /// Candidates that matched before paging (documents dropped by level slicing are not subtracted).
    pub matched: usize,
    pub page: usize,
    pub pages: usize,
}

/// The Argo source labels a profile carries, as Argovis names them.
pub fn sources_of(params: &[String]) -> Vec<&'static str> {
    let bgc = params.iter().any(|p| !matches!(p.as_str(), "PRES" | "TEMP" | "PSAL" | "CNDC"));
    if bgc { vec!["argo_core", "argo_bgc"] } else { vec!["argo_core"] }
}

fn has(params: &[String], p: &str) -> bool {
    params.iter().any(|x| x == p)
}

/// Runs a search: a 413 for requests over the cost limit, a 404 for an id that does not exist, an empty
/// page (not an error) for a search that matches nothing.
pub async fn search(store: &dyn Store, q: &ArgoQuery, now: DateTime<Utc>) -> Result<SearchPage, QueryError> {
    let page_size = q.page_size.max(1);
    let page = q.page.max(1);
    let mut stubs = if let Some(key) = &q.id {
        let filter = ProfileFilter { platform: Some(key.platform.clone()), ..Default::default() };
        let found: Vec<ProfileStub> =
            store.profile_stubs(&filter).await?.into_iter().filter(|s| &s.key == key).collect();
        if found.is_empty() {
            return Err(QueryError::NotFound(format!("no matching results found: no profile {}", key.id())));
        }
        found
    } else {
        if q.platform.is_none() {
            guard_cost(q, now)?;
        }
        let filter =
            ProfileFilter { region: q.region.clone(), time: q.time, platform: q.platform.clone(), limit: None };
        store.profile_stubs(&filter).await?
    };
    if let Some(region) = &q.region {
        stubs.retain(|s| s.position.is_some_and(|p| region.contains(p)));
    }
    if let Some(t) = &q.time {
        stubs.retain(|s| s.time.is_some_and(|x| t.contains(x)));
    }
    if let DataSpec::Vars(vars) = &q.data {
        stubs.retain(|s| {
            vars.iter().all(|v| if v.negate { !has(&s.params, &v.param) } else { has(&s.params, &v.param) })
        });
    }
    if !q.source.include.is_empty() || !q.source.exclude.is_empty() {
        stubs.retain(|s| {
            let src = sources_of(&s.params);
            q.source.include.iter().all(|i| src.contains(&i.as_str()))
                && !q.source.exclude.iter().any(|e| src.contains(&e.as_str()))
        });
    }
    if q.mode == UserMode::Research {
        stubs.retain(|s| s.data_mode == DataMode::Delayed || has(&s.params, "PRES"));
    }
    if let Some(n) = q.mostrecent {
        stubs.sort_by_key(|s| std::cmp::Reverse(s.time));
        stubs.truncate(n);
    }
    let matched = stubs.len();
    let pages = matched.div_ceil(page_size).max(1);
    let start = (page - 1).saturating_mul(page_size).min(matched);
    let end = (start + page_size).min(matched);
    let page_stubs: Vec<ProfileStub> = stubs[start..end].to_vec();
    if q.minimal {
        return Ok(SearchPage { items: Items::Minimal(page_stubs), matched, page, pages });
    }
    let ids: Vec<i64> = page_stubs.iter().map(|s| s.row_id).collect();
    Ok(SearchPage { items: Items::Full(ids), matched, page, pages })
}

/// Loads the profiles of a page (or a slice of it) and reduces them as the query asks; a server streams
/// a page by calling this on successive slices.
pub async fn load(store: &dyn Store, q: &ArgoQuery, row_ids: &[i64]) -> Result<Vec<Profile>, QueryError> {
    let profiles = store.profiles_by_row_ids(row_ids).await?;
    Ok(profiles.into_iter().filter_map(|p| shape(p, q)).collect())
}

fn guard_cost(q: &ArgoQuery, now: DateTime<Utc>) -> Result<(), QueryError> {
    let c = cost(q.region.as_ref(), q.time.as_ref(), now);
    if c.value <= COST_LIMIT {
        return Ok(());
    }
    let (start, end) = match &q.time {
        Some(t) => (t.start().max(record_start()), t.end().min(now)),
        None => (record_start(), now),
    };
    let pieces = split(&c, start, end);
    let advice = if pieces.is_empty() {
        "even one day over this region is too big: use a smaller region".to_string()
    } else {
        let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let examples: Vec<String> =
            pieces.iter().take(3).map(|(a, b)| format!("startDate={}&endDate={}", fmt(*a), fmt(*b))).collect();
        format!(
            "split it into {} requests of at most {} days each, e.g. {}{}",
            pieces.len(),
            ((COST_LIMIT / (c.area_km2 / 13_000.0)).floor() as i64).max(1),
            examples.join(", "),
            if pieces.len() > 3 { ", ..." } else { "" }
        )
    };
    Err(QueryError::TooLarge(format!(
        "request too large: estimated cost {:.0} (area {:.0} km² / 13000 × {:.1} days) exceeds {:.0}; {advice}",
        c.value, c.area_km2, c.days, COST_LIMIT
    )))
}

/// Reduces a stored profile to what the query asks: the parameters of `data` (pressure always), best
/// values with the mode's QC rules and `data=` QC lists applied (others become missing), levels inside
/// `presRange`, and levels left with no requested value dropped. `None` when nothing is left.
fn shape(p: Profile, q: &ArgoQuery) -> Option<Profile> {
    let n = p.n_levels();
    let pres = p.param("PRES")?;
    let pres_best: Vec<f32> = (0..n).map(|i| pres.best(i)).collect();
    let mut keep: Vec<bool> = pres_best
        .iter()
        .map(|&x| q.pres_range.is_none_or(|(lo, hi)| !x.is_nan() && (x as f64) >= lo && (x as f64) <= hi))
        .collect();
    if q.mode == UserMode::Research {
        // Adjusted pressure error under 20 dbar.
        if let Some(err) = &pres.adjusted_error {
            for (k, e) in keep.iter_mut().zip(err) {
                *k = *k && !e.is_nan() && *e < 20.0;
            }
        }
    }
    let wanted: Vec<(&ParamColumn, Option<&Vec<u8>>)> = match &q.data {
        DataSpec::None => Vec::new(),
        DataSpec::All => p.params.iter().map(|c| (c, None)).collect(),
        DataSpec::Vars(vars) => {
            let mut w = Vec::new();
            for v in vars.iter().filter(|v| !v.negate) {
                if let Some(c) = p.param(&v.param) {
                    w.push((c, v.qc.as_ref()));
                }
            }
            if !w.iter().any(|(c, _)| c.name == "PRES") {
                w.insert(0, (pres, None));
            }
            w
        }
    };
    let allowed_by_mode = |c: &ParamColumn, qc: QcFlag| match q.mode {
        UserMode::Expert => true,
        UserMode::Standard => matches!(qc.digit(), Some(1 | 2)),
        UserMode::Research => c.data_mode == DataMode::Delayed && qc.digit() == Some(1),
    };
    let mut cols: Vec<ParamColumn> = Vec::with_capacity(wanted.len());
    for (c, qc_list) in &wanted {
        let mut values = Vec::with_capacity(n);
        let mut flags = Vec::with_capacity(n);
        for i in 0..n {
            let qc = c.best_qc(i);
            let ok = allowed_by_mode(c, qc) && qc_list.is_none_or(|l| qc.digit().is_some_and(|d| l.contains(&d)));
            values.push(if ok { c.best(i) } else { f32::NAN });
            flags.push(qc);
        }
        cols.push(ParamColumn {
            name: c.name.clone(),
            data_mode: c.data_mode,
            values,
            qc: flags,
            adjusted: None,
            adjusted_qc: None,
            adjusted_error: None,
        });
    }
    if q.mode == UserMode::Research && !p.params.iter().any(|c| c.data_mode == DataMode::Delayed) {
        return None;
    }
    // Levels with no requested value are dropped (pressure alone does not keep a level).
    if !cols.is_empty() {
        let others: Vec<usize> = (0..cols.len()).filter(|&k| cols[k].name != "PRES").collect();
        for (i, k) in keep.iter_mut().enumerate() {
            if *k && !others.is_empty() {
                *k = others.iter().any(|&c| !cols[c].values[i].is_nan());
            } else if *k && others.is_empty() {
                *k = !cols.iter().all(|c| c.values[i].is_nan());
            }
        }
    }
    let filtering = q.pres_range.is_some() || !matches!(q.data, DataSpec::None) || q.mode != UserMode::Expert;
    if filtering && !keep.iter().any(|&k| k) {
        return None;
    }
    let mut out = p;
    for c in &mut cols {
        c.values = c.values.iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| *v).collect();
        c.qc = c.qc.iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| *v).collect();
    }
    out.params = if q.except_data_values { Vec::new() } else { cols };
    Some(out)
}
