//! `halocline fetch SOURCE [--since ...] [--base-url URL]`: one run of a live source (the same run the
//! scheduler makes), and the source options shared with `serve --live`. Base URLs default to the real
//! servers; flags and `HALOCLINE_*_URL` variables point them elsewhere.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use ingest::sources::{SourceReport, SourcesConfig};

/// Where the live sources are and what they fetch.
#[derive(clap::Args, Clone, Debug)]
pub struct SourceArgs {
    /// NDBC base URL (default https://www.ndbc.noaa.gov).
    #[arg(long, env = "HALOCLINE_NDBC_URL")]
    ndbc_url: Option<String>,
    /// NDBC realtime2 files or station ids, comma-separated (default 41001.txt,41024.ocean,44005.txt,TPLM2.txt).
    #[arg(long, env = "HALOCLINE_NDBC_FILES", value_delimiter = ',')]
    ndbc_files: Vec<String>,
    /// Argo GDAC base URL (default https://data-argo.ifremer.fr).
    #[arg(long, env = "HALOCLINE_GDAC_URL")]
    gdac_url: Option<String>,
    /// At most this many GDAC profile files per run (default 500).
    #[arg(long)]
    gdac_max_files: Option<usize>,
    /// Only these floats' GDAC files, comma-separated.
    #[arg(long, value_delimiter = ',')]
    gdac_platforms: Vec<String>,
    /// ERDDAP base URL for Argo tabledap (default https://erddap.ifremer.fr/erddap).
    #[arg(long, env = "HALOCLINE_ERDDAP_URL")]
    erddap_url: Option<String>,
    /// Argo floats to ask ERDDAP for, comma-separated (default all in the window).
    #[arg(long, value_delimiter = ',')]
    argo_floats: Vec<String>,
    /// ERDDAP base URL for every griddap grid (default: CoastWatch West for CRW, CoastWatch central for VIIRS).
    #[arg(long, env = "HALOCLINE_GRIDDAP_URL")]
    griddap_url: Option<String>,
    /// Coral Reef Watch base URL (default https://coralreefwatch.noaa.gov).
    #[arg(long, env = "HALOCLINE_CRW_URL")]
    crw_url: Option<String>,
    /// CRW virtual stations, comma-separated (default florida_keys).
    #[arg(long, value_delimiter = ',')]
    crw_stations: Vec<String>,
    /// Copernicus Marine in-situ base URL (default https://data-marineinsitu.ifremer.fr).
    #[arg(long, env = "HALOCLINE_COPERNICUS_URL")]
    copernicus_url: Option<String>,
    /// Copernicus in-situ file paths under the base, comma-separated.
    #[arg(long, env = "HALOCLINE_COPERNICUS_FILES", value_delimiter = ',')]
    copernicus_files: Vec<String>,
    /// Attempts per request, the first included (default 3).
    #[arg(long, env = "HALOCLINE_FETCH_ATTEMPTS")]
    attempts: Option<usize>,
    /// Delay before the first retry in milliseconds; it doubles each retry (default 1000).
    #[arg(long)]
    retry_delay_ms: Option<u64>,
    /// Read timeout in seconds (default 60).
    #[arg(long)]
    read_timeout_secs: Option<u64>,
    /// How long `?live=true` waits for a live source, milliseconds (default 3000).
    #[arg(long, env = "HALOCLINE_LIVE_DEADLINE_MS")]
    live_deadline_ms: Option<u64>,
}

impl SourceArgs {
    pub fn config(&self) -> anyhow::Result<SourcesConfig> {
        let mut c = SourcesConfig::default();
        let set = |c: &mut SourcesConfig, source: &str, url: &Option<String>| -> anyhow::Result<()> {
            if let Some(u) = url {
                c.set_base_url(source, u)?;
            }
            Ok(())
        };
        set(&mut c, "ndbc", &self.ndbc_url)?;
        set(&mut c, "argo-gdac", &self.gdac_url)?;
        set(&mut c, "argo-erddap", &self.erddap_url)?;
        set(&mut c, "griddap", &self.griddap_url)?;
        set(&mut c, "crw-vs", &self.crw_url)?;
        set(&mut c, "copernicus", &self.copernicus_url)?;
        if !self.ndbc_files.is_empty() {
            c.ndbc_files = self.ndbc_files.clone();
        }
        if let Some(n) = self.gdac_max_files {
            c.gdac_max_files = n;
        }
        c.gdac_platforms = self.gdac_platforms.clone();
        c.argo_floats = self.argo_floats.clone();
        if !self.crw_stations.is_empty() {
            c.crw_stations = self.crw_stations.clone();
        }
        c.copernicus_files = self.copernicus_files.clone();
        if let Some(n) = self.attempts {
            anyhow::ensure!(n >= 1, "--attempts must be at least 1");
            c.http.attempts = n;
        }
        if let Some(ms) = self.retry_delay_ms {
            c.http.min_delay = Duration::from_millis(ms);
        }
        if let Some(s) = self.read_timeout_secs {
            c.http.read_timeout = Duration::from_secs(s);
        }
        if let Some(ms) = self.live_deadline_ms {
            c.live_deadline = Duration::from_millis(ms);
        }
        Ok(c)
    }
}

/// `--since`: `2024-03-01`, `2024-03-01T12:00:00Z`, or an age such as `36h` or `7d`.
pub fn parse_since(s: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let s = s.trim();
    if let Some(n) = s.strip_suffix('d').and_then(|n| n.parse::<i64>().ok()) {
        return Ok(now - chrono::Duration::days(n));
    }
    if let Some(n) = s.strip_suffix('h').and_then(|n| n.parse::<i64>().ok()) {
        return Ok(now - chrono::Duration::hours(n));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("--since {s:?} is not a date (YYYY-MM-DD), an ISO time or an age (36h, 7d)"))?;
    Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// Prints what a run did.
pub fn print_report(r: &SourceReport) {
    println!(
        "{}: {} answers ({} empty), {} rejected, {} failed",
        r.source,
        r.answers,
        r.empty,
        r.rejected.len(),
        r.failed.len()
    );
    let w = &r.written;
    println!(
        "  written: {} platforms, {} profiles, {} levels, {} series points, {} heat-stress days, {} index rows",
        w.platforms, w.profiles, w.levels, w.series_points, w.heat_stress_days, w.index_rows
    );
    for (url, why) in &r.rejected {
        println!("  rejected {url}: {why}");
    }
    for (url, why) in &r.failed {
        println!("  failed {url}: {why}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn since_forms() {
        let now = Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap();
        assert_eq!(parse_since("7d", now).unwrap(), Utc.with_ymd_and_hms(2024, 3, 3, 12, 0, 0).unwrap());
        assert_eq!(parse_since("36h", now).unwrap(), Utc.with_ymd_and_hms(2024, 3, 9, 0, 0, 0).unwrap());
        assert_eq!(parse_since("2024-03-01", now).unwrap(), Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap());
        assert_eq!(
            parse_since("2024-03-01T06:30:00Z", now).unwrap(),
            Utc.with_ymd_and_hms(2024, 3, 1, 6, 30, 0).unwrap()
        );
        assert!(parse_since("last week", now).is_err());
    }
}
