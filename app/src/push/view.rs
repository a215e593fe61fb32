//! The push switch's box, rendered by the server (hidden) for a signed-in user; `public/push.js`
//! shows it and makes it work in a browser that can push.
use leptos::prelude::*;

use crate::ui::SignedIn;

/// "Push notifications on this device", on the pages where a rider waits for news.
#[component]
pub fn PushSwitch() -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                signed_in.user().await.map(|_| view! {
                    <section class="card push-device" id="push-device" aria-labelledby="push-heading" hidden>
                        <h2 id="push-heading">"Push notifications on this device"</h2>
                        <p class="push-state" role="status">"…"</p>
                        <button type="button" class="secondary">"Turn on for this device"</button>
                    </section>
                })
            })}
        </Suspense>
    }
}
