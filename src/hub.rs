//! The feed hub: routes each committed domain event to the sockets subscribed to its topic.
//!
//! Every socket has a bounded queue. Delivery never waits: a socket whose queue is full is
//! closed with 1013 and dropped, so one slow client costs nobody else anything.
//!
//! A socket sees what its user could see when it connected; when that user's role or station
//! assignments change, every socket of theirs is closed (4403) so that it reconnects with the
//! new rights, on every instance.
use app::feed::ssr::{Credential, DomainEvent, EventSink};
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

mod inbox;
mod kick;
mod pacing;
mod snapshots;
mod subscription;
mod topic;
mod viewer;
mod watch;
pub use inbox::Delivery;
use inbox::Inbox;
pub use kick::{KICK_PRIVILEGES_CHANGED, KICK_REVOKED, KICK_SHUTDOWN, KICK_TOO_SLOW, Kick};
pub use snapshots::Snapshots;
use subscription::Subscriber;
pub use subscription::Subscription;
pub use topic::{Frame, SharedFrame, Topic};
pub use viewer::Viewer;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HubStats {
    pub subscribers: usize,
    pub delivered: u64,
    pub kicked_slow: u64,
}

pub struct Hub {
    topics: Mutex<HashMap<Topic, HashMap<u64, Subscriber>>>,
    /// Counts privilege changes heard; see [`Viewer::as_of`].
    epoch: AtomicU64,
    /// Per user, the epoch of their latest privilege change. Only locked with `topics` held.
    /// One entry per user whose role or stations an admin changed while this process ran.
    changed: Mutex<HashMap<i32, u64>>,
    next_id: AtomicU64,
    /// Set on shutdown: every subscriber was kicked with 1001, and so is any that comes later.
    closed: AtomicBool,
    queue: usize,
    delivered: AtomicU64,
    kicked_slow: AtomicU64,
    /// The greetings' snapshots, invalidated here by every station event.
    pub snapshots: Snapshots,
    /// Per watch socket, the stations it follows (see [`watch`]). Only locked with `topics`
    /// held.
    watching: Mutex<HashMap<u64, Vec<i32>>>,
    /// When each station may next be delivered to its watchers.
    pacing: pacing::Pacing,
    /// The hub itself, for the timers that deliver paced frames.
    me: Weak<Hub>,
}

impl Hub {
    pub fn new(queue: usize) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            topics: Mutex::new(HashMap::new()),
            epoch: AtomicU64::new(0),
            changed: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            closed: AtomicBool::new(false),
            queue: queue.max(1),
            delivered: AtomicU64::new(0),
            kicked_slow: AtomicU64::new(0),
            snapshots: Snapshots::default(),
            watching: Mutex::default(),
            pacing: pacing::Pacing::default(),
            me: me.clone(),
        })
    }

    fn watching(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Vec<i32>>> {
        self.watching.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Topic, HashMap<u64, Subscriber>>> {
        // A panic while holding this lock cannot leave the map half-updated; keep serving.
        self.topics
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Read before loading a viewer's privileges; hand it to the subscription as
    /// [`Viewer::as_of`].
    pub fn privilege_epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Subscribes a socket. One whose user's privileges changed after its `as_of` is told to
    /// close at once: it was set up with rights the user no longer has.
    pub fn subscribe(
        self: &Arc<Self>,
        topic: Topic,
        viewer: Viewer,
        credential: Option<Credential>,
    ) -> Subscription {
        let inbox = Arc::new(Inbox::new(self.queue));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut topics = self.lock();
        let stale = viewer.user_id().is_some_and(|user| {
            let changed = self.changed.lock().unwrap_or_else(|p| p.into_inner());
            changed.get(&user).is_some_and(|at| *at > viewer.as_of)
        });
        let refused = if self.closed.load(Ordering::SeqCst) {
            Some(KICK_SHUTDOWN)
        } else {
            stale.then_some(KICK_PRIVILEGES_CHANGED)
        };
        if let Some(kick) = refused {
            // Never routed anything: its first act after the greeting is to close.
            inbox.kick(kick);
        } else {
            let sub = Subscriber {
                inbox: Arc::clone(&inbox),
                viewer,
                credential,
                primary: true,
            };
            topics.entry(topic).or_default().insert(id, sub);
        }
        drop(topics);
        Subscription {
            inbox,
            id,
            topic,
            hub: Arc::clone(self),
        }
    }

    /// Closes every socket with 1001, now and from now on. Shutdown goes through the hub, like
    /// every other close the server decides on: a socket then waits on its own kick, not on a
    /// token all sockets share (whose waiter list each of them locked twice per delivery).
    pub fn close_all(&self) {
        let mut topics = self.lock();
        self.closed.store(true, Ordering::SeqCst);
        Self::kick_where(&mut topics, KICK_SHUTDOWN, |_| true);
    }

    /// Calls [`Hub::close_all`] once `shutdown` is cancelled.
    pub fn close_all_on(self: &Arc<Self>, shutdown: tokio_util::sync::CancellationToken) {
        let hub = Arc::clone(self);
        tokio::spawn(async move {
            shutdown.cancelled().await;
            hub.close_all();
        });
    }

    fn remove(&self, topic: Topic, id: u64) {
        let mut topics = self.lock();
        if topic == Topic::Watch
            && let Some(stations) = self.watching().remove(&id)
        {
            Self::unwatch(&mut topics, id, &stations);
        }
        if let Some(subs) = topics.get_mut(&topic) {
            subs.remove(&id);
            if subs.is_empty() {
                topics.remove(&topic);
            }
        }
    }

    pub fn stats(&self) -> HubStats {
        HubStats {
            subscribers: self
                .lock()
                .values()
                .flat_map(HashMap::values)
                .filter(|s| s.primary)
                .count(),
            delivered: self.delivered.load(Ordering::Relaxed),
            kicked_slow: self.kicked_slow.load(Ordering::Relaxed),
        }
    }

    /// Delivers one event to every matching socket.
    pub fn dispatch(&self, event: &DomainEvent) {
        let mut topics = self.lock();
        match event {
            DomainEvent::Station {
                station_id,
                seq,
                message,
                privileged,
            } => {
                self.snapshots.changed(*station_id);
                let order = seq.map(|seq| (*station_id, seq));
                let public = frame(order, message);
                let privileged = privileged.as_ref().map(|m| frame(order, m));
                for topic in [Topic::AllStations, Topic::Station(*station_id)] {
                    self.deliver(&mut topics, topic, |viewer| match &privileged {
                        Some(p) if viewer.privileged_for(*station_id) => Arc::clone(p),
                        _ => Arc::clone(&public),
                    });
                }
                self.to_watchers(&mut topics, *station_id, message, &public);
            }
            DomainEvent::StationStaff {
                station_id,
                message,
            } => {
                let staff_only = frame(None, message);
                for topic in [Topic::AllStations, Topic::Station(*station_id)] {
                    self.deliver_to(&mut topics, topic, |viewer| {
                        viewer
                            .privileged_for(*station_id)
                            .then(|| Arc::clone(&staff_only))
                    });
                }
            }
            DomainEvent::User { user_id, message } => {
                let one = frame(None, message);
                self.deliver(&mut topics, Topic::User(*user_id), |_| Arc::clone(&one));
            }
            DomainEvent::CredentialRevoked { credential } => {
                Self::kick_where(&mut topics, KICK_REVOKED, |s| {
                    s.credential == Some(*credential)
                });
            }
            DomainEvent::UserPrivilegesChanged { user_id } => {
                let epoch = self.epoch.fetch_add(1, Ordering::SeqCst) + 1;
                self.changed
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(*user_id, epoch);
                Self::kick_where(&mut topics, KICK_PRIVILEGES_CHANGED, |s| {
                    s.viewer.user_id() == Some(*user_id)
                });
            }
        }
    }

    /// Closes (with `kick`) and drops every subscriber, on any topic, that `matches`.
    fn kick_where(
        topics: &mut HashMap<Topic, HashMap<u64, Subscriber>>,
        kick: Kick,
        matches: impl Fn(&Subscriber) -> bool,
    ) {
        for subs in topics.values_mut() {
            for (_, s) in subs.extract_if(|_, s| matches(s)) {
                s.kick(kick);
            }
        }
        topics.retain(|_, subs| !subs.is_empty());
    }

    fn deliver(
        &self,
        topics: &mut HashMap<Topic, HashMap<u64, Subscriber>>,
        topic: Topic,
        frame_for: impl Fn(&Viewer) -> SharedFrame,
    ) {
        self.deliver_to(topics, topic, |viewer| Some(frame_for(viewer)));
    }

    /// Delivers to the subscribers of `topic` for whom `frame_for` has a frame.
    fn deliver_to(
        &self,
        topics: &mut HashMap<Topic, HashMap<u64, Subscriber>>,
        topic: Topic,
        frame_for: impl Fn(&Viewer) -> Option<SharedFrame>,
    ) {
        let Some(subs) = topics.get_mut(&topic) else {
            return;
        };
        let (mut delivered, mut slow) = (0u64, 0u64);
        // Removed and kicked here: the too slow. (A closed socket has left the hub already.)
        let gone = subs.extract_if(|_, s| {
            let Some(frame) = frame_for(&s.viewer) else {
                return false;
            };
            if s.inbox.push(frame) {
                delivered += 1;
                false
            } else {
                slow += 1;
                true
            }
        });
        for (_, s) in gone {
            s.kick(KICK_TOO_SLOW);
        }
        // Counted once per event and topic, not per socket: the loop above is the fan-out.
        self.delivered.fetch_add(delivered, Ordering::Relaxed);
        self.kicked_slow.fetch_add(slow, Ordering::Relaxed);
        let feed = topic.feed();
        if delivered > 0 {
            metrics::counter!(crate::metrics::names::DELIVERED, "feed" => feed)
                .increment(delivered);
        }
        if slow > 0 {
            metrics::counter!(crate::metrics::names::SLOW_CONSUMER_CLOSES, "feed" => feed)
                .increment(slow);
        }
        if subs.is_empty() {
            topics.remove(&topic);
        }
    }
}

/// A message rendered once for all the sockets it goes to.
fn frame(order: Option<(i32, i64)>, message: &app::feed::FeedMessage) -> SharedFrame {
    Arc::new(Frame {
        order,
        text: Utf8Bytes::from(message.to_json()),
    })
}

impl EventSink for Hub {
    fn publish(&self, events: Vec<DomainEvent>) {
        for event in &events {
            self.dispatch(event);
        }
    }
}

#[cfg(test)]
mod tests;
