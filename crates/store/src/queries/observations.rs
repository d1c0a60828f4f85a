//! Reads of observations for both backends (`ObservationStore`): each backend names the SQL of the plain
//! reads in a [`ReadSql`] and writes the dialect-specific ones (a profile by key, the search, profiles by
//! row id) as its own methods; the Rust around the plain reads is written once.

use crate::observations::SeriesFilter;
use crate::queries::args::{Arg, Args};

/// The statements of the plain reads, each returning the columns of its row type in `rows.rs`.
pub(crate) struct ReadSql {
    /// `PlatformRow`s ordered by id; `$1` a kind or NULL for all.
    pub platforms: &'static str,
    /// `SeriesRow`s of `$1` platform, `$2` variable, `$3` ≤ time (Unix seconds) < `$4`, by time and depth.
    pub series: &'static str,
    /// The newest `SeriesRow` of every (platform, variable), ordered by platform and variable.
    pub series_latest: &'static str,
    /// `StatsRow`s by variable.
    pub series_stats: &'static str,
    /// `LatestRow`s by platform.
    pub platforms_latest: &'static str,
    /// `(file, date_update)` of every GDAC index row, by file.
    pub index_updates: &'static str,
    /// The `ReefRow` of site `$1`.
    pub reef_site: &'static str,
    /// `HeatRow`s of site `$1` with `$2` ≤ date < `$3` (`YYYY-MM-DD`), by date.
    pub heat_stress: &'static str,
    /// The `SELECT … FROM series` of `SeriesRow`s that a filter's conditions follow.
    pub series_select: &'static str,
    /// The SQL of an instant given as Unix seconds in a placeholder (`$3` → `to_timestamp($3)`).
    pub seconds: fn(&str) -> String,
}

/// A series filter's statement and its binds.
pub(crate) fn series_sql(sql: &ReadSql, f: &SeriesFilter) -> (String, Args) {
    let mut args = Args::default();
    let mut conds: Vec<String> = Vec::new();
    if let Some(p) = &f.platform {
        conds.push(format!("platform = {}", args.push(Arg::T(p.clone()))));
    }
    if let Some(v) = &f.variable {
        conds.push(format!("variable = {}", args.push(Arg::T(v.clone()))));
    }
    if let Some(t) = &f.time {
        let (a, b) = (
            args.push(Arg::I(crate::rows::clamp_seconds(t.start()))),
            args.push(Arg::I(crate::rows::clamp_seconds(t.end()))),
        );
        conds.push(format!("time >= {} AND time < {}", (sql.seconds)(&a), (sql.seconds)(&b)));
    }
    if let Some(qc) = &f.qc_in {
        let list: Vec<String> = qc.iter().map(|q| q.to_byte().to_string()).collect();
        conds.push(if list.is_empty() { "false".into() } else { format!("qc IN ({})", list.join(", ")) });
    }
    let mut out = String::from(sql.series_select);
    if !conds.is_empty() {
        out.push_str(" WHERE ");
        out.push_str(&conds.join(" AND "));
    }
    out.push_str(" ORDER BY time, platform, variable, depth");
    if let Some(l) = f.limit {
        out.push_str(&format!(" LIMIT {l}"));
    }
    (out, args)
}

/// `impl ObservationStore for $store`: the plain reads run `$sql` (a [`ReadSql`]) on `reads`; the others
/// call the store's own `read_profile`, `read_profile_stubs` and `read_profiles_by_row_ids`.
macro_rules! observation_store {
    ($store:ty, reads: $reads:ident, sql: $sql:expr) => {
        #[async_trait::async_trait]
        impl $crate::observations::ObservationStore for $store {
            async fn platforms(
                &self,
                kind: Option<model::PlatformKind>,
            ) -> Result<Vec<$crate::observations::PlatformSummary>, $crate::error::StoreError> {
                let rows: Vec<$crate::rows::PlatformRow> =
                    sqlx::query_as($sql.platforms).bind(kind.map(|k| k.as_str())).fetch_all(&self.$reads).await?;
                Ok(rows.into_iter().map($crate::rows::platform_summary_of).collect())
            }

            async fn profile(
                &self,
                key: &model::ProfileKey,
            ) -> Result<Option<model::Profile>, $crate::error::StoreError> {
                self.read_profile(key).await
            }

            async fn profile_stubs(
                &self,
                filter: &$crate::observations::ProfileFilter,
            ) -> Result<Vec<$crate::observations::ProfileStub>, $crate::error::StoreError> {
                self.read_profile_stubs(filter).await
            }

            async fn profiles_by_row_ids(&self, ids: &[i64]) -> Result<Vec<model::Profile>, $crate::error::StoreError> {
                self.read_profiles_by_row_ids(ids).await
            }

            async fn series(
                &self,
                platform: &str,
                variable: &str,
                time: model::TimeRange,
            ) -> Result<Vec<model::SeriesPoint>, $crate::error::StoreError> {
                let rows: Vec<$crate::rows::SeriesRow> = sqlx::query_as($sql.series)
                    .bind(platform)
                    .bind(variable)
                    .bind($crate::rows::clamp_seconds(time.start()))
                    .bind($crate::rows::clamp_seconds(time.end()))
                    .fetch_all(&self.$reads)
                    .await?;
                Ok(rows.into_iter().filter_map($crate::rows::point_of).collect())
            }

            async fn series_points(
                &self,
                filter: &$crate::observations::SeriesFilter,
            ) -> Result<Vec<model::SeriesPoint>, $crate::error::StoreError> {
                let (sql, args) = $crate::queries::observations::series_sql(&$sql, filter);
                let rows: Vec<$crate::rows::SeriesRow> =
                    args.bind(sqlx::query_as(sqlx::AssertSqlSafe(sql))).fetch_all(&self.$reads).await?;
                Ok(rows.into_iter().filter_map($crate::rows::point_of).collect())
            }

            async fn series_latest(&self) -> Result<Vec<model::SeriesPoint>, $crate::error::StoreError> {
                let rows: Vec<$crate::rows::SeriesRow> =
                    sqlx::query_as($sql.series_latest).fetch_all(&self.$reads).await?;
                Ok(rows.into_iter().filter_map($crate::rows::point_of).collect())
            }

            async fn series_stats(
                &self,
            ) -> Result<Vec<$crate::observations::VariableStats>, $crate::error::StoreError> {
                let rows: Vec<$crate::rows::StatsRow> =
                    sqlx::query_as($sql.series_stats).fetch_all(&self.$reads).await?;
                Ok(rows.into_iter().map($crate::rows::stats_of).collect())
            }

            async fn profile_platforms_latest(
                &self,
            ) -> Result<Vec<$crate::observations::PlatformLatest>, $crate::error::StoreError> {
                let rows: Vec<$crate::rows::LatestRow> =
                    sqlx::query_as($sql.platforms_latest).fetch_all(&self.$reads).await?;
                Ok(rows.into_iter().filter_map($crate::rows::latest_of).collect())
            }

            async fn reef_site(&self, id: &str) -> Result<Option<model::ReefSite>, $crate::error::StoreError> {
                let row: Option<$crate::rows::ReefRow> =
                    sqlx::query_as($sql.reef_site).bind(id).fetch_optional(&self.$reads).await?;
                row.map($crate::rows::reef_site_of).transpose()
            }

            async fn heat_stress(
                &self,
                site: &str,
                from: chrono::NaiveDate,
                to: chrono::NaiveDate,
            ) -> Result<Vec<model::HeatStressDay>, $crate::error::StoreError> {
                let rows: Vec<$crate::rows::HeatRow> = sqlx::query_as($sql.heat_stress)
                    .bind(site)
                    .bind($crate::rows::clamp_date(from))
                    .bind($crate::rows::clamp_date(to))
                    .fetch_all(&self.$reads)
                    .await?;
                rows.into_iter().map(|r| $crate::rows::heat_day_of(site, r)).collect()
            }

            async fn index_updates(
                &self,
            ) -> Result<Vec<(String, Option<chrono::DateTime<chrono::Utc>>)>, $crate::error::StoreError> {
                let rows: Vec<(String, Option<i64>)> =
                    sqlx::query_as($sql.index_updates).fetch_all(&self.$reads).await?;
                Ok(rows.into_iter().map($crate::rows::index_update_of).collect())
            }
        }
    };
}
pub(crate) use observation_store;
