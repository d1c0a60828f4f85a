//! Auth through the router: the role × route matrix over the route table (checked against the OpenAPI
//! document, so a new route can't be forgotten), a 150-request burst against the token bucket, the
//! login/refresh/logout cycle with the audit log, API keys from the admin API, and the outer layers.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use store::{SqliteStore, Store};
use tower::ServiceExt;

use super::policy::{Access, ROUTES};
use super::{AuthConfig, Credentials, Permission, RateLimiter, RateSettings, Role, accounts, credentials};
use crate::{AppState, router};

const SECRET: &[u8] = b"test secret: thirty-two bytes at least!";

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn config(protect_reads: bool) -> AuthConfig {
    AuthConfig { credentials: Credentials::new(SECRET.to_vec()), protect_reads, ..AuthConfig::dev() }
}

/// A request for a route pattern with sample path values and an empty body.
fn request(method: &str, path: &str, auth: Option<&(String, String)>) -> Request<Body> {
    let uri = path
        .replace("{id}/heatstress", "florida_keys/heatstress")
        .replace("/api/profiles/{id}", "/api/profiles/4900590_097")
        .replace("{id}", "x1")
        .replace("{file}", "index.json")
        .replace("{attr}", "ioos_category")
        .replace("{value}", "temperature")
        .replace("{name}", "nobody");
    let mut r = Request::builder().method(method).uri(uri);
    if let Some((h, v)) = auth {
        r = r.header(h.as_str(), v.as_str());
    }
    let body = match method {
        "POST" if path == "/api/observations/ingest/" => "[]",
        "POST" | "PATCH" => "{}",
        _ => "",
    };
    if !body.is_empty() {
        r = r.header("content-type", "application/json");
    }
    r.body(Body::from(body)).unwrap()
}

struct Caller {
    label: &'static str,
    header: Option<(String, String)>,
    /// What it may do when valid; `None` for a credential that must be refused (401).
    can: Option<Vec<Permission>>,
}

fn bearer(t: &str) -> Option<(String, String)> {
    Some(("authorization".into(), format!("Bearer {t}")))
}

async fn callers(store: &Arc<dyn Store>) -> Vec<Caller> {
    let c = Credentials::new(SECRET.to_vec());
    let now = chrono::Utc::now();
    let hash = credentials::hash_password("matrix password").unwrap();
    let mut out = vec![Caller { label: "no credentials", header: None, can: Some(Vec::new()) }];
    let mut admin_token = String::new();
    for role in Role::ALL {
        let u = store.put_user(&format!("u_{}", role.as_str()), &hash, role.as_str()).await.unwrap();
        let (t, _) = c.access_token(u.id, &u.name, role.as_str(), now).unwrap();
        if role == Role::Admin {
            admin_token = t.clone();
        }
        out.push(Caller { label: role.as_str(), header: bearer(&t), can: Some(role.permissions().to_vec()) });
    }
    let (k, key) = accounts::create_key(&**store, None, "feed", &[Permission::Ingest], None).await.unwrap();
    out.push(Caller {
        label: "ingest key",
        header: Some(("x-api-key".into(), key)),
        can: Some(vec![Permission::Ingest]),
    });
    let (_, rkey) =
        accounts::create_key(&**store, None, "research", Role::Researcher.permissions(), None).await.unwrap();
    out.push(Caller {
        label: "researcher key (bearer)",
        header: bearer(&rkey),
        can: Some(Role::Researcher.permissions().to_vec()),
    });
    out.push(Caller { label: "env ingest key", header: bearer("env-ingest-key"), can: Some(vec![Permission::Ingest]) });
    let (revoked, rk) = accounts::create_key(&**store, None, "old", &[Permission::ReadData], None).await.unwrap();
    store.revoke_api_key(&revoked.id, now).await.unwrap();
    let _ = k;
    out.push(Caller { label: "revoked key", header: Some(("x-api-key".into(), rk)), can: None });
    out.push(Caller { label: "unknown key", header: Some(("x-api-key".into(), "hc_00000000_ffff".into())), can: None });
    let admin = store.user_by_name("u_admin").await.unwrap().unwrap();
    let expired = credentials::Claims {
        sub: admin.name.clone(),
        uid: admin.id,
        role: "admin".into(),
        typ: "access".into(),
        iat: now.timestamp() - 7200,
        exp: now.timestamp() - 5400,
        jti: "x".into(),
    };
    out.push(Caller { label: "expired token", header: bearer(&c.sign_claims(&expired).unwrap()), can: None });
    // Tampered: the payload says guest → admin is not re-signed.
    let mut parts: Vec<String> = admin_token.split('.').map(str::to_string).collect();
    let sig = parts[2].clone();
    parts[2] = format!("{}{}", &sig[..sig.len() - 2], if sig.ends_with("AA") { "BB" } else { "AA" });
    out.push(Caller { label: "tampered token", header: bearer(&parts.join(".")), can: None });
    let other = Credentials::new(b"another secret, also 32 bytes long".to_vec());
    let (forged, _) = other.access_token(admin.id, &admin.name, "admin", now).unwrap();
    out.push(Caller { label: "token of another secret", header: bearer(&forged), can: None });
    let refresh = c.refresh_token(admin.id, &admin.name, "admin", now).unwrap().0;
    out.push(Caller { label: "refresh token as access", header: bearer(&refresh), can: None });
    let d = store.put_user("u_disabled", &hash, "admin").await.unwrap();
    store.update_user("u_disabled", None, Some(true)).await.unwrap();
    let (dt, _) = c.access_token(d.id, &d.name, "admin", now).unwrap();
    out.push(Caller { label: "disabled user", header: bearer(&dt), can: None });
    out.push(Caller {
        label: "malformed header",
        header: Some(("authorization".into(), "Basic eDp5".into())),
        can: None,
    });
    out
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_table_says() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let callers = callers(&store).await;
    let admin = callers.iter().find(|c| c.label == "admin").unwrap().header.clone();
    let mut checked = 0;
    for protect in [false, true] {
        let app = router(
            AppState::new(store.clone()).with_ingest_key(Some("env-ingest-key".into())).with_auth(config(protect)),
        );
        for rule in ROUTES {
            if rule.path == "/api/events" {
                continue; // an endless stream; its rule is the same as /api/floats/latest's
            }
            let (reference, _, body) = send(&app, request(rule.method, rule.path, admin.as_ref())).await;
            assert!(
                reference != StatusCode::UNAUTHORIZED && reference != StatusCode::FORBIDDEN && reference.as_u16() < 500,
                "{} {} as admin: {reference} {body}",
                rule.method,
                rule.path
            );
            for caller in &callers {
                let expected = match (rule.access, &caller.can) {
                    (Access::Public, _) => reference,
                    (_, None) => StatusCode::UNAUTHORIZED,
                    (Access::Authenticated, Some(_)) if caller.header.is_none() => StatusCode::UNAUTHORIZED,
                    (Access::Authenticated, Some(_)) => reference,
                    (Access::Read(_), Some(_)) if !protect => reference,
                    (Access::Read(p) | Access::Requires(p), Some(can)) => {
                        if caller.header.is_none() {
                            StatusCode::UNAUTHORIZED
                        } else if can.contains(&p) {
                            reference
                        } else {
                            StatusCode::FORBIDDEN
                        }
                    }
                };
                let (got, headers, body) = send(&app, request(rule.method, rule.path, caller.header.as_ref())).await;
                assert_eq!(
                    got, expected,
                    "{} {} as {} (protect_reads={protect}): {body}",
                    rule.method, rule.path, caller.label
                );
                if got == StatusCode::UNAUTHORIZED && expected != reference {
                    assert_eq!(body["code"], "unauthorized");
                    assert_eq!(headers["www-authenticate"], "Bearer");
                }
                if got == StatusCode::FORBIDDEN && expected != reference {
                    assert_eq!(body["code"], "forbidden");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");

    // Spot checks stated directly (not derived from the table).
    let app =
        router(AppState::new(store.clone()).with_ingest_key(Some("env-ingest-key".into())).with_auth(config(true)));
    let h = |label: &str| callers.iter().find(|c| c.label == label).unwrap().header.clone();
    let status = |m: &'static str, p: &'static str, who: &str| {
        let app = app.clone();
        let hdr = h(who);
        async move { send(&app, request(m, p, hdr.as_ref())).await.0 }
    };
    assert_eq!(status("POST", "/api/observations/ingest/", "ingest key").await, StatusCode::OK);
    assert_eq!(status("POST", "/api/observations/ingest/", "env ingest key").await, StatusCode::OK);
    assert_eq!(status("POST", "/api/observations/ingest/", "researcher").await, StatusCode::FORBIDDEN);
    assert_eq!(status("POST", "/api/observations/ingest/", "no credentials").await, StatusCode::UNAUTHORIZED);
    assert_eq!(status("GET", "/api/admin/audit", "educator").await, StatusCode::FORBIDDEN);
    assert_eq!(status("GET", "/api/admin/audit", "admin").await, StatusCode::OK);
    assert_eq!(status("GET", "/api/platforms", "guest").await, StatusCode::OK);
    assert_eq!(status("GET", "/api/platforms", "ingest key").await, StatusCode::FORBIDDEN);
    assert_eq!(status("GET", "/erddap/tabledap/index.json", "guest").await, StatusCode::FORBIDDEN);
    assert_eq!(status("GET", "/erddap/tabledap/index.json", "educator").await, StatusCode::OK);
    assert_eq!(status("GET", "/health", "tampered token").await, StatusCode::OK);
    // data=all is a bulk download: researchers yes, educators no.
    let uri = "/api/argo?platform=4900590&data=all";
    for (who, want) in [("researcher", StatusCode::OK), ("educator", StatusCode::FORBIDDEN)] {
        let mut r = Request::get(uri);
        let (k, v) = h(who).unwrap();
        r = r.header(k, v);
        let got = send(&app, r.body(Body::empty()).unwrap()).await.0;
        assert!(got == want || (want == StatusCode::OK && got == StatusCode::NOT_FOUND), "{who}: {got}");
    }
}

#[tokio::test]
async fn the_route_table_and_the_openapi_document_list_the_same_operations() {
    let doc = serde_json::to_value(<crate::ApiDoc as utoipa::OpenApi>::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let m = method.to_uppercase();
            documented.insert((m.clone(), path.clone()));
            let rule = ROUTES
                .iter()
                .find(|r| r.method == m && r.path == path)
                .unwrap_or_else(|| panic!("{m} {path} is in OpenAPI but has no rule in auth/policy.rs"));
            // Routes that always need a credential say so, with their 401 (and 403 for a permission).
            let responses = op["responses"].as_object().unwrap();
            match rule.access {
                Access::Requires(_) => {
                    assert!(op["security"].is_array(), "{m} {path}: no security");
                    assert!(responses.contains_key("401") && responses.contains_key("403"), "{m} {path}");
                }
                Access::Authenticated => {
                    assert!(op["security"].is_array(), "{m} {path}: no security");
                    assert!(responses.contains_key("401"), "{m} {path}");
                }
                _ => {}
            }
        }
    }
    for r in ROUTES {
        let undocumented_by_design =
            r.path.starts_with("/erddap/") || ["/", "/api/openapi.json", "/api/docs"].contains(&r.path);
        if !undocumented_by_design {
            assert!(
                documented.contains(&(r.method.to_string(), r.path.to_string())),
                "{} {} not in OpenAPI",
                r.method,
                r.path
            );
        }
    }
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
}

#[tokio::test]
async fn a_burst_of_150_from_one_key_gets_100_answers_then_429s() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let (_, key) = accounts::create_key(&*store, None, "burst", Role::Guest.permissions(), None).await.unwrap();
    // A frozen clock: no token comes back during the burst, however slow the machine.
    let now = Arc::new(AtomicI64::new(1_000_000));
    let n = now.clone();
    let rl = RateLimiter::memory(RateSettings::ARGOVIS, RateSettings { capacity: 3, refill_ms: 800 })
        .with_clock(Arc::new(move || n.load(Ordering::SeqCst)));
    let cfg = AuthConfig { rate: Some(Arc::new(rl)), ..config(false) };
    let app = router(AppState::new(store.clone()).with_auth(cfg));
    let req = |key: Option<&str>| {
        let mut r = Request::get("/api/platforms");
        if let Some(k) = key {
            r = r.header("x-api-key", k);
        }
        r.body(Body::empty()).unwrap()
    };
    let mut statuses = Vec::new();
    for i in 0..150 {
        let (s, h, body) = send(&app, req(Some(&key))).await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(h["retry-after"], "1", "request {i}");
            assert_eq!(body["code"], "too_many_requests");
            assert!(body["message"].as_str().unwrap().contains("retry in 1 s"), "{body}");
        } else {
            assert_eq!(s, StatusCode::OK, "request {i}");
            assert_eq!(h["x-ratelimit-remaining"], (99 - i).to_string());
        }
        statuses.push(s);
    }
    assert!(statuses[..100].iter().all(|s| *s == StatusCode::OK));
    assert!(statuses[100..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    // Probes are free; anonymous callers have their own (here 3-token) bucket.
    assert_eq!(
        send(&app, Request::get("/health").header("x-api-key", &key).body(Body::empty()).unwrap()).await.0,
        StatusCode::OK
    );
    let anon: Vec<StatusCode> =
        futures_util::future::join_all((0..4).map(|_| send(&app, req(None)))).await.into_iter().map(|r| r.0).collect();
    assert_eq!(anon.iter().filter(|s| **s == StatusCode::OK).count(), 3, "{anon:?}");
    // 800 ms later one token is back.
    now.fetch_add(800, Ordering::SeqCst);
    assert_eq!(send(&app, req(Some(&key))).await.0, StatusCode::OK);
    assert_eq!(send(&app, req(Some(&key))).await.0, StatusCode::TOO_MANY_REQUESTS);
}

fn json_post(uri: &str, body: Value, token: Option<&str>) -> Request<Body> {
    let mut r = Request::post(uri).header("content-type", "application/json");
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    r.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn login_refresh_logout_keys_and_the_audit_log() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    accounts::create_user(&*store, None, "root", "first admin password", "admin").await.unwrap();
    let again = accounts::create_user(&*store, None, "root", "again and again", "admin").await.unwrap_err();
    assert!(again.to_string().contains("exists"), "{again}");
    let app = router(AppState::new(store.clone()).with_auth(config(false)));

    let (s, _, body) = send(
        &app,
        json_post("/api/auth/login", serde_json::json!({"username": "root", "password": "wrong password"}), None),
    )
    .await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (s, _, body) = send(
        &app,
        json_post("/api/auth/login", serde_json::json!({"username": "ghost", "password": "whatever1"}), None),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    let (s, _, tokens) = send(
        &app,
        json_post("/api/auth/login", serde_json::json!({"username": "root", "password": "first admin password"}), None),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{tokens}");
    assert_eq!((tokens["token_type"].as_str(), tokens["expires_in"].as_i64()), (Some("Bearer"), Some(1800)));
    assert_eq!(tokens["refresh_expires_in"], 30 * 86_400);
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();

    let me =
        Request::get("/api/auth/me").header("authorization", format!("Bearer {access}")).body(Body::empty()).unwrap();
    let (s, _, me) = send(&app, me).await;
    assert_eq!((s, me["kind"].as_str(), me["role"].as_str()), (StatusCode::OK, Some("user"), Some("admin")));
    assert_eq!(me["permissions"].as_array().unwrap().len(), 5);

    // Refresh rotates; the old refresh token is dead, and reusing it kills the new one too.
    let (s, _, pair) =
        send(&app, json_post("/api/auth/refresh", serde_json::json!({"refresh_token": refresh}), None)).await;
    assert_eq!(s, StatusCode::OK, "{pair}");
    let refresh2 = pair["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(refresh2, refresh);
    let (s, _, _) =
        send(&app, json_post("/api/auth/refresh", serde_json::json!({"refresh_token": refresh}), None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) =
        send(&app, json_post("/api/auth/refresh", serde_json::json!({"refresh_token": refresh2}), None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // An access token is not a refresh token.
    let (s, _, _) =
        send(&app, json_post("/api/auth/refresh", serde_json::json!({"refresh_token": access}), None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Logout revokes the refresh token.
    let (_, _, t3) = send(
        &app,
        json_post("/api/auth/login", serde_json::json!({"username": "root", "password": "first admin password"}), None),
    )
    .await;
    let r3 = t3["refresh_token"].as_str().unwrap().to_string();
    let (s, _, _) = send(&app, json_post("/api/auth/logout", serde_json::json!({"refresh_token": r3}), None)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, _) = send(&app, json_post("/api/auth/refresh", serde_json::json!({"refresh_token": r3}), None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Admin API: a user, a role change, a key that ingests until revoked.
    let (s, _, u) = send(
        &app,
        json_post(
            "/api/admin/users",
            serde_json::json!({"name": "rita", "password": "rita's password", "role": "guest"}),
            Some(&access),
        ),
    )
    .await;
    assert_eq!((s, u["role"].as_str()), (StatusCode::CREATED, Some("guest")));
    let (s, _, body) = send(
        &app,
        json_post(
            "/api/admin/users",
            serde_json::json!({"name": "bad name!", "password": "xxxxxxxxxx", "role": "guest"}),
            Some(&access),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let patch = Request::patch("/api/admin/users/rita")
        .header("authorization", format!("Bearer {access}"))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"role":"researcher"}"#))
        .unwrap();
    let (s, _, u) = send(&app, patch).await;
    assert_eq!((s, u["role"].as_str()), (StatusCode::OK, Some("researcher")));
    let (s, _, k) = send(
        &app,
        json_post(
            "/api/admin/keys",
            serde_json::json!({"name": "buoy feed", "permissions": ["ingest"]}),
            Some(&access),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    let key = k["key"].as_str().unwrap().to_string();
    let key_id = k["id"].as_str().unwrap().to_string();
    assert_eq!(k["owner"], "user:root");
    let obs = serde_json::json!([{"location_id": "REEF9", "timestamp": "2024-01-01T00:00:00Z", "value": 28.1, "variable": "sea_surface_temperature"}]);
    let ingest = |key: &str| {
        Request::post("/api/observations/ingest/")
            .header("x-api-key", key)
            .header("content-type", "application/json")
            .body(Body::from(obs.to_string()))
            .unwrap()
    };
    let (s, _, body) = send(&app, ingest(&key)).await;
    assert_eq!((s, body["stored"].as_u64()), (StatusCode::OK, Some(1)));
    let del = Request::delete(format!("/api/admin/keys/{key_id}"))
        .header("authorization", format!("Bearer {access}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, del).await.0, StatusCode::NO_CONTENT);
    let (s, _, body) = send(&app, ingest(&key)).await;
    assert_eq!((s, body["message"].as_str()), (StatusCode::UNAUTHORIZED, Some("this API key has been revoked")));
    let (_, _, keys) = send(
        &app,
        Request::get("/api/admin/keys")
            .header("authorization", format!("Bearer {access}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(keys[0]["revoked_at"].is_string() && keys[0].get("key").is_none() && keys[0].get("key_hash").is_none());

    // The audit log, newest first.
    let audit = Request::get("/api/admin/audit?limit=50")
        .header("authorization", format!("Bearer {access}"))
        .body(Body::empty())
        .unwrap();
    let (s, _, log) = send(&app, audit).await;
    assert_eq!(s, StatusCode::OK);
    let lines: Vec<String> = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| {
            format!(
                "{} {} {} {}",
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
                e["target"].as_str().unwrap_or("-"),
                e["actor"].as_str().unwrap_or("-")
            )
        })
        .collect();
    let expected = [
        // The bootstrap user, created as the CLI does (the account service audits it).
        "user_created ok root cli".to_string(),
        "login failed root -".into(),
        "login failed ghost -".into(),
        "login ok root user:root".into(),
        "refresh denied root -".into(),
        "refresh denied root -".into(),
        "login ok root user:root".into(),
        "logout ok root -".into(),
        "refresh denied root -".into(),
        "user_created ok rita user:root".into(),
        "role_changed ok rita user:root".into(),
        format!("key_created ok {key_id} user:root"),
    ];
    assert_eq!(lines[..expected.len()], expected);
    assert!(
        lines[expected.len()].starts_with("ingest ok api:")
            && lines[expected.len()].ends_with(&format!("key:{key_id}")),
        "{lines:?}"
    );
    assert_eq!(lines[expected.len() + 1], format!("key_revoked ok {key_id} user:root"));
    assert_eq!(log[0]["detail"], "");
    assert!(log.as_array().unwrap().iter().any(|e| e["detail"] == "wrong password"));
}

#[tokio::test]
async fn responses_carry_request_ids_and_security_headers_and_bodies_are_limited() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let cfg =
        AuthConfig { max_body_bytes: 64, cors_origins: vec!["https://ocean.example.org".into()], ..config(false) };
    let app = router(AppState::new(store).with_ingest_key(Some("k".into())).with_auth(cfg));
    let (s, h, _) =
        send(&app, Request::get("/api/platforms").header("x-request-id", "abc-123").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["x-request-id"], "abc-123");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["content-security-policy"], super::layers::CSP_DATA);
    let (_, h, _) = send(
        &app,
        Request::get("/api/platforms").header("x-request-id", "bad id with spaces").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(h["x-request-id"].len(), 16);
    let (_, h, _) = send(&app, Request::get("/").body(Body::empty()).unwrap()).await;
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
    // CORS: the listed origin only.
    let pre = |origin: &str| {
        Request::options("/api/platforms")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .body(Body::empty())
            .unwrap()
    };
    let (_, h, _) = send(&app, pre("https://ocean.example.org")).await;
    assert_eq!(h["access-control-allow-origin"], "https://ocean.example.org");
    let (_, h, _) = send(&app, pre("https://evil.example.com")).await;
    assert!(h.get("access-control-allow-origin").is_none());
    // Body limit: 413 with the API's error body, before the handler (and before auth) runs.
    let big = format!("[{}]", vec!["{}"; 40].join(","));
    let req = Request::post("/api/observations/ingest/")
        .header("authorization", "Bearer k")
        .header("content-type", "application/json")
        .header("content-length", big.len())
        .body(Body::from(big))
        .unwrap();
    let (s, _, body) = send(&app, req).await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")));
}
