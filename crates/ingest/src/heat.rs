//! Heat stress recomputed at ingest: when sea-surface temperature arrives for a reef site whose MMM is
//! known, that site's daily HotSpot, DHW and 7-day BAA (NOAA CRW v3.1, `compute::heat_stress`, Dec-2023
//! 0–7 scale) are recomputed from the stored SST for the days the new data can change: from the first
//! new day to the last, plus the 84-day window before it for the sums. Days a CRW file delivered (they
//! carry `sst_90th_hs`) are CRW's own product and are never overwritten.
//!
//! Daily SST is the mean of the day's observations (UTC days); a day without SST has no HotSpot and adds
//! nothing to later DHW sums.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use compute::heat_stress::{self, BaaScale, DHW_WINDOW_DAYS};
use model::{HeatStressDay, SeriesPoint, TimeRange};
use store::{FileBatch, SeriesFilter, Store, StoreError};

const SST: &str = "sea_surface_temperature";

/// Recomputes heat stress for the reef sites among `points`' platforms; returns the days written.
pub async fn recompute(store: &dyn Store, points: &[SeriesPoint]) -> Result<u64, StoreError> {
    let mut spans: BTreeMap<&str, (NaiveDate, NaiveDate)> = BTreeMap::new();
    for p in points.iter().filter(|p| p.variable == SST) {
        let d = p.time.date_naive();
        let e = spans.entry(p.platform.as_str()).or_insert((d, d));
        e.0 = e.0.min(d);
        e.1 = e.1.max(d);
    }
    let mut written = 0;
    for (site_id, (first, last)) in spans {
        let Some(site) = store.reef_site(site_id).await? else { continue };
        let Some(mmm) = site.mmm.or_else(|| site.monthly_means.map(|m| heat_stress::maximum_monthly_mean(&m))) else {
            continue;
        };
        let start = first - Duration::days(DHW_WINDOW_DAYS as i64);
        let end = last + Duration::days(1);
        let to_utc = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
        let Ok(range) = TimeRange::new(to_utc(start), to_utc(end)) else { continue };
        let filter = SeriesFilter {
            platform: Some(site_id.to_string()),
            variable: Some(SST.into()),
            time: Some(range),
            ..Default::default()
        };
        let obs = store.series_points(&filter).await?;
        let n_days = (end - start).num_days() as usize;
        let mut sum = vec![0.0; n_days];
        let mut count = vec![0usize; n_days];
        let mut lo = vec![f64::INFINITY; n_days];
        let mut hi = vec![f64::NEG_INFINITY; n_days];
        for o in &obs {
            let i = (o.time.date_naive() - start).num_days();
            if (0..n_days as i64).contains(&i) && o.value.is_finite() && o.qc.digit().is_none_or(|q| q != 3 && q != 4) {
                let i = i as usize;
                sum[i] += o.value;
                count[i] += 1;
                lo[i] = lo[i].min(o.value);
                hi[i] = hi[i].max(o.value);
            }
        }
        let sst: Vec<f64> =
            (0..n_days).map(|i| if count[i] > 0 { sum[i] / count[i] as f64 } else { f64::NAN }).collect();
        let hs = heat_stress::hotspots(&sst, mmm);
        let dhw = heat_stress::degree_heating_weeks(&hs);
        let baa = heat_stress::baa_seven_day_max(&heat_stress::baa_daily(&hs, &dhw, BaaScale::EightLevel));
        let crw_days: std::collections::HashSet<NaiveDate> = store
            .heat_stress(site_id, first, end)
            .await?
            .into_iter()
            .filter(|d| d.sst_90th_hs.is_some())
            .map(|d| d.date)
            .collect();
        let mut days = Vec::new();
        for i in (first - start).num_days() as usize..n_days {
            let date = start + Duration::days(i as i64);
            if count[i] == 0 || crw_days.contains(&date) {
                continue;
            }
            let ssta = site.monthly_means.map(|m| sst[i] - m[chrono::Datelike::month0(&date) as usize]);
            days.push(HeatStressDay {
                site: site_id.to_string(),
                date,
                sst_min: Some(lo[i]),
                sst_max: Some(hi[i]),
                sst_90th_hs: None,
                ssta_90th_hs: ssta,
                hotspot: Some(hs[i]),
                dhw: Some(dhw[i]).filter(|x| x.is_finite()),
                baa_7day_max: baa[i],
            });
        }
        if days.is_empty() {
            continue;
        }
        let batch = FileBatch {
            source: format!("heat stress of {site_id}"),
            kind: "derived heat stress".into(),
            heat_stress: days,
            ..Default::default()
        };
        written += store.write_file(&batch).await?.heat_stress_days;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate, TimeZone, Utc};
    use model::{Point, QcFlag, ReefSite, SeriesPoint};
    use store::{FileBatch, SqliteStore, prelude::*};

    #[tokio::test]
    async fn new_sst_for_a_reef_site_recomputes_its_heat_stress() {
        let store = SqliteStore::open(":memory:").await.unwrap();
        let site = ReefSite {
            id: "florida_keys".into(),
            name: "Florida Keys".into(),
            position: Point::new(-81.625, 24.75).unwrap(),
            mmm: Some(29.6264),
            monthly_means: None,
            first_valid_dhw: None,
            first_valid_baa: None,
            polygon: None,
        };
        store
            .write_file(&FileBatch { source: "crw".into(), reef_sites: vec![site], ..Default::default() })
            .await
            .unwrap();
        // 20 days at 31.0 °C, two readings a day: HotSpot 1.3736 every day.
        let t0 = Utc.with_ymd_and_hms(2024, 8, 5, 6, 0, 0).unwrap();
        let series: Vec<SeriesPoint> = (0..40)
            .map(|k| SeriesPoint {
                platform: "florida_keys".into(),
                variable: "sea_surface_temperature".into(),
                time: t0 + Duration::hours(12 * k),
                depth: 0.0,
                value: 31.0,
                qc: QcFlag::GOOD,
            })
            .collect();
        let batch = FileBatch { source: "api".into(), series, ..Default::default() };
        let written = crate::store_batch(&store, &batch).await.unwrap();
        assert_eq!(written.heat_stress_days, 20);
        let days = store
            .heat_stress(
                "florida_keys",
                NaiveDate::from_ymd_opt(2024, 8, 1).unwrap(),
                NaiveDate::from_ymd_opt(2024, 9, 1).unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(days.len(), 20);
        let d14 = &days[13];
        assert_eq!(d14.date, NaiveDate::from_ymd_opt(2024, 8, 18).unwrap());
        assert!((d14.hotspot.unwrap() - 1.3736).abs() < 1e-9);
        assert!((d14.dhw.unwrap() - 14.0 * 1.3736 / 7.0).abs() < 1e-9, "{:?}", d14.dhw);
        assert_eq!(d14.baa_7day_max, Some(2)); // Warning: HS ≥ 1, DHW < 4
        assert_eq!(days[19].baa_7day_max, Some(2)); // DHW 3.92 on day 20, still under 4
        // Re-sending the same data changes nothing.
        assert_eq!(crate::store_batch(&store, &batch).await.unwrap().heat_stress_days, 0);
    }
}
