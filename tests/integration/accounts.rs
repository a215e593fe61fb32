//! Registration, login, sessions and what is stored.
use app::account::ssr::entity::{session, user};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::support::*;

#[tokio::test]
async fn register_stores_only_an_argon2id_hash() {
    let s = server().await;
    let client = browser();
    let (status, body) = api(
        &client,
        &s,
        "register",
        &[
            ("email", "New@Example.com"),
            ("display_name", "Nina"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["email"], "new@example.com");
    assert_eq!(body["role"], "rider");
    assert!(body.get("password_hash").is_none() && !body.to_string().contains(PASSWORD));
    let row = user::Entity::find()
        .one(&ctx(&s).db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        row.password_hash
    );
    assert!(!row.password_hash.contains(PASSWORD));
    // Registering logs in: the session works straight away.
    let (status, me) = api(&client, &s, "me", &[]).await;
    assert_eq!(
        (status, me["email"].as_str()),
        (200, Some("new@example.com"))
    );
}

#[tokio::test]
async fn registration_refusals() {
    let s = server().await;
    let c = browser();
    let reg = |email: &'static str, pw: &'static str| {
        let c = c.clone();
        let s = &s;
        async move { api(&c, s, "register", &[("email", email), ("password", pw)]).await }
    };
    assert_eq!(reg("a@b.io", PASSWORD).await.0, 200);
    let (status, body) = reg("A@B.IO", PASSWORD).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("email_taken")),
        "emails are unique case-insensitively"
    );
    let (status, body) = reg("c@d.io", "short").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("validation")));
    let (status, _) = reg("not-an-email", PASSWORD).await;
    assert_eq!(status, 400);
    let long = "p".repeat(64);
    let (status, _) = api(
        &c,
        &s,
        "register",
        &[("email", "long@d.io"), ("password", &long)],
    )
    .await;
    assert_eq!(status, 200, "64-character passwords are accepted");
    assert_eq!(user::Entity::find().count(&ctx(&s).db).await.unwrap(), 2);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_look_the_same() {
    let s = server().await;
    user(&s, "known@a.test", app::account::Role::Rider).await;
    let c = browser();
    let wrong = api(
        &c,
        &s,
        "login",
        &[("email", "known@a.test"), ("password", "wrong password")],
    )
    .await;
    let unknown = api(
        &c,
        &s,
        "login",
        &[("email", "nobody@a.test"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong.1["error"], "invalid_credentials");
    assert_eq!(session::Entity::find().count(&ctx(&s).db).await.unwrap(), 0);
}

#[tokio::test]
async fn sessions_are_fresh_per_login_and_end_at_logout() {
    let s = server().await;
    user(&s, "r@a.test", app::account::Role::Rider).await;
    let res = browser()
        .post(http(&s, "/api/login"))
        .form(&[("email", "r@a.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("bs_session=")
        .to_string();
    assert!(value.len() >= 32, "at least 128 bits of randomness");
    let c1 = logged_in(&s, "r@a.test").await;
    let c2 = logged_in(&s, "r@a.test").await;
    assert_eq!(
        session::Entity::find().count(&ctx(&s).db).await.unwrap(),
        3,
        "one session per login"
    );
    let stored = session::Entity::find().all(&ctx(&s).db).await.unwrap();
    assert!(
        stored.iter().all(|r| r.token_hash != value),
        "only a digest of the cookie is stored"
    );
    assert_eq!(api(&c1, &s, "logout", &[]).await.0, 200);
    assert_eq!(
        api(&c1, &s, "me", &[]).await.1,
        serde_json::Value::Null,
        "logged out"
    );
    assert_eq!(
        api(&c2, &s, "me", &[]).await.1["email"],
        "r@a.test",
        "other sessions live on"
    );
    // A logged-out cookie replayed by hand is worthless.
    let me_with = |v: String| {
        let url = http(&s, "/api/me");
        async move {
            let res = browser()
                .post(url)
                .header("cookie", format!("bs_session={v}"))
                .send()
                .await
                .unwrap();
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    assert_eq!(me_with(value.clone()).await["email"], "r@a.test");
    let out = browser()
        .post(http(&s, "/api/logout"))
        .header("cookie", format!("bs_session={value}"))
        .send()
        .await
        .unwrap();
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(me_with(value).await, serde_json::Value::Null);
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let cfg = config().await;
    let s = start(cfg.clone()).await;
    user(&s, "r@a.test", app::account::Role::Rider).await;
    let cookie = session_cookie(&s, "r@a.test").await;
    s.shutdown().await.unwrap();
    let s = start(cfg).await;
    let res = browser()
        .post(http(&s, "/api/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let me: serde_json::Value = res.json().await.unwrap();
    assert_eq!(me["email"], "r@a.test");
}

#[tokio::test]
async fn secure_cookie_behind_https() {
    let mut cfg = config().await;
    cfg.http.public_url = Some("https://swap.example".into());
    let s = start(cfg).await;
    user(&s, "r@a.test", app::account::Role::Rider).await;
    let res = browser()
        .post(http(&s, "/api/login"))
        .form(&[("email", "r@a.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
}
