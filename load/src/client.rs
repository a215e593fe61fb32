//! Client sockets: spread over source addresses 127.0.0.2, .3, … (1,000 sockets each, never
//! reused in one run) so that no address runs out of ephemeral ports or meets its own
//! TIME_WAITs, and WebSocket clients with small buffers so that thousands fit in one process.
use futures::StreamExt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Ws = WebSocketStream<TcpStream>;

/// Sockets opened so far in this run; the nth uses source address 127.0.0.2 + n / 1000.
static OPENED: AtomicU32 = AtomicU32::new(0);
const PER_ADDRESS: u32 = 1000;

/// Starts this process's sockets `n` further on, so that client processes started side by
/// side use different source addresses.
pub fn skip_sockets(n: u32) {
    OPENED.fetch_add(n, Ordering::Relaxed);
}

/// A TCP connection from the next source address in 127.0.0.0/8.
pub async fn tcp(to: SocketAddr) -> TcpStream {
    try_tcp(to).await.expect("connect")
}

/// [`tcp`], with a refused or timed-out connect an error (a peer that may be restarting).
pub async fn try_tcp(to: SocketAddr) -> std::io::Result<TcpStream> {
    let n = OPENED.fetch_add(1, Ordering::Relaxed);
    let from = Ipv4Addr::from(u32::from(Ipv4Addr::new(127, 0, 0, 2)) + n / PER_ADDRESS);
    assert!(from.octets()[0] == 127, "out of loopback addresses");
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((from, 0)))?;
    let stream = tokio::time::timeout(crate::WAIT, socket.connect(to)).await??;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A WebSocket to `path`, after its `connection_established`; returns the socket and how
/// long it took from the TCP connect to the greeting.
pub async fn subscribe(to: SocketAddr, path: impl AsRef<str>) -> (Ws, Duration) {
    let started = Instant::now();
    let mut ws = connect(to, path.as_ref()).await;
    let greeting = next_text(&mut ws).await;
    assert!(
        greeting.contains("\"connection_established\""),
        "greeting: {greeting}"
    );
    (ws, started.elapsed())
}

/// [`subscribe`] without panicking: `None` when the connect, the handshake or the greeting
/// failed or took too long (a server too busy to read a request in time closes it), so that
/// the caller may try again, as a browser's feed does.
pub async fn try_subscribe(to: SocketAddr, path: &str) -> Option<Ws> {
    let stream = try_tcp(to).await.ok()?;
    let url = format!("ws://{to}{path}");
    let handshake = tokio_tungstenite::client_async_with_config(url, stream, Some(small_buffers()));
    let (mut ws, _) = tokio::time::timeout(crate::WAIT, handshake)
        .await
        .ok()?
        .ok()?;
    let greeting = tokio::time::timeout(crate::WAIT, ws.next())
        .await
        .ok()??
        .ok()?;
    match greeting {
        Message::Text(t) if t.contains("\"connection_established\"") => Some(ws),
        _ => None,
    }
}

/// Small buffers, so that thousands of clients fit in one process.
fn small_buffers() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
        .max_write_buffer_size(1 << 20)
}

/// A WebSocket to `path`, once the handshake is done (nothing read yet).
pub async fn connect(to: SocketAddr, path: &str) -> Ws {
    let stream = tcp(to).await;
    let url = format!("ws://{to}{path}");
    let (ws, _) = tokio::time::timeout(
        crate::WAIT,
        tokio_tungstenite::client_async_with_config(url, stream, Some(small_buffers())),
    )
    .await
    .expect("handshake in time")
    .expect("handshake");
    ws
}

/// The next text message (pings are answered by tungstenite while reading).
pub async fn next_text(ws: &mut Ws) -> String {
    loop {
        let msg = tokio::time::timeout(crate::WAIT, ws.next())
            .await
            .expect("a message in time")
            .expect("socket open")
            .expect("a message");
        match msg {
            Message::Text(t) => return t.to_string(),
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => {}
        }
    }
}

/// Opens `n` subscribed sockets to `path`, `in_flight` handshakes at a time; returns them
/// with each one's time to `connection_established`.
pub async fn subscribe_many(
    to: SocketAddr,
    path: &str,
    n: usize,
    in_flight: usize,
) -> Vec<(Ws, Duration)> {
    let path = path.to_string();
    futures::stream::iter(0..n)
        .map(|_| tokio::spawn(subscribe(to, path.clone())))
        .buffer_unordered(in_flight)
        .map(|r| r.expect("handshake task"))
        .collect()
        .await
}

/// A socket kept open by its own task until `stop`.
pub struct Held {
    pub stop: tokio_util::sync::CancellationToken,
    pub task: tokio::task::JoinHandle<()>,
}

/// Closes every held socket and waits for their tasks.
pub async fn stop_all(held: Vec<Held>) {
    let tasks: Vec<_> = held
        .into_iter()
        .map(|h| {
            h.stop.cancel();
            h.task
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
}
