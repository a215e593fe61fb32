//! What every page may use: the session context the router provides, page helpers and the small
//! widgets more than one page shows.
//!
//! Pages import these from here, never from the router (`layout.rs`) or from another page's
//! file, so the view files form no circles: `layout` imports the pages, pages import `ui` and
//! other concepts' components, and `ui` imports no view file.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::account::CurrentUser;
use crate::error::AppError;
use crate::station::StationStatus;

/// Who is logged in, for every page (refreshed after login, registration and logout). Await it
/// inside a `Suspend`, so the server renders the right branch and hydration agrees.
#[derive(Clone, Copy)]
pub struct SignedIn(pub Resource<Result<Option<CurrentUser>, AppError>>);

impl SignedIn {
    pub async fn user(self) -> Option<CurrentUser> {
        self.0.await.ok().flatten()
    }
}

/// Bumped after every login, registration or logout, so the header's "who am I" refetches.
/// (Each form owns its action: only actions created inside `<Routes>` see the error a
/// no-JavaScript form post was redirected back with.)
#[derive(Clone, Copy)]
pub struct AuthEpoch(pub RwSignal<u32>);

impl AuthEpoch {
    /// Bumps the epoch whenever `action` completes.
    pub fn follow<S>(self, action: ServerAction<S>)
    where
        S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
        S::Output: Send + Sync + 'static,
        S::Error: Send + Sync + 'static,
    {
        Effect::new(move |_| {
            if action.version().get() > 0 {
                self.0.update(|n| *n += 1);
            }
        });
    }
}

/// Sets the HTTP status of the server-rendered page (no-op in the browser).
pub fn set_page_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(opts), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        opts.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// The error of a server action's last run, as words for the page (`None` until one fails).
pub fn action_error<S>(action: ServerAction<S>) -> Option<String>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    action
        .value()
        .get()
        .and_then(Result::err)
        .map(|e| e.to_string())
}

/// An error in words, where a form or a page shows it; nothing while `message` is `None`.
/// The one place its markup is written (the end-to-end tests look for `.form-error` alerts).
/// Takes a closure (an action's error), a `String` or an `Option<String>`.
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.with(Option::is_some)>
            <p class="form-error" role="alert">{move || message.get()}</p>
        </Show>
    }
}

/// Shown to anyone who may not use a staff or admin page; a 403 for the server-rendered page.
#[component]
pub fn StaffOnly() -> impl IntoView {
    set_page_status(403);
    view! {
        <section class="card narrow">
            <h1>"Staff only"</h1>
            <p>"The console is for station staff and admins. " <A href="/">"Back to the stations"</A></p>
        </section>
    }
}

/// "Log in", coming back to the current page afterwards.
#[component]
pub fn LoginLink() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let href = move || {
        let path = location.pathname.get();
        let search = location.search.get();
        let here = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        crate::account::login_href(&here)
    };
    view! { <A href=href>"Log in"</A> }
}

/// Whether a page's live feed is connected; announced politely to screen readers.
/// "Connecting…" until the first connection, "Reconnecting…" only after one was lost. The
/// server renders "Connecting…", hidden by the stylesheet until the page has hydrated
/// (`html[data-hydrated]`): without JavaScript there is no feed, and nothing to alarm anyone.
#[component]
pub fn LiveIndicator(connected: ReadSignal<bool>) -> impl IntoView {
    let (was_live, set_was_live) = signal(false);
    Effect::new(move |_| {
        if connected.get() {
            set_was_live.set(true);
        }
    });
    let text = move || match (connected.get(), was_live.get()) {
        (true, _) => "● Live",
        (false, false) => "○ Connecting…",
        (false, true) => "○ Reconnecting…",
    };
    view! {
        <span class="live" class:on=move || connected.get() role="status" aria-live="polite">
            {text}
        </span>
    }
}

/// A station's status as a badge: its name in words, styled per status (not colour alone).
#[component]
pub fn StatusBadge(#[prop(into)] status: Signal<StationStatus>) -> impl IntoView {
    view! {
        <span class=move || format!("badge badge-{}", status.get().as_str())>{move || status.get().as_str()}</span>
    }
}
