//! The guard: one middleware on every matched route. It finds the route's rule (`policy`), works out
//! the caller (`Principal`) from `X-API-Key` or `Authorization: Bearer` (an API key, the configured
//! ingest key, or a JWT access token), refuses with 401 (no or bad credentials) or 403 (not allowed),
//! then takes the request's cost from the caller's token bucket (429 with `Retry-After` when empty).
//! Refusals are `ApiError`s, answered by the one error path (`error.rs`).

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::credentials::{self, TokenError};
use super::policy::{self, Access};
use super::{ClientIp, Principal, Role};
use crate::{ApiError, AppState};

fn unauthorized(message: impl Into<String>) -> Response {
    ApiError::unauthorized(message).into_response()
}

/// The credential a request presents, if any.
fn presented(headers: &HeaderMap) -> Result<Option<String>, &'static str> {
    if let Some(v) = headers.get("x-api-key") {
        let v = v.to_str().map_err(|_| "X-API-Key is not text")?.trim();
        return Ok((!v.is_empty()).then(|| v.to_string()));
    }
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        let v = v.to_str().map_err(|_| "Authorization is not text")?.trim();
        let token = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
            .ok_or("Authorization must be 'Bearer <token or API key>'")?;
        return Ok(Some(token.trim().to_string()));
    }
    Ok(None)
}

/// Who presents `credential`: an API key, the configured ingest key, or a user's access token.
pub async fn authenticate(state: &AppState, credential: &str) -> Result<Principal, Box<Response>> {
    authenticate_inner(state, credential).await.map_err(Box::new)
}

async fn authenticate_inner(state: &AppState, credential: &str) -> Result<Principal, Response> {
    let is_jwt = !credentials::is_api_key(credential) && credential.split('.').count() == 3;
    if !is_jwt {
        if let Some(env_key) = &state.ingest_key {
            // compare digests: equal-length, so the comparison leaks nothing about the key
            let (a, b) = (Sha256::digest(env_key.as_bytes()), Sha256::digest(credential.as_bytes()));
            if a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0 {
                return Ok(Principal::Key {
                    id: "env".into(),
                    name: "HALOCLINE_INGEST_KEY".into(),
                    permissions: vec![super::Permission::Ingest],
                });
            }
        }
        let rec = state
            .store
            .api_key_by_hash(&credentials::key_hash(credential))
            .await
            .map_err(|e| ApiError::from(e).into_response())?;
        return match rec {
            Some(k) if k.revoked_at.is_none() => Ok(Principal::Key {
                id: k.id,
                name: k.name,
                permissions: k.permissions.iter().filter_map(|p| super::Permission::parse(p)).collect(),
            }),
            Some(_) => Err(unauthorized("this API key has been revoked")),
            None => Err(unauthorized("unknown API key")),
        };
    }
    let claims = state.auth.credentials.verify(credential, "access").map_err(|e| match e {
        TokenError::Expired => unauthorized("the access token has expired: refresh it at /api/auth/refresh"),
        other => unauthorized(other.to_string()),
    })?;
    let user = state.store.user_by_id(claims.uid).await.map_err(|e| ApiError::from(e).into_response())?;
    match user {
        Some(u) if !u.disabled && u.name == claims.sub => match Role::parse(&u.role) {
            Some(role) => Ok(Principal::User { id: u.id, name: u.name, role }),
            None => Err(ApiError::forbidden(format!("unknown stored role {:?}", u.role)).into_response()),
        },
        Some(u) if u.disabled => Err(unauthorized("this account is disabled")),
        _ => Err(unauthorized("the token's user does not exist")),
    }
}

/// The middleware (`route_layer` over every route).
pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_default();
    let rule = match policy::rule(req.method(), &path) {
        Some(r) => *r,
        None => {
            tracing::warn!(route = %path, method = %req.method(), "route has no access rule in auth/policy.rs; using the default");
            policy::default_rule(req.method())
        }
    };
    let ip = req.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    req.extensions_mut().insert(ClientIp(ip));

    let principal = if rule.access == Access::Public {
        Principal::Anonymous
    } else {
        match presented(req.headers()) {
            Err(why) => return unauthorized(why),
            Ok(None) => Principal::Anonymous,
            Ok(Some(c)) => match authenticate(&state, &c).await {
                Ok(p) => p,
                Err(resp) => return *resp,
            },
        }
    };
    let needed = match rule.access {
        Access::Public => None,
        Access::Authenticated => {
            if principal == Principal::Anonymous {
                return unauthorized("this route needs a credential: a bearer token or an API key");
            }
            None
        }
        Access::Read(p) if state.auth.protect_reads => Some(policy::escalate(&rule, req.uri()).unwrap_or(p)),
        Access::Read(_) => None,
        Access::Requires(p) => Some(p),
    };
    if let Some(p) = needed {
        if principal == Principal::Anonymous {
            return unauthorized(format!("this route needs the {} permission: log in or send an API key", p.as_str()));
        }
        if !principal.can(p) {
            return ApiError::forbidden(format!("this route needs the {} permission", p.as_str())).into_response();
        }
    }

    let mut remaining = None;
    if let Some(rl) = &state.auth.rate {
        let cost = policy::cost(&rule, req.uri());
        if cost > 0 {
            let (bucket, anonymous) = match &principal {
                Principal::Anonymous => (format!("ip:{}", ip.map_or("unknown".to_string(), |i| i.to_string())), true),
                Principal::User { id, .. } => (format!("user:{id}"), false),
                Principal::Key { id, .. } => (format!("key:{id}"), false),
            };
            match rl.take(&bucket, anonymous, cost).await {
                Ok(d) if d.allowed => remaining = Some((d.remaining, if anonymous { rl.anonymous } else { rl.keyed })),
                Ok(d) => {
                    let secs = d.retry_after_ms.div_ceil(1000).max(1);
                    let message = format!("rate limit: this request costs {cost} tokens; retry in {secs} s");
                    return ApiError::too_many_requests(message, secs).into_response();
                }
                Err(e) => tracing::error!(error = %e, "rate limiter unavailable; request let through"),
            }
        }
    }
    req.extensions_mut().insert(principal);
    let mut resp = next.run(req).await;
    if let Some((left, s)) = remaining {
        resp.headers_mut().insert("x-ratelimit-limit", HeaderValue::from(s.capacity));
        resp.headers_mut().insert("x-ratelimit-remaining", HeaderValue::from(left));
    }
    resp
}
