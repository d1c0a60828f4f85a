//! Notification tests against local servers on 127.0.0.1 (`test_servers.rs`): https webhooks trusted
//! through the test CA and refused without it, Slack's message, retries and error texts, and e-mail over
//! plain SMTP, STARTTLS and implicit TLS with AUTH.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use model::{AlertCondition, AlertRule, FiredAlert, Receiver, Severity};

use super::test_servers::{CA_PEM, SmtpMode, smtp_server, webhook_server};
use super::*;

fn rule() -> AlertRule {
    AlertRule {
        id: "baa".into(),
        name: "BAA".into(),
        condition: AlertCondition::BaaLevel { site: None, min_level: 1 },
        severity: Severity::Warning,
        enabled: true,
    }
}

pub(crate) fn alert() -> FiredAlert {
    let t = Utc.with_ymd_and_hms(2024, 8, 4, 12, 0, 0).unwrap();
    FiredAlert {
        rule: "baa".into(),
        subject: "florida_keys".into(),
        fingerprint: "3".into(),
        severity: Severity::Warning,
        value: 3.0,
        message: "Florida Keys is at Alert Level 1\n.a line that starts with a dot".into(),
        started_at: t,
        last_seen_at: t,
        resolved_at: None,
        resolve_message: None,
    }
}

/// Fast retries, bounded timeouts, the test CA trusted when `trust`.
fn config(trust: bool) -> NotifyConfig {
    NotifyConfig {
        smtp: None,
        timeout: Duration::from_secs(20),
        ca_pem: trust.then(|| CA_PEM.to_vec()),
        retry: Retry { attempts: 3, min_delay: Duration::from_millis(1), max_delay: Duration::from_millis(4) },
    }
}

fn with_smtp(trust: bool, smtp: SmtpConfig) -> Notifier {
    Notifier::new(&NotifyConfig { smtp: Some(smtp), ..config(trust) }).unwrap()
}

async fn send(n: &Notifier, to: &Receiver) -> Result<(), AlertError> {
    let (r, a) = (rule(), alert());
    n.send(to, &Notice { rule: &r, alert: &a, unsubscribe: None }).await
}

#[test]
fn webhook_urls_and_addresses_are_checked() {
    for good in ["http://127.0.0.1:8080/hooks/a?x=1", "https://hooks.slack.com/services/T0/B0/x", "http://[::1]:9/x"] {
        assert!(check_webhook_url(good).is_ok(), "{good}");
    }
    for (bad, why) in [
        ("ftp://a", "must start with http:// or https://"),
        ("http://", "empty host"),
        ("http://a:99999/", "invalid port"),
        ("http://u:p@h/", "credentials"),
        ("http://a b/", "whitespace"),
        ("hooks.slack.com/x", "relative URL"),
    ] {
        let e = check_webhook_url(bad).unwrap_err().to_string();
        assert!(e.contains(why), "{bad}: {e}");
    }
    assert!(is_slack_url("https://hooks.slack.com/services/T0/B0/secret"));
    assert!(!is_slack_url("https://hooks.slack.com.example.org/services/x"));
    assert!(!is_slack_url("http://127.0.0.1:9/hook"));
    // The secret part of a webhook URL stays out of logs and errors.
    assert_eq!(redact("https://hooks.slack.com/services/T0/B0/secret"), "https://hooks.slack.com/services/…");
    assert_eq!(redact("http://127.0.0.1:9/hook"), "http://127.0.0.1:9/hook");
    assert_eq!(redact("http://127.0.0.1:9/hook?token=x"), "http://127.0.0.1:9/hook/…");

    assert!(check_address("reef@example.org").is_ok());
    for bad in ["reef", "a@b@c", "a b@c", "<a@b>", "a@b\r\nRCPT TO:<x@y>", "@b"] {
        assert!(check_address(bad).is_err(), "{bad:?}");
    }
    assert!(check_receiver(&Receiver::Slack { url: "https://hooks.slack.com/services/x".into() }).is_ok());
    assert!(check_receiver(&Receiver::Email { to: "nobody".into() }).is_err());
}

#[test]
fn smtp_settings_parse_or_say_why_not() {
    let from = "alerts@halocline.test";
    let c = SmtpConfig::relay("127.0.0.1:2525", from).unwrap();
    assert_eq!(
        (c.host.as_str(), c.port, c.security, c.credentials.is_none()),
        ("127.0.0.1", 2525, SmtpSecurity::Plain, true)
    );
    assert_eq!(SmtpConfig::relay("mail.example.org", from).unwrap().port, 25);
    assert_eq!(SmtpConfig::relay("[::1]:26", from).unwrap().host, "::1");
    let c = SmtpConfig::from_url("smtp://ops%40reef:p%40ss%3Aword@mail.example.org?tls=starttls", from).unwrap();
    assert_eq!((c.host.as_str(), c.port, c.security), ("mail.example.org", 587, SmtpSecurity::StartTls));
    assert_eq!(c.credentials, Some(("ops@reef".into(), "p@ss:word".into())));
    // The password is in no message.
    assert_eq!(c.describe(), "mail.example.org:587 (starttls, user ops@reef)");
    assert!(!format!("{c:?}").contains("word"), "{c:?}");
    let c = SmtpConfig::from_url("smtps://mail.example.org", from).unwrap();
    assert_eq!((c.port, c.security), (465, SmtpSecurity::Tls));
    assert_eq!(SmtpConfig::from_url("smtp://localhost", from).unwrap().security, SmtpSecurity::Plain);
    for (url, why) in [
        ("http://mail.example.org", "is not smtp or smtps"),
        ("smtp://mail.example.org?tls=maybe", "is not starttls or none"),
        ("smtps://mail.example.org?tls=starttls", "TLS already"),
        ("smtp://mail.example.org?auth=plain", "unknown parameter"),
        ("smtp://u:secret@mail.example.org", "clear text"),
    ] {
        let e = SmtpConfig::from_url(url, from).unwrap_err().to_string();
        assert!(e.contains(why), "{url}: {e}");
        assert!(!e.contains("secret"), "{e}");
    }
    // A password over plain SMTP is fine to this machine only.
    assert!(SmtpConfig::from_url("smtp://u:p@127.0.0.1:25", from).is_ok());
    let e = SmtpConfig::relay("127.0.0.1:25", "not an address").unwrap_err().to_string();
    assert!(e.contains("HALOCLINE_SMTP_FROM"), "{e}");
    assert!(SmtpConfig::relay("127.0.0.1:25", "Reef alerts <alerts@halocline.test>").is_ok());

    let e = Notifier::new(&NotifyConfig { ca_pem: Some(b"not a certificate".to_vec()), ..config(false) })
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("HALOCLINE_CA_FILE"), "{e}");
}

#[tokio::test]
async fn an_https_webhook_arrives_when_its_ca_is_trusted() {
    let (base, mut rx) = webhook_server(200, "", true).await;
    let url = format!("{base}/hooks/reef");
    send(&Notifier::new(&config(true)).unwrap(), &Receiver::Webhook { url: url.clone() }).await.unwrap();
    let hit = rx.recv().await.unwrap();
    assert!(hit.head.starts_with("POST /hooks/reef HTTP/1.1"), "{}", hit.head);
    let head = hit.head.to_ascii_lowercase();
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("user-agent: halocline/"), "{head}");
    // halocline's own document, unchanged.
    assert_eq!(
        hit.body,
        serde_json::json!({
            "status": "firing", "rule": "baa", "name": "BAA", "severity": "warning", "subject": "florida_keys",
            "value": 3.0, "message": "Florida Keys is at Alert Level 1\n.a line that starts with a dot",
            "started_at": "2024-08-04T12:00:00.000Z", "resolved_at": null, "resolve_message": null,
        })
    );

    // Without the CA the certificate is refused, with a message that says what to do; no retry.
    let e = send(&Notifier::new(&config(false)).unwrap(), &Receiver::Webhook { url }).await.unwrap_err().to_string();
    assert!(e.contains("certificate is not trusted") && e.contains("HALOCLINE_CA_FILE"), "{e}");
    assert!(!e.contains("attempts"), "{e}");
}

#[tokio::test]
async fn slack_receivers_get_slacks_message() {
    let (base, mut rx) = webhook_server(200, "ok", true).await;
    let (r, mut a) = (rule(), alert());
    a.message = "Alert Level 1 at <!channel> & friends".into();
    a.resolved_at = Some(a.started_at + chrono::Duration::days(2));
    a.resolve_message = Some("the condition no longer holds".into());
    let n = Notice { rule: &r, alert: &a, unsubscribe: Some("https://reefs.example.org/unsubscribe?t=abc") };
    let url = format!("{base}/services/T000/B000/XXXX");
    Notifier::new(&config(true)).unwrap().send(&Receiver::Slack { url }, &n).await.unwrap();
    let body = rx.recv().await.unwrap().body;
    assert_eq!(body["text"], "[halocline RESOLVED] BAA florida_keys: Alert Level 1 at <!channel> & friends");
    let blocks = body["blocks"].as_array().unwrap();
    let kinds: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["header", "section", "section", "context", "context"]);
    assert_eq!(
        blocks[0]["text"],
        serde_json::json!({"type": "plain_text", "text": "RESOLVED: BAA florida_keys", "emoji": false})
    );
    // Markup in the message is escaped, so it pings nobody.
    assert_eq!(blocks[1]["text"]["text"], "Alert Level 1 at &lt;!channel&gt; &amp; friends");
    let fields: Vec<&str> =
        blocks[2]["fields"].as_array().unwrap().iter().map(|f| f["text"].as_str().unwrap()).collect();
    assert_eq!(fields, ["*Severity*\nwarning", "*Value*\n3", "*Rule*\nBAA (baa)", "*Started*\n2024-08-04T12:00:00Z"]);
    assert_eq!(blocks[3]["elements"][0]["text"], "Resolved 2024-08-06T12:00:00Z: the condition no longer holds");
    assert_eq!(blocks[4]["elements"][0]["text"], "<https://reefs.example.org/unsubscribe?t=abc|Unsubscribe>");

    // The generic document carries the link too, only when there is one.
    assert_eq!(payload(&n)["unsubscribe"], "https://reefs.example.org/unsubscribe?t=abc");
    assert!(payload(&Notice { unsubscribe: None, ..n }).get("unsubscribe").is_none());
}

#[tokio::test]
async fn failed_webhooks_say_why_and_only_server_errors_are_retried() {
    let n = Notifier::new(&config(false)).unwrap();
    // 5xx: tried three times in all.
    let (base, mut rx) = webhook_server(503, "upstream   down\n", false).await;
    let e = send(&n, &Receiver::Webhook { url: format!("{base}/hook/secret-token") }).await.unwrap_err().to_string();
    assert!(e.contains("answered HTTP 503 Service Unavailable: upstream down (after 3 attempts)"), "{e}");
    assert!(!e.contains("secret-token"), "{e}");
    for _ in 0..3 {
        assert_eq!(rx.recv().await.unwrap().body["status"], "firing");
    }
    // 4xx: once, with Slack's reason from the body.
    let (base, mut rx) = webhook_server(404, "no_team", false).await;
    let e = send(&n, &Receiver::Slack { url: format!("{base}/services/x") }).await.unwrap_err().to_string();
    assert!(e.ends_with("answered HTTP 404 Not Found: no_team"), "{e}");
    assert!(rx.recv().await.is_some());
    assert!(rx.try_recv().is_err(), "a 404 is not retried");
    // Nobody listening: connection errors are retried, then reported.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e =
        send(&n, &Receiver::Webhook { url: format!("http://127.0.0.1:{port}/hook") }).await.unwrap_err().to_string();
    assert!(e.contains("(after 3 attempts)") && e.contains("onnect"), "{e}");
}

#[tokio::test]
async fn email_through_a_plain_relay() {
    let (port, session) = smtp_server(SmtpMode::Plain, None).await;
    let smtp = SmtpConfig::relay(&format!("127.0.0.1:{port}"), "alerts@halocline.test").unwrap();
    send(&with_smtp(false, smtp), &Receiver::Email { to: "reef@example.org".into() }).await.unwrap();
    let s = session.await.unwrap();
    let verbs: Vec<&str> = s.commands.iter().map(|c| c.split([' ', ':']).next().unwrap()).collect();
    assert_eq!(verbs, ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"], "{:?}", s.commands);
    assert!(s.commands[1].starts_with("MAIL FROM:<alerts@halocline.test>"), "{:?}", s.commands);
    assert_eq!(s.commands[2], "RCPT TO:<reef@example.org>");
    assert!(!s.encrypted_at_data && s.auth.is_none());
    for line in [
        "Subject: [halocline FIRING] BAA florida_keys",
        "From: alerts@halocline.test",
        "To: reef@example.org",
        "Content-Type: text/plain; charset=utf-8",
        "Florida Keys is at Alert Level 1",
        // Dot-stuffed on the wire.
        "..a line that starts with a dot",
        "rule: BAA (baa)",
        "value: 3",
        "started: 2024-08-04T12:00:00Z",
    ] {
        assert!(s.data.iter().any(|l| l == line), "{line:?} not in {:?}", s.data);
    }

    // Without a server, e-mail fails with a message that says what to set.
    let e = send(&Notifier::new(&config(false)).unwrap(), &Receiver::Email { to: "reef@example.org".into() })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("HALOCLINE_SMTP_URL"), "{e}");
}

#[tokio::test]
async fn email_with_starttls_and_auth() {
    let (port, session) = smtp_server(SmtpMode::StartTls, Some("s3cret")).await;
    let url = format!("smtp://alerts:s3cret@127.0.0.1:{port}?tls=starttls");
    let smtp = SmtpConfig::from_url(&url, "Reef alerts <alerts@halocline.test>").unwrap();
    send(&with_smtp(true, smtp), &Receiver::Email { to: "reef@example.org".into() }).await.unwrap();
    let s = session.await.unwrap();
    let verbs: Vec<&str> = s.commands.iter().map(|c| c.split([' ', ':']).next().unwrap()).collect();
    assert_eq!(verbs, ["EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "DATA", "QUIT"], "{:?}", s.commands);
    assert_eq!(s.auth, Some(("alerts".into(), "s3cret".into())));
    assert!(s.encrypted_at_data);
    assert!(s.data.iter().any(|l| l == "From: \"Reef alerts\" <alerts@halocline.test>"), "{:?}", s.data);
}

#[tokio::test]
async fn email_over_implicit_tls_with_auth_login() {
    let (port, session) = smtp_server(SmtpMode::Tls, Some("s3cret")).await;
    let smtp = SmtpConfig::from_url(&format!("smtps://127.0.0.1:{port}"), "alerts@halocline.test")
        .unwrap()
        .with_credentials("alerts".into(), "s3cret".into())
        .unwrap();
    send(&with_smtp(true, smtp), &Receiver::Email { to: "reef@example.org".into() }).await.unwrap();
    let s = session.await.unwrap();
    assert_eq!(s.auth, Some(("alerts".into(), "s3cret".into())));
    assert!(s.encrypted_at_data);
    assert!(s.data.iter().any(|l| l == "Florida Keys is at Alert Level 1"), "{:?}", s.data);
}

#[tokio::test]
async fn smtp_failures_say_why() {
    let to = Receiver::Email { to: "reef@example.org".into() };
    // A wrong password.
    let (port, session) = smtp_server(SmtpMode::StartTls, Some("s3cret")).await;
    let url = format!("smtp://alerts:wrong@127.0.0.1:{port}?tls=starttls");
    let smtp = SmtpConfig::from_url(&url, "alerts@halocline.test").unwrap();
    let e = send(&with_smtp(true, smtp), &to).await.unwrap_err().to_string();
    assert!(e.contains("535") && e.contains("refused the user name or password"), "{e}");
    assert!(e.contains(&format!("127.0.0.1:{port} (starttls, user alerts)")), "{e}");
    assert!(!e.contains("wrong"), "the password is in no message: {e}");
    assert!(session.await.unwrap().data.is_empty());

    // A certificate from a CA nobody trusts.
    let (port, _session) = smtp_server(SmtpMode::StartTls, None).await;
    let smtp = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}?tls=starttls"), "alerts@halocline.test").unwrap();
    let e = send(&with_smtp(false, smtp), &to).await.unwrap_err().to_string();
    assert!(e.contains("certificate") && e.contains("HALOCLINE_CA_FILE"), "{e}");

    // STARTTLS asked for, not offered: nothing is sent in clear text.
    let (port, session) = smtp_server(SmtpMode::Plain, None).await;
    let smtp = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}?tls=starttls"), "alerts@halocline.test").unwrap();
    let e = send(&with_smtp(true, smtp), &to).await.unwrap_err().to_string();
    assert!(e.contains("(starttls)"), "{e}");
    assert!(session.await.unwrap().data.is_empty());
}
