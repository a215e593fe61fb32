//! The browser side of a feed: one WebSocket per hook, reconnecting with exponential backoff
//! and jitter, pinging as a heartbeat, closed when the owning component unmounts. Compiled to a
//! no-op on the server: hooks do nothing during SSR.
use leptos::prelude::*;

use super::FeedMessage;

/// Reconnect delays: 0.5 s doubling to 30 s, each scaled by a random factor in [0.5, 1.0) so a
/// restarted server is not hit by every client at once.
pub fn backoff_ms(attempt: u32, jitter: f64) -> u32 {
    let base = 500f64 * 2f64.powi(attempt.min(6) as i32);
    (base.min(30_000.0) * (0.5 + jitter.clamp(0.0, 1.0) / 2.0)) as u32
}

/// Called once the page is hydrated; sockets open only from then on. Hydration is asynchronous
/// (a lazy island waits for its wasm chunk), and it keeps the server-rendered text of
/// what it hydrates: a message applied before then (a socket's snapshot, "Live") would change
/// state that the page would never show.
pub fn hydration_finished() {
    #[cfg(feature = "hydrate")]
    client::HYDRATED.with(|hydrated| hydrated.set(true));
}

/// Keeps a socket to `path` (e.g. `/ws/stations/`) on the page's own host open while `enabled`
/// and calls `on_message` with every message. `say`, if given, is sent each time the socket
/// opens and whenever it changes while open (a watch feed's `watch`; empty: nothing). Returns
/// whether the socket is open right now.
pub fn use_feed_socket(
    path: String,
    enabled: Signal<bool>,
    say: Option<ReadSignal<String>>,
    on_message: impl Fn(FeedMessage) + 'static,
) -> ReadSignal<bool> {
    let (connected, set_connected) = signal(false);
    #[cfg(feature = "hydrate")]
    client::open(path, enabled, say, on_message, set_connected);
    #[cfg(not(feature = "hydrate"))]
    let _ = (path, enabled, say, on_message, set_connected);
    connected
}

#[cfg(feature = "hydrate")]
mod client {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    const HEARTBEAT_MS: i32 = 25_000;

    thread_local! {
        /// Set by [`super::hydration_finished`].
        pub(super) static HYDRATED: ArcRwSignal<bool> = ArcRwSignal::new(false);
    }

    struct State {
        url: String,
        socket: RefCell<Option<WebSocket>>,
        attempt: Cell<u32>,
        /// Unmounted, or switched off by `enabled`: no reconnecting.
        disposed: Cell<bool>,
        retry_timer: Cell<Option<i32>>,
        heartbeat_timer: Cell<Option<i32>>,
        on_message: Box<dyn Fn(FeedMessage)>,
        set_connected: WriteSignal<bool>,
        say: Option<ReadSignal<String>>,
    }

    /// Sends `text` if the socket is open and `text` is not empty.
    fn send(state: &State, text: &str) {
        if let Some(ws) = state.socket.borrow().as_ref()
            && ws.ready_state() == WebSocket::OPEN
            && !text.is_empty()
        {
            let _ = ws.send_with_str(text);
        }
    }

    pub fn open(
        path: String,
        enabled: Signal<bool>,
        say: Option<ReadSignal<String>>,
        on_message: impl Fn(FeedMessage) + 'static,
        set_connected: WriteSignal<bool>,
    ) {
        let location = window().location();
        let scheme = if location.protocol().ok().as_deref() == Some("https:") {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().unwrap_or_default();
        let state = Rc::new(State {
            url: format!("{scheme}://{host}{path}"),
            socket: RefCell::new(None),
            attempt: Cell::new(0),
            disposed: Cell::new(false),
            retry_timer: Cell::new(None),
            heartbeat_timer: Cell::new(None),
            on_message: Box::new(on_message),
            set_connected,
            say,
        });
        if let Some(say) = say {
            let state = send_wrapper::SendWrapper::new(Rc::clone(&state));
            Effect::new(move |_| say.with(|text| send(&state, text)));
        }
        let toggle = send_wrapper::SendWrapper::new(Rc::clone(&state));
        let hydrated = HYDRATED.with(ArcRwSignal::clone);
        Effect::new(move |_| {
            let state: &Rc<State> = &toggle;
            if enabled.get() && hydrated.get() {
                state.disposed.set(false);
                if state.socket.borrow().is_none() {
                    connect(state);
                }
            } else {
                stop(state);
            }
        });
        let heartbeat = {
            let state = Rc::clone(&state);
            Closure::<dyn FnMut()>::new(move || {
                let ping = format!(
                    r#"{{"type":"ping","timestamp":"{}"}}"#,
                    js_sys::Date::new_0().to_iso_string()
                );
                send(&state, &ping);
            })
        };
        let id = window()
            .set_interval_with_callback_and_timeout_and_arguments_0(
                heartbeat.as_ref().unchecked_ref(),
                HEARTBEAT_MS,
            )
            .ok();
        heartbeat.forget();
        state.heartbeat_timer.set(id);
        // The hook's owner going away (the component unmounting) closes the socket for good.
        let cleanup = send_wrapper::SendWrapper::new(state);
        on_cleanup(move || {
            let state = cleanup.take();
            stop(&state);
            if let Some(id) = state.heartbeat_timer.take() {
                window().clear_interval_with_handle(id);
            }
        });
    }

    /// Closes the socket and cancels any pending reconnect.
    fn stop(state: &Rc<State>) {
        state.disposed.set(true);
        if let Some(id) = state.retry_timer.take() {
            window().clear_timeout_with_handle(id);
        }
        if let Some(ws) = state.socket.borrow_mut().take() {
            ws.set_onclose(None);
            let _ = ws.close_with_code(1000);
        }
        state.set_connected.set(false);
    }

    fn connect(state: &Rc<State>) {
        if state.disposed.get() {
            return;
        }
        let Ok(ws) = WebSocket::new(&state.url) else {
            schedule_reconnect(state);
            return;
        };
        let onopen = {
            let state = Rc::clone(state);
            Closure::<dyn FnMut()>::new(move || {
                state.attempt.set(0);
                state.set_connected.set(true);
                if let Some(say) = state.say {
                    say.with_untracked(|text| send(&state, text));
                }
            })
        };
        let onmessage = {
            let state = Rc::clone(state);
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                if let Some(text) = e.data().as_string()
                    && let Some(msg) = FeedMessage::from_wire(&text)
                {
                    (state.on_message)(msg);
                }
            })
        };
        let onclose = {
            let state = Rc::clone(state);
            Closure::<dyn FnMut(CloseEvent)>::new(move |_e: CloseEvent| {
                state.set_connected.set(false);
                state.socket.borrow_mut().take();
                schedule_reconnect(&state);
            })
        };
        ws.set_onopen(Some(onopen.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
        // The socket owns its handlers from here on.
        onopen.forget();
        onmessage.forget();
        onclose.forget();
        // Never more than one socket per hook.
        if let Some(old) = state.socket.borrow_mut().replace(ws) {
            old.set_onclose(None);
            let _ = old.close();
        }
    }

    fn schedule_reconnect(state: &Rc<State>) {
        if state.disposed.get() || state.retry_timer.get().is_some() {
            return;
        }
        let attempt = state.attempt.get();
        state.attempt.set(attempt + 1);
        let delay = backoff_ms(attempt, js_sys::Math::random());
        let retry = {
            let state = Rc::clone(state);
            Closure::<dyn FnMut()>::new(move || {
                state.retry_timer.set(None);
                connect(&state);
            })
        };
        let id = window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                retry.as_ref().unchecked_ref(),
                delay as i32,
            )
            .ok();
        retry.forget();
        state.retry_timer.set(id);
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_grows_with_jitter_and_a_ceiling() {
        assert_eq!(backoff_ms(0, 1.0), 500);
        assert_eq!(backoff_ms(0, 0.0), 250);
        assert_eq!(backoff_ms(3, 1.0), 4000);
        assert_eq!(backoff_ms(20, 1.0), 30_000);
        assert!(backoff_ms(20, 0.0) >= 15_000);
    }
}
