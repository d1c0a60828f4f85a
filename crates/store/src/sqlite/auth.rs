//! [`AuthStore`] on SQLite (tables of migration 6): users, API keys, refresh tokens, the audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::SqliteStore;
use crate::StoreError;
use crate::auth::{
    ApiKeyRecord, AuditEntry, AuthStore, RefreshTokenRecord, UserRecord, limit_i64, millis, secs, split_permissions,
};

const USER_COLS: &str = "id, name, password_hash, role, disabled, created_at";
const KEY_COLS: &str = "id, name, key_hash, permissions, owner, created_at, revoked_at";

fn user(r: &SqliteRow) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
        role: r.try_get("role")?,
        disabled: r.try_get("disabled")?,
        created_at: secs(r.try_get("created_at")?, "user")?,
    })
}

fn key(r: &SqliteRow) -> Result<ApiKeyRecord, StoreError> {
    let perms: String = r.try_get("permissions")?;
    let revoked: Option<i64> = r.try_get("revoked_at")?;
    Ok(ApiKeyRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        key_hash: r.try_get("key_hash")?,
        permissions: split_permissions(&perms),
        owner: r.try_get("owner")?,
        created_at: secs(r.try_get("created_at")?, "api key")?,
        revoked_at: revoked.map(|t| secs(t, "api key")).transpose()?,
    })
}

fn audit(r: &SqliteRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: r.try_get("id")?,
        at: millis(r.try_get("at_ms")?)?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        outcome: r.try_get("outcome")?,
        detail: r.try_get("detail")?,
        ip: r.try_get("ip")?,
        request_id: r.try_get("request_id")?,
    })
}

#[async_trait]
impl AuthStore for SqliteStore {
    async fn put_user(&self, name: &str, password_hash: &str, role: &str) -> Result<UserRecord, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO users (name, password_hash, role, disabled, created_at) VALUES (?, ?, ?, 0, ?)
             ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role
             RETURNING {USER_COLS}"
        )))
        .bind(name)
        .bind(password_hash)
        .bind(role)
        .bind(Utc::now().timestamp())
        .fetch_one(&self.writer)
        .await?;
        user(&r)
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE name = ?")))
            .bind(name)
            .fetch_optional(&self.writer)
            .await?;
        r.as_ref().map(user).transpose()
    }

    async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE id = ?")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref().map(user).transpose()
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users ORDER BY name")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user).collect()
    }

    async fn update_user(
        &self,
        name: &str,
        role: Option<&str>,
        disabled: Option<bool>,
    ) -> Result<Option<UserRecord>, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE users SET role = coalesce(?, role), disabled = coalesce(?, disabled) WHERE name = ?
             RETURNING {USER_COLS}"
        )))
        .bind(role)
        .bind(disabled)
        .bind(name)
        .fetch_optional(&self.writer)
        .await?;
        r.as_ref().map(user).transpose()
    }

    async fn put_api_key(&self, k: &ApiKeyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_keys (id, name, key_hash, permissions, owner, created_at, revoked_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
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
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {KEY_COLS} FROM api_keys WHERE key_hash = ?")))
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref().map(key).transpose()
    }

    async fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {KEY_COLS} FROM api_keys ORDER BY created_at DESC, id")))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(key).collect()
    }

    async fn revoke_api_key(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(at.timestamp())
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn put_refresh_token(&self, t: &RefreshTokenRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO refresh_tokens (jti, user_id, issued_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (jti) DO UPDATE SET expires_at = excluded.expires_at, revoked_at = excluded.revoked_at",
        )
        .bind(&t.jti)
        .bind(t.user_id)
        .bind(t.issued_at.timestamp())
        .bind(t.expires_at.timestamp())
        .bind(t.revoked_at.map(|t| t.timestamp()))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn refresh_token(&self, jti: &str) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let r = sqlx::query("SELECT jti, user_id, issued_at, expires_at, revoked_at FROM refresh_tokens WHERE jti = ?")
            .bind(jti)
            .fetch_optional(&self.writer)
            .await?;
        let Some(r) = r else { return Ok(None) };
        let revoked: Option<i64> = r.try_get("revoked_at")?;
        Ok(Some(RefreshTokenRecord {
            jti: r.try_get("jti")?,
            user_id: r.try_get("user_id")?,
            issued_at: secs(r.try_get("issued_at")?, "refresh token")?,
            expires_at: secs(r.try_get("expires_at")?, "refresh token")?,
            revoked_at: revoked.map(|t| secs(t, "refresh token")).transpose()?,
        }))
    }

    async fn revoke_refresh_token(&self, jti: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE refresh_tokens SET revoked_at = ? WHERE jti = ? AND revoked_at IS NULL")
            .bind(at.timestamp())
            .bind(jti)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn revoke_user_refresh_tokens(&self, user_id: i64, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let r = sqlx::query("UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
            .bind(at.timestamp())
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        Ok(r.rows_affected())
    }

    async fn append_audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at_ms, actor, action, target, outcome, detail, ip, request_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.at.timestamp_millis())
        .bind(e.actor.as_deref())
        .bind(&e.action)
        .bind(e.target.as_deref())
        .bind(&e.outcome)
        .bind(&e.detail)
        .bind(e.ip.as_deref())
        .bind(e.request_id.as_deref())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn audit_log(&self, limit: usize, before: Option<i64>) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at_ms, actor, action, target, outcome, detail, ip, request_id FROM audit_log
             WHERE id < ? ORDER BY id DESC LIMIT ?",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit_i64(limit))
        .fetch_all(&self.writer)
        .await?;
        rows.iter().map(audit).collect()
    }
}
