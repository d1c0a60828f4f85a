//! Who may call what, and how often. Roles and permissions (`Role::permissions` is the matrix),
//! credentials (`credentials`: argon2 passwords, HS256 JWT access and refresh tokens, API keys hashed
//! with SHA-256), the route table (`policy`: every route's access rule), the guard middleware that
//! authenticates, authorizes and rate-limits each matched route (`guard`), token buckets in memory or
//! Redis (`ratelimit`), the account service (`accounts`: users, keys, audit; used by the handlers and
//! the CLI), the `/api/auth/*` and `/api/admin/*` handlers (`handlers`) and the outer layers
//! (`layers`: request id and trace span, security headers, CORS, body size limit).
//!
//! Role → permission matrix (also in ARCHITECTURE.md):
//!
//! | role       | read_data | export_data | bulk_download | admin_access | ingest |
//! |------------|:---------:|:-----------:|:-------------:|:------------:|:------:|
//! | guest      | ✔         |             |               |              |        |
//! | educator   | ✔         | ✔           |               |              |        |
//! | researcher | ✔         | ✔           | ✔             |              |        |
//! | admin      | ✔         | ✔           | ✔             | ✔            | ✔      |
//!
//! API keys carry a permission list of their own (a role's list, or any subset such as `ingest`).

pub mod accounts;
pub mod credentials;
pub mod guard;
pub mod handlers;
pub mod layers;
pub mod policy;
pub mod ratelimit;

use std::sync::Arc;

pub use credentials::Credentials;
pub use ratelimit::{RateLimiter, RateSettings};

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    ReadData,
    ExportData,
    BulkDownload,
    AdminAccess,
    Ingest,
}

impl Permission {
    pub const ALL: [Permission; 5] = [
        Permission::ReadData,
        Permission::ExportData,
        Permission::BulkDownload,
        Permission::AdminAccess,
        Permission::Ingest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadData => "read_data",
            Permission::ExportData => "export_data",
            Permission::BulkDownload => "bulk_download",
            Permission::AdminAccess => "admin_access",
            Permission::Ingest => "ingest",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    /// A comma-separated list (`read_data,ingest`); an unknown name is an error naming it.
    pub fn parse_list(s: &str) -> Result<Vec<Permission>, String> {
        let mut out = Vec::new();
        for tok in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let p = Permission::parse(tok).ok_or_else(|| {
                format!("unknown permission {tok:?}: use read_data, export_data, bulk_download, admin_access, ingest")
            })?;
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out.sort();
        Ok(out)
    }
}

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Guest,
    Educator,
    Researcher,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Guest, Role::Educator, Role::Researcher, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guest => "guest",
            Role::Educator => "educator",
            Role::Researcher => "researcher",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn parse_or_err(s: &str) -> Result<Role, String> {
        Role::parse(s).ok_or_else(|| format!("unknown role {s:?}: use guest, educator, researcher or admin"))
    }

    /// The role → permission matrix.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Guest => &[ReadData],
            Role::Educator => &[ReadData, ExportData],
            Role::Researcher => &[ReadData, ExportData, BulkDownload],
            Role::Admin => &[ReadData, ExportData, BulkDownload, AdminAccess, Ingest],
        }
    }
}

/// The caller of one request, as the guard established it (in the request's extensions).
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    Anonymous,
    User { id: i64, name: String, role: Role },
    Key { id: String, name: String, permissions: Vec<Permission> },
}

impl Principal {
    pub fn can(&self, p: Permission) -> bool {
        match self {
            Principal::Anonymous => false,
            Principal::User { role, .. } => role.permissions().contains(&p),
            Principal::Key { permissions, .. } => permissions.contains(&p),
        }
    }

    /// `user:NAME`, `key:ID`, none for anonymous (the audit log's actor).
    pub fn actor(&self) -> Option<String> {
        match self {
            Principal::Anonymous => None,
            Principal::User { name, .. } => Some(format!("user:{name}")),
            Principal::Key { id, .. } => Some(format!("key:{id}")),
        }
    }
}

/// The client address of a request (from the socket; `None` in in-process calls).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

/// The request id the trace layer gave a request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestId(pub String);

/// Auth and traffic settings of one server.
#[derive(Clone)]
pub struct AuthConfig {
    pub credentials: Credentials,
    /// Read routes require `read_data` (and export routes `export_data`, bulk ones `bulk_download`);
    /// when false (the default, for open data) they are public.
    pub protect_reads: bool,
    /// `None`: no rate limits (tests, in-process benchmarks).
    pub rate: Option<Arc<RateLimiter>>,
    /// Origins allowed by CORS (exact `scheme://host[:port]`); empty: no CORS headers.
    pub cors_origins: Vec<String>,
    /// Largest request body accepted, bytes.
    pub max_body_bytes: usize,
}

impl AuthConfig {
    /// Development defaults: a random per-process secret, public reads, no rate limit, 2 MiB bodies.
    pub fn dev() -> AuthConfig {
        AuthConfig {
            credentials: Credentials::new(credentials::random_bytes(32)),
            protect_reads: false,
            rate: None,
            cors_origins: Vec::new(),
            max_body_bytes: 2 * 1024 * 1024,
        }
    }
}

/// Hex of bytes (lowercase).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests;
