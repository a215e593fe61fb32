//! The accept loop: HTTP/1.1 with WebSocket upgrades, time limits on slow clients, and a
//! bounded graceful shutdown.
//!
//! `axum::serve` cannot limit how long a client takes to send its headers, so a client sending
//! one byte every few seconds would hold a connection (and a file descriptor) for ever. Here
//! each connection is served by hyper's HTTP/1 builder with a header-read timeout, which also
//! closes idle keep-alive connections. HTTP/2 is not offered: browsers only speak it over TLS,
//! which a reverse proxy in front of us terminates.
//!
//! Shutdown: stop accepting, let each connection finish its request in flight (and close when
//! idle), while every WebSocket sends its 1001 close; wait for all of it up to the grace
//! period, then drop whatever is still open so the process can exit.
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::Service;

/// Time limits of the HTTP server, from the config.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// From a connection's first byte (or the end of its previous response) to the end of the
    /// request's headers.
    pub header_timeout: Duration,
    /// How long shutdown waits for open connections and sockets.
    pub shutdown_grace: Duration,
}

/// Serves `app` on `listener` until `shutdown` is cancelled; the task ends once every tracked
/// connection and socket has finished, or the grace period has passed.
pub fn spawn(
    listener: TcpListener,
    app: Router,
    limits: HttpLimits,
    shutdown: CancellationToken,
    tasks: TaskTracker,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        // Cancelled when the grace period is over: connections still open are dropped.
        let hard_stop = CancellationToken::new();
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok((tcp, peer)) => {
                    let conn = connection(tcp, peer, app.clone(), limits, &shutdown, &hard_stop);
                    tasks.spawn(conn);
                }
                Err(e) => accept_failed(e, &shutdown).await,
            }
        }
        drop(listener);
        tasks.close();
        if tokio::time::timeout(limits.shutdown_grace, tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                still_open = tasks.len(),
                "shutdown grace period over: dropping the connections still open"
            );
            hard_stop.cancel();
        }
    })
}

/// One TCP connection, HTTP/1.1 with upgrades; the peer address is each request's
/// `ConnectInfo`, as `into_make_service_with_connect_info` would set it.
fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: HttpLimits,
    shutdown: &CancellationToken,
    hard_stop: &CancellationToken,
) -> impl Future<Output = ()> + Send + 'static {
    let (shutdown, hard_stop) = (shutdown.clone(), hard_stop.clone());
    async move {
        // Live feeds are many small frames: send each at once.
        let _ = tcp.set_nodelay(true);
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().call(req)
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout);
        let conn = http
            .serve_connection(TokioIo::new(tcp), service)
            .with_upgrades();
        tokio::pin!(conn);
        tokio::select! {
            result = conn.as_mut() => return log_end(result),
            _ = shutdown.cancelled() => {}
        }
        // Finish the request in flight, if any; close at once if idle.
        conn.as_mut().graceful_shutdown();
        tokio::select! {
            result = conn => log_end(result),
            _ = hard_stop.cancelled() => {}
        }
    }
}

fn log_end(result: Result<(), hyper::Error>) {
    if let Err(e) = result {
        // Timeouts, resets and malformed requests: the client's doing, not worth a warning.
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// A failed `accept`. Errors about that one connection are skipped; others (out of file
/// descriptors) would repeat at once, so wait a moment, as `axum::serve` does.
async fn accept_failed(e: std::io::Error, shutdown: &CancellationToken) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::select! {
        _ = shutdown.cancelled() => {}
        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
    }
}

/// Router layer: a request that has no response after `limit` (a client trickling its body,
/// a stuck handler) gets `AppError::TimedOut` (408). The handler's future is dropped, which
/// cancels its work; a WebSocket counts only until its upgrade response.
pub async fn request_timeout(
    axum::extract::State(limit): axum::extract::State<Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => app::error::AppError::TimedOut.into_response(),
    }
}
