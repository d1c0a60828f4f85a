//! Query parameters as they arrive, and their parsing into typed values (the only place that checks them).

use chrono::{DateTime, NaiveDate, Utc};
use model::{TimeRange, Variable};
use serde::Deserialize;

use crate::ApiError;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlatformsParams {
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct SeriesParams {
    pub platform: Option<String>,
    pub variable: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProfileParams {
    /// `best` (default: adjusted in modes A and D, raw in R), `raw` or `adjusted`.
    pub values: Option<String>,
}

impl ProfileParams {
    pub fn values(&self) -> Result<super::wire::Values, ApiError> {
        use super::wire::Values;
        match self.values.as_deref() {
            None | Some("" | "best") => Ok(Values::Best),
            Some("raw") => Ok(Values::Raw),
            Some("adjusted") => Ok(Values::Adjusted),
            Some(v) => Err(ApiError::bad_request(format!("values {v:?}: use best, raw or adjusted"))),
        }
    }
}

pub struct SeriesQuery {
    pub platform: String,
    pub variable: String,
    pub time: TimeRange,
}

/// ISO-8601 UTC instant: `2012-01-01T00:00:00Z`, `2012-01-01T00:00:00.000Z` or a bare date `2012-01-01`.
pub fn parse_instant(name: &str, s: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Ok(t.and_utc());
    }
    Err(ApiError::bad_request(format!("{name} {s:?} is not an ISO-8601 UTC time such as 2012-01-01T00:00:00Z")))
}

impl SeriesParams {
    pub fn parse(self) -> Result<SeriesQuery, ApiError> {
        let platform =
            self.platform.filter(|p| !p.is_empty()).ok_or_else(|| ApiError::bad_request("platform is required"))?;
        let variable =
            self.variable.filter(|v| !v.is_empty()).ok_or_else(|| ApiError::bad_request("variable is required"))?;
        let var = Variable::lookup(&variable)
            .ok_or_else(|| ApiError::bad_request(format!("unknown variable {variable:?}")))?;
        let start = match &self.start_date {
            Some(s) => parse_instant("startDate", s)?,
            None => DateTime::<Utc>::MIN_UTC,
        };
        let end = match &self.end_date {
            Some(s) => parse_instant("endDate", s)?,
            None => DateTime::<Utc>::MAX_UTC,
        };
        let time = TimeRange::new(start, end).map_err(|e| ApiError::bad_request(e.to_string()))?;
        Ok(SeriesQuery { platform: platform.to_uppercase_if_ndbc(), variable: var.name.to_string(), time })
    }
}

trait NdbcId {
    fn to_uppercase_if_ndbc(self) -> String;
}

impl NdbcId for String {
    /// NDBC station ids are stored upper case; `tplm2` finds `TPLM2`.
    fn to_uppercase_if_ndbc(self) -> String {
        if self.bytes().any(|b| b.is_ascii_lowercase())
            && self.len() <= 8
            && self.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            self.to_ascii_uppercase()
        } else {
            self
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct DateRangeParams {
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

impl DateRangeParams {
    /// `[startDate, endDate)` as dates.
    pub fn parse(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), ApiError> {
        let d = |name: &str, s: &Option<String>| -> Result<Option<NaiveDate>, ApiError> {
            s.as_deref().map(|s| parse_instant(name, s).map(|t| t.date_naive())).transpose()
        };
        let (a, b) = (d("startDate", &self.start_date)?, d("endDate", &self.end_date)?);
        if let (Some(a), Some(b)) = (a, b)
            && a >= b
        {
            return Err(ApiError::bad_request(format!("startDate {a} is not before endDate {b}")));
        }
        Ok((a, b))
    }
}
