//! Accounts and their trail: users (argon2 hashes made elsewhere; the store keeps text), API keys (only
//! their SHA-256), refresh tokens (by id, revocable) and the audit log. [`AuthStore`] is one of the
//! concerns of the `Store` trait (SQLite migration 6, PostgreSQL migration 5); its SQL, the same
//! for both backends, is `queries/auth.rs`. Times are whole seconds (the audit log keeps milliseconds).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StoreError;

/// A user account as stored. `role` is opaque text to the store (the server knows the roles).
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: i64,
    pub name: String,
    /// A PHC string (`$argon2id$...`).
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// An API key as stored: its public id, its SHA-256 (hex) and what it may do; never the key itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyRecord {
    /// Public, short, shown in listings and used to revoke (`hc_<id>_<secret>` carries it).
    pub id: String,
    pub name: String,
    pub key_hash: String,
    /// Permission names, as the server spells them.
    pub permissions: Vec<String>,
    /// The user who created it, or `cli` / `env`.
    pub owner: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A refresh token's server-side record: valid while unrevoked and unexpired.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshTokenRecord {
    pub jti: String,
    pub user_id: i64,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One line of the audit log (`id` is assigned by the store; 0 when appending).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    /// Millisecond precision.
    pub at: DateTime<Utc>,
    /// Who acted: `user:NAME`, `key:ID`, `cli`, or none (anonymous).
    pub actor: Option<String>,
    /// `login`, `logout`, `refresh`, `key_created`, `key_revoked`, `user_created`, `role_changed`,
    /// `user_disabled`, `user_enabled`, `ingest`, ...
    pub action: String,
    pub target: Option<String>,
    /// `ok`, `failed` or `denied`.
    pub outcome: String,
    pub detail: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// Storage of accounts, keys, refresh tokens and the audit log.
#[async_trait]
pub trait AuthStore: Send + Sync {
    /// Creates the user or, when the name exists, replaces its password hash and role (UPSERT on name).
    async fn put_user(&self, name: &str, password_hash: &str, role: &str) -> Result<UserRecord, StoreError>;
    async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError>;
    /// Every user, by name.
    async fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// Changes a user's role and/or disabled flag; `None` when there is no such user.
    async fn update_user(
        &self,
        name: &str,
        role: Option<&str>,
        disabled: Option<bool>,
    ) -> Result<Option<UserRecord>, StoreError>;
    /// Stores a key (UPSERT on id).
    async fn put_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError>;
    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError>;
    /// Every key, newest first.
    async fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;
    /// Revokes a key; `true` when it existed and was not revoked yet.
    async fn revoke_api_key(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError>;
    async fn put_refresh_token(&self, t: &RefreshTokenRecord) -> Result<(), StoreError>;
    async fn refresh_token(&self, jti: &str) -> Result<Option<RefreshTokenRecord>, StoreError>;
    /// Revokes a refresh token; `true` only for the one call that revoked it (so rotation can't be raced).
    async fn revoke_refresh_token(&self, jti: &str, at: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Revokes every live refresh token of a user; returns how many.
    async fn revoke_user_refresh_tokens(&self, user_id: i64, at: DateTime<Utc>) -> Result<u64, StoreError>;
    async fn append_audit(&self, e: &AuditEntry) -> Result<(), StoreError>;
    /// The newest `limit` entries with an id below `before` (all when `None`), newest first.
    async fn audit_log(&self, limit: usize, before: Option<i64>) -> Result<Vec<AuditEntry>, StoreError>;
}
