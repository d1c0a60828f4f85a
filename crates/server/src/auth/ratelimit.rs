//! Token buckets, after Argovis: each caller has `capacity` tokens (100) and gets one back every
//! `refill_ms` (800 ms); a request takes its cost (`policy::cost`) or is refused with the wait until
//! enough tokens are back. API keys and users have a bucket each; anonymous callers one per IP address,
//! with their own settings. Buckets live in memory (one server) or in Redis (several servers share them:
//! one Lua script reads, refills, takes and writes a bucket atomically). Time comes from an injectable
//! clock in milliseconds, so tests control refills.
//!
//! If Redis cannot be reached the request is let through and the error logged: limits protect capacity,
//! they are not access control.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

/// The size and refill rate of one kind of bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateSettings {
    pub capacity: u32,
    /// One token comes back every `refill_ms` milliseconds.
    pub refill_ms: u64,
}

impl RateSettings {
    /// Argovis' numbers: 100 tokens, one back every 800 ms.
    pub const ARGOVIS: RateSettings = RateSettings { capacity: 100, refill_ms: 800 };
}

/// The outcome of taking tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub allowed: bool,
    /// Tokens left after this request.
    pub remaining: u32,
    /// When refused: milliseconds until the cost is available.
    pub retry_after_ms: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u32,
    /// The time the last whole token was added (or the bucket was full).
    ts: i64,
}

/// The bucket arithmetic shared by the memory backend and (as Lua) the Redis one.
fn take(b: Option<Bucket>, s: RateSettings, cost: u32, now: i64) -> (Bucket, Decision) {
    let refill = s.refill_ms.max(1) as i64;
    let mut b = b.unwrap_or(Bucket { tokens: s.capacity, ts: now });
    let elapsed = (now - b.ts).max(0);
    let add = elapsed / refill;
    if add > 0 {
        b.tokens = (b.tokens as i64 + add).min(s.capacity as i64) as u32;
        b.ts += add * refill;
    }
    if b.tokens >= s.capacity {
        b.ts = now;
    }
    let cost = cost.min(s.capacity);
    if b.tokens >= cost {
        b.tokens -= cost;
        (b, Decision { allowed: true, remaining: b.tokens, retry_after_ms: 0 })
    } else {
        let wait = (cost - b.tokens) as i64 * refill - (now - b.ts).max(0);
        (b, Decision { allowed: false, remaining: b.tokens, retry_after_ms: wait.max(1) as u64 })
    }
}

/// The same arithmetic in Redis: KEYS[1] the bucket; ARGV capacity, refill_ms, cost, now_ms.
/// Returns {allowed, remaining, retry_after_ms}.
const LUA: &str = r#"
local cap = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local cost = math.min(tonumber(ARGV[3]), cap)
local now = tonumber(ARGV[4])
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil or ts == nil then tokens = cap; ts = now end
local elapsed = now - ts
if elapsed < 0 then elapsed = 0 end
local add = math.floor(elapsed / refill)
if add > 0 then
  tokens = math.min(cap, tokens + add)
  ts = ts + add * refill
end
if tokens >= cap then ts = now end
local allowed = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  local since = now - ts
  if since < 0 then since = 0 end
  wait = (cost - tokens) * refill - since
  if wait < 1 then wait = 1 end
end
redis.call('HSET', KEYS[1], 't', tokens, 'ts', ts)
redis.call('PEXPIRE', KEYS[1], cap * refill + 1000)
return {allowed, tokens, wait}
"#;

enum Backend {
    Memory(Mutex<HashMap<String, Bucket>>),
    Redis(Redis),
}

/// Milliseconds since some epoch (the Unix epoch by default).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Rate limits of one server (shared by all its requests).
pub struct RateLimiter {
    pub keyed: RateSettings,
    pub anonymous: RateSettings,
    backend: Backend,
    clock: Clock,
    /// Prefix of Redis keys (tests use a fresh one).
    prefix: String,
}

fn system_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().timestamp_millis())
}

impl RateLimiter {
    /// Buckets in this process's memory.
    pub fn memory(keyed: RateSettings, anonymous: RateSettings) -> RateLimiter {
        RateLimiter {
            keyed,
            anonymous,
            backend: Backend::Memory(Mutex::new(HashMap::new())),
            clock: system_clock(),
            prefix: String::new(),
        }
    }

    /// Buckets in Redis at `url` (`redis://HOST:PORT[/DB]`); connects on first use.
    pub fn redis(url: &str, keyed: RateSettings, anonymous: RateSettings) -> Result<RateLimiter, String> {
        Ok(RateLimiter {
            keyed,
            anonymous,
            backend: Backend::Redis(Redis::parse(url)?),
            clock: system_clock(),
            prefix: "halocline:rl:".into(),
        })
    }

    pub fn with_clock(self, clock: Clock) -> RateLimiter {
        RateLimiter { clock, ..self }
    }

    pub fn with_prefix(self, prefix: &str) -> RateLimiter {
        RateLimiter { prefix: prefix.to_string(), ..self }
    }

    /// Takes `cost` tokens from `bucket` (`anonymous` picks the settings).
    pub async fn take(&self, bucket: &str, anonymous: bool, cost: u32) -> Result<Decision, String> {
        let s = if anonymous { self.anonymous } else { self.keyed };
        let now = (self.clock)();
        match &self.backend {
            Backend::Memory(m) => {
                let mut map = m.lock().map_err(|_| "rate limiter lock poisoned".to_string())?;
                if map.len() > 100_000 {
                    // Forget buckets that have refilled completely: they equal a fresh one.
                    map.retain(|_, b| now - b.ts < s.capacity as i64 * s.refill_ms as i64);
                }
                let (b, d) = take(map.get(bucket).copied(), s, cost, now);
                map.insert(bucket.to_string(), b);
                Ok(d)
            }
            Backend::Redis(r) => {
                let key = format!("{}{bucket}", self.prefix);
                let cap = s.capacity.to_string();
                let refill = s.refill_ms.max(1).to_string();
                let cost = cost.to_string();
                let now = now.to_string();
                let reply = r.command(&["EVAL", LUA, "1", &key, &cap, &refill, &cost, &now]).await?;
                match reply {
                    Reply::Array(v) if v.len() == 3 => {
                        let n = |i: usize| match v[i] {
                            Reply::Int(x) => Ok(x),
                            _ => Err(format!("redis: unexpected reply {v:?}")),
                        };
                        Ok(Decision {
                            allowed: n(0)? == 1,
                            remaining: n(1)?.max(0) as u32,
                            retry_after_ms: n(2)?.max(0) as u64,
                        })
                    }
                    other => Err(format!("redis: unexpected reply {other:?}")),
                }
            }
        }
    }
}

/// A RESP reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Simple(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

/// A minimal Redis client: one connection (re-opened after an error), RESP2 commands.
struct Redis {
    addr: String,
    db: Option<u32>,
    conn: tokio::sync::Mutex<Option<BufStream<TcpStream>>>,
}

impl Redis {
    fn parse(url: &str) -> Result<Redis, String> {
        let rest = url.strip_prefix("redis://").ok_or_else(|| format!("redis url {url:?} must start with redis://"))?;
        if rest.contains('@') {
            return Err(format!("redis url {url:?}: credentials in the url are not supported"));
        }
        let (hostport, db) = match rest.split_once('/') {
            Some((h, "")) => (h, None),
            Some((h, d)) => (h, Some(d.parse::<u32>().map_err(|_| format!("redis url {url:?}: bad database {d:?}"))?)),
            None => (rest, None),
        };
        let addr = if hostport.contains(':') { hostport.to_string() } else { format!("{hostport}:6379") };
        if addr.starts_with(':') {
            return Err(format!("redis url {url:?} has no host"));
        }
        Ok(Redis { addr, db, conn: tokio::sync::Mutex::new(None) })
    }

    async fn command(&self, args: &[&str]) -> Result<Reply, String> {
        let mut guard = self.conn.lock().await;
        for attempt in 0..2 {
            if guard.is_none() {
                let s = TcpStream::connect(&self.addr).await.map_err(|e| format!("redis {}: {e}", self.addr))?;
                let _ = s.set_nodelay(true);
                let mut s = BufStream::new(s);
                if let Some(db) = self.db {
                    let db = db.to_string();
                    send(&mut s, &["SELECT", &db]).await.map_err(|e| format!("redis: {e}"))?;
                    read_reply(&mut s).await.map_err(|e| format!("redis: {e}"))??;
                }
                *guard = Some(s);
            }
            let Some(s) = guard.as_mut() else { continue };
            let r = async {
                send(s, args).await?;
                read_reply(s).await
            }
            .await;
            match r {
                Ok(reply) => return reply.map_err(|e| format!("redis: {e}")),
                Err(e) => {
                    *guard = None;
                    if attempt == 1 {
                        return Err(format!("redis {}: {e}", self.addr));
                    }
                }
            }
        }
        Err(format!("redis {}: no connection", self.addr))
    }
}

async fn send(s: &mut BufStream<TcpStream>, args: &[&str]) -> std::io::Result<()> {
    let mut buf = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        buf.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        buf.extend_from_slice(a.as_bytes());
        buf.extend_from_slice(b"\r\n");
    }
    s.write_all(&buf).await?;
    s.flush().await
}

/// One reply; the inner `Err` is an error reply from Redis (the connection stays usable).
async fn read_reply(s: &mut BufStream<TcpStream>) -> std::io::Result<Result<Reply, String>> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let mut stack: Vec<(Vec<Reply>, usize)> = Vec::new();
    loop {
        let mut line = String::new();
        if s.read_line(&mut line).await? == 0 {
            return Err(bad("connection closed"));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let (kind, rest) = line.split_at(line.len().min(1));
        let mut value = match kind {
            "+" => Reply::Simple(rest.to_string()),
            "-" => return Ok(Err(rest.to_string())),
            ":" => Reply::Int(rest.parse().map_err(|_| bad("bad integer"))?),
            "$" => {
                let n: i64 = rest.parse().map_err(|_| bad("bad bulk length"))?;
                if n < 0 {
                    Reply::Bulk(None)
                } else {
                    let mut data = vec![0u8; n as usize + 2];
                    s.read_exact(&mut data).await?;
                    data.truncate(n as usize);
                    Reply::Bulk(Some(data))
                }
            }
            "*" => {
                let n: i64 = rest.parse().map_err(|_| bad("bad array length"))?;
                if n > 0 {
                    stack.push((Vec::with_capacity(n as usize), n as usize));
                    continue;
                }
                Reply::Array(Vec::new())
            }
            _ => return Err(bad("unknown reply type")),
        };
        loop {
            match stack.last_mut() {
                None => return Ok(Ok(value)),
                Some((items, want)) => {
                    items.push(value);
                    if items.len() < *want {
                        break;
                    }
                    let (items, _) = stack.pop().unwrap_or_default();
                    value = Reply::Array(items);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    #[test]
    fn the_bucket_refills_one_token_per_interval() {
        let s = RateSettings { capacity: 3, refill_ms: 800 };
        let (b, d) = take(None, s, 1, 0);
        assert_eq!((d.allowed, d.remaining), (true, 2));
        let (b, d) = take(Some(b), s, 2, 100);
        assert_eq!((d.allowed, d.remaining), (true, 0));
        let (b, d) = take(Some(b), s, 1, 700);
        assert_eq!((d.allowed, d.retry_after_ms), (false, 100));
        let (b, d) = take(Some(b), s, 1, 800);
        assert_eq!((d.allowed, d.remaining), (true, 0));
        // A cost above the capacity costs the capacity (it can be met once full).
        let (_, d) = take(Some(b), s, 50, 800 + 3 * 800);
        assert_eq!((d.allowed, d.remaining), (true, 0));
    }

    async fn burst(limiters: &[&RateLimiter], bucket: &str) -> (usize, Vec<u64>) {
        let mut ok = 0;
        let mut waits = Vec::new();
        for i in 0..150 {
            let d = limiters[i % limiters.len()].take(bucket, false, 1).await.unwrap();
            if d.allowed {
                assert!(waits.is_empty(), "request {i} allowed after a refusal");
                ok += 1;
            } else {
                waits.push(d.retry_after_ms);
            }
        }
        (ok, waits)
    }

    #[tokio::test]
    async fn a_burst_of_150_gets_100_then_refusals_in_memory() {
        let now = Arc::new(AtomicI64::new(1_000_000));
        let n = now.clone();
        let rl = RateLimiter::memory(RateSettings::ARGOVIS, RateSettings::ARGOVIS)
            .with_clock(Arc::new(move || n.load(Ordering::SeqCst)));
        let (ok, waits) = burst(&[&rl], "key:a").await;
        assert_eq!((ok, waits.len()), (100, 50));
        assert!(waits.iter().all(|&w| w == 800), "{waits:?}");
        // Another bucket is untouched; 1.6 s later two tokens are back.
        assert!(rl.take("key:b", false, 1).await.unwrap().allowed);
        now.fetch_add(1600, Ordering::SeqCst);
        assert!(rl.take("key:a", false, 2).await.unwrap().allowed);
        assert!(!rl.take("key:a", false, 1).await.unwrap().allowed);
    }

    /// Against a real Redis when `TEST_REDIS_URL` is set: two limiters (two servers) share one bucket.
    #[tokio::test]
    async fn a_burst_of_150_gets_100_then_refusals_in_redis() {
        let Some(url) = std::env::var("TEST_REDIS_URL").ok().filter(|u| !u.is_empty()) else {
            eprintln!("TEST_REDIS_URL is not set: skipping the Redis half");
            return;
        };
        let prefix =
            format!("halocline:test:{}:{}:", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0));
        let now = Arc::new(AtomicI64::new(5_000_000));
        let mk = || {
            let n = now.clone();
            RateLimiter::redis(&url, RateSettings::ARGOVIS, RateSettings::ARGOVIS)
                .unwrap()
                .with_prefix(&prefix)
                .with_clock(Arc::new(move || n.load(Ordering::SeqCst)))
        };
        let (a, b) = (mk(), mk());
        let (ok, waits) = burst(&[&a, &b], "key:r").await;
        assert_eq!((ok, waits.len()), (100, 50));
        assert!(waits.iter().all(|&w| w == 800), "{waits:?}");
        now.fetch_add(800, Ordering::SeqCst);
        assert!(b.take("key:r", false, 1).await.unwrap().allowed);
        assert!(!a.take("key:r", false, 1).await.unwrap().allowed);
        assert!(RateLimiter::redis("http://x", RateSettings::ARGOVIS, RateSettings::ARGOVIS).is_err());
    }
}
