//! Retrying a change safely. A client that lost the answer to a booking or a cancel (a dropped
//! connection, a proxy's 502 while an instance restarted) cannot tell a change made from one
//! refused, and sending it again would be refused as its own double ("you already have an
//! active booking"). So it names each request with a key of its own (the `Idempotency-Key`
//! header; the browser's forms send an `idempotency_key` field): a request sent again with the
//! same key gets the first answer, never a second change and never a refusal of its own change.
//! Keys are scoped to their user and kept a day (`ssr`).
use leptos::prelude::{Action, use_context};
use leptos::server::ServerActionError;
use leptos::server_fn::ServerFn;
use leptos::server_fn::error::ServerFnUrlError;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod ssr;

/// The header a client names its request with.
pub const HEADER: &str = "idempotency-key";

/// The longest key accepted (a UUID is 36 characters).
pub const MAX_KEY_LEN: usize = 100;

/// A fresh key for one press of Book or Cancel: 128 random bits in hex.
#[cfg(feature = "ssr")]
pub fn new_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// A fresh key for one press of Book or Cancel: 128 random bits in hex. `Math.random` is
/// enough: a key is no secret (another user's request with it is another key), it only has to
/// differ from this user's other keys.
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn new_key() -> String {
    (0..4)
        .map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u32))
        .collect()
}

/// How often a request whose answer was lost is sent again, the waits doubling from half a
/// second: a restarting instance's place is taken by another within that.
const RETRIES: u32 = 4;

/// An action that sends `S` and, when its answer is lost (`AppError::Request`: no answer, or a
/// proxy's instead of ours), sends the same request again, under the same key, a few times
/// with backoff. For requests that carry an idempotency key: without one, sending again could
/// make a second change.
pub fn retrying_action<S>() -> Action<S, Result<S::Output, AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    // Without JavaScript the form posts itself and the server sends the error back in the
    // page's address, as `ServerAction` shows it: so does this action.
    let refused = use_context::<ServerActionError>().and_then(|e| {
        (e.path() == S::PATH).then(|| Err(ServerFnUrlError::<AppError>::decode_err(e.err())))
    });
    Action::new_with_value(refused, |input: &S| {
        let input = input.clone();
        async move {
            let mut wait_ms = 500;
            for _ in 0..RETRIES {
                match S::run_on_client(input.clone()).await {
                    Err(AppError::Request(_)) => {
                        sleep_ms(wait_ms).await;
                        wait_ms *= 2;
                    }
                    answered => return answered,
                }
            }
            S::run_on_client(input).await
        }
    })
}

#[cfg(feature = "hydrate")]
async fn sleep_ms(ms: i32) {
    let wait = js_sys::Promise::new(&mut |done, _| {
        if let Some(w) = web_sys::window() {
            _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&done, ms);
        }
    });
    // The browser runs one thread: the wrapper only tells the action's `Send` bound so.
    _ = send_wrapper::SendWrapper::new(wasm_bindgen_futures::JsFuture::from(wait)).await;
}

/// Actions run in the browser only.
#[cfg(not(feature = "hydrate"))]
async fn sleep_ms(_: i32) {}
