//! The processes under measurement: the real server, and the raw TCP baseline server; their
//! RSS; a minimal HTTP/1.1 client for the API (one request per connection).
use futures::StreamExt;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

/// The `battery-swap` binary built next to this one, running on its own demo database.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// Its database (a cases's seed may write there directly).
    pub db_url: String,
    _dir: TempDir,
}

/// A directory removed when the run ends.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads a child's stdout until it prints its address, then keeps draining it so the child
/// never blocks on a full pipe.
async fn listening_addr(child: &mut Child, marker: &str) -> SocketAddr {
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let addr = tokio::time::timeout(crate::WAIT, async {
        while let Some(line) = lines.next_line().await.expect("read log") {
            if let Some(at) = line.find(marker) {
                return line[at + marker.len()..].trim().parse().expect("address");
            }
        }
        panic!("the child exited before listening");
    })
    .await
    .expect("the child listens in time");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    addr
}

/// Where a server under measurement keeps its data.
#[derive(Debug, Clone)]
pub enum Storage {
    /// A fresh SQLite file in a temporary directory.
    Sqlite,
    /// A PostgreSQL database, shared by every instance started with it.
    Postgres(String),
}

impl Storage {
    pub fn name(&self) -> &'static str {
        match self {
            Storage::Sqlite => "SQLite",
            Storage::Postgres(_) => "PostgreSQL",
        }
    }
}

/// Creates `name` afresh on the PostgreSQL server of `base` (a database URL); returns the new
/// database's URL.
pub async fn fresh_postgres(base: &str, name: &str) -> String {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(base)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {base}: {e}"));
    db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop the load database");
    db.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the load database");
    let (server, _) = base.rsplit_once('/').expect("a database URL");
    format!("{server}/{name}")
}

impl Server {
    /// One instance on `storage`, loading the demo data if `demo`, with `extra` flags.
    pub async fn start_on(storage: &Storage, demo: bool, extra: &[&str]) -> Server {
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("battery-swap-load-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = match storage {
            Storage::Sqlite => format!("sqlite://{}", dir.join("load.db").display()),
            Storage::Postgres(url) => url.clone(),
        };
        let exe = std::env::current_exe().expect("own path");
        let bin = exe.with_file_name("battery-swap");
        let mut command = Command::new(&bin);
        command
            .args(["--addr", "127.0.0.1:0", "--database-url", &db])
            .args(["--ws-connects-per-minute", "10000000"])
            .args(["--ws-max-sockets-per-client", "100000"])
            .args(["--ws-max-sockets", "100000"])
            .args(["--ws-messages-per-second", "1000000"])
            .args(["--registrations-per-address", "1000000"])
            .args(extra)
            // Without the per-request access lines: what is measured is serving, not logging.
            .env("RUST_LOG", "info,battery_swap::access=warn")
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        if demo {
            // The demo's data without its simulated chargers: their reports would be load of
            // their own, and would change counts a benchmark checks.
            command.args(["--demo", "--demo-charger-rate", "0"]);
        }
        let mut child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "start {}: {e} (build both with `cargo build --release -p battery-swap -p load`)",
                bin.display()
            )
        });
        let addr = listening_addr(&mut child, "listening on http://").await;
        Server {
            child,
            addr,
            db_url: db,
            _dir: TempDir(dir),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    pub fn rss_kib(&self) -> u64 {
        rss_kib(self.pid())
    }
}

/// The raw baseline as a child process (`load raw-hold`).
pub struct RawHold {
    child: Child,
    pub addr: SocketAddr,
}

impl RawHold {
    pub async fn start() -> RawHold {
        let exe = std::env::current_exe().expect("own path");
        let mut child = Command::new(exe)
            .arg("raw-hold")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start raw-hold");
        let addr = listening_addr(&mut child, "raw listening on ").await;
        RawHold { child, addr }
    }

    pub fn rss_kib(&self) -> u64 {
        rss_kib(self.child.id().expect("running"))
    }
}

/// The raw baseline server: accepts and holds plain TCP sockets, one task each waiting for
/// the peer to send or close, which is the least any socket server keeps per connection.
pub async fn raw_hold() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    println!("raw listening on {}", listener.local_addr().expect("addr"));
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let mut buf = [0u8; 64];
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        });
    }
}

/// The raw fan-out baseline as a child process (`load raw-fanout <frame hex> <sockets> ws`),
/// read by the same WebSocket clients as the server (so the two differ in the server only),
/// each counting the frames it reads.
pub struct RawFanout {
    child: Child,
    stdin: tokio::process::ChildStdin,
    pub sockets: usize,
    pub progress: std::sync::Arc<crate::progress::Progress>,
    readers: Vec<tokio::task::JoinHandle<()>>,
}

/// Starts `load raw-fanout` for `sockets` connections writing `frame`; returns the child (its
/// stdin takes the orders) and the address it listens on.
/// With `ws`, each connection first gets a WebSocket handshake's answer.
pub async fn spawn_raw_fanout(frame: &[u8], sockets: usize, ws: bool) -> (Child, SocketAddr) {
    let exe = std::env::current_exe().expect("own path");
    let hex: String = frame.iter().map(|b| format!("{b:02x}")).collect();
    let mode = if ws { "ws" } else { "tcp" };
    let mut child = Command::new(exe)
        .args(["raw-fanout", &hex, &sockets.to_string(), mode])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start raw-fanout");
    let addr = listening_addr(&mut child, "raw listening on ").await;
    (child, addr)
}

impl RawFanout {
    pub async fn start(frame: &[u8], sockets: usize) -> RawFanout {
        let (mut child, addr) = spawn_raw_fanout(frame, sockets, true).await;
        let stdin = child.stdin.take().expect("stdin");
        let progress = crate::progress::Progress::new(sockets);
        let mut readers = Vec::with_capacity(sockets);
        for _ in 0..sockets {
            let mut ws = crate::client::connect(addr, "/").await;
            let progress = std::sync::Arc::clone(&progress);
            // What the server's subscribers do with each frame, less keeping its arrival.
            readers.push(tokio::spawn(async move {
                while let Some(Ok(msg)) = ws.next().await {
                    if let Message::Text(t) = msg
                        && crate::marker::marker(t.as_str()).is_some()
                    {
                        progress.add(1);
                    }
                }
            }));
        }
        RawFanout {
            child,
            stdin,
            sockets,
            progress,
            readers,
        }
    }

    /// Tells the child to write the frame `count` times to every socket.
    pub async fn send(&mut self, count: usize) {
        let line = format!("{count}\n");
        self.stdin
            .write_all(line.as_bytes())
            .await
            .expect("order the raw server");
    }
}

impl Drop for RawFanout {
    fn drop(&mut self) {
        for reader in &self.readers {
            reader.abort();
        }
        let _ = self.child.start_kill();
    }
}

/// The raw fan-out baseline server: accepts `sockets` connections (with `ws`, answering each
/// one's WebSocket handshake), then for each line `k` on stdin writes the frame `k` times to
/// every connection (a task per connection, one write per frame).
pub async fn raw_fanout(hex: &str, sockets: usize, ws: bool) {
    let frame: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex frame"))
        .collect();
    let frame = std::sync::Arc::new(frame);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    println!("raw listening on {}", listener.local_addr().expect("addr"));
    let (go, _) = tokio::sync::broadcast::channel::<usize>(1024);
    for _ in 0..sockets {
        let (mut stream, _) = listener.accept().await.expect("accept");
        stream.set_nodelay(true).expect("nodelay");
        if ws {
            crate::raw_ws::answer_handshake(&mut stream).await;
        }
        let (mut orders, frame) = (go.subscribe(), std::sync::Arc::clone(&frame));
        tokio::spawn(async move {
            while let Ok(count) = orders.recv().await {
                for _ in 0..count {
                    if stream.write_all(&frame).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Ok(count) = line.trim().parse::<usize>() {
            let _ = go.send(count);
        }
    }
}

/// `VmRSS` of a process, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// A form POST to `/api/<name>`; returns the status, the `Set-Cookie` name=value pairs and
/// the body.
pub async fn post(
    addr: SocketAddr,
    name: &str,
    form: &str,
    cookie: Option<&str>,
) -> (u16, Vec<String>, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect API");
    stream.set_nodelay(true).expect("nodelay");
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST /api/{name} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{cookie}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut response))
        .await
        .expect("API answers in time")
        .expect("read response");
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("set-cookie")
                .then(|| v.trim().split(';').next().unwrap_or("").to_string())
        })
        .collect();
    (status, cookies, body.to_string())
}

/// The demo admin's session cookie.
pub async fn admin_cookie(addr: SocketAddr) -> String {
    let form = "email=admin%40example.com&password=battery-swap-demo";
    let (status, cookies, body) = post(addr, "login", form, None).await;
    assert_eq!(status, 200, "login: {body}");
    cookies
        .into_iter()
        .find(|c| c.starts_with("bs_session="))
        .expect("session cookie")
}
