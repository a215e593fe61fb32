//! One WebSocket connection: a reader task, and the writer in the connection's own task,
//! joined by `select!`.
//!
//! The reader parses client frames and answers through a small reply queue; the writer owns
//! the socket's send half and drains, in priority order: shutdown, hub kicks, replies, feed
//! frames (batched before one flush), and the heartbeat.
use app::feed::{ClientMessage, FeedMessage, timestamp};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::guard::Bucket;
use crate::hub::{Frame, Subscription};

/// Limits of one connection, from the config.
#[derive(Debug, Clone)]
pub struct Limits {
    pub messages_per_second: f64,
    pub heartbeat: Duration,
    pub heartbeat_timeout: Duration,
    pub write_timeout: Duration,
}

/// Close codes we use (documented in the README).
pub mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL_ERROR: u16 = 1002;
    pub const INVALID_DATA: u16 = 1007;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
    pub const HEARTBEAT_TIMEOUT: u16 = 4408;
}

enum Reply {
    Frame(Utf8Bytes),
    Close(Option<(u16, &'static str)>),
}

/// How long a closing socket waits for the other side of the closing handshake.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Most feed frames written before one flush.
const BATCH: usize = 64;

/// `floor`: per station, the order of the newest event the greeting's snapshot already
/// reflects; older events that arrive late are dropped, never sent.
pub async fn run(
    socket: WebSocket,
    hello: Utf8Bytes,
    floor: HashMap<i32, i64>,
    sub: Subscription,
    limits: Limits,
    shutdown: CancellationToken,
) {
    let (sink, stream) = socket.split();
    let (reply_tx, reply_rx) = mpsc::channel(16);
    let started = Instant::now();
    let last_seen = Arc::new(AtomicU64::new(0));
    let mut reader = tokio::spawn(read_loop(
        stream,
        reply_tx,
        limits.clone(),
        started,
        Arc::clone(&last_seen),
    ));
    // The writer runs in this task (the upgrade's own) rather than a third one per socket.
    let writer = write_loop(Writer {
        sink,
        hello,
        floor,
        sub,
        replies: reply_rx,
        limits,
        started,
        last_seen,
        shutdown,
    });
    tokio::pin!(writer);
    // Whichever half ends first, the other gets a moment to finish the closing handshake: the
    // writer to send the reader's close frame, the reader to receive the client's close reply
    // (dropping TCP straight after a close frame can make the client lose it). A writer still
    // running after that is dropped with this task.
    tokio::select! {
        () = &mut writer => {
            if tokio::time::timeout(CLOSE_GRACE, &mut reader).await.is_err() {
                reader.abort();
            }
        }
        _ = &mut reader => {
            let _ = tokio::time::timeout(CLOSE_GRACE, &mut writer).await;
        }
    }
}

/// The close a read error deserves (RFC 6455 7.4.1): 1009 for a message over the limit, 1007
/// for text that is not UTF-8, 1002 for any other broken framing. `None`: the connection
/// itself failed (reset, EOF), and there is nobody to tell.
fn close_for(err: &axum::Error) -> Option<(u16, &'static str)> {
    use tokio_tungstenite::tungstenite::Error;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        match e.downcast_ref::<Error>() {
            Some(Error::Capacity(_)) => return Some((close::TOO_BIG, "message too big")),
            Some(Error::Utf8(_)) => return Some((close::INVALID_DATA, "text is not UTF-8")),
            Some(Error::Protocol(_)) => return Some((close::PROTOCOL_ERROR, "protocol error")),
            Some(_) => return None,
            None => source = e.source(),
        }
    }
    None
}

async fn read_loop(
    mut stream: SplitStream<WebSocket>,
    replies: mpsc::Sender<Reply>,
    limits: Limits,
    started: Instant,
    last_seen: Arc<AtomicU64>,
) {
    let burst = (limits.messages_per_second * 2.0).max(1.0);
    let mut budget = Bucket::full(burst);
    let reply = |msg: FeedMessage| Reply::Frame(Utf8Bytes::from(msg.to_json()));
    while let Some(frame) = stream.next().await {
        last_seen.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        let answer = match frame {
            Ok(Message::Close(_)) => Reply::Close(None),
            Err(e) => Reply::Close(close_for(&e)),
            // Every frame costs the same budget, pings and pongs too: a control-frame flood
            // costs the server as much as any other.
            Ok(_) if !budget.take(limits.messages_per_second, burst) => {
                Reply::Close(Some((close::POLICY, "rate limit exceeded")))
            }
            Ok(Message::Text(text)) => match ClientMessage::parse(text.as_str()) {
                Ok(ClientMessage::Ping { timestamp: ts }) => reply(FeedMessage::Pong {
                    timestamp: ts.unwrap_or_else(|| timestamp(chrono::Utc::now()).into()),
                }),
                Err(e) => reply(FeedMessage::error(e.message())),
            },
            Ok(Message::Binary(_)) => reply(FeedMessage::error(
                "Binary frames are not supported: send JSON text",
            )),
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
        };
        let closing = matches!(answer, Reply::Close(_));
        if replies.send(answer).await.is_err() || closing {
            return;
        }
    }
    let _ = replies.send(Reply::Close(None)).await;
}

/// Whether a frame is newer than everything this socket already showed of its station (late
/// NOTIFYs and out-of-order publishes never take a client's counts backwards).
fn fresh(floor: &mut HashMap<i32, i64>, frame: &Frame) -> bool {
    let Some((station, seq)) = frame.order else {
        return true;
    };
    let newest = floor.entry(station).or_insert(i64::MIN);
    if seq <= *newest {
        return false;
    }
    *newest = seq;
    true
}

/// Sends one message, giving up after `t` (a client that stopped reading).
async fn send(sink: &mut SplitSink<WebSocket, Message>, msg: Message, t: Duration) -> bool {
    matches!(tokio::time::timeout(t, sink.send(msg)).await, Ok(Ok(())))
}

/// Everything the writer task owns: the socket's send half, the sources it drains into it, and
/// what it needs to judge the client's liveness.
struct Writer {
    sink: SplitSink<WebSocket, Message>,
    /// The greeting, rendered, sent before anything else.
    hello: Utf8Bytes,
    /// See [`fresh`]: the newest event order already shown, per station.
    floor: HashMap<i32, i64>,
    /// Feed frames and hub kicks for this socket.
    sub: Subscription,
    /// The reader's answers (pongs, errors, closes).
    replies: mpsc::Receiver<Reply>,
    limits: Limits,
    /// When the connection started: `last_seen` counts milliseconds from here.
    started: Instant,
    /// Set by the reader whenever the client sends anything.
    last_seen: Arc<AtomicU64>,
    shutdown: CancellationToken,
}

async fn write_loop(writer: Writer) {
    let Writer {
        mut sink,
        hello,
        mut floor,
        mut sub,
        mut replies,
        limits,
        started,
        last_seen,
        shutdown,
    } = writer;
    let t = limits.write_timeout;
    if !send(&mut sink, Message::Text(hello), t).await {
        return;
    }
    let mut heartbeat = tokio::time::interval_at(
        tokio::time::Instant::now() + limits.heartbeat,
        limits.heartbeat,
    );
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let closing = |code: u16, reason: &'static str| {
        Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        }))
    };
    let mut kick_pending = true;
    loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => {
                send(&mut sink, closing(close::GOING_AWAY, "server shutting down"), t).await;
                return;
            }
            kick = &mut sub.kicked, if kick_pending => match kick {
                Ok(kick) => {
                    send(&mut sink, closing(kick.code, kick.reason), t).await;
                    return;
                }
                // The hub let go without a kick; a oneshot must not be polled again.
                Err(_) => kick_pending = false,
            },
            reply = replies.recv() => match reply {
                Some(Reply::Frame(f)) => if !send(&mut sink, Message::Text(f), t).await { return },
                Some(Reply::Close(Some((code, reason)))) => {
                    send(&mut sink, closing(code, reason), t).await;
                    return;
                }
                Some(Reply::Close(None)) | None => return,
            },
            frame = sub.frames.recv() => {
                let Some(first) = frame else { return };
                let batch = async {
                    let (mut next, mut n) = (Some(first), 0);
                    while let Some(frame) = next.take() {
                        if fresh(&mut floor, &frame) {
                            sink.feed(Message::Text(frame.text)).await?;
                            n += 1;
                        }
                        if n < BATCH {
                            next = sub.frames.try_recv().ok();
                        }
                    }
                    sink.flush().await
                };
                if !matches!(tokio::time::timeout(t, batch).await, Ok(Ok(()))) {
                    return;
                }
            }
            _ = heartbeat.tick() => {
                let silent_for = started.elapsed().saturating_sub(Duration::from_millis(last_seen.load(Ordering::Relaxed)));
                if silent_for > limits.heartbeat + limits.heartbeat_timeout {
                    send(&mut sink, closing(close::HEARTBEAT_TIMEOUT, "heartbeat timeout"), t).await;
                    return;
                }
                if !send(&mut sink, Message::Ping(Default::default()), t).await { return }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(order: Option<(i32, i64)>) -> Frame {
        Frame {
            order,
            text: Utf8Bytes::from_static("{}"),
        }
    }

    #[test]
    fn only_newer_events_of_a_station_pass() {
        let mut floor = HashMap::from([(1, 47)]);
        assert!(
            !fresh(&mut floor, &frame(Some((1, 40)))),
            "older than the snapshot"
        );
        assert!(!fresh(&mut floor, &frame(Some((1, 47)))));
        assert!(fresh(&mut floor, &frame(Some((1, 48)))));
        assert!(!fresh(&mut floor, &frame(Some((1, 48)))), "never twice");
        assert!(
            fresh(&mut floor, &frame(Some((2, 1)))),
            "other stations start fresh"
        );
        assert!(
            fresh(&mut floor, &frame(None)),
            "refreshes and user messages always pass"
        );
    }
}
