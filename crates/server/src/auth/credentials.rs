//! Credentials: argon2id password hashes (PHC strings), HS256 JWT access tokens (30 minutes) and refresh
//! tokens (30 days, revocable by their `jti`), and API keys `hc_<id>_<secret>` (32 random bytes; only
//! the SHA-256 is stored: the key has 256 bits of entropy, so a fast hash is enough).

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::hex;

/// `n` bytes from the operating system's random source.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // The OS random source does not fail on the systems we run on; if it ever does, nothing secure can
    // be made, so stop rather than continue with a predictable secret.
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

/// An argon2id PHC string of `password` with a fresh salt (OWASP's parameters: m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.len() < 8 {
        return Err("a password needs at least 8 characters".into());
    }
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC string (false for a malformed hash too).
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// A new API key: (public id, the key to show once).
pub fn new_api_key() -> (String, String) {
    let id = hex(&random_bytes(4));
    let secret = hex(&random_bytes(32));
    let key = format!("hc_{id}_{secret}");
    (id, key)
}

/// SHA-256 of a key, hex (what the store keeps).
pub fn key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// Whether a bearer credential is an API key rather than a JWT.
pub fn is_api_key(s: &str) -> bool {
    s.starts_with("hc_")
}

/// The claims of our tokens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// The user's name.
    pub sub: String,
    /// The user's id.
    pub uid: i64,
    /// The role when issued (the guard uses the stored role, which may have changed since).
    pub role: String,
    /// `access` or `refresh`.
    pub typ: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenError {
    Expired,
    Invalid(String),
    WrongType,
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Expired => write!(f, "the token has expired"),
            TokenError::Invalid(why) => write!(f, "the token is not valid: {why}"),
            TokenError::WrongType => write!(f, "the token is of the wrong type"),
        }
    }
}

/// The signing secret and token lifetimes.
#[derive(Clone)]
pub struct Credentials {
    secret: Arc<[u8]>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl Credentials {
    pub fn new(secret: Vec<u8>) -> Credentials {
        Credentials { secret: secret.into(), access_ttl: Duration::minutes(30), refresh_ttl: Duration::days(30) }
    }

    fn sign(&self, claims: &Claims) -> Result<String, String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(&self.secret))
            .map_err(|e| e.to_string())
    }

    /// An access token for a user, valid `access_ttl` from `now`.
    pub fn access_token(
        &self,
        uid: i64,
        name: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, Claims), String> {
        let claims = Claims {
            sub: name.into(),
            uid,
            role: role.into(),
            typ: "access".into(),
            iat: now.timestamp(),
            exp: (now + self.access_ttl).timestamp(),
            jti: hex(&random_bytes(16)),
        };
        Ok((self.sign(&claims)?, claims))
    }

    /// A refresh token; its `jti` must be stored to be accepted.
    pub fn refresh_token(
        &self,
        uid: i64,
        name: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, Claims), String> {
        let claims = Claims {
            sub: name.into(),
            uid,
            role: role.into(),
            typ: "refresh".into(),
            iat: now.timestamp(),
            exp: (now + self.refresh_ttl).timestamp(),
            jti: hex(&random_bytes(16)),
        };
        Ok((self.sign(&claims)?, claims))
    }

    /// Checks signature (HS256 only), expiry (no leeway) and type.
    pub fn verify(&self, token: &str, typ: &str) -> Result<Claims, TokenError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "sub"]);
        let data =
            jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&self.secret), &v).map_err(|e| match e
                .kind()
            {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid(e.to_string()),
            })?;
        if data.claims.typ != typ {
            return Err(TokenError::WrongType);
        }
        Ok(data.claims)
    }

    /// Signs arbitrary claims (tests make expired tokens with it).
    pub fn sign_claims(&self, claims: &Claims) -> Result<String, String> {
        self.sign(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_tokens_and_keys() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horsf", &h));
        assert!(!verify_password("correct horse", "not a phc string"));
        assert_eq!(hash_password("short").unwrap_err(), "a password needs at least 8 characters");

        let c = Credentials::new(b"0123456789abcdef0123456789abcdef".to_vec());
        let now = Utc::now();
        let (t, claims) = c.access_token(7, "ada", "admin", now).unwrap();
        assert_eq!(c.verify(&t, "access").unwrap(), claims);
        assert_eq!(claims.exp - claims.iat, 1800);
        assert_eq!(c.verify(&t, "refresh"), Err(TokenError::WrongType));
        let other = Credentials::new(b"another secret of thirty-two byte".to_vec());
        assert!(matches!(other.verify(&t, "access"), Err(TokenError::Invalid(_))));
        let (old, _) = c.access_token(7, "ada", "admin", now - Duration::hours(1)).unwrap();
        assert_eq!(c.verify(&old, "access"), Err(TokenError::Expired));
        // An unsigned token ("alg": "none") is refused.
        let parts: Vec<&str> = t.split('.').collect();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
        assert!(matches!(c.verify(&none, "access"), Err(TokenError::Invalid(_))));

        let (id, key) = new_api_key();
        assert_eq!(id.len(), 8);
        assert!(key.starts_with(&format!("hc_{id}_")) && key.len() == 3 + 8 + 1 + 64);
        assert!(is_api_key(&key));
        assert_eq!(key_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
