//! `halocline health`: one HTTP GET of a running server's `/health` over a plain TCP socket, for the
//! container's HEALTHCHECK (the image is the static binary alone: no curl, no shell).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, bail};

/// The address to ask for a listen address: a wildcard (0.0.0.0, [::]) is asked on loopback.
pub fn probe_addr(bind: &str) -> anyhow::Result<SocketAddr> {
    let mut addr = bind
        .to_socket_addrs()
        .with_context(|| format!("--bind {bind:?} is not HOST:PORT"))?
        .next()
        .with_context(|| format!("--bind {bind:?} names no address"))?;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
    }
    Ok(addr)
}

pub fn run(bind: &str, timeout: Duration) -> anyhow::Result<()> {
    let addr = probe_addr(bind)?;
    let mut s = TcpStream::connect_timeout(&addr, timeout).with_context(|| format!("cannot connect to {addr}"))?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    write!(s, "GET /health HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: halocline-health\r\nConnection: close\r\n\r\n")?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).with_context(|| format!("no answer from {addr} within {} s", timeout.as_secs()))?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split_whitespace().nth(1).unwrap_or("");
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    if status != "200" {
        bail!("http://{addr}/health answered {:?}: {}", status, body.trim());
    }
    println!("{}", body.trim());
    Ok(())
}
