//! A socket's inbox: the frames the hub queued for it, the kick that ends it and the waker of
//! its task, behind one lock in one allocation.
//!
//! Instead of a tokio `mpsc` channel (its shared state padded to cache lines, plus a block of
//! 32 slots per socket) and a `oneshot` for the kick: at 10,000 sockets every delivery touches
//! the socket's state cold, so each separate allocation is a cache miss on the hub's side and
//! again on the socket's. The socket takes up to a batch of frames in one go, and the hub
//! wakes it only when it sleeps (it always has a waker kept then, and an empty queue).
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use super::{Kick, SharedFrame};

pub(super) struct Inbox {
    state: Mutex<State>,
    /// Most frames waiting, the batch being written included; a socket further behind is kicked
    /// as too slow.
    capacity: usize,
}

/// Most frames a socket takes, and writes before one flush, in one go: it reads nothing, and
/// hears no kick, while it writes them.
pub const BATCH: usize = 64;

/// What an idle socket's queue keeps of the capacity a burst gave it.
const KEEP: usize = 16;

#[derive(Default)]
struct State {
    frames: VecDeque<SharedFrame>,
    /// Frames of the batch the socket took last and is writing: until it comes back for more,
    /// they count against the capacity as if still queued.
    in_flight: usize,
    kick: Option<Kick>,
    /// The hub let go of this socket: after a kick, or when the hub itself is dropped.
    hung_up: bool,
    waker: Option<Waker>,
}

/// What woke a socket.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Close with this code and reason; nothing more will come.
    Kick(Kick),
    /// Frames were moved into the socket's buffer.
    Frames,
    /// Nothing more will come, and nobody says why.
    HungUp,
}

impl Inbox {
    pub(super) fn new(capacity: usize) -> Self {
        Inbox {
            state: Mutex::new(State::default()),
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding it; if something did, the queue is still whole.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a frame; `false` if the queue is full (the caller kicks). Never waits.
    pub(super) fn push(&self, frame: SharedFrame) -> bool {
        let mut state = self.lock();
        if state.frames.len() + state.in_flight >= self.capacity {
            return false;
        }
        state.frames.push_back(frame);
        wake(state);
        true
    }

    /// Tells the socket to close; the first kick wins.
    pub(super) fn kick(&self, kick: Kick) {
        let mut state = self.lock();
        if state.kick.is_none() {
            state.kick = Some(kick);
            wake(state);
        }
    }

    pub(super) fn hang_up(&self) {
        let mut state = self.lock();
        state.hung_up = true;
        wake(state);
    }

    /// A kick first, then up to [`BATCH`] frames (moved into `into`, which the socket has
    /// written and emptied since the last call), then a hang-up; else the task's waker is kept
    /// for the hub to wake.
    pub(super) fn poll_next(
        &self,
        cx: &mut Context<'_>,
        into: &mut VecDeque<SharedFrame>,
    ) -> Poll<Delivery> {
        debug_assert!(into.is_empty(), "the last batch was written");
        let mut state = self.lock();
        state.in_flight = 0;
        if let Some(kick) = state.kick.take() {
            return Poll::Ready(Delivery::Kick(kick));
        }
        if !state.frames.is_empty() {
            let n = state.frames.len().min(BATCH);
            into.extend(state.frames.drain(..n));
            state.in_flight = n;
            if state.frames.is_empty() && state.frames.capacity() > KEEP {
                state.frames.shrink_to(KEEP);
            }
            return Poll::Ready(Delivery::Frames);
        }
        if state.hung_up {
            return Poll::Ready(Delivery::HungUp);
        }
        match &mut state.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// The socket is gone: its task's waker must not be kept alive by a late delivery.
    pub(super) fn forget_waker(&self) {
        self.lock().waker = None;
    }

    /// For tests: the oldest waiting frame and the kick, without a task.
    #[cfg(test)]
    pub(super) fn try_frame(&self) -> Option<SharedFrame> {
        self.lock().frames.pop_front()
    }

    #[cfg(test)]
    pub(super) fn try_kick(&self) -> Option<Kick> {
        self.lock().kick
    }
}

/// Wakes the socket's task if it sleeps, after letting go of the lock: the woken task's first
/// act is to take it. Taking the waker makes it wake once; its next poll keeps a new one.
fn wake(mut state: MutexGuard<'_, State>) {
    let waker = state.waker.take();
    drop(state);
    if let Some(waker) = waker {
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::{Frame, KICK_SHUTDOWN};
    use axum::extract::ws::Utf8Bytes;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Count(AtomicUsize);
    impl std::task::Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn frame() -> SharedFrame {
        Arc::new(Frame {
            order: None,
            text: Utf8Bytes::from_static("{}"),
        })
    }

    #[test]
    fn a_socket_is_woken_once_per_batch_and_takes_it_whole() {
        let inbox = Inbox::new(3);
        let wakes = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&wakes));
        let mut cx = Context::from_waker(&waker);
        let mut taken = VecDeque::new();
        assert!(inbox.poll_next(&mut cx, &mut taken).is_pending());
        assert!(inbox.push(frame()) && inbox.push(frame()) && inbox.push(frame()));
        assert!(!inbox.push(frame()), "full at its capacity");
        assert_eq!(
            wakes.0.load(Ordering::SeqCst),
            1,
            "only the first frame wakes"
        );
        let delivery = inbox.poll_next(&mut cx, &mut taken);
        assert_eq!(delivery, Poll::Ready(Delivery::Frames));
        assert_eq!(taken.len(), 3);
        assert!(
            !inbox.push(frame()),
            "the batch being written still counts against the capacity"
        );
        taken.clear(); // written
        assert!(inbox.poll_next(&mut cx, &mut taken).is_pending());
        assert!(inbox.push(frame()), "room again once the batch is written");
        assert_eq!(wakes.0.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_socket_takes_at_most_a_batch_at_a_time() {
        let inbox = Inbox::new(BATCH * 2);
        let mut cx = Context::from_waker(Waker::noop());
        let mut taken = VecDeque::new();
        for _ in 0..BATCH + 1 {
            assert!(inbox.push(frame()));
        }
        assert_eq!(
            inbox.poll_next(&mut cx, &mut taken),
            Poll::Ready(Delivery::Frames)
        );
        assert_eq!(taken.len(), BATCH);
        taken.clear();
        assert_eq!(
            inbox.poll_next(&mut cx, &mut taken),
            Poll::Ready(Delivery::Frames)
        );
        assert_eq!(taken.len(), 1, "the rest at once, without another wake-up");
    }

    #[test]
    fn a_kick_comes_before_frames_and_a_hang_up_after_them() {
        let inbox = Inbox::new(8);
        let mut cx = Context::from_waker(Waker::noop());
        let mut taken = VecDeque::new();
        assert!(inbox.push(frame()));
        inbox.hang_up();
        inbox.kick(KICK_SHUTDOWN);
        let first = inbox.poll_next(&mut cx, &mut taken);
        assert_eq!(first, Poll::Ready(Delivery::Kick(KICK_SHUTDOWN)));
        let second = inbox.poll_next(&mut cx, &mut taken);
        assert_eq!(second, Poll::Ready(Delivery::Frames));
        taken.clear();
        let third = inbox.poll_next(&mut cx, &mut taken);
        assert_eq!(third, Poll::Ready(Delivery::HungUp));
    }
}
