//! One WebSocket connection, served by one task: a `select!` over its hub inbox (a kick,
//! shutdown included, then frames), the client's frames and the heartbeat.
//!
//! One task and no channels of its own: an idle socket is the task (its heartbeat timer
//! inline), the socket's buffers and its hub inbox, nothing else. Issue #12 counts every KiB
//! of it, and at 10,000 sockets every separate allocation is a cache miss per delivery.
//! Answers to the client (pongs, errors) are written at once; while a write waits for a slow
//! client nothing is read from it either, which is the back-pressure it deserves.
use app::feed::{ClientFrameError, ClientMessage, FeedMessage, timestamp};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::SinkExt;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tracing::Span;

use super::accounting::{OpenSocket, ended};
use super::close::{self, End};
use super::follow::Follow;
use super::guard::Bucket;
use crate::hub::{Delivery, Frame, SharedFrame, Subscription};

/// Limits of one connection, from the config.
#[derive(Debug, Clone)]
pub struct Limits {
    pub messages_per_second: f64,
    pub heartbeat: Duration,
    pub heartbeat_timeout: Duration,
    pub write_timeout: Duration,
}

/// How long a closing socket waits for the other side of the closing handshake.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// `floor`: per station, the order of the newest event the greeting's snapshot already
/// reflects; older events that arrive late are dropped, never sent. `span` is entered only to
/// log the close: a span entered on every poll (`Instrumented`) costs each delivery an enter
/// and an exit, and nothing else here logs.
pub async fn run(
    mut ws: WebSocket,
    hello: Utf8Bytes,
    mut floor: Floor,
    sub: Subscription,
    follow: Option<Arc<Follow>>,
    limits: Limits,
    span: Span,
) {
    let topic = sub.topic();
    let _open = OpenSocket::new(topic);
    let started = Instant::now();
    let t = limits.write_timeout;
    if !send(&mut ws, Message::Text(hello), t).await {
        span.in_scope(|| ended(topic, &End::Gone, started));
        return;
    }
    let burst = (limits.messages_per_second * 2.0).max(1.0);
    let mut budget = Bucket::full(burst);
    let mut last_seen = Instant::now();
    // Inline in this task rather than a `tokio::time::Interval`, which boxes its timer.
    let heartbeat = tokio::time::sleep_until(last_seen + limits.heartbeat);
    tokio::pin!(heartbeat);
    // What the hub queued, taken in one go; kept between wake-ups for its capacity.
    let mut frames: VecDeque<SharedFrame> = VecDeque::new();
    let end = loop {
        // Biased, in this order: the hub's inbox (a kick ends the socket before anything else
        // is sent, then frames), so a delivery's wake-up polls nothing before them (a read
        // attempt zeroes tungstenite's read buffer first). Reads are polled whenever no frame
        // is waiting, and before the heartbeat, so a pong waiting unread never counts as a
        // missed one.
        tokio::select! {
            biased;
            delivery = sub.next(&mut frames) => match delivery {
                Delivery::Kick(kick) => break End::Close(kick.code, kick.reason),
                Delivery::HungUp => break End::Gone,
                Delivery::Frames => {
                    let batch = async {
                        for frame in frames.drain(..) {
                            if floor.fresh(&frame) {
                                ws.feed(Message::Text(frame.text.clone())).await?;
                            }
                        }
                        ws.flush().await
                    };
                    if !matches!(within(t, batch).await, Some(Ok(()))) {
                        break End::Gone;
                    }
                }
            },
            frame = ws.recv() => {
                last_seen = Instant::now();
                let answer = match frame {
                    None => break End::Gone,
                    Some(Ok(Message::Close(_))) => break End::Answer,
                    Some(Err(e)) => match close_for(&e) {
                        Some((code, reason)) => break End::Close(code, reason),
                        None => break End::Gone,
                    },
                    // Every frame costs the same budget, pings and pongs too: a control-frame
                    // flood costs the server as much as any other.
                    Some(Ok(_)) if !budget.take(limits.messages_per_second, burst) => {
                        break End::Close(close::POLICY, "rate limit exceeded");
                    }
                    Some(Ok(Message::Text(text))) => match (ClientMessage::parse(&text), &follow) {
                        (Ok(ClientMessage::Watch { station_ids }), Some(follow)) => {
                            // A watch costs more of the budget: it reads every station.
                            if !(1..WATCH_COST).all(|_| budget.take(limits.messages_per_second, burst)) {
                                break End::Close(close::POLICY, "rate limit exceeded");
                            }
                            // Boxed: its state would otherwise grow every socket's task.
                            match Box::pin(follow.watch(&sub, station_ids)).await {
                                Ok(followed) => {
                                    floor.raise(followed.floor);
                                    followed.reply
                                }
                                Err(why) => FeedMessage::error(why),
                            }
                        }
                        (parsed, _) => answer(parsed),
                    },
                    Some(Ok(Message::Binary(_))) => {
                        FeedMessage::error("Binary frames are not supported: send JSON text")
                    }
                    // tungstenite queues the pong and sends it with the next read or write.
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                };
                if !send(&mut ws, Message::Text(answer.to_json().into()), t).await {
                    break End::Gone;
                }
            }
            () = &mut heartbeat => {
                if last_seen.elapsed() > limits.heartbeat + limits.heartbeat_timeout {
                    break End::Close(close::HEARTBEAT_TIMEOUT, "heartbeat timeout");
                }
                heartbeat.as_mut().reset(Instant::now() + limits.heartbeat);
                if !send(&mut ws, Message::Ping(Default::default()), t).await {
                    break End::Gone;
                }
            }
        }
    };
    // Out of the hub at once: a closing socket takes no more frames.
    drop((sub, frames));
    span.in_scope(|| ended(topic, &end, started));
    finish(ws, end, t).await;
}

/// The answer to a client's text message: a pong, or the spec's error.
fn answer(parsed: Result<ClientMessage, ClientFrameError>) -> FeedMessage {
    match parsed {
        Ok(ClientMessage::Ping { timestamp: ts }) => FeedMessage::Pong {
            timestamp: ts.unwrap_or_else(|| timestamp(chrono::Utc::now()).into()),
        },
        Ok(ClientMessage::Watch { .. }) => FeedMessage::error("watch is for /ws/watch/ only"),
        Err(e) => FeedMessage::error(e.message()),
    }
}

/// What a `watch` costs of a socket's message budget.
const WATCH_COST: usize = 10;

/// Ends the closing handshake. After our close frame the client's reply is awaited (briefly)
/// before hanging up: dropping TCP straight after a close frame can make the client lose it.
async fn finish(mut ws: WebSocket, end: End, t: Duration) {
    match end {
        End::Gone => {}
        End::Answer => {
            let _ = tokio::time::timeout(t, ws.flush()).await;
        }
        End::Close(code, reason) => {
            let frame = CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            };
            if send(&mut ws, Message::Close(Some(frame)), t).await {
                let _ = tokio::time::timeout(CLOSE_GRACE, async {
                    while let Some(Ok(msg)) = ws.recv().await {
                        if matches!(msg, Message::Close(_)) {
                            break;
                        }
                    }
                })
                .await;
            }
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

/// Per station, the order of the newest event this socket showed (the greeting's snapshot
/// first): late NOTIFYs and out-of-order publishes never take a client's counts backwards.
/// Sorted pairs: one for a station's socket, a few hundred at most for the all-stations one,
/// and no hashing on the delivery path.
#[derive(Debug, Default)]
pub struct Floor(Vec<(i32, i64)>);

impl FromIterator<(i32, i64)> for Floor {
    fn from_iter<I: IntoIterator<Item = (i32, i64)>>(pairs: I) -> Self {
        let mut pairs: Vec<_> = pairs.into_iter().collect();
        pairs.sort_unstable();
        pairs.dedup_by_key(|(station, _)| *station);
        pairs.shrink_to_fit();
        Floor(pairs)
    }
}

impl Floor {
    /// Raises each station's order to at least the given one: a snapshot taken since.
    pub fn raise(&mut self, pairs: Vec<(i32, i64)>) {
        for (station, seq) in pairs {
            match self.0.binary_search_by_key(&station, |(s, _)| *s) {
                Ok(at) => self.0[at].1 = self.0[at].1.max(seq),
                Err(at) => self.0.insert(at, (station, seq)),
            }
        }
    }

    /// Whether `frame` is newer than everything already shown of its station; if so, it is
    /// now the newest. Frames of no station (refreshes, a user's messages) always pass.
    fn fresh(&mut self, frame: &Frame) -> bool {
        let Some((station, seq)) = frame.order else {
            return true;
        };
        match self.0.binary_search_by_key(&station, |(s, _)| *s) {
            Ok(at) if seq <= self.0[at].1 => false,
            Ok(at) => {
                self.0[at].1 = seq;
                true
            }
            Err(at) => {
                self.0.insert(at, (station, seq));
                true
            }
        }
    }
}

/// Runs a write, arming its timeout only if the write does not finish on its first poll: a
/// reading client takes most frames at once, and a timer per delivery is work for nothing.
async fn within<T>(t: Duration, write: impl Future<Output = T>) -> Option<T> {
    let mut write = std::pin::pin!(write);
    match futures::poll!(write.as_mut()) {
        std::task::Poll::Ready(done) => Some(done),
        std::task::Poll::Pending => tokio::time::timeout(t, write).await.ok(),
    }
}

/// Sends one message, giving up after `t` (a client that stopped reading).
async fn send(ws: &mut WebSocket, msg: Message, t: Duration) -> bool {
    matches!(within(t, ws.send(msg)).await, Some(Ok(())))
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
        let mut floor: Floor = [(1, 47)].into_iter().collect();
        assert!(
            !floor.fresh(&frame(Some((1, 40)))),
            "older than the snapshot"
        );
        assert!(!floor.fresh(&frame(Some((1, 47)))));
        assert!(floor.fresh(&frame(Some((1, 48)))));
        assert!(!floor.fresh(&frame(Some((1, 48)))), "never twice");
        assert!(
            floor.fresh(&frame(Some((2, 1)))),
            "other stations start fresh"
        );
        assert!(
            floor.fresh(&frame(None)),
            "refreshes and user messages always pass"
        );
        let mut many: Floor = [(5, 10), (2, 3)].into_iter().collect();
        assert!(!many.fresh(&frame(Some((5, 10)))));
        assert!(many.fresh(&frame(Some((2, 4)))));
        assert!(many.fresh(&frame(Some((3, 1)))), "a station added later");
        assert!(!many.fresh(&frame(Some((3, 1)))));
        assert!(!many.fresh(&frame(Some((2, 4)))));
    }
}
