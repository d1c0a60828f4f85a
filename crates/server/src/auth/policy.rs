//! The route table: every route of `router` with its access rule and its rate-limit cost. The guard
//! looks each matched route up here; the role × route test walks this table and checks that every
//! operation of the OpenAPI document has a row, so a new route cannot be forgotten.
//!
//! Access rules:
//! - `Public`: anyone; credentials are not even looked at (service probes, docs, the dashboard, login).
//! - `Authenticated`: any valid credential.
//! - `Read(p)`: public unless the server protects reads (`--protect-reads`), then permission `p`.
//!   Presented credentials are checked even when reads are public (a bad token is a 401).
//! - `Requires(p)`: always permission `p` (writes, administration).
//!
//! Costs (tokens of the caller's bucket): most requests 1; `/api/argo` 1 + ⌈Argovis cost / 50,000⌉
//! (Argovis' cost is area / 13,000 km² × days, so its refusal limit of 1,000,000 costs 21), doubled for
//! `data=all`; ERDDAP data files and Ocean Chat 2; login 5 (slows password guessing); probes free.

use axum::http::{Method, Uri};

use super::Permission;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Access {
    Public,
    Authenticated,
    Read(Permission),
    Requires(Permission),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cost {
    Free,
    Fixed(u32),
    ArgoSearch,
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub cost: Cost,
}

use Access::*;
use Cost::*;
use Permission::*;

const fn r(method: &'static str, path: &'static str, access: Access, cost: Cost) -> Rule {
    Rule { method, path, access, cost }
}

/// Every route. Paths are axum's route patterns (`{id}`).
pub const ROUTES: &[Rule] = &[
    r("GET", "/health", Public, Free),
    r("GET", "/ready", Public, Free),
    r("GET", "/api/openapi.json", Public, Fixed(1)),
    r("GET", "/api/docs", Public, Fixed(1)),
    r("GET", "/", Public, Free),
    r("GET", "/api/argo", Read(ReadData), ArgoSearch),
    r("GET", "/api/argo/meta", Read(ReadData), Fixed(1)),
    r("GET", "/api/argo/vocabulary", Read(ReadData), Fixed(1)),
    r("GET", "/api/platforms", Read(ReadData), Fixed(1)),
    r("GET", "/api/profiles/{id}", Read(ReadData), Fixed(1)),
    r("GET", "/api/series", Read(ReadData), Fixed(1)),
    r("GET", "/api/reefs/{id}/heatstress", Read(ReadData), Fixed(1)),
    r("GET", "/api/buoys", Read(ReadData), Fixed(1)),
    r("GET", "/api/buoys/{id}/series", Read(ReadData), Fixed(1)),
    r("GET", "/api/reefs", Read(ReadData), Fixed(1)),
    r("GET", "/data/latest", Read(ReadData), Fixed(1)),
    r("GET", "/data/timeseries", Read(ReadData), Fixed(1)),
    r("GET", "/data/anomalies", Read(ReadData), Fixed(1)),
    r("GET", "/stats", Read(ReadData), Fixed(1)),
    r("GET", "/api/locations/", Read(ReadData), Fixed(1)),
    r("GET", "/api/observations/", Read(ReadData), Fixed(1)),
    r("POST", "/api/observations/ingest/", Requires(Ingest), Fixed(1)),
    r("POST", "/api/chat", Read(ReadData), Fixed(2)),
    r("GET", "/api/floats/latest", Read(ReadData), Fixed(1)),
    r("GET", "/api/reefs/status", Read(ReadData), Fixed(1)),
    r("GET", "/api/events", Read(ReadData), Fixed(1)),
    r("GET", "/erddap/version", Public, Fixed(1)),
    r("GET", "/erddap/version_string", Public, Fixed(1)),
    r("GET", "/erddap/info/{file}", Read(ReadData), Fixed(1)),
    r("GET", "/erddap/info/{id}/{file}", Read(ReadData), Fixed(1)),
    r("GET", "/erddap/tabledap/{file}", Read(ExportData), Fixed(2)),
    r("GET", "/erddap/griddap/{file}", Read(ExportData), Fixed(2)),
    r("GET", "/erddap/search/{file}", Read(ReadData), Fixed(1)),
    r("GET", "/erddap/categorize/{attr}/{file}", Read(ReadData), Fixed(1)),
    r("GET", "/erddap/categorize/{attr}/{value}/{file}", Read(ReadData), Fixed(1)),
    r("POST", "/api/auth/login", Public, Fixed(5)),
    r("POST", "/api/auth/refresh", Public, Fixed(1)),
    r("POST", "/api/auth/logout", Public, Fixed(1)),
    r("GET", "/api/auth/me", Authenticated, Fixed(1)),
    r("GET", "/api/admin/users", Requires(AdminAccess), Fixed(1)),
    r("POST", "/api/admin/users", Requires(AdminAccess), Fixed(1)),
    r("PATCH", "/api/admin/users/{name}", Requires(AdminAccess), Fixed(1)),
    r("GET", "/api/admin/keys", Requires(AdminAccess), Fixed(1)),
    r("POST", "/api/admin/keys", Requires(AdminAccess), Fixed(1)),
    r("DELETE", "/api/admin/keys/{id}", Requires(AdminAccess), Fixed(1)),
    r("GET", "/api/admin/audit", Requires(AdminAccess), Fixed(1)),
];

/// The rule of a matched route; a route missing from the table gets a cautious default (reads
/// `Read(ReadData)`, anything else `Requires(AdminAccess)`) and the guard logs it.
pub fn rule(method: &Method, path: &str) -> Option<&'static Rule> {
    let m = if method == Method::HEAD { "GET" } else { method.as_str() };
    ROUTES.iter().find(|r| r.method == m && r.path == path)
}

pub fn default_rule(method: &Method) -> Rule {
    if method == Method::GET || method == Method::HEAD {
        r("GET", "", Read(ReadData), Fixed(1))
    } else {
        r("", "", Requires(AdminAccess), Fixed(1))
    }
}

/// The permission a read needs beyond its route's: `/api/argo` with `data=all` is a bulk download.
pub fn escalate(rule: &Rule, uri: &Uri) -> Option<Permission> {
    if rule.path == "/api/argo" && data_all(uri) {
        return Some(BulkDownload);
    }
    None
}

fn data_all(uri: &Uri) -> bool {
    uri.query().is_some_and(|q| {
        q.split('&').any(|kv| {
            kv.split_once('=')
                .is_some_and(|(k, v)| k == "data" && v.split("%2C").flat_map(|p| p.split(',')).any(|p| p == "all"))
        })
    })
}

/// Tokens a request costs.
pub fn cost(rule: &Rule, uri: &Uri) -> u32 {
    match rule.cost {
        Free => 0,
        Fixed(n) => n,
        ArgoSearch => {
            let Ok(axum::extract::Query(p)) = axum::extract::Query::<crate::api::argo::ArgoParams>::try_from_uri(uri)
            else {
                return 1;
            };
            let Ok(q) = p.parse() else { return 1 };
            if q.region.is_none() && q.time.is_none() {
                return 1;
            }
            let c = query::cost(q.region.as_ref(), q.time.as_ref(), chrono::Utc::now());
            let base = 1 + (c.value / 50_000.0).ceil().clamp(0.0, 1000.0) as u32;
            if data_all(uri) { base * 2 } else { base }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_grow_with_the_request() {
        let argo = rule(&Method::GET, "/api/argo").unwrap();
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(cost(argo, &uri("/api/argo?id=4900590_097")), 1);
        // 10° × 10° at the equator (≈1.23 M km², 95 units a day) for 30 days: 2,850 → 1 + 1.
        let small = "/api/argo?box=[[0,-5],[10,5]]&startDate=2020-01-01T00:00:00Z&endDate=2020-01-31T00:00:00Z";
        assert_eq!(cost(argo, &uri(&small.replace('[', "%5B").replace(']', "%5D"))), 2);
        // The same box for a year: 34,675 → 2; the whole Atlantic-sized 60° × 60° for a year: 21 + 1 tokens.
        let year =
            "/api/argo?box=%5B%5B-60,-30%5D,%5B0,30%5D%5D&startDate=2020-01-01T00:00:00Z&endDate=2021-01-01T00:00:00Z";
        let c = cost(argo, &uri(year));
        assert!((20..=30).contains(&c), "{c}");
        assert_eq!(cost(argo, &uri(&format!("{year}&data=all"))), 2 * c);
        assert_eq!(escalate(argo, &uri(&format!("{year}&data=temperature,all"))), Some(BulkDownload));
        assert_eq!(escalate(argo, &uri(year)), None);
        assert_eq!(cost(rule(&Method::GET, "/health").unwrap(), &uri("/health")), 0);
        assert_eq!(rule(&Method::HEAD, "/api/platforms").unwrap().path, "/api/platforms");
        assert_eq!(default_rule(&Method::POST).access, Requires(AdminAccess));
    }
}
