//! Test harness: fresh databases, servers, HTTP and WebSocket clients.
// `allow`, not `expect`: which helpers go unused changes with every test file added or removed,
// and an unfulfilled `expect` would fail the build for that alone.
#![allow(dead_code)]
use app::account::{CurrentUser, Role};
use app::feed::FeedMessage;
use battery_swap::Server;
use battery_swap::config::Config;
use futures::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::OnceCell;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const PASSWORD: &str = "correct horse battery";
/// Upper bound for any single wait in these tests; they never sleep to synchronise.
pub const WAIT: Duration = Duration::from_secs(10);

static COUNTER: AtomicU32 = AtomicU32::new(0);
static PG_CLEAN: OnceCell<()> = OnceCell::const_new();

fn pg_admin_url() -> String {
    std::env::var("BATTERY_SWAP_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn on_postgres() -> bool {
    std::env::var("BATTERY_SWAP_TEST_DB").is_ok_and(|v| v == "postgres")
}

/// A database URL no other test uses: a new SQLite file, or a new PostgreSQL database.
pub async fn fresh_database_url() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    if on_postgres() {
        use sea_orm::ConnectionTrait;
        let admin = sea_orm::Database::connect(pg_admin_url())
            .await
            .expect("PostgreSQL reachable");
        PG_CLEAN
            .get_or_init(|| async {
                // Databases of earlier runs of this suite.
                let stale = admin
                    .query_all_raw(sea_orm::Statement::from_string(
                        admin.get_database_backend(),
                        "SELECT datname FROM pg_database WHERE datname LIKE 'bs_test_%'",
                    ))
                    .await
                    .expect("list databases");
                for row in stale {
                    let name: String = row.try_get("", "datname").expect("datname");
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                }
            })
            .await;
        let name = format!("bs_test_{pid}_{n}");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create database");
        let base = pg_admin_url();
        let (prefix, _) = base.rsplit_once('/').expect("database URL with a path");
        format!("{prefix}/{name}")
    } else {
        let dir = std::env::temp_dir().join("battery-swap-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!("t{pid}_{n}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        format!("sqlite://{}", path.display())
    }
}

pub async fn config() -> Config {
    // Server errors (database details included) show up in a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_test_writer()
        .try_init();
    test_config(fresh_database_url().await)
}

/// Each test server's pool (`--db-connections`). PostgreSQL allows 100 connections, and tests
/// run side by side, some with several server processes: with the default pool (32) two of
/// them took all 100 and their requests timed out waiting ("too many clients already").
pub const TEST_POOL: &str = "8";

/// The config of a test server on `url`, with its pool kept to [`TEST_POOL`].
pub fn test_config(url: String) -> Config {
    let mut cfg = Config::for_database(url);
    cfg.operations.db_connections = TEST_POOL.parse().ok();
    cfg
}

pub async fn start(config: Config) -> Server {
    battery_swap::start(config).await.expect("server starts")
}

/// A server on a fresh database with default settings.
pub async fn server() -> Server {
    start(config().await).await
}

/// Whatever domain helpers need: a context, a full server's or an in-process one
/// ([`crate::in_process::domain`]).
pub trait HasCtx {
    fn context(&self) -> &app::context::Ctx;
}

impl HasCtx for Server {
    fn context(&self) -> &app::context::Ctx {
        &self.state.ctx
    }
}

pub fn ctx(of: &impl HasCtx) -> &app::context::Ctx {
    of.context()
}

pub fn http(server: &Server, path: &str) -> String {
    format!("http://{}{}", server.addr, path)
}

pub fn ws_url(server: &Server, path: &str) -> String {
    format!("ws://{}{}", server.addr, path)
}

pub async fn user(server: &impl HasCtx, email: &str, role: Role) -> CurrentUser {
    app::account::ssr::register(&ctx(server).db, email, "", PASSWORD, role)
        .await
        .expect("register")
}

pub async fn staff_of(server: &impl HasCtx, email: &str, station_id: i32) -> CurrentUser {
    let u = user(server, email, Role::Staff).await;
    app::account::ssr::assign_staff(&ctx(server).db, station_id, u.id)
        .await
        .expect("assign");
    app::account::ssr::load(&ctx(server).db, u.id)
        .await
        .expect("load")
        .expect("exists")
}

pub async fn station(server: &impl HasCtx, name: &str) -> i32 {
    let new = app::station::ssr::NewStation {
        name: name.into(),
        address: "1 Test Street".into(),
        latitude: 52.5,
        longitude: 13.4,
    };
    app::station::ssr::create(&ctx(server).db, new)
        .await
        .expect("station")
        .id
}

/// Every rider books at `station_id` at the same moment, one task each: the answers, in the
/// riders' order.
pub async fn book_at_once(
    server: &impl HasCtx,
    riders: &[CurrentUser],
    station_id: i32,
) -> Vec<app::error::AppResult<app::booking::BookingView>> {
    let tries: Vec<_> = riders
        .iter()
        .cloned()
        .map(|rider| {
            let ctx = ctx(server).clone();
            tokio::spawn(async move { app::booking::ssr::book(&ctx, &rider, station_id).await })
        })
        .collect();
    let mut answers = Vec::with_capacity(tries.len());
    for t in tries {
        answers.push(t.await.expect("a rider's task"));
    }
    answers
}

/// The model [`batteries`] adds.
pub const MODEL: &str = "Tesla Battery - Model 3";

/// Adds `n` batteries at `charge` percent, as an admin.
pub async fn batteries(server: &impl HasCtx, station_id: i32, n: usize, charge: i16) {
    packs(server, station_id, MODEL, n, charge).await
}

/// Adds `n` batteries of `model` at `charge` percent, as an admin.
pub async fn packs(server: &impl HasCtx, station_id: i32, model: &str, n: usize, charge: i16) {
    let admin = CurrentUser {
        id: 0,
        email: "system@test".into(),
        display_name: "t".into(),
        role: Role::Admin,
        stations: vec![],
        pack_model: None,
    };
    for _ in 0..n {
        let serial = format!("T-{station_id}-{}", COUNTER.fetch_add(1, Ordering::Relaxed));
        let new = app::battery::ssr::NewBattery {
            station_id,
            serial,
            model: model.into(),
            charge_percent: charge,
        };
        app::station::ssr::add_battery(ctx(server), &admin, new)
            .await
            .expect("battery");
    }
}

/// An HTTP client with its own cookie jar, like one browser.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A form-encoded POST to `/api/<name>`, as curl would send it; returns status and JSON body.
pub async fn api(
    client: &reqwest::Client,
    server: &Server,
    name: &str,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let res = client
        .post(http(server, &format!("/api/{name}")))
        .form(form)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, json)
}

/// A browser client logged in as `email`.
pub async fn logged_in(server: &Server, email: &str) -> reqwest::Client {
    let client = browser();
    let (status, body) = api(
        &client,
        server,
        "login",
        &[("email", email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 200, "login failed: {body}");
    client
}

/// The session cookie the server set for a login, for non-reqwest clients.
pub async fn session_cookie(server: &Server, email: &str) -> String {
    let res = browser()
        .post(http(server, "/api/login"))
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    let cookie = res
        .headers()
        .get("set-cookie")
        .expect("set-cookie")
        .to_str()
        .expect("ascii");
    cookie.split(';').next().expect("pair").to_string()
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub async fn connect(server: &Server, path: &str, headers: &[(&str, &str)]) -> Result<Ws, WsError> {
    let mut req = ws_url(server, path).into_client_request()?;
    for (k, v) in headers {
        req.headers_mut().insert(
            http::HeaderName::from_bytes(k.as_bytes()).expect("header name"),
            v.parse().expect("header value"),
        );
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

/// The HTTP status a refused handshake got.
pub fn refused_status(err: WsError) -> u16 {
    match err {
        WsError::Http(res) => res.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

/// The next text frame as JSON, skipping control frames; panics on timeout or close.
pub async fn next_json(ws: &mut Ws) -> serde_json::Value {
    loop {
        let frame = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a message in time")
            .expect("open")
            .expect("frame");
        match frame {
            Message::Text(t) => return serde_json::from_str(t.as_str()).expect("JSON text"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// The next message, parsed as the shared enum.
pub async fn next_msg(ws: &mut Ws) -> FeedMessage {
    serde_json::from_value(next_json(ws).await).expect("a FeedMessage")
}

/// Reads until the server closes; returns its close code. Text frames before it are skipped.
pub async fn close_code(ws: &mut Ws) -> Option<u16> {
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("close in time")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f: CloseFrame| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text)).await.expect("send");
}

/// Polls `cond` until true; for state with no event to wait on (hub bookkeeping).
pub async fn until(mut cond: impl FnMut() -> bool) {
    tokio::time::timeout(WAIT, async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("condition in time");
}

/// `n` riders with live sessions, made straight in the database (one shared password hash,
/// sessions without a login round-trip): for load tests where argon2 would dominate.
pub async fn many_riders(db: &sea_orm::DatabaseConnection, n: usize) -> Vec<String> {
    use app::account::ssr::{credentials, entity::user};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let hash = app::account::ssr::password::hash(PASSWORD.into())
        .await
        .expect("hash");
    let tag = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut cookies = Vec::with_capacity(n);
    for i in 0..n {
        let u = user::ActiveModel {
            email: Set(format!("load{tag}-{i}@a.test")),
            display_name: Set(format!("Load {i}")),
            password_hash: Set(hash.clone()),
            role: Set(app::account::Role::Rider),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("user");
        let secret = credentials::create_session(db, u.id, chrono::Duration::hours(1))
            .await
            .expect("session");
        cookies.push(format!("{}={secret}", credentials::SESSION_COOKIE));
    }
    cookies
}

/// A server running as its own OS process (the built binary), for multi-instance and crash tests.
pub struct Process {
    pub child: tokio::process::Child,
    pub addr: std::net::SocketAddr,
    /// Where it serves `/metrics`, when started with `--metrics-addr`.
    pub metrics: Option<std::net::SocketAddr>,
    /// Every line it writes, stdout and stderr, when started with [`Process::spawn_logging`];
    /// closed once the process has exited and both are read to the end.
    pub log: Option<tokio::sync::mpsc::UnboundedReceiver<String>>,
    /// Its last [`TAIL_LINES`] lines of log, printed if its test fails: a server's 500 names
    /// its cause only in the server's log.
    tail: LogTail,
}

/// How many of a server process's last log lines a failing test prints.
const TAIL_LINES: usize = 300;

type LogTail = std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<String>>>;

impl Drop for Process {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let tail = self.tail.lock().map(|t| t.clone()).unwrap_or_default();
        eprintln!(
            "--- last {} log lines of the server on {} ---",
            tail.len(),
            self.addr
        );
        for line in tail {
            eprintln!("{line}");
        }
    }
}

/// The message of a log line, text or JSON (`--log-format json`).
fn log_message(line: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(v) => v["message"].as_str().unwrap_or_default().to_string(),
        Err(_) => line.to_string(),
    }
}

/// The address in a line such as "listening on http://127.0.0.1:1234".
fn address_after(message: &str, prefix: &str) -> Option<std::net::SocketAddr> {
    let at = message.find(prefix)? + prefix.len();
    let rest = &message[at..];
    let end = rest.find('/').unwrap_or(rest.len());
    Some(rest[..end].trim().parse().expect("address"))
}

impl Process {
    pub async fn spawn(database_url: &str) -> Process {
        Self::spawn_with(database_url, &[]).await
    }

    /// The server with more flags (`--name value` pairs), after the defaults above.
    pub async fn spawn_with(database_url: &str, flags: &[&str]) -> Process {
        Self::launch(database_url, flags, "info", false).await
    }

    /// The server with `RUST_LOG=rust_log`, keeping every line it writes in [`Process::log`].
    pub async fn spawn_logging(database_url: &str, flags: &[&str], rust_log: &str) -> Process {
        Self::launch(database_url, flags, rust_log, true).await
    }

    async fn launch(database_url: &str, flags: &[&str], rust_log: &str, keep: bool) -> Process {
        use tokio::io::{AsyncBufReadExt, BufReader};
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_battery-swap"))
            .args([
                "--addr",
                "127.0.0.1:0",
                "--database-url",
                database_url,
                "--ws-connects-per-minute",
                "100000",
                "--db-connections",
                TEST_POOL,
            ])
            .args(flags)
            .env("RUST_LOG", rust_log)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn server");
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let tail = LogTail::default();
        let tail_in = tail.clone();
        let keep_line = move |line: &str| {
            if keep {
                let _ = tx.send(line.to_string());
            }
            if let Ok(mut t) = tail_in.lock() {
                if t.len() == TAIL_LINES {
                    t.pop_front();
                }
                t.push_back(line.to_string());
            }
        };
        if let Some(stderr) = child.stderr.take() {
            let keep_line = keep_line.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    keep_line(&line);
                }
            });
        }
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut metrics = None;
        let addr = tokio::time::timeout(WAIT * 3, async {
            while let Some(line) = lines.next_line().await.expect("read log") {
                keep_line(&line);
                let message = log_message(&line);
                if let Some(at) = address_after(&message, "metrics on http://") {
                    metrics = Some(at);
                } else if let Some(at) = address_after(&message, "listening on http://") {
                    return at;
                }
            }
            panic!("server exited before listening");
        })
        .await
        .expect("server starts in time");
        // Keep draining the log so the child never blocks on a full pipe.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                keep_line(&line);
            }
        });
        Process {
            child,
            addr,
            metrics,
            log: keep.then_some(rx),
            tail,
        }
    }

    /// Asks the server to stop (SIGTERM, as a process manager would) and waits for it to exit.
    pub async fn terminate(&mut self) {
        let pid = self.child.id().expect("still running").to_string();
        let sent = tokio::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid}");
        let status = tokio::time::timeout(WAIT, self.child.wait())
            .await
            .expect("the server exits in time")
            .expect("wait");
        assert!(status.success(), "clean exit, got {status}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn ws(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }
}

pub async fn connect_url(url: &str, headers: &[(&str, &str)]) -> Ws {
    let mut req = url.into_client_request().expect("request");
    for (k, v) in headers {
        req.headers_mut().insert(
            http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
            v.parse().expect("value"),
        );
    }
    tokio_tungstenite::connect_async(req)
        .await
        .expect("connect")
        .0
}

/// `GET url` as sent, with `Accept-Encoding: accept` (none if `None`), the body left as the
/// server encoded it: for tests of compression and caching headers.
pub async fn get_encoded(url: String, accept: Option<&str>) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let mut req = client.get(url);
    if let Some(accept) = accept {
        req = req.header("accept-encoding", accept);
    }
    req.send().await.unwrap()
}

/// A response header as text, if present.
pub fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}
