//! `halocline users ...`, `halocline keys ...` and the auth settings of `serve`: the JWT secret from
//! `HALOCLINE_JWT_SECRET` (required in production mode, never defaulted there), read protection, rate
//! limits (memory or Redis), CORS origins and the body size limit.

use std::io::BufRead;

use anyhow::{Context, bail};
use server::auth::{AuthConfig, Credentials, RateLimiter, RateSettings, accounts};

use crate::DbArg;

#[derive(clap::Subcommand)]
pub enum UsersCommand {
    /// Create a user; the password is read from HALOCLINE_PASSWORD or the first line of stdin.
    Add {
        name: String,
        /// guest, educator, researcher or admin.
        #[arg(long, default_value = "guest")]
        role: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Change a user's role.
    SetRole {
        name: String,
        role: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Disable a user (revokes their refresh tokens); --enable turns it back on.
    Disable {
        name: String,
        #[arg(long)]
        enable: bool,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    /// Create an API key and print it once (only its SHA-256 is stored).
    Create {
        #[arg(long)]
        name: String,
        /// Give the key this role's permissions...
        #[arg(long, conflicts_with = "permissions")]
        role: Option<String>,
        /// ...or exactly these, comma-separated (read_data, export_data, bulk_download, admin_access, ingest).
        #[arg(long)]
        permissions: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Revoke a key by its id.
    Revoke {
        id: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// List keys (never the keys themselves).
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("HALOCLINE_PASSWORD") {
        return Ok(p);
    }
    eprintln!("password (one line on stdin):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn users(cmd: UsersCommand) -> anyhow::Result<()> {
    match cmd {
        UsersCommand::Add { name, role, db } => {
            let store = store::open(&db.url("halocline.db")).await?;
            let pw = read_password()?;
            let u = accounts::create_user(&*store, None, &name, &pw, &role).await?;
            println!("created user {} ({}), id {}", u.name, u.role, u.id);
        }
        UsersCommand::List { db } => {
            let store = store::open(&db.url("halocline.db")).await?;
            println!("{:<6} {:<24} {:<11} {:<9} created", "id", "name", "role", "disabled");
            for u in store.users().await? {
                println!(
                    "{:<6} {:<24} {:<11} {:<9} {}",
                    u.id,
                    u.name,
                    u.role,
                    u.disabled,
                    u.created_at.format("%Y-%m-%dT%H:%M:%SZ")
                );
            }
        }
        UsersCommand::SetRole { name, role, db } => {
            let store = store::open(&db.url("halocline.db")).await?;
            let u = accounts::update_user(&*store, None, &name, Some(&role), None, None).await?;
            println!("{} is now {}", u.name, u.role);
        }
        UsersCommand::Disable { name, enable, db } => {
            let store = store::open(&db.url("halocline.db")).await?;
            let u = accounts::update_user(&*store, None, &name, None, Some(!enable), None).await?;
            println!("{} is {}", u.name, if u.disabled { "disabled" } else { "enabled" });
        }
    }
    Ok(())
}

pub async fn keys(cmd: KeysCommand) -> anyhow::Result<()> {
    match cmd {
        KeysCommand::Create { name, role, permissions, db } => {
            let store = store::open(&db.url("halocline.db")).await?;
            let list: Option<Vec<String>> = permissions.map(|p| p.split(',').map(str::to_string).collect());
            let perms = accounts::key_permissions(role.as_deref(), list.as_deref())?;
            let (rec, key) = accounts::create_key(&*store, None, &name, &perms, Some("cli")).await?;
            eprintln!("key {} ({}) with [{}]; it is shown only now:", rec.id, rec.name, rec.permissions.join(","));
            println!("{key}");
        }
        KeysCommand::Revoke { id, db } => {
            let store = store::open(&db.url("halocline.db")).await?;
            accounts::revoke_key(&*store, None, &id).await?;
            println!("revoked {id}");
        }
        KeysCommand::List { db } => {
            let store = store::open(&db.url("halocline.db")).await?;
            println!("{:<9} {:<24} {:<44} {:<20} revoked", "id", "name", "permissions", "created");
            for k in store.api_keys().await? {
                println!(
                    "{:<9} {:<24} {:<44} {:<20} {}",
                    k.id,
                    k.name,
                    k.permissions.join(","),
                    k.created_at.format("%Y-%m-%dT%H:%M:%SZ"),
                    k.revoked_at.map_or("-".to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                );
            }
        }
    }
    Ok(())
}

/// Auth and traffic options of `serve` and `demo`.
#[derive(clap::Args, Clone)]
pub struct AuthArgs {
    /// Production mode (also HALOCLINE_ENV=production): refuse to start without HALOCLINE_JWT_SECRET.
    #[arg(long)]
    production: bool,
    /// Read routes need the read_data permission (default: public, for open data).
    #[arg(long, env = "HALOCLINE_PROTECT_READS")]
    protect_reads: bool,
    /// Rate limits: memory (one server), redis (shared by several) or off.
    #[arg(long, env = "HALOCLINE_RATE_LIMIT", default_value = "memory")]
    rate_limit: String,
    #[arg(long, env = "HALOCLINE_REDIS_URL", default_value = "redis://127.0.0.1:6379")]
    redis_url: String,
    /// Tokens of a key's or user's bucket (Argovis: 100).
    #[arg(long, default_value_t = 100)]
    rate_capacity: u32,
    /// One token back every this many ms (Argovis: 800).
    #[arg(long, default_value_t = 800)]
    rate_refill_ms: u64,
    /// Tokens of an anonymous caller's (per IP) bucket.
    #[arg(long, default_value_t = 100)]
    anon_capacity: u32,
    #[arg(long, default_value_t = 800)]
    anon_refill_ms: u64,
    /// Origins allowed by CORS, comma-separated (https://example.org); none by default.
    #[arg(long, env = "HALOCLINE_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// Largest request body, bytes.
    #[arg(long, env = "HALOCLINE_MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024)]
    max_body_bytes: usize,
}

impl AuthArgs {
    pub fn config(&self) -> anyhow::Result<AuthConfig> {
        let production =
            self.production || std::env::var("HALOCLINE_ENV").is_ok_and(|v| v.eq_ignore_ascii_case("production"));
        let secret = std::env::var("HALOCLINE_JWT_SECRET").ok().filter(|s| !s.is_empty());
        let credentials = match secret {
            Some(s) if s.len() >= 32 => Credentials::new(s.into_bytes()),
            Some(_) if production => bail!("HALOCLINE_JWT_SECRET must be at least 32 bytes in production mode"),
            Some(s) => {
                tracing::warn!("HALOCLINE_JWT_SECRET is shorter than 32 bytes; production mode refuses it");
                Credentials::new(s.into_bytes())
            }
            None if production => {
                bail!(
                    "production mode needs HALOCLINE_JWT_SECRET (at least 32 random bytes, e.g. `openssl rand -hex 32`)"
                )
            }
            None => {
                tracing::warn!(
                    "HALOCLINE_JWT_SECRET is not set: tokens are signed with a random secret of this process and stop working when it exits (development mode)"
                );
                Credentials::new(server::auth::credentials::random_bytes(32))
            }
        };
        let keyed = RateSettings { capacity: self.rate_capacity.max(1), refill_ms: self.rate_refill_ms.max(1) };
        let anonymous = RateSettings { capacity: self.anon_capacity.max(1), refill_ms: self.anon_refill_ms.max(1) };
        let rate = match self.rate_limit.as_str() {
            "off" => None,
            "memory" => Some(RateLimiter::memory(keyed, anonymous)),
            "redis" => Some(RateLimiter::redis(&self.redis_url, keyed, anonymous).map_err(anyhow::Error::msg)?),
            other => bail!("--rate-limit {other:?}: use memory, redis or off"),
        };
        server::auth::layers::cors(&self.cors_origins).map_err(anyhow::Error::msg).context("--cors-origins")?;
        Ok(AuthConfig {
            credentials,
            protect_reads: self.protect_reads,
            rate: rate.map(std::sync::Arc::new),
            cors_origins: self.cors_origins.iter().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect(),
            max_body_bytes: self.max_body_bytes,
        })
    }
}
