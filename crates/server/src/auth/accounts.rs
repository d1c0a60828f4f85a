//! The account service: users (create, role, disabled flag, password), API keys (permissions from a
//! role or a list, create, revoke) and the audit log every change is appended to. The HTTP handlers
//! (`/api/admin/*`) and the CLI (`halocline users|keys`) both call these; neither builds accounts itself.

use chrono::Utc;
use model::ErrorCode;
use store::{ApiKeyRecord, AuditEntry, Store, StoreError, UserRecord};

use super::credentials;
use super::{Permission, Principal, Role};

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A malformed name, role, permission list or password, or a name already taken.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccountError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AccountError::BadRequest(_) => ErrorCode::BadRequest,
            AccountError::NotFound(_) => ErrorCode::NotFound,
            AccountError::Internal(_) => ErrorCode::Internal,
            AccountError::Store(e) => e.code(),
        }
    }
}

/// Who asks for a change: a request's principal, address and request id; `None` is the CLI.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// Appends to the audit log; a failure to write is logged, not returned (the action already happened).
pub async fn audit(
    store: &dyn Store,
    caller: Option<&Caller>,
    action: &str,
    target: Option<&str>,
    outcome: &str,
    detail: String,
) {
    let actor = caller.map_or(Some("cli".to_string()), |c| c.principal.actor());
    let e = AuditEntry {
        id: 0,
        at: Utc::now(),
        actor,
        action: action.into(),
        target: target.map(str::to_string),
        outcome: outcome.into(),
        detail,
        ip: caller.and_then(|c| c.ip.clone()),
        request_id: caller.and_then(|c| c.request_id.clone()),
    };
    tracing::info!(action, subject = target, outcome, actor = e.actor.as_deref(), "audit");
    if let Err(err) = store.append_audit(&e).await {
        tracing::error!(error = %err, action, "cannot write the audit log");
    }
}

/// A user name: 1–64 of letters, digits and `_ . @ -`.
pub fn check_name(name: &str) -> Result<(), AccountError> {
    if name.is_empty() || name.len() > 64 || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.@-".contains(&b)) {
        return Err(AccountError::BadRequest(format!("user name {name:?}: use 1-64 letters, digits, _ . @ -")));
    }
    Ok(())
}

fn role(s: &str) -> Result<Role, AccountError> {
    Role::parse_or_err(s).map_err(AccountError::BadRequest)
}

/// The argon2 hash of a new password, on the blocking pool (a short password is a `BadRequest`).
async fn hash(password: &str) -> Result<String, AccountError> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || credentials::hash_password(&pw))
        .await
        .map_err(|e| AccountError::Internal(e.to_string()))?
        .map_err(AccountError::BadRequest)
}

/// Creates a user (refuses an existing name) and audits it.
pub async fn create_user(
    store: &dyn Store,
    caller: Option<&Caller>,
    name: &str,
    password: &str,
    role_name: &str,
) -> Result<UserRecord, AccountError> {
    check_name(name)?;
    let role = role(role_name)?;
    if store.user_by_name(name).await?.is_some() {
        return Err(AccountError::BadRequest(format!("user {name:?} exists")));
    }
    let hash = hash(password).await?;
    let u = store.put_user(name, &hash, role.as_str()).await?;
    audit(store, caller, "user_created", Some(&u.name), "ok", format!("role {}", u.role)).await;
    Ok(u)
}

/// Role, disabled flag and password changes, each with its audit entry. Disabling a user or changing
/// the password revokes the user's refresh tokens.
pub async fn update_user(
    store: &dyn Store,
    caller: Option<&Caller>,
    name: &str,
    role_name: Option<&str>,
    disabled: Option<bool>,
    password: Option<&str>,
) -> Result<UserRecord, AccountError> {
    let role = role_name.map(role).transpose()?;
    let no_user = || AccountError::NotFound(format!("no user {name:?}"));
    let before = store.user_by_name(name).await?.ok_or_else(no_user)?;
    if let Some(pw) = password {
        let hash = hash(pw).await?;
        store.put_user(name, &hash, &before.role).await?;
        store.revoke_user_refresh_tokens(before.id, Utc::now()).await?;
        audit(store, caller, "password_changed", Some(name), "ok", String::new()).await;
    }
    let after = store.update_user(name, role.map(Role::as_str), disabled).await?.ok_or_else(no_user)?;
    if after.role != before.role {
        audit(store, caller, "role_changed", Some(name), "ok", format!("{} -> {}", before.role, after.role)).await;
    }
    if after.disabled != before.disabled {
        if after.disabled {
            store.revoke_user_refresh_tokens(after.id, Utc::now()).await?;
        }
        let action = if after.disabled { "user_disabled" } else { "user_enabled" };
        audit(store, caller, action, Some(name), "ok", String::new()).await;
    }
    Ok(after)
}

/// The permissions a new key gets from a role or a list (exactly one of them).
pub fn key_permissions(role_name: Option<&str>, list: Option<&[String]>) -> Result<Vec<Permission>, AccountError> {
    match (role_name, list) {
        (Some(r), None) => Ok(role(r)?.permissions().to_vec()),
        (None, Some(l)) => {
            let p = Permission::parse_list(&l.join(",")).map_err(AccountError::BadRequest)?;
            if p.is_empty() { Err(AccountError::BadRequest("give at least one permission".into())) } else { Ok(p) }
        }
        _ => Err(AccountError::BadRequest("give either a role or a list of permissions".into())),
    }
}

/// Makes, stores and audits a key owned by `owner`; returns the record and the key (to show once).
pub async fn create_key(
    store: &dyn Store,
    caller: Option<&Caller>,
    name: &str,
    permissions: &[Permission],
    owner: Option<&str>,
) -> Result<(ApiKeyRecord, String), AccountError> {
    if name.trim().is_empty() || name.len() > 200 {
        return Err(AccountError::BadRequest("a key needs a name of 1-200 characters".into()));
    }
    let (id, key) = credentials::new_api_key();
    let rec = ApiKeyRecord {
        id,
        name: name.trim().to_string(),
        key_hash: credentials::key_hash(&key),
        permissions: permissions.iter().map(|p| p.as_str().to_string()).collect(),
        owner: owner.map(str::to_string),
        created_at: Utc::now(),
        revoked_at: None,
    };
    store.put_api_key(&rec).await?;
    audit(store, caller, "key_created", Some(&rec.id), "ok", format!("{} [{}]", rec.name, rec.permissions.join(",")))
        .await;
    Ok((rec, key))
}

/// Revokes an active key and audits it.
pub async fn revoke_key(store: &dyn Store, caller: Option<&Caller>, id: &str) -> Result<(), AccountError> {
    if !store.revoke_api_key(id, Utc::now()).await? {
        return Err(AccountError::NotFound(format!("no active API key {id:?}")));
    }
    audit(store, caller, "key_revoked", Some(id), "ok", String::new()).await;
    Ok(())
}
