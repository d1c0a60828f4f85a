//! The accounts' SQL for both backends (`AuthStore`): users, API keys, refresh tokens, the audit log.

use crate::auth::{ApiKeyRecord, AuditEntry, RefreshTokenRecord, UserRecord};
use crate::error::StoreError;

/// `users`: id, name, password_hash, role, disabled, created_at.
pub(crate) type UserRow = (i64, String, String, String, bool, i64);
/// `api_keys`: id, name, key_hash, permissions, owner, created_at, revoked_at.
pub(crate) type KeyRow = (String, String, String, String, Option<String>, i64, Option<i64>);
/// `refresh_tokens`: jti, user_id, issued_at, expires_at, revoked_at.
pub(crate) type TokenRow = (String, i64, i64, i64, Option<i64>);
/// `audit_log`: id, at_ms, actor, action, target, outcome, detail, ip, request_id.
pub(crate) type AuditRow =
    (i64, i64, Option<String>, String, Option<String>, String, String, Option<String>, Option<String>);

fn secs(t: i64, what: &str) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    chrono::DateTime::from_timestamp(t, 0).ok_or_else(|| StoreError::Corrupt(format!("{what} time {t}")))
}

pub(crate) fn user_of(
    (id, name, password_hash, role, disabled, created_at): UserRow,
) -> Result<UserRecord, StoreError> {
    Ok(UserRecord { id, name, password_hash, role, disabled, created_at: secs(created_at, "user")? })
}

pub(crate) fn key_of(
    (id, name, key_hash, permissions, owner, created_at, revoked_at): KeyRow,
) -> Result<ApiKeyRecord, StoreError> {
    Ok(ApiKeyRecord {
        id,
        name,
        key_hash,
        permissions: permissions.split(',').filter(|p| !p.is_empty()).map(str::to_string).collect(),
        owner,
        created_at: secs(created_at, "api key")?,
        revoked_at: revoked_at.map(|t| secs(t, "api key")).transpose()?,
    })
}

pub(crate) fn token_of(
    (jti, user_id, issued_at, expires_at, revoked_at): TokenRow,
) -> Result<RefreshTokenRecord, StoreError> {
    Ok(RefreshTokenRecord {
        jti,
        user_id,
        issued_at: secs(issued_at, "refresh token")?,
        expires_at: secs(expires_at, "refresh token")?,
        revoked_at: revoked_at.map(|t| secs(t, "refresh token")).transpose()?,
    })
}

pub(crate) fn audit_of(r: AuditRow) -> Result<AuditEntry, StoreError> {
    let (id, at_ms, actor, action, target, outcome, detail, ip, request_id) = r;
    let at = chrono::DateTime::from_timestamp_millis(at_ms)
        .ok_or_else(|| StoreError::Corrupt(format!("audit time {at_ms}")))?;
    Ok(AuditEntry { id, at, actor, action, target, outcome, detail, ip, request_id })
}

pub(crate) fn limit_i64(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// `impl AuthStore for $store`: `reads` serves lookups of keys and lists, `writes` every write and the
/// reads a login or a token rotation makes right after one.
macro_rules! auth_store {
    ($store:ty, reads: $reads:ident, writes: $writes:ident) => {
        #[async_trait::async_trait]
        impl $crate::auth::AuthStore for $store {
            async fn put_user(
                &self,
                name: &str,
                password_hash: &str,
                role: &str,
            ) -> Result<$crate::auth::UserRecord, $crate::error::StoreError> {
                let r: $crate::queries::auth::UserRow = sqlx::query_as(
                    "INSERT INTO users (name, password_hash, role, disabled, created_at) VALUES ($1, $2, $3, false, $4)
                     ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role
                     RETURNING id, name, password_hash, role, disabled, created_at",
                )
                .bind(name)
                .bind(password_hash)
                .bind(role)
                .bind(chrono::Utc::now().timestamp())
                .fetch_one(&self.$writes)
                .await?;
                $crate::queries::auth::user_of(r)
            }

            async fn user_by_name(
                &self,
                name: &str,
            ) -> Result<Option<$crate::auth::UserRecord>, $crate::error::StoreError> {
                let r: Option<$crate::queries::auth::UserRow> = sqlx::query_as(
                    "SELECT id, name, password_hash, role, disabled, created_at FROM users WHERE name = $1",
                )
                .bind(name)
                .fetch_optional(&self.$writes)
                .await?;
                r.map($crate::queries::auth::user_of).transpose()
            }

            async fn user_by_id(&self, id: i64) -> Result<Option<$crate::auth::UserRecord>, $crate::error::StoreError> {
                let r: Option<$crate::queries::auth::UserRow> = sqlx::query_as(
                    "SELECT id, name, password_hash, role, disabled, created_at FROM users WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.$reads)
                .await?;
                r.map($crate::queries::auth::user_of).transpose()
            }

            async fn users(&self) -> Result<Vec<$crate::auth::UserRecord>, $crate::error::StoreError> {
                let rows: Vec<$crate::queries::auth::UserRow> = sqlx::query_as(
                    "SELECT id, name, password_hash, role, disabled, created_at FROM users ORDER BY name",
                )
                .fetch_all(&self.$reads)
                .await?;
                rows.into_iter().map($crate::queries::auth::user_of).collect()
            }

            async fn update_user(
                &self,
                name: &str,
                role: Option<&str>,
                disabled: Option<bool>,
            ) -> Result<Option<$crate::auth::UserRecord>, $crate::error::StoreError> {
                let r: Option<$crate::queries::auth::UserRow> = sqlx::query_as(
                    "UPDATE users SET role = coalesce($1, role), disabled = coalesce($2, disabled) WHERE name = $3
                     RETURNING id, name, password_hash, role, disabled, created_at",
                )
                .bind(role)
                .bind(disabled)
                .bind(name)
                .fetch_optional(&self.$writes)
                .await?;
                r.map($crate::queries::auth::user_of).transpose()
            }

            async fn put_api_key(&self, k: &$crate::auth::ApiKeyRecord) -> Result<(), $crate::error::StoreError> {
                sqlx::query(
                    "INSERT INTO api_keys (id, name, key_hash, permissions, owner, created_at, revoked_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, key_hash = excluded.key_hash,
                       permissions = excluded.permissions, owner = excluded.owner, revoked_at = excluded.revoked_at",
                )
                .bind(&k.id)
                .bind(&k.name)
                .bind(&k.key_hash)
                .bind(k.permissions.join(","))
                .bind(k.owner.as_deref())
                .bind(k.created_at.timestamp())
                .bind(k.revoked_at.map(|t| t.timestamp()))
                .execute(&self.$writes)
                .await?;
                Ok(())
            }

            async fn api_key_by_hash(
                &self,
                key_hash: &str,
            ) -> Result<Option<$crate::auth::ApiKeyRecord>, $crate::error::StoreError> {
                let r: Option<$crate::queries::auth::KeyRow> = sqlx::query_as(
                    "SELECT id, name, key_hash, permissions, owner, created_at, revoked_at FROM api_keys
                     WHERE key_hash = $1",
                )
                .bind(key_hash)
                .fetch_optional(&self.$reads)
                .await?;
                r.map($crate::queries::auth::key_of).transpose()
            }

            async fn api_keys(&self) -> Result<Vec<$crate::auth::ApiKeyRecord>, $crate::error::StoreError> {
                let rows: Vec<$crate::queries::auth::KeyRow> = sqlx::query_as(
                    "SELECT id, name, key_hash, permissions, owner, created_at, revoked_at FROM api_keys
                     ORDER BY created_at DESC, id",
                )
                .fetch_all(&self.$reads)
                .await?;
                rows.into_iter().map($crate::queries::auth::key_of).collect()
            }

            async fn revoke_api_key(
                &self,
                id: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::error::StoreError> {
                let r = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                    .bind(at.timestamp())
                    .bind(id)
                    .execute(&self.$writes)
                    .await?;
                Ok(r.rows_affected() == 1)
            }

            async fn put_refresh_token(
                &self,
                t: &$crate::auth::RefreshTokenRecord,
            ) -> Result<(), $crate::error::StoreError> {
                sqlx::query(
                    "INSERT INTO refresh_tokens (jti, user_id, issued_at, expires_at, revoked_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (jti) DO UPDATE SET expires_at = excluded.expires_at, revoked_at = excluded.revoked_at",
                )
                .bind(&t.jti)
                .bind(t.user_id)
                .bind(t.issued_at.timestamp())
                .bind(t.expires_at.timestamp())
                .bind(t.revoked_at.map(|t| t.timestamp()))
                .execute(&self.$writes)
                .await?;
                Ok(())
            }

            async fn refresh_token(
                &self,
                jti: &str,
            ) -> Result<Option<$crate::auth::RefreshTokenRecord>, $crate::error::StoreError> {
                let r: Option<$crate::queries::auth::TokenRow> = sqlx::query_as(
                    "SELECT jti, user_id, issued_at, expires_at, revoked_at FROM refresh_tokens WHERE jti = $1",
                )
                .bind(jti)
                .fetch_optional(&self.$writes)
                .await?;
                r.map($crate::queries::auth::token_of).transpose()
            }

            async fn revoke_refresh_token(
                &self,
                jti: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::error::StoreError> {
                let r = sqlx::query("UPDATE refresh_tokens SET revoked_at = $1 WHERE jti = $2 AND revoked_at IS NULL")
                    .bind(at.timestamp())
                    .bind(jti)
                    .execute(&self.$writes)
                    .await?;
                Ok(r.rows_affected() == 1)
            }

            async fn revoke_user_refresh_tokens(
                &self,
                user_id: i64,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::error::StoreError> {
                let r = sqlx::query(
                    "UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                )
                .bind(at.timestamp())
                .bind(user_id)
                .execute(&self.$writes)
                .await?;
                Ok(r.rows_affected())
            }

            async fn append_audit(&self, e: &$crate::auth::AuditEntry) -> Result<(), $crate::error::StoreError> {
                sqlx::query(
                    "INSERT INTO audit_log (at_ms, actor, action, target, outcome, detail, ip, request_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(e.at.timestamp_millis())
                .bind(e.actor.as_deref())
                .bind(&e.action)
                .bind(e.target.as_deref())
                .bind(&e.outcome)
                .bind(&e.detail)
                .bind(e.ip.as_deref())
                .bind(e.request_id.as_deref())
                .execute(&self.$writes)
                .await?;
                Ok(())
            }

            async fn audit_log(
                &self,
                limit: usize,
                before: Option<i64>,
            ) -> Result<Vec<$crate::auth::AuditEntry>, $crate::error::StoreError> {
                let rows: Vec<$crate::queries::auth::AuditRow> = sqlx::query_as(
                    "SELECT id, at_ms, actor, action, target, outcome, detail, ip, request_id FROM audit_log
                     WHERE id < $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(before.unwrap_or(i64::MAX))
                .bind($crate::queries::auth::limit_i64(limit))
                .fetch_all(&self.$writes)
                .await?;
                rows.into_iter().map($crate::queries::auth::audit_of).collect()
            }
        }
    };
}
pub(crate) use auth_store;
