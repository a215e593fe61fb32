//! Logs an operator can search (issue #14): `--log-format json` writes one JSON object per
//! line, every line of a request carries its id (also sent back in `x-request-id`), and no
//! secret (password, session, API token, `?token=`) ever reaches a line, even at debug level.
use serde_json::Value;

use crate::support::*;

const SECRET_PASSWORD: &str = "Pw-9f3kq-never-logged";

/// The request span of a JSON line, if it was written while serving one.
fn request_span(line: &Value) -> Option<&Value> {
    line["spans"]
        .as_array()?
        .iter()
        .find(|span| span["name"] == "request")
}

fn id_of(res: &reqwest::Response) -> String {
    header(res, "x-request-id").expect("x-request-id on every response")
}

#[tokio::test]
async fn json_lines_carry_request_ids_and_never_secrets() {
    let url = fresh_database_url().await;
    let flags = ["--log-format", "json"];
    let mut server = Process::spawn_logging(&url, &flags, "debug").await;
    assert_eq!(server.metrics, None, "no metrics unless asked for");
    let mut ids = Vec::new();

    let client = browser();
    let post = |path: &str| client.post(server.url(path));
    let email = "ops-logs@example.com";
    let credentials = [("email", email), ("password", SECRET_PASSWORD)];
    let res = post("/api/register")
        .form(&credentials)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    ids.push(id_of(&res));
    let user: Value = res.json().await.unwrap();
    let user_id = user["id"].as_i64().expect("the new user's id");
    let res = post("/api/login").form(&credentials).send().await.unwrap();
    assert_eq!(res.status(), 200);
    ids.push(id_of(&res));
    let session = header(&res, "set-cookie").expect("a session cookie");
    let session = session
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1;
    let wrong = [("email", email), ("password", "Pw-wrong-also-secret")];
    let res = browser()
        .post(server.url("/api/login"))
        .form(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = post("/api/create_token")
        .form(&[("label", "ci")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    ids.push(id_of(&res));
    let token: Value = res.json().await.unwrap();
    let token = token["token"]
        .as_str()
        .expect("the token, shown once")
        .to_string();

    // The token as a bearer, with a sane request id of the caller's: kept.
    let res = reqwest::Client::new()
        .post(server.url("/api/my_bookings"))
        .bearer_auth(&token)
        .header("x-request-id", "caller-trace-42.a:b_c")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(id_of(&res), "caller-trace-42.a:b_c");
    ids.push(id_of(&res));

    // Absurd ids are replaced: too long, a space, bytes outside ASCII.
    let absurd: [&[u8]; 3] = [&[b'a'; 65], b"two words", b"caf\xc3\xa9"];
    for bad in absurd {
        let res = reqwest::Client::new()
            .get(server.url("/healthz"))
            .header("x-request-id", http::HeaderValue::from_bytes(bad).unwrap())
            .send()
            .await
            .unwrap();
        let given = id_of(&res);
        assert_ne!(given.as_bytes(), bad);
        assert!(
            given.len() == 32 && given.bytes().all(|b| b.is_ascii_hexdigit()),
            "{given}"
        );
    }

    // The token in a `?token=` query, accepted and refused.
    let ws = server.ws(&format!("/ws/notifications/?token={token}"));
    let mut socket = connect_url(&ws, &[]).await;
    assert_eq!(
        next_json(&mut socket).await["type"],
        "connection_established"
    );
    let forged = server.ws(&format!("/ws/notifications/?token={token}x"));
    let refused = tokio_tungstenite::connect_async(forged).await.unwrap_err();
    assert_eq!(refused_status(refused), 401);

    // Stopping the server closes the socket (logged) and ends the log.
    server.terminate().await;
    let mut log = server.log.take().unwrap();
    let mut lines = Vec::new();
    while let Some(line) = tokio::time::timeout(WAIT, log.recv())
        .await
        .expect("log ends")
    {
        lines.push(line);
    }

    let secrets = [
        SECRET_PASSWORD,
        "Pw-wrong-also-secret",
        session,
        token.as_str(),
    ];
    let mut parsed = Vec::new();
    for line in &lines {
        for secret in secrets {
            assert!(!line.contains(secret), "a secret in the log: {line}");
        }
        let json: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
        assert!(json.is_object(), "{line}");
        parsed.push(json);
    }
    // Every line written while serving a request names it.
    for json in &parsed {
        if let Some(span) = request_span(json) {
            let id = span["request_id"].as_str().unwrap_or_default();
            assert!(!id.is_empty(), "{json}");
            assert!(span["route"].is_string(), "{json}");
        }
    }
    let access = |id: &str| {
        parsed.iter().find(|json| {
            json["target"] == "battery_swap::access"
                && request_span(json).is_some_and(|span| span["request_id"] == id)
        })
    };
    for id in &ids {
        assert!(access(id).is_some(), "no access line for request {id}");
    }
    // The bearer call's line names its route and its user.
    let bearer = request_span(access("caller-trace-42.a:b_c").unwrap()).unwrap();
    assert_eq!(bearer["route"], "/api/my_bookings");
    assert_eq!(bearer["user_id"], user_id);
    // The socket's own lines sit under its request: id, route, user, and the feed.
    let closed = parsed
        .iter()
        .find(|json| {
            let socket = json["spans"].as_array().and_then(|s| s.last());
            socket.is_some_and(|s| s["name"] == "socket" && s["feed"] == "notifications")
        })
        .expect("a line from the socket");
    let request = request_span(closed).unwrap();
    assert_eq!(request["route"], "/ws/notifications/");
    assert_eq!(request["user_id"], user_id);
    // A failed login is worth a warning, under its request.
    assert!(
        parsed
            .iter()
            .any(|json| json["message"] == "login failed" && request_span(json).is_some()),
        "the failed login is logged under its request"
    );
}

/// A database error answers 500 and logs where it happened (the source line that met it), what
/// caused it, and the request it happened in: enough to find it without a debugger.
#[tokio::test]
async fn a_database_error_is_logged_with_its_place_and_its_request() {
    use sea_orm::ConnectionTrait;
    let url = fresh_database_url().await;
    let mut server = Process::spawn_logging(&url, &["--log-format", "json"], "info").await;
    let client = browser();
    let credentials = [("email", "db-error@example.com"), ("password", PASSWORD)];
    let res = client
        .post(server.url("/api/register"))
        .form(&credentials)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The table a request reads goes missing under the server.
    let db = battery_swap::db::connect(&url, Some(1)).await.unwrap();
    // (PostgreSQL: with the push outbox's foreign key that refers to it.)
    let drop = if on_postgres() {
        "DROP TABLE notifications CASCADE"
    } else {
        "DROP TABLE notifications"
    };
    db.execute_unprepared(drop).await.unwrap();
    let res = client
        .post(server.url("/api/list_notifications"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let mut log = server.log.take().unwrap();
    let line = loop {
        let line = tokio::time::timeout(WAIT, log.recv())
            .await
            .expect("the error is logged")
            .expect("the log goes on");
        let json: Value = serde_json::from_str(&line).unwrap_or_default();
        if json["fields"]["message"] == "database error" || json["message"] == "database error" {
            break json;
        }
    };
    let fields = if line["fields"].is_object() {
        &line["fields"]
    } else {
        &line
    };
    let at = fields["at"].as_str().unwrap_or_default();
    assert!(
        at.starts_with("app/src/notification/") && at.contains(".rs:"),
        "where it happened: {line}"
    );
    assert!(
        fields["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{line}"
    );
    let route = request_span(&line).map(|span| span["route"].clone());
    assert_eq!(
        route,
        Some(Value::from("/api/list_notifications")),
        "{line}"
    );
}
