//! Web Push (#31): a push service stood up on loopback receives each notification for a rider's
//! device, encrypted to the device's keys (RFC 8291: decrypted here with them) and signed with
//! the server's VAPID key (RFC 8292: checked here with the key browsers are given). Devices the
//! service says are gone are forgotten, failures are tried again, and devices on services not
//! listed, or with keys of the wrong shape, are refused.
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use app::account::Role;
use app::notification::Level;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use base64ct::{Base64UrlUnpadded, Encoding};
use battery_swap::Server;
use tokio::sync::mpsc;
use web_push_native::jwt_simple::prelude::*;
use web_push_native::p256::{self, elliptic_curve::sec1::ToEncodedPoint};

use crate::support::*;

/// One push as the push service received it.
#[derive(Debug)]
struct Received {
    device: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A push service on loopback: `/push/{device}` takes pushes (201), except for the devices
/// named `gone` (410) and `flaky` (500 once, then 201). Returns its origin and what it receives.
async fn push_service() -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::unbounded_channel();
    let failed_once = Arc::new(AtomicBool::new(false));
    let app = axum::Router::new().route(
        "/push/{device}",
        axum::routing::post(
            move |Path(device): Path<String>, headers: HeaderMap, body: Bytes| {
                let (tx, failed_once) = (tx.clone(), failed_once.clone());
                async move {
                    let status = match device.as_str() {
                        "gone" => StatusCode::GONE,
                        "flaky" if !failed_once.swap(true, Ordering::SeqCst) => {
                            StatusCode::INTERNAL_SERVER_ERROR
                        }
                        _ => StatusCode::CREATED,
                    };
                    let _ = tx.send(Received {
                        device,
                        headers,
                        body: body.to_vec(),
                    });
                    status
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (origin, rx)
}

/// A browser's subscription keys: the private half stays here, to decrypt with.
struct DeviceKeys {
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl DeviceKeys {
    fn new() -> DeviceKeys {
        DeviceKeys {
            secret: p256::SecretKey::from_slice(&rand::random::<[u8; 32]>()).expect("a key"),
            auth: rand::random(),
        }
    }

    fn p256dh(&self) -> String {
        let point = self.secret.public_key().to_encoded_point(false);
        Base64UrlUnpadded::encode_string(point.as_bytes())
    }

    fn auth(&self) -> String {
        Base64UrlUnpadded::encode_string(&self.auth)
    }
}

/// A server whose devices may be on the loopback push service at `origin`.
async fn server_pushing_to(origin: &str) -> Server {
    let mut cfg = config().await;
    cfg.push.services = vec![origin.to_string()];
    cfg.push.contact = "mailto:ops@battery-swap.test".into();
    start(cfg).await
}

async fn enable(
    client: &reqwest::Client,
    s: &Server,
    endpoint: &str,
    keys: &DeviceKeys,
) -> (u16, serde_json::Value) {
    api(
        client,
        s,
        "enable_push",
        &[
            ("endpoint", endpoint),
            ("p256dh", &keys.p256dh()),
            ("auth", &keys.auth()),
        ],
    )
    .await
}

/// An admin's message to `email`.
async fn announce(s: &Server, email: &str, title: &str) {
    let email_of_admin = format!("admin-{}@example.com", rand::random::<u32>());
    let admin = user(s, &email_of_admin, Role::Admin).await;
    app::notification::ssr::send_by_email(
        ctx(s),
        &admin,
        email,
        title,
        "Details inside.",
        Level::Info,
    )
    .await
    .expect("sent");
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(WAIT * 2, rx.recv())
        .await
        .expect("a push within the wait")
        .expect("the push service runs")
}

#[tokio::test]
async fn a_notification_reaches_the_device_encrypted_to_its_keys_and_signed_by_the_server() {
    let (origin, mut pushes) = push_service().await;
    let s = server_pushing_to(&origin).await;
    user(&s, "pushed@example.com", Role::Rider).await;
    let rider = logged_in(&s, "pushed@example.com").await;
    let keys = DeviceKeys::new();
    let endpoint = format!("{origin}/push/phone");
    let (status, body) = enable(&rider, &s, &endpoint, &keys).await;
    assert_eq!(status, 200, "{body}");
    let (_, on) = api(&rider, &s, "push_enabled", &[("endpoint", &endpoint)]).await;
    assert_eq!(on, serde_json::json!(true));

    announce(&s, "pushed@example.com", "Station closing early").await;
    let push = next(&mut pushes).await;
    assert_eq!(push.device, "phone");
    assert_eq!(push.headers["content-encoding"], "aes128gcm");
    assert_eq!(push.headers["ttl"], "3600");

    // RFC 8291: only the device's keys open it.
    let auth = web_push_native::Auth::clone_from_slice(&keys.auth);
    let plain = web_push_native::decrypt(push.body.clone(), &keys.secret, &auth).expect("decrypts");
    let note: serde_json::Value = serde_json::from_slice(&plain).expect("JSON");
    assert_eq!(note["title"], "Station closing early");
    assert_eq!(note["message"], "Details inside.");
    assert_eq!(note["url"], "/notifications");
    let other = DeviceKeys::new();
    let wrong = web_push_native::Auth::clone_from_slice(&other.auth);
    assert!(web_push_native::decrypt(push.body, &other.secret, &wrong).is_err());

    // RFC 8292: signed with the key browsers subscribe with, for this push service, by us.
    let key = browser()
        .get(http(&s, "/api/push_key"))
        .send()
        .await
        .expect("key")
        .json::<String>()
        .await
        .expect("JSON");
    let authorization = push.headers["authorization"].to_str().expect("text");
    let (token, k) = authorization
        .strip_prefix("vapid t=")
        .and_then(|rest| rest.split_once(", k="))
        .expect("vapid t=…, k=…");
    assert_eq!(k, key);
    let public = ES256PublicKey::from_bytes(&Base64UrlUnpadded::decode_vec(&key).expect("b64"))
        .expect("P-256");
    // The audience is the push service's scheme and host (web-push-native leaves the port
    // out: real push services are on 443, where the origin has none).
    let options = VerificationOptions {
        allowed_audiences: Some(HashSet::from(["http://127.0.0.1".to_string()])),
        ..Default::default()
    };
    let claims = public
        .verify_token::<NoCustomClaims>(token, Some(options))
        .expect("valid signature");
    assert_eq!(
        claims.subject.as_deref(),
        Some("mailto:ops@battery-swap.test")
    );
    let expires = claims.expires_at.expect("exp").as_secs();
    let now = Clock::now_since_epoch().as_secs();
    assert!(
        expires > now && expires <= now + 24 * 3600,
        "exp within a day"
    );

    // Turned off, the device gets nothing more: the next notification is not pushed.
    let (status, _) = api(&rider, &s, "disable_push", &[("endpoint", &endpoint)]).await;
    assert_eq!(status, 200);
    announce(&s, "pushed@example.com", "Second").await;
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(2), pushes.recv())
            .await
            .is_err(),
        "a device turned off is pushed nothing"
    );
}

#[tokio::test]
async fn a_device_its_service_says_is_gone_is_forgotten_and_a_failure_is_tried_again() {
    let (origin, mut pushes) = push_service().await;
    let s = server_pushing_to(&origin).await;
    user(&s, "devices@example.com", Role::Rider).await;
    let rider = logged_in(&s, "devices@example.com").await;
    let (gone, flaky) = (
        format!("{origin}/push/gone"),
        format!("{origin}/push/flaky"),
    );
    for endpoint in [&gone, &flaky] {
        let (status, body) = enable(&rider, &s, endpoint, &DeviceKeys::new()).await;
        assert_eq!(status, 200, "{body}");
    }
    announce(&s, "devices@example.com", "Hold ends soon").await;
    let mut seen = Vec::new();
    while seen.iter().filter(|d: &&String| *d == "flaky").count() < 2 {
        seen.push(next(&mut pushes).await.device);
    }
    // The gone device was posted to once, then forgotten; the flaky one got it on a retry.
    assert_eq!(seen.iter().filter(|d| *d == "gone").count(), 1, "{seen:?}");
    let (_, on) = api(&rider, &s, "push_enabled", &[("endpoint", &gone)]).await;
    assert_eq!(on, serde_json::json!(false));
    let (_, on) = api(&rider, &s, "push_enabled", &[("endpoint", &flaky)]).await;
    assert_eq!(on, serde_json::json!(true));
}

#[tokio::test]
async fn devices_on_unlisted_services_or_with_bad_keys_are_refused() {
    let (origin, _pushes) = push_service().await;
    let s = server_pushing_to(&origin).await;
    user(&s, "refused@example.com", Role::Rider).await;
    let rider = logged_in(&s, "refused@example.com").await;
    let keys = DeviceKeys::new();
    for endpoint in [
        "https://internal.example/admin",
        "http://127.0.0.1:1/push/x",
        "http://169.254.169.254/latest/meta-data",
        &format!(
            "{}@evil.example/push/x",
            origin.replace("http://", "http://user:")
        ),
    ] {
        let (status, body) = enable(&rider, &s, endpoint, &keys).await;
        assert_eq!(status, 400, "{endpoint}: {body}");
    }
    let endpoint = format!("{origin}/push/x");
    for (p256dh, auth) in [
        ("BBBB".to_string(), keys.auth()),
        (keys.p256dh(), "short".to_string()),
    ] {
        let form = [
            ("endpoint", endpoint.as_str()),
            ("p256dh", &p256dh),
            ("auth", &auth),
        ];
        let (status, body) = api(&rider, &s, "enable_push", &form).await;
        assert_eq!(status, 400, "{body}");
    }
    // Nobody signed in: no device.
    let (status, _) = enable(&browser(), &s, &endpoint, &keys).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn two_instances_claiming_at_once_never_push_one_notification_twice() {
    use app::push::ssr::outbox;
    let (origin, _pushes) = push_service().await;
    let s = server_pushing_to(&origin).await;
    // The server's own pusher claims too; the claims below race it and each other.
    let n = 40;
    for i in 0..n {
        let email = format!("claim-{i}@example.com");
        user(&s, &email, Role::Rider).await;
        let rider = logged_in(&s, &email).await;
        let (status, body) = enable(
            &rider,
            &s,
            &format!("{origin}/push/never-{i}"),
            &DeviceKeys::new(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let admin = user(&s, "claim-admin@example.com", Role::Admin).await;
    app::notification::ssr::send(ctx(&s), &admin, None, "All", "To everyone", Level::Info)
        .await
        .expect("sent");
    let now = chrono::Utc::now();
    let claims =
        futures::future::join_all((0..4).map(|_| outbox::claim(&ctx(&s).db, now, 100))).await;
    let mut ids: Vec<i32> = claims
        .into_iter()
        .flat_map(|c| c.expect("claim"))
        .map(|c| c.id)
        .collect();
    let claimed = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), claimed, "a row claimed twice");
}

#[tokio::test]
async fn an_instance_that_took_too_long_cannot_finish_a_push_another_has_taken_over() {
    use app::push::ssr::outbox;
    // A service the server cannot reach at all: its own pusher keeps failing, never finishing.
    let s = server_pushing_to("http://127.0.0.1:9").await;
    user(&s, "slow@example.com", Role::Rider).await;
    let rider = logged_in(&s, "slow@example.com").await;
    let (status, body) = enable(&rider, &s, "http://127.0.0.1:9/push/x", &DeviceKeys::new()).await;
    assert_eq!(status, 200, "{body}");
    announce(&s, "slow@example.com", "Late").await;
    // Far enough ahead that the server's own claims are all stale.
    let at = chrono::Utc::now() + outbox::CLAIM_FOR * 10;
    let db = &ctx(&s).db;
    let first = outbox::claim(db, at, 10).await.expect("claim");
    assert_eq!(first.len(), 1);
    // The first instance is too slow: a minute on, another takes the row over.
    let second = outbox::claim(
        db,
        at + outbox::CLAIM_FOR + chrono::Duration::seconds(1),
        10,
    )
    .await
    .expect("claim");
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, first[0].id);
    // The first one's late answer changes nothing: the row is still there, the second's.
    outbox::done(db, &first[0]).await.expect("done");
    outbox::later(db, &first[0], at).await.expect("later");
    let still = outbox::claim(db, at + outbox::CLAIM_FOR * 3, 10)
        .await
        .expect("claim");
    assert_eq!(
        still.len(),
        1,
        "the first instance finished a push it no longer held"
    );
    outbox::done(db, &still[0]).await.expect("done");
    let after = outbox::claim(db, at + outbox::CLAIM_FOR * 5, 10)
        .await
        .expect("claim");
    assert!(
        after.is_empty(),
        "finished once, by the instance that held it"
    );
}

#[tokio::test]
async fn a_device_ends_with_the_session_it_was_turned_on_in() {
    let (origin, mut pushes) = push_service().await;
    let s = server_pushing_to(&origin).await;
    let rider = user(&s, "session@example.com", Role::Rider).await;
    let phone = logged_in(&s, "session@example.com").await;
    let laptop = logged_in(&s, "session@example.com").await;
    for (client, name) in [(&phone, "phone"), (&laptop, "laptop")] {
        let endpoint = format!("{origin}/push/{name}");
        let (status, body) = enable(client, &s, &endpoint, &DeviceKeys::new()).await;
        assert_eq!(status, 200, "{body}");
    }
    // Logged out on the phone: the phone's device goes, the laptop's stays.
    let (status, _) = api(&phone, &s, "logout", &[]).await;
    assert_eq!(status, 200);
    let left = app::push::ssr::devices::of_user(&ctx(&s).db, rider.id)
        .await
        .expect("devices");
    let endpoints: Vec<&str> = left.iter().map(|d| d.endpoint.as_str()).collect();
    assert_eq!(endpoints, [format!("{origin}/push/laptop")]);
    announce(&s, "session@example.com", "Only the laptop").await;
    assert_eq!(next(&mut pushes).await.device, "laptop");

    // A bearer token is no browser: it cannot turn a device on.
    let (_, issued) = api(&laptop, &s, "create_token", &[("label", "script")]).await;
    let token = issued["token"].as_str().expect("token").to_string();
    let keys = DeviceKeys::new();
    let res = reqwest::Client::new()
        .post(http(&s, "/api/enable_push"))
        .bearer_auth(token)
        .form(&[
            ("endpoint", format!("{origin}/push/script")),
            ("p256dh", keys.p256dh()),
            ("auth", keys.auth()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 403);
}
