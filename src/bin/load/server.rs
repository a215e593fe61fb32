//! The processes under measurement: the real server, and the raw TCP baseline server; their
//! RSS; a minimal HTTP/1.1 client for the API (one request per connection).
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

/// The `battery-swap` binary built next to this one, running on its own demo database.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
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

impl Server {
    pub async fn start() -> Server {
        let dir = std::env::temp_dir().join(format!("battery-swap-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = format!("sqlite://{}", dir.join("load.db").display());
        let exe = std::env::current_exe().expect("own path");
        let bin = exe.with_file_name("battery-swap");
        let mut child = Command::new(&bin)
            .args(["--addr", "127.0.0.1:0", "--database-url", &db, "--demo"])
            .args(["--ws-connects-per-minute", "1000000"])
            .args(["--ws-max-sockets-per-client", "100000"])
            .args(["--ws-max-sockets", "100000"])
            .args(["--ws-messages-per-second", "1000000"])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e} (build it with --release)", bin.display()));
        let addr = listening_addr(&mut child, "listening on http://").await;
        Server {
            child,
            addr,
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
