//! Issue 11, item 3: password guessing is throttled per account and per client address (in the
//! database, so across instances), password hashing is bounded, a failed login leaves the
//! caller's session alone; item 13: logins and logouts are in the audit trail.
use app::account::Role;
use app::account::ssr::entity::login_throttle;
use app::audit::AuditAction;
use app::audit::ssr::entity as audit;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::support::*;

/// A login attempt: status, `Retry-After`, JSON body.
async fn attempt(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (u16, Option<u64>, serde_json::Value) {
    let mut req = client
        .post(format!("{base}/api/login"))
        .form(&[("email", email), ("password", password)]);
    if let Some(ip) = forwarded_for {
        req = req.header("x-forwarded-for", ip);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (status, retry, res.json().await.unwrap_or_default())
}

fn base(s: &battery_swap::Server) -> String {
    http(s, "")
}

#[tokio::test]
async fn failed_logins_lock_the_account_with_retry_after_known_or_not() {
    let s = server().await;
    user(&s, "known@a.test", Role::Rider).await;
    let c = browser();
    for email in ["known@a.test", "nobody@a.test"] {
        for i in 0..5 {
            let (status, retry, _) = attempt(&c, &base(&s), email, "wrong password", None).await;
            assert_eq!(
                (status, retry),
                (401, None),
                "{email}: attempt {i} is checked"
            );
        }
        // The sixth is refused before any password is checked, even the right one.
        let (status, retry, body) = attempt(&c, &base(&s), email, PASSWORD, None).await;
        assert_eq!(status, 429, "{email}: {body}");
        assert_eq!(body["error"], "too_many_attempts");
        let retry = retry.expect("Retry-After");
        assert!((1..=900).contains(&retry), "{retry}");
    }
    // Another account from the same address is not locked (10 failures < 20 per address).
    user(&s, "other@a.test", Role::Rider).await;
    assert_eq!(
        attempt(&c, &base(&s), "other@a.test", PASSWORD, None)
            .await
            .0,
        200
    );
    let rows = login_throttle::Entity::find()
        .filter(login_throttle::Column::Subject.eq("account:known@a.test"))
        .one(&ctx(&s).db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rows.failures, 5, "failures are counted");
}

#[tokio::test]
async fn the_lockout_ends_with_its_window_and_a_login_clears_the_account() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = browser();
    for _ in 0..5 {
        attempt(&c, &base(&s), "r@a.test", "wrong password", None).await;
    }
    assert_eq!(
        attempt(&c, &base(&s), "r@a.test", PASSWORD, None).await.0,
        429
    );
    // The window ran out (moved into the past rather than waited for).
    let past = chrono::Utc::now() - chrono::Duration::minutes(16);
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::WindowStart,
            sea_orm::sea_query::Expr::value(past),
        )
        .exec(&ctx(&s).db)
        .await
        .unwrap();
    assert_eq!(
        attempt(&c, &base(&s), "r@a.test", PASSWORD, None).await.0,
        200
    );
    // A success starts the account over: five more wrong guesses are checked again.
    for _ in 0..4 {
        attempt(&c, &base(&s), "r@a.test", "wrong password", None).await;
    }
    assert_eq!(
        attempt(&c, &base(&s), "r@a.test", "wrong password", None)
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn failures_are_limited_per_client_address_ipv6_by_its_64() {
    let mut cfg = config().await;
    cfg.accounts.login_failures_per_address = 3;
    cfg.http.trusted_proxies = vec!["127.0.0.1".into()];
    let s = start(cfg).await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = browser();
    let one_64 = ["2001:db8:1:2::a", "2001:db8:1:2::b", "2001:db8:1:2:ffff::c"];
    for (i, ip) in one_64.iter().enumerate() {
        let email = format!("guess{i}@a.test");
        let (status, _, _) = attempt(&c, &base(&s), &email, "wrong password", Some(ip)).await;
        assert_eq!(status, 401);
    }
    // A fourth account from the same /64 is refused; the right password makes no difference.
    let (status, retry, _) =
        attempt(&c, &base(&s), "r@a.test", PASSWORD, Some("2001:db8:1:2::d")).await;
    assert_eq!((status, retry.is_some()), (429, true));
    // Another client is unaffected.
    let (status, _, _) = attempt(&c, &base(&s), "r@a.test", PASSWORD, Some("2001:db8:9::1")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_throttle_holds_across_instances() {
    let cfg = config().await;
    let a = start(cfg.clone()).await;
    let b = start(cfg).await;
    user(&a, "r@a.test", Role::Rider).await;
    let c = browser();
    for s in [&a, &b, &a, &b, &a] {
        assert_eq!(
            attempt(&c, &base(s), "r@a.test", "wrong password", None)
                .await
                .0,
            401
        );
    }
    assert_eq!(
        attempt(&c, &base(&b), "r@a.test", PASSWORD, None).await.0,
        429
    );
    assert_eq!(
        attempt(&c, &base(&a), "r@a.test", PASSWORD, None).await.0,
        429
    );
}

#[tokio::test]
async fn registrations_are_limited_per_client_address() {
    let mut cfg = config().await;
    cfg.accounts.registrations_per_address = 2;
    let s = start(cfg).await;
    let c = browser();
    for i in 0..2 {
        let email = format!("new{i}@a.test");
        let (status, _) = api(
            &c,
            &s,
            "register",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(status, 200);
    }
    let res = c
        .post(http(&s, "/api/register"))
        .form(&[("email", "new9@a.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn password_hashing_is_bounded_and_overflow_gets_503() {
    let mut cfg = config().await;
    cfg.accounts.hash_concurrency = 1;
    cfg.accounts.hash_queue = 2;
    let s = start(cfg).await;
    user(&s, "r@a.test", Role::Rider).await;
    let gate = ctx(&s).rules.accounts.hash_gate.clone();
    // The one hashing slot is taken: two logins queue behind it.
    let held = gate.enter().await.unwrap();
    let queued: Vec<_> = (0..2)
        .map(|_| {
            let url = base(&s);
            tokio::spawn(async move {
                attempt(&browser(), &url, "r@a.test", PASSWORD, None)
                    .await
                    .0
            })
        })
        .collect();
    until(|| gate.waiting() == 2).await;
    // Beyond the queue: 503 at once, without hashing.
    let (status, retry, body) = attempt(&browser(), &base(&s), "r@a.test", PASSWORD, None).await;
    assert_eq!(
        (status, retry, body["error"].as_str()),
        (503, Some(1), Some("busy"))
    );
    let res = browser()
        .post(http(&s, "/api/register"))
        .form(&[("email", "n@a.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503, "registration waits for the same slots");
    drop(held);
    for q in queued {
        assert_eq!(q.await.unwrap(), 200, "queued logins go through");
    }
    // Turned-away attempts were never tried, so they are not counted against anyone.
    let address = login_throttle::Entity::find()
        .filter(login_throttle::Column::Subject.eq("address:127.0.0.1"))
        .one(&ctx(&s).db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(address.failures, 0);
}

#[tokio::test]
async fn a_failed_login_leaves_the_current_session_alone() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = logged_in(&s, "r@a.test").await;
    let (status, _) = api(
        &c,
        &s,
        "login",
        &[("email", "r@a.test"), ("password", "wrong password")],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(api(&c, &s, "me", &[]).await.1["email"], "r@a.test");
}

#[tokio::test]
async fn logins_failures_and_logouts_are_audited_with_the_client_address() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = browser();
    attempt(&c, &base(&s), "r@a.test", "wrong password", None).await;
    attempt(&c, &base(&s), "ghost@a.test", "wrong password", None).await;
    assert_eq!(
        attempt(&c, &base(&s), "r@a.test", PASSWORD, None).await.0,
        200
    );
    assert_eq!(api(&c, &s, "logout", &[]).await.0, 200);
    let db = &ctx(&s).db;
    let rows = audit::Entity::find()
        .order_by_asc(audit::Column::Id)
        .all(db)
        .await
        .unwrap();
    let seen: Vec<(AuditAction, &str, bool)> = rows
        .iter()
        .map(|r| (r.action, r.actor.as_str(), r.actor_id.is_some()))
        .collect();
    assert_eq!(
        seen,
        [
            (AuditAction::LoginFailed, "r@a.test", true),
            (AuditAction::LoginFailed, "ghost@a.test", false),
            (AuditAction::LoggedIn, "r@a.test", true),
            (AuditAction::LoggedOut, "r@a.test", true),
        ]
    );
    assert!(
        rows.iter().all(|r| r.detail.contains("from 127.0.0.1")),
        "{rows:?}"
    );
    assert!(
        rows.iter().all(|r| !r.detail.contains("wrong password")),
        "never the password"
    );
    // The trail is stored typed, under snake_case names.
    let names = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT action FROM audit_log ORDER BY id",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "action").unwrap())
        .collect::<Vec<_>>();
    assert_eq!(
        names,
        ["login_failed", "login_failed", "logged_in", "logged_out"]
    );
}
