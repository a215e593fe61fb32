//! Authentication of `/ws/notifications/`, origins, and credentials that end.
use app::account::Role;
use serde_json::Value;

use crate::support::*;

async fn token(server: &battery_swap::Server, email: &str) -> (reqwest::Client, i64, String) {
    let client = logged_in(server, email).await;
    let (status, issued) = api(&client, server, "create_token", &[("label", "script")]).await;
    assert_eq!(status, 200, "{issued}");
    let token = issued["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    (client, issued["id"].as_i64().unwrap(), token)
}

#[tokio::test]
async fn notifications_need_a_credential() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    assert_eq!(
        refused_status(connect(&s, "/ws/notifications/", &[]).await.unwrap_err()),
        401
    );
    assert_eq!(
        refused_status(
            connect(&s, "/ws/notifications/?token=forged", &[])
                .await
                .unwrap_err()
        ),
        401
    );
    let forged = [(
        "authorization",
        "Bearer 0000000000000000000000000000000000000000000000000000000000000000",
    )];
    assert_eq!(
        refused_status(
            connect(&s, "/ws/notifications/", &forged)
                .await
                .unwrap_err()
        ),
        401
    );
    assert_eq!(
        refused_status(
            connect(&s, "/ws/notifications/", &[("cookie", "bs_session=forged")])
                .await
                .unwrap_err()
        ),
        401
    );

    let cookie = session_cookie(&s, "r@a.test").await;
    let mut ws = connect(&s, "/ws/notifications/", &[("cookie", &cookie)])
        .await
        .unwrap();
    let hello = next_json(&mut ws).await;
    assert_eq!(hello["type"], "connection_established");
    assert_eq!(hello["unread_count"], 0);

    let (_, _, tok) = token(&s, "r@a.test").await;
    let bearer = format!("Bearer {tok}");
    let mut ws = connect(&s, "/ws/notifications/", &[("authorization", &bearer)])
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "connection_established");
    let mut ws = connect(&s, &format!("/ws/notifications/?token={tok}"), &[])
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "connection_established");
}

#[tokio::test]
async fn revoking_a_token_refuses_it_and_closes_its_sockets() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    let (client, id, tok) = token(&s, "r@a.test").await;
    let (_, _, other_tok) = token(&s, "r@a.test").await;
    let mut ws = connect(&s, &format!("/ws/notifications/?token={tok}"), &[])
        .await
        .unwrap();
    let mut kept = connect(&s, &format!("/ws/notifications/?token={other_tok}"), &[])
        .await
        .unwrap();
    next_json(&mut ws).await;
    next_json(&mut kept).await;
    let (status, _) = api(
        &client,
        &s,
        "revoke_token",
        &[("token_id", &id.to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(close_code(&mut ws).await, Some(4401));
    assert_eq!(
        refused_status(
            connect(&s, &format!("/ws/notifications/?token={tok}"), &[])
                .await
                .unwrap_err()
        ),
        401
    );
    // The other token's socket is untouched.
    send_text(&mut kept, r#"{"type":"ping","timestamp":1}"#).await;
    assert_eq!(next_json(&mut kept).await["timestamp"], 1);
    // Nobody revokes someone else's token.
    user(&s, "x@a.test", Role::Rider).await;
    let (_, other_id, _) = token(&s, "x@a.test").await;
    let (status, _) = api(
        &client,
        &s,
        "revoke_token",
        &[("token_id", &other_id.to_string())],
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn logging_out_closes_that_sessions_sockets() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    let cookie = session_cookie(&s, "r@a.test").await;
    let mut ws = connect(&s, "/ws/notifications/", &[("cookie", &cookie)])
        .await
        .unwrap();
    next_json(&mut ws).await;
    let res = browser()
        .post(http(&s, "/api/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(close_code(&mut ws).await, Some(4401));
    assert_eq!(
        refused_status(
            connect(&s, "/ws/notifications/", &[("cookie", &cookie)])
                .await
                .unwrap_err()
        ),
        401
    );
}

#[tokio::test]
async fn foreign_browser_origins_are_refused() {
    let s = server().await;
    let own = format!("http://{}", s.addr);
    assert!(
        connect(&s, "/ws/stations/", &[("origin", &own)])
            .await
            .is_ok()
    );
    let local = format!("http://localhost:{}", s.addr.port());
    assert!(
        connect(&s, "/ws/stations/", &[("origin", &local)])
            .await
            .is_ok()
    );
    let evil = connect(&s, "/ws/stations/", &[("origin", "https://evil.example")])
        .await
        .unwrap_err();
    assert_eq!(refused_status(evil), 403);
    // Cross-site hijacking of the authenticated feed, with the victim's cookie, fails too.
    user(&s, "r@a.test", Role::Rider).await;
    let cookie = session_cookie(&s, "r@a.test").await;
    let hijack = connect(
        &s,
        "/ws/notifications/",
        &[("origin", "https://evil.example"), ("cookie", &cookie)],
    )
    .await;
    assert_eq!(refused_status(hijack.unwrap_err()), 403);
}

#[tokio::test]
async fn connection_rate_is_limited_per_ip() {
    let mut cfg = config().await;
    cfg.sockets.connects_per_minute = 3;
    let s = start(cfg).await;
    for _ in 0..3 {
        connect(&s, "/ws/stations/", &[]).await.unwrap();
    }
    assert_eq!(
        refused_status(connect(&s, "/ws/stations/", &[]).await.unwrap_err()),
        429
    );
    let _ = Value::Null;
}
