//! `/api/auth/*` (login, refresh, logout, me) and `/api/admin/*` (users, keys, audit log): thin
//! handlers over the account service (`accounts`), which the CLI calls too. Every auth event and
//! administrative change is appended to the audit log.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use store::{RefreshTokenRecord, UserRecord};

use super::accounts::{self, Caller, audit};
use super::credentials::{self, TokenError};
use super::{ClientIp, Permission, Principal, RequestId, Role};
use crate::api::wire::{
    AuditOut, KeyOut, LoginIn, MeOut, NewKeyIn, NewKeyOut, NewUserIn, RefreshIn, TokensOut, UserOut, UserPatchIn,
};
use crate::{ApiError, AppState, ErrorBody};

/// The caller of a handler: principal (from the guard), address and request id.
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Caller, Self::Rejection> {
        Ok(Caller {
            principal: parts.extensions.get::<Principal>().cloned().unwrap_or(Principal::Anonymous),
            ip: parts.extensions.get::<ClientIp>().and_then(|c| c.0).map(|i| i.to_string()),
            request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()),
        })
    }
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t).map_err(|e| ApiError::bad_request(e.body_text()))
}

fn unauthorized(m: impl Into<String>) -> Response {
    ApiError::unauthorized(m).into_response()
}

// ---- shapes ----

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// At most this many entries (1-1000, default 100).
    pub limit: Option<String>,
    /// Entries with an id below this (paging back).
    pub before: Option<String>,
}

fn permission_names(ps: &[Permission]) -> Vec<&'static str> {
    ps.iter().map(|p| p.as_str()).collect()
}

// ---- /api/auth ----

/// A dummy hash to verify against when the user does not exist (the answer takes as long).
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| credentials::hash_password("not a real password").unwrap_or_default())
}

async fn issue(state: &AppState, u: &UserRecord) -> Result<TokensOut, ApiError> {
    let now = Utc::now();
    let c = &state.auth.credentials;
    let internal = ApiError::internal;
    let (access, ac) = c.access_token(u.id, &u.name, &u.role, now).map_err(internal)?;
    let (refresh, rc) = c.refresh_token(u.id, &u.name, &u.role, now).map_err(internal)?;
    state
        .store
        .put_refresh_token(&RefreshTokenRecord {
            jti: rc.jti.clone(),
            user_id: u.id,
            issued_at: now,
            expires_at: DateTime::<Utc>::from_timestamp(rc.exp, 0).unwrap_or(now),
            revoked_at: None,
        })
        .await?;
    Ok(TokensOut {
        access_token: access,
        token_type: "Bearer",
        expires_in: ac.exp - ac.iat,
        refresh_token: refresh,
        refresh_expires_in: rc.exp - rc.iat,
        user: UserOut::from(u),
    })
}

/// Exchanges a user name and password for an access token (30 minutes) and a refresh token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginIn, responses((status = 200, body = TokensOut), (status = 400, description = "malformed body", body = ErrorBody), (status = 401, description = "wrong user name or password", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<LoginIn>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let user = state.store.user_by_name(&b.username).await?;
    let hash = user.as_ref().map_or_else(|| dummy_hash().to_string(), |u| u.password_hash.clone());
    let pw = b.password.clone();
    let ok = tokio::task::spawn_blocking(move || credentials::verify_password(&pw, &hash)).await.unwrap_or(false);
    let store = &*state.store;
    match user {
        Some(u) if ok && !u.disabled => {
            let out = issue(&state, &u).await?;
            let c = Caller {
                principal: Principal::User {
                    id: u.id,
                    name: u.name.clone(),
                    role: Role::parse(&u.role).unwrap_or(Role::Guest),
                },
                ..caller
            };
            audit(store, Some(&c), "login", Some(&u.name), "ok", String::new()).await;
            Ok(Json(out).into_response())
        }
        u => {
            let why = match u {
                None => "no such user",
                Some(u) if u.disabled => "account disabled",
                _ => "wrong password",
            };
            audit(store, Some(&caller), "login", Some(&b.username), "failed", why.into()).await;
            Ok(unauthorized("wrong user name or password, or the account is disabled"))
        }
    }
}

/// Exchanges a refresh token for a new pair; the old refresh token stops working (reusing it revokes
/// every refresh token of the user).
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshIn, responses((status = 200, body = TokensOut), (status = 400, description = "malformed body", body = ErrorBody), (status = 401, description = "expired, revoked or invalid refresh token", body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<RefreshIn>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let claims = match state.auth.credentials.verify(&b.refresh_token, "refresh") {
        Ok(c) => c,
        Err(TokenError::Expired) => return Ok(unauthorized("the refresh token has expired: log in again")),
        Err(e) => return Ok(unauthorized(e.to_string())),
    };
    let store = &*state.store;
    let now = Utc::now();
    let Some(rec) = store.refresh_token(&claims.jti).await? else {
        return Ok(unauthorized("unknown refresh token"));
    };
    if !store.revoke_refresh_token(&rec.jti, now).await? {
        let n = store.revoke_user_refresh_tokens(rec.user_id, now).await?;
        audit(
            store,
            Some(&caller),
            "refresh",
            Some(&claims.sub),
            "denied",
            format!("reused refresh token; revoked {n} more"),
        )
        .await;
        return Ok(unauthorized("this refresh token was already used or revoked"));
    }
    match store.user_by_id(rec.user_id).await? {
        Some(u) if !u.disabled => Ok(Json(issue(&state, &u).await?).into_response()),
        _ => Ok(unauthorized("the account is disabled or gone")),
    }
}

/// Revokes a refresh token (the access token expires on its own within 30 minutes).
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshIn, responses((status = 204, description = "revoked"), (status = 400, description = "malformed body", body = ErrorBody), (status = 401, description = "invalid refresh token", body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<RefreshIn>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let claims = match state.auth.credentials.verify(&b.refresh_token, "refresh") {
        Ok(c) => c,
        Err(TokenError::Expired) => return Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => return Ok(unauthorized(e.to_string())),
    };
    let revoked = state.store.revoke_refresh_token(&claims.jti, Utc::now()).await?;
    audit(
        &*state.store,
        Some(&caller),
        "logout",
        Some(&claims.sub),
        "ok",
        if revoked { String::new() } else { "already revoked".into() },
    )
    .await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Who the credential belongs to and what it may do.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = MeOut), (status = 401, description = "no or bad credential", body = ErrorBody)))]
pub async fn me(caller: Caller) -> Json<MeOut> {
    Json(match caller.principal {
        Principal::User { name, role, .. } => MeOut {
            kind: "user",
            name,
            role: Some(role.as_str().into()),
            permissions: permission_names(role.permissions()),
        },
        Principal::Key { name, permissions, .. } => {
            MeOut { kind: "api_key", name, role: None, permissions: permission_names(&permissions) }
        }
        Principal::Anonymous => MeOut { kind: "anonymous", name: String::new(), role: None, permissions: Vec::new() },
    })
}

// ---- /api/admin ----

/// Every user.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = Vec<UserOut>), (status = 401, body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn list_users(State(state): State<AppState>) -> Result<Json<Vec<UserOut>>, ApiError> {
    Ok(Json(state.store.users().await?.iter().map(UserOut::from).collect()))
}

/// Creates a user.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", request_body = NewUserIn, security(("bearer" = []), ("api_key" = [])), responses((status = 201, body = UserOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<NewUserIn>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let u = accounts::create_user(&*state.store, Some(&caller), &b.name, &b.password, &b.role).await?;
    Ok((StatusCode::CREATED, Json(UserOut::from(&u))).into_response())
}

/// Changes a user's role, disabled flag or password. Disabling revokes the user's refresh tokens.
#[utoipa::path(patch, path = "/api/admin/users/{name}", tag = "admin", params(("name" = String, Path, description = "user name")), request_body = UserPatchIn, security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = UserOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn patch_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    b: Result<Json<UserPatchIn>, JsonRejection>,
) -> Result<Json<UserOut>, ApiError> {
    let b = body(b)?;
    let store = &*state.store;
    let u = accounts::update_user(store, Some(&caller), &name, b.role.as_deref(), b.disabled, b.password.as_deref())
        .await?;
    Ok(Json(UserOut::from(&u)))
}

/// Every API key (never the keys themselves).
#[utoipa::path(get, path = "/api/admin/keys", tag = "admin", security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = Vec<KeyOut>), (status = 401, body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn list_keys(State(state): State<AppState>) -> Result<Json<Vec<KeyOut>>, ApiError> {
    Ok(Json(state.store.api_keys().await?.iter().map(KeyOut::from).collect()))
}

/// Creates an API key; the answer shows the key once.
#[utoipa::path(post, path = "/api/admin/keys", tag = "admin", request_body = NewKeyIn, security(("bearer" = []), ("api_key" = [])), responses((status = 201, body = NewKeyOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn add_key(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<NewKeyIn>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(b)?;
    let perms = accounts::key_permissions(b.role.as_deref(), b.permissions.as_deref())?;
    let owner = caller.principal.actor();
    let (rec, key) = accounts::create_key(&*state.store, Some(&caller), &b.name, &perms, owner.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(NewKeyOut { key, info: KeyOut::from(&rec) })).into_response())
}

/// Revokes an API key.
#[utoipa::path(delete, path = "/api/admin/keys/{id}", tag = "admin", params(("id" = String, Path, description = "key id (8 hex digits)")), security(("bearer" = []), ("api_key" = [])), responses((status = 204, description = "revoked"), (status = 401, body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody), (status = 404, description = "no such active key", body = ErrorBody)))]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    accounts::revoke_key(&*state.store, Some(&caller), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", params(AuditParams), security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = Vec<AuditOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn audit_log(
    State(state): State<AppState>,
    q: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Json<Vec<AuditOut>>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = match &q.limit {
        None => 100,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| ApiError::bad_request(format!("limit {s:?} is not an integer in 1..=1000")))?,
    };
    let before = q
        .before
        .as_deref()
        .map(|s| s.parse::<i64>().map_err(|_| ApiError::bad_request(format!("before {s:?} is not an integer"))))
        .transpose()?;
    let log = state.store.audit_log(limit, before).await?;
    Ok(Json(
        log.into_iter()
            .map(|e| AuditOut {
                id: e.id,
                at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                actor: e.actor,
                action: e.action,
                target: e.target,
                outcome: e.outcome,
                detail: e.detail,
                ip: e.ip,
                request_id: e.request_id,
            })
            .collect(),
    ))
}

/// The `/api/auth` and `/api/admin` routes.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{delete, get, patch, post};
    axum::Router::new()
        .route("/api/auth/login", post(login))
        .route("/api/auth/refresh", post(refresh))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
        .route("/api/admin/users", get(list_users).post(add_user))
        .route("/api/admin/users/{name}", patch(patch_user))
        .route("/api/admin/keys", get(list_keys).post(add_key))
        .route("/api/admin/keys/{id}", delete(revoke_key))
        .route("/api/admin/audit", get(audit_log))
}
