//! Local servers for the notification tests, on 127.0.0.1 only: a webhook endpoint (plain HTTP or TLS
//! with the test CA's certificate) and an SMTP server speaking enough of the protocol for lettre (EHLO
//! with STARTTLS and AUTH advertised, STARTTLS, implicit TLS, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA).
//! The certificates are test fixtures (`test-data/tls`, see its SOURCES.md).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The test CA (trust it to reach the servers below over TLS).
pub(crate) const CA_PEM: &[u8] = include_bytes!("../../test-data/tls/ca.pem");
const SERVER_PEM: &[u8] = include_bytes!("../../test-data/tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("../../test-data/tls/server.key");

fn acceptor() -> TlsAcceptor {
    let certs = CertificateDer::pem_slice_iter(SERVER_PEM).collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    TlsAcceptor::from(Arc::new(cfg))
}

/// One request a webhook endpoint received.
#[derive(Debug)]
pub(crate) struct Hit {
    /// The request line and headers, as sent.
    pub head: String,
    pub body: serde_json::Value,
}

/// A webhook endpoint answering `status` with `answer` as its body to every POST, over TLS when `tls`.
/// Returns its URL base (`http(s)://127.0.0.1:PORT`) and the requests, in order.
pub(crate) async fn webhook_server(
    status: u16,
    answer: &'static str,
    tls: bool,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<Hit>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("{}://{}", if tls { "https" } else { "http" }, l.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let acceptor = acceptor();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let (tx, acceptor) = (tx.clone(), acceptor.clone());
            tokio::spawn(async move {
                let answered = if tls {
                    // A client that does not trust the certificate ends the handshake: no request.
                    let Ok(s) = acceptor.accept(s).await else { return };
                    http_exchange(s, status, answer).await
                } else {
                    http_exchange(s, status, answer).await
                };
                if let Some(hit) = answered {
                    let _ = tx.send(hit);
                }
            });
        }
    });
    (base, rx)
}

/// Reads one HTTP/1.1 request with a `content-length` body and answers it (closing the connection).
async fn http_exchange<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, status: u16, answer: &str) -> Option<Hit> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let hit = loop {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..i]).to_string();
        let len: usize = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
            .unwrap_or(0);
        if buf.len() >= i + 4 + len {
            break Hit { head, body: serde_json::from_slice(&buf[i + 4..i + 4 + len]).unwrap() };
        }
    };
    let reply = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        if status < 300 { "OK" } else { "Not OK" },
        answer.len()
    );
    let _ = s.write_all(reply.as_bytes()).await;
    let _ = s.shutdown().await;
    Some(hit)
}

/// How the SMTP server is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SmtpMode {
    /// No TLS; no STARTTLS offered.
    Plain,
    /// STARTTLS offered; AUTH (PLAIN and LOGIN) only after it.
    StartTls,
    /// TLS from the start; AUTH LOGIN only (so the LOGIN exchange is tested too).
    Tls,
}

/// What one SMTP session saw.
#[derive(Debug, Default)]
pub(crate) struct SmtpSession {
    /// Every command line the client sent (AUTH payloads decoded into `auth`, not listed).
    pub commands: Vec<String>,
    /// The message as sent after DATA (dot-stuffed, as on the wire).
    pub data: Vec<String>,
    /// The user and password the client gave.
    pub auth: Option<(String, String)>,
    /// Whether the connection was encrypted when the message was sent.
    pub encrypted_at_data: bool,
}

/// An SMTP server for one session; `password`: AUTH is offered and required, and only this password
/// is accepted. Returns the port and the session when it ends.
pub(crate) async fn smtp_server(
    mode: SmtpMode,
    password: Option<&'static str>,
) -> (u16, tokio::task::JoinHandle<SmtpSession>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let acceptor = acceptor();
    let task = tokio::spawn(async move {
        let mut st = SmtpSession::default();
        let Ok((tcp, _)) = l.accept().await else { return st };
        match mode {
            SmtpMode::Tls => {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    smtp_dialogue(BufReader::new(tls), true, mode, password, &mut st).await;
                }
            }
            _ => {
                if let Some(tcp) = smtp_dialogue(BufReader::new(tcp), false, mode, password, &mut st).await
                    && let Ok(tls) = acceptor.accept(tcp).await
                {
                    smtp_dialogue(BufReader::new(tls), true, mode, password, &mut st).await;
                }
            }
        }
        st
    });
    (port, task)
}

/// Serves commands until QUIT or a closed connection; returns the stream when the client asked for
/// STARTTLS (the caller upgrades it and goes on).
async fn smtp_dialogue<S: AsyncRead + AsyncWrite + Unpin>(
    mut io: BufReader<S>,
    encrypted: bool,
    mode: SmtpMode,
    password: Option<&str>,
    st: &mut SmtpSession,
) -> Option<S> {
    async fn line<S: AsyncRead + AsyncWrite + Unpin>(io: &mut BufReader<S>) -> Option<String> {
        let mut l = String::new();
        match io.read_line(&mut l).await {
            Ok(n) if n > 0 => Some(l.trim_end_matches(['\r', '\n']).to_string()),
            _ => None,
        }
    }
    async fn say<S: AsyncRead + AsyncWrite + Unpin>(io: &mut BufReader<S>, s: &str) -> Option<()> {
        io.get_mut().write_all(s.as_bytes()).await.ok()?;
        io.get_mut().flush().await.ok()
    }
    // A STARTTLS session greets once, before the upgrade.
    if !(encrypted && mode == SmtpMode::StartTls) {
        say(&mut io, "220 halocline-test ESMTP\r\n").await?;
    }
    let mut authed = password.is_none();
    loop {
        let cmd = line(&mut io).await?;
        let upper = cmd.to_ascii_uppercase();
        if !upper.starts_with("AUTH") {
            st.commands.push(cmd.clone());
        }
        let offer_auth = password.is_some() && (encrypted || mode == SmtpMode::Plain);
        if upper.starts_with("EHLO") {
            let mut r = String::from("250-halocline-test\r\n");
            if mode == SmtpMode::StartTls && !encrypted {
                r.push_str("250-STARTTLS\r\n");
            }
            if offer_auth {
                r.push_str(if mode == SmtpMode::Tls { "250-AUTH LOGIN\r\n" } else { "250-AUTH PLAIN LOGIN\r\n" });
            }
            r.push_str("250 8BITMIME\r\n");
            say(&mut io, &r).await?;
        } else if upper == "STARTTLS" && mode == SmtpMode::StartTls && !encrypted {
            say(&mut io, "220 2.0.0 ready to start TLS\r\n").await?;
            return Some(io.into_inner());
        } else if upper.starts_with("AUTH PLAIN ") && offer_auth {
            let raw = b64_decode(&cmd[11..]);
            let parts: Vec<String> = raw.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into()).collect();
            let given = (parts.get(1).cloned().unwrap_or_default(), parts.get(2).cloned().unwrap_or_default());
            authed = Some(given.1.as_str()) == password;
            st.auth = Some(given);
            say(&mut io, if authed { "235 2.7.0 accepted\r\n" } else { "535 5.7.8 bad credentials\r\n" }).await?;
        } else if upper == "AUTH LOGIN" && offer_auth {
            say(&mut io, "334 VXNlcm5hbWU6\r\n").await?;
            let user = String::from_utf8_lossy(&b64_decode(&line(&mut io).await?)).to_string();
            say(&mut io, "334 UGFzc3dvcmQ6\r\n").await?;
            let pass = String::from_utf8_lossy(&b64_decode(&line(&mut io).await?)).to_string();
            authed = Some(pass.as_str()) == password;
            st.auth = Some((user, pass));
            say(&mut io, if authed { "235 2.7.0 accepted\r\n" } else { "535 5.7.8 bad credentials\r\n" }).await?;
        } else if upper.starts_with("MAIL FROM:") && !authed {
            say(&mut io, "530 5.7.0 authentication required\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") || upper.starts_with("RCPT TO:") || upper == "RSET" {
            say(&mut io, "250 2.1.0 ok\r\n").await?;
        } else if upper == "DATA" {
            say(&mut io, "354 end with <CRLF>.<CRLF>\r\n").await?;
            st.encrypted_at_data = encrypted;
            loop {
                let l = line(&mut io).await?;
                if l == "." {
                    break;
                }
                st.data.push(l);
            }
            say(&mut io, "250 2.0.0 queued\r\n").await?;
        } else if upper == "QUIT" {
            say(&mut io, "221 2.0.0 bye\r\n").await?;
            return None;
        } else {
            say(&mut io, "502 5.5.1 not implemented\r\n").await?;
        }
    }
}

/// Standard base64 (RFC 4648), ignoring anything else.
fn b64_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else { continue };
        acc = ((acc << 6) | v as u32) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
