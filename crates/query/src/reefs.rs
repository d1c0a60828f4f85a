//! The current heat-stress status of reef sites (the map's reef layer and a site page's status card):
//! the newest stored day and how many days the 7-day BAA has held its level.

use chrono::{Days, NaiveDate};
use model::{HeatStressDay, PlatformKind, ReefSite};

use crate::QueryError;

/// A site's newest heat-stress day and the run of days at its alert level.
#[derive(Debug, Clone, PartialEq)]
pub struct ReefStatus {
    pub site: ReefSite,
    /// The newest stored day; `None` when the site has no heat-stress days.
    pub latest: Option<HeatStressDay>,
    /// Consecutive days, ending at `latest`, whose `baa_7day_max` equals the latest one (calendar gaps
    /// end the run). 0 without a latest level.
    pub days_at_level: u32,
}

/// How far back a run is counted: a level held longer than this reports this many days.
pub const RUN_LOOKBACK_DAYS: u64 = 366;

/// Status of every reef site in the store, ordered by id.
pub async fn reef_status(store: &dyn store::Store) -> Result<Vec<ReefStatus>, QueryError> {
    let mut out = Vec::new();
    for s in store.platforms(Some(PlatformKind::ReefSite)).await? {
        let Some(site) = store.reef_site(&s.platform.id).await? else { continue };
        let Some(last) = s.last_time.map(|t| t.date_naive()) else {
            out.push(ReefStatus { site, latest: None, days_at_level: 0 });
            continue;
        };
        let from = last.checked_sub_days(Days::new(RUN_LOOKBACK_DAYS)).unwrap_or(NaiveDate::MIN);
        let to = last.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX);
        let days = store.heat_stress(&site.id, from, to).await?;
        let days_at_level = run_at_level(&days);
        out.push(ReefStatus { site, latest: days.last().cloned(), days_at_level });
    }
    out.sort_by(|a, b| a.site.id.cmp(&b.site.id));
    Ok(out)
}

/// Days at the last day's BAA level, counted back over consecutive dates (`days` ordered by date).
pub fn run_at_level(days: &[HeatStressDay]) -> u32 {
    let Some(last) = days.last() else { return 0 };
    let Some(level) = last.baa_7day_max else { return 0 };
    let mut n = 0;
    let mut expect = last.date;
    for d in days.iter().rev() {
        if d.date != expect || d.baa_7day_max != Some(level) {
            break;
        }
        n += 1;
        match expect.pred_opt() {
            Some(p) => expect = p,
            None => break,
        }
    }
    n
}
