//! Issue 11, item 7: another site cannot post to the API with the victim's browser (login CSRF,
//! forced logout), and behind https the session cookie is `__Host-` prefixed.
use app::account::Role;
use app::account::ssr::entity::session;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::support::*;

async fn post(
    s: &battery_swap::Server,
    path: &str,
    headers: &[(&str, &str)],
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = browser().post(http(s, path)).form(form);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn cross_site_posts_to_the_api_are_refused() {
    let s = server().await;
    user(&s, "attacker@a.test", Role::Rider).await;
    user(&s, "victim@a.test", Role::Rider).await;
    let creds = [("email", "attacker@a.test"), ("password", PASSWORD)];
    // A hostile page's form, posting the attacker's credentials from the victim's browser.
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
    ] {
        let res = post(&s, "/api/login", &headers, &creds).await;
        assert_eq!(res.status(), 403, "{headers:?}");
        assert!(res.headers().get("set-cookie").is_none());
    }
    assert_eq!(
        session::Entity::find().count(&ctx(&s).db).await.unwrap(),
        0,
        "no session was started"
    );
    // Nor can it log the victim out.
    let cookie = session_cookie(&s, "victim@a.test").await;
    let evil = [
        ("origin", "https://evil.example"),
        ("cookie", cookie.as_str()),
    ];
    assert_eq!(post(&s, "/api/logout", &evil, &[]).await.status(), 403);
    let me = post(&s, "/api/me", &[("cookie", cookie.as_str())], &[]).await;
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["email"], "victim@a.test", "still logged in");
    // The app's own pages (their origin) and non-browser clients (no Origin) go through.
    let own = format!("http://{}", s.addr);
    let same = [("origin", own.as_str()), ("sec-fetch-site", "same-origin")];
    assert_eq!(post(&s, "/api/login", &same, &creds).await.status(), 200);
    assert_eq!(post(&s, "/api/login", &[], &creds).await.status(), 200);
    // Pages themselves are plain GETs, not guarded.
    let page = browser()
        .get(http(&s, "/login"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn behind_https_the_session_cookie_is_host_prefixed() {
    let mut cfg = config().await;
    cfg.http.public_url = Some("https://swap.example".into());
    let s = start(cfg).await;
    user(&s, "r@a.test", Role::Rider).await;
    let res = post(
        &s,
        "/api/login",
        &[],
        &[("email", "r@a.test"), ("password", PASSWORD)],
    )
    .await;
    let set = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.starts_with("__Host-bs_session=")
            && set.contains("; Path=/;")
            && set.contains("; Secure")
            && !set.to_lowercase().contains("domain"),
        "{set}"
    );
    let secret = set
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-bs_session=")
        .to_string();
    let me = |cookie: String| {
        let url = http(&s, "/api/me");
        async move {
            let res = browser()
                .post(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    assert_eq!(
        me(format!("__Host-bs_session={secret}")).await["email"],
        "r@a.test"
    );
    // The unprefixed name, which a sibling subdomain could plant, is not read here.
    assert_eq!(
        me(format!("bs_session={secret}")).await,
        serde_json::Value::Null
    );
    // The sockets read the same name: a planted unprefixed cookie opens no notifications feed.
    let planted = format!("bs_session={secret}");
    let refused = connect(&s, "/ws/notifications/", &[("cookie", &planted)]).await;
    assert_eq!(refused.map(|_| ()).map_err(refused_status), Err(401));
    let prefixed = format!("__Host-bs_session={secret}");
    let mut ws = connect(&s, "/ws/notifications/", &[("cookie", &prefixed)])
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "connection_established");
    // Logging out clears the prefixed cookie.
    let out = post(
        &s,
        "/api/logout",
        &[("cookie", &format!("__Host-bs_session={secret}"))],
        &[],
    )
    .await;
    let cleared = out.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("__Host-bs_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
}
