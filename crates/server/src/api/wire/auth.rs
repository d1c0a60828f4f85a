//! `/api/auth/*` and `/api/admin/*`: login and refresh bodies, tokens, users, keys, the audit log.

use serde::{Deserialize, Serialize};
use store::{ApiKeyRecord, UserRecord};

use super::iso_secs as iso;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    pub username: String,
    pub password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshIn {
    pub refresh_token: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokensOut {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token is valid (1800).
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub user: UserOut,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: String,
}

impl From<&UserRecord> for UserOut {
    fn from(u: &UserRecord) -> UserOut {
        UserOut {
            id: u.id,
            name: u.name.clone(),
            role: u.role.clone(),
            disabled: u.disabled,
            created_at: iso(u.created_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MeOut {
    /// `user` or `api_key`.
    pub kind: &'static str,
    pub name: String,
    /// The user's role (absent for API keys).
    pub role: Option<String>,
    pub permissions: Vec<&'static str>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserIn {
    pub name: String,
    pub password: String,
    /// guest, educator, researcher or admin.
    pub role: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchIn {
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyIn {
    pub name: String,
    /// The key gets this role's permissions...
    pub role: Option<String>,
    /// ...or exactly these (`read_data`, `export_data`, `bulk_download`, `admin_access`, `ingest`).
    pub permissions: Option<Vec<String>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct KeyOut {
    pub id: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub owner: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<&ApiKeyRecord> for KeyOut {
    fn from(k: &ApiKeyRecord) -> KeyOut {
        KeyOut {
            id: k.id.clone(),
            name: k.name.clone(),
            permissions: k.permissions.clone(),
            owner: k.owner.clone(),
            created_at: iso(k.created_at),
            revoked_at: k.revoked_at.map(iso),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NewKeyOut {
    /// The key itself: shown this once, stored only as its SHA-256.
    pub key: String,
    #[serde(flatten)]
    pub info: KeyOut,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditOut {
    pub id: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}
