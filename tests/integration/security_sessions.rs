//! Issue 11, item 8: sessions end when idle (use renews them, at most once a minute) and at
//! their absolute lifetime; tokens expire; the sweeper deletes both and closes their sockets;
//! only a session manages tokens; item 13: token changes are in the audit trail.
use app::account::Role;
use app::account::ssr::entity::{api_token, session};
use app::audit::AuditAction;
use app::audit::ssr::entity as audit;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};

use crate::support::*;

async fn only_session(s: &battery_swap::Server) -> session::Model {
    let mut all = session::Entity::find().all(&ctx(s).db).await.unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

async fn set_session(s: &battery_swap::Server, column: session::Column, at: DateTime<Utc>) {
    session::Entity::update_many()
        .col_expr(column, Expr::value(at))
        .exec(&ctx(s).db)
        .await
        .unwrap();
}

fn near(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    (a - b).num_seconds().abs() < 60
}

async fn bearer(
    s: &battery_swap::Server,
    token: &str,
    name: &str,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let res = browser()
        .post(http(s, &format!("/api/{name}")))
        .header("authorization", format!("Bearer {token}"))
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or_default())
}

async fn new_token(c: &reqwest::Client, s: &battery_swap::Server) -> (i64, String) {
    let (status, issued) = api(c, s, "create_token", &[("label", "script")]).await;
    assert_eq!(status, 200, "{issued}");
    (
        issued["id"].as_i64().unwrap(),
        issued["token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn use_renews_an_idle_session_at_most_once_a_minute() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = logged_in(&s, "r@a.test").await;
    let idle = Duration::days(7);
    assert!(
        near(only_session(&s).await.expires_at, Utc::now() + idle),
        "a new session lasts the idle timeout"
    );
    // Nearly idle for a week: using it starts the week over.
    set_session(
        &s,
        session::Column::ExpiresAt,
        Utc::now() + Duration::seconds(30),
    )
    .await;
    assert_eq!(api(&c, &s, "me", &[]).await.1["email"], "r@a.test");
    assert!(near(only_session(&s).await.expires_at, Utc::now() + idle));
    // Renewed half a minute ago: no write.
    set_session(
        &s,
        session::Column::ExpiresAt,
        Utc::now() + idle - Duration::seconds(30),
    )
    .await;
    let before = only_session(&s).await.expires_at;
    assert_eq!(api(&c, &s, "me", &[]).await.1["email"], "r@a.test");
    assert_eq!(only_session(&s).await.expires_at, before);
    // Idle too long: over.
    set_session(
        &s,
        session::Column::ExpiresAt,
        Utc::now() - Duration::seconds(1),
    )
    .await;
    assert_eq!(api(&c, &s, "me", &[]).await.1, serde_json::Value::Null);
}

#[tokio::test]
async fn renewal_never_passes_the_absolute_lifetime() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = logged_in(&s, "r@a.test").await;
    // 30 minutes left of its 30 days: renewing by a week would pass that, so it is not renewed.
    let created = Utc::now() - Duration::days(30) + Duration::minutes(30);
    set_session(&s, session::Column::CreatedAt, created).await;
    set_session(
        &s,
        session::Column::ExpiresAt,
        Utc::now() + Duration::minutes(5),
    )
    .await;
    let before = only_session(&s).await.expires_at;
    assert_eq!(api(&c, &s, "me", &[]).await.1["email"], "r@a.test");
    assert_eq!(only_session(&s).await.expires_at, before);
}

#[tokio::test]
async fn tokens_expire_after_token_days() {
    let mut cfg = config().await;
    cfg.accounts.token_days = 1;
    let s = start(cfg).await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = logged_in(&s, "r@a.test").await;
    let (_, token) = new_token(&c, &s).await;
    let row = api_token::Entity::find()
        .one(&ctx(&s).db)
        .await
        .unwrap()
        .unwrap();
    assert!(near(
        row.expires_at.unwrap(),
        Utc::now() + Duration::days(1)
    ));
    assert_eq!(bearer(&s, &token, "me", &[]).await.1["email"], "r@a.test");
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .exec(&ctx(&s).db)
        .await
        .unwrap();
    assert_eq!(
        bearer(&s, &token, "me", &[]).await.1,
        serde_json::Value::Null
    );
    let ws = connect(&s, &format!("/ws/notifications/?token={token}"), &[]).await;
    assert_eq!(refused_status(ws.unwrap_err()), 401);
}

#[tokio::test]
async fn the_sweeper_deletes_expired_sessions_and_tokens_and_closes_their_sockets() {
    let mut cfg = config().await;
    cfg.booking.sweep_seconds = 1;
    let s = start(cfg).await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = logged_in(&s, "r@a.test").await;
    let (_, token) = new_token(&c, &s).await;
    let cookie = session_cookie(&s, "r@a.test").await;
    let mut by_cookie = connect(&s, "/ws/notifications/", &[("cookie", &cookie)])
        .await
        .unwrap();
    let mut by_token = connect(&s, &format!("/ws/notifications/?token={token}"), &[])
        .await
        .unwrap();
    next_json(&mut by_cookie).await;
    next_json(&mut by_token).await;
    let past = Utc::now() - Duration::seconds(1);
    set_session(&s, session::Column::ExpiresAt, past).await;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::ExpiresAt, Expr::value(past))
        .exec(&ctx(&s).db)
        .await
        .unwrap();
    assert_eq!(close_code(&mut by_cookie).await, Some(4401));
    assert_eq!(close_code(&mut by_token).await, Some(4401));
    let db = &ctx(&s).db;
    assert_eq!(session::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(api_token::Entity::find().count(db).await.unwrap(), 0);
}

#[tokio::test]
async fn only_a_session_manages_tokens_and_changes_are_audited() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = logged_in(&s, "r@a.test").await;
    let (id, token) = new_token(&c, &s).await;
    let id = id.to_string();
    // Whoever holds the token cannot mint more, list them, or revoke the owner's others.
    let (status, body) = bearer(&s, &token, "create_token", &[("label", "more")]).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
    assert_eq!(bearer(&s, &token, "list_tokens", &[]).await.0, 403);
    assert_eq!(
        bearer(&s, &token, "revoke_token", &[("token_id", &id)])
            .await
            .0,
        403
    );
    // The owner's list: no secret, no hash.
    let (status, list) = api(&c, &s, "list_tokens", &[]).await;
    assert_eq!(status, 200);
    let entry = list[0].as_object().unwrap();
    let mut keys: Vec<&str> = entry.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["created_at", "expires_at", "id", "label"]);
    assert!(!list.to_string().contains(&token));
    // Revoking it locks its holder out.
    assert_eq!(
        api(&c, &s, "revoke_token", &[("token_id", &id)]).await.0,
        200
    );
    assert_eq!(
        bearer(&s, &token, "me", &[]).await.1,
        serde_json::Value::Null
    );
    assert_eq!(
        api(&c, &s, "list_tokens", &[]).await.1,
        serde_json::json!([])
    );
    let trail: Vec<(AuditAction, String, String)> = audit::Entity::find()
        .order_by_asc(audit::Column::Id)
        .all(&ctx(&s).db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| {
            matches!(
                r.action,
                AuditAction::TokenCreated | AuditAction::TokenRevoked
            )
        })
        .map(|r| (r.action, r.actor, r.detail))
        .collect();
    assert_eq!(trail.len(), 2, "{trail:?}");
    assert_eq!(trail[0].0, AuditAction::TokenCreated);
    assert_eq!(trail[1].0, AuditAction::TokenRevoked);
    assert!(trail.iter().all(|(_, who, detail)| who == "r@a.test"
        && detail.contains(&format!("token {id}"))
        && detail.contains("from 127.0.0.1")));
}

/// A plain form post, as a browser without JavaScript sends it from the tokens page.
async fn form_post(
    c: &reqwest::Client,
    s: &battery_swap::Server,
    name: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(http(s, &format!("/api/{name}")))
        .header("accept", "text/html")
        .header("referer", http(s, "/account/tokens"))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn page(c: &reqwest::Client, s: &battery_swap::Server) -> String {
    let res = c.get(http(s, "/account/tokens")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn the_tokens_page_creates_shows_once_and_revokes_without_javascript() {
    let s = server().await;
    user(&s, "r@a.test", Role::Rider).await;
    let c = logged_in(&s, "r@a.test").await;
    assert!(page(&c, &s).await.contains("You have no API tokens."));
    let res = form_post(&c, &s, "create_token", &[("label", "deploy-script")]).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/account/tokens");
    let flash = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        flash.contains("HttpOnly") && flash.contains("SameSite=Strict"),
        "{flash}"
    );
    let secret = flash
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("bs_new_token=")
        .to_string();
    assert_eq!(secret.len(), 64);
    let first = page(&c, &s).await;
    assert!(first.contains(&secret), "the new secret is shown");
    assert!(first.contains("deploy-script"));
    let second = page(&c, &s).await;
    assert!(!second.contains(&secret), "only once");
    assert!(second.contains("deploy-script"), "and listed");
    let (_, list) = api(&c, &s, "list_tokens", &[]).await;
    let id = list[0]["id"].to_string();
    let res = form_post(&c, &s, "revoke_token", &[("token_id", &id)]).await;
    assert!(res.status().is_redirection());
    assert!(page(&c, &s).await.contains("You have no API tokens."));
    // Logged out, the page says so rather than failing.
    assert!(
        page(&browser(), &s)
            .await
            .contains("to manage your API tokens")
    );
}

#[tokio::test]
async fn tokens_issued_before_expiry_existed_get_the_default_lifetime() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;
    let db = battery_swap::db::connect(&fresh_database_url().await, None)
        .await
        .unwrap();
    loop {
        let pending = Migrator::get_pending_migrations(&db).await.unwrap();
        if pending[0].name() == "m20261126_000002_add_api_token_expiry" {
            break;
        }
        Migrator::up(&db, Some(1)).await.unwrap();
    }
    let created = "2026-01-01T10:00:00Z";
    db.execute_unprepared(&format!(
        "INSERT INTO users (email, display_name, password_hash, role, created_at) \
         VALUES ('a@x.io','a','h','rider','{created}')"
    ))
    .await
    .unwrap();
    db.execute_unprepared(&format!(
        "INSERT INTO api_tokens (token_hash, user_id, label, created_at) \
         VALUES ('{}', 1, 'old', '{created}')",
        "0".repeat(64)
    ))
    .await
    .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let row = api_token::Entity::find().one(&db).await.unwrap().unwrap();
    let created: DateTime<Utc> = created.parse().unwrap();
    assert_eq!(row.expires_at, Some(created + Duration::days(90)));
}
