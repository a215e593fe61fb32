//! Both ends of a socket's subscription: the hub's (`Subscriber`, in its topic map) and the
//! socket's (`Subscription`), sharing the socket's inbox.
use app::feed::ssr::Credential;
use std::collections::VecDeque;
use std::sync::Arc;

use super::inbox::Inbox;
use super::{Delivery, Hub, Kick, SharedFrame, Topic, Viewer};

/// The hub's end of a subscription. A subscriber is kicked at most once: it leaves the hub
/// when it is.
pub(super) struct Subscriber {
    pub(super) inbox: Arc<Inbox>,
    pub(super) viewer: Viewer,
    pub(super) credential: Option<Credential>,
    /// The socket's own entry, under the topic it subscribed to. A watch feed's socket also
    /// has one entry per station it follows (`Topic::Watched`); dropping those hangs nothing up.
    pub(super) primary: bool,
}

impl Subscriber {
    pub(super) fn kick(self, kick: Kick) {
        self.inbox.kick(kick);
    }
}

impl Drop for Subscriber {
    /// Kicked or not, the socket hears that nothing more will come (a kick, taken first, says
    /// why).
    fn drop(&mut self) {
        if self.primary {
            self.inbox.hang_up();
        }
    }
}

/// A socket's end of a subscription; dropping it unsubscribes.
pub struct Subscription {
    pub(super) inbox: Arc<Inbox>,
    pub(super) id: u64,
    pub(super) topic: Topic,
    pub(super) hub: Arc<Hub>,
}

impl Subscription {
    pub fn topic(&self) -> Topic {
        self.topic
    }

    /// Waits for what the hub has for this socket: a kick (first), else up to a batch of
    /// frames (`inbox::BATCH`), moved into `into` (which must be empty: the last batch
    /// written), else the hub hanging up.
    pub fn next<'a>(
        &'a self,
        into: &'a mut VecDeque<SharedFrame>,
    ) -> impl Future<Output = Delivery> + 'a {
        std::future::poll_fn(move |cx| {
            // Like tokio's own channels: a socket with frames always ready still yields to the
            // scheduler once its task's budget is spent.
            let coop = std::task::ready!(tokio::task::coop::poll_proceed(cx));
            let next = self.inbox.poll_next(cx, into);
            if next.is_ready() {
                coop.made_progress();
            }
            next
        })
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.inbox.forget_waker();
        self.hub.remove(self.topic, self.id);
    }
}
