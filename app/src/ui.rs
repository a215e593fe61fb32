//! What every page may use: the session context the router provides, page helpers and the small
//! widgets more than one page shows.
//!
//! Pages import these from here, never from the router (`layout.rs`) or from another page's
//! file, so the view files form no circles: `layout` imports the pages, pages import `ui` and
//! other concepts' components, and `ui` imports no view file.
use leptos::prelude::*;

mod numbers;
pub use numbers::{fixed, svg_number};
pub mod qr;

use crate::account::CurrentUser;
use crate::error::AppError;
use crate::station::StationStatus;

/// Who is logged in, for every page (and, inside an island, refreshed after an `AuthEpoch`
/// bump). Await it inside a `Suspend`, so the server renders the right branch and hydration
/// agrees.
#[derive(Clone, Copy)]
pub struct SignedIn(pub Resource<Result<Option<CurrentUser>, AppError>>);

impl SignedIn {
    pub async fn user(self) -> Option<CurrentUser> {
        self.0.await.ok().flatten()
    }
}

/// Bumped, inside an island, after an action that changes who is logged in or what they saved
/// (My pack's save), so the island's "who am I" refetches. Login, registration and logout are
/// plain form posts answered with a new page, which the server renders afresh.
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
pub fn action_error<I, O>(action: impl Into<Action<I, Result<O, AppError>>>) -> Option<String>
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    action
        .into()
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
            <p>"The console is for station staff and admins. " <a href="/">"Back to the stations"</a></p>
        </section>
    }
}

/// "Log in", coming back to the current page afterwards. (Islands have no router in the
/// browser: there the address is the window's.)
#[component]
pub fn LoginLink() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (path, search) = {
        let location = leptos_router::hooks::use_location();
        (
            location.pathname.get_untracked(),
            location.search.get_untracked(),
        )
    };
    #[cfg(not(feature = "ssr"))]
    let (path, search) = {
        let location = window().location();
        let search = location.search().unwrap_or_default();
        (
            location.pathname().unwrap_or_default(),
            search.trim_start_matches('?').to_string(),
        )
    };
    let here = if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    };
    view! { <a href=crate::account::login_href(&here)>"Log in"</a> }
}

/// Provides, inside an island, what pages read from context: on the server the router's page
/// provides them too, but an island's code in the browser sees nothing from outside it.
pub fn provide_island_context() {
    let epoch = AuthEpoch(RwSignal::new(0));
    provide_context(epoch);
    let user = Resource::new(move || epoch.0.get(), |_| crate::account::api::me());
    provide_context(SignedIn(user));
    provide_context(crate::feed::notification_feed());
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

/// A moment on a page: `<time datetime>` in UTC as the server renders it (so hydration
/// matches), then in the reader's own time zone once the page is interactive. With `date`,
/// the day too; with `relative`, "(in 12 min)" or "(3 min ago)" after it, kept current.
#[component]
pub fn LocalTime(
    /// RFC 3339, as every timestamp on the wire.
    #[prop(into)]
    iso: String,
    #[prop(optional)] date: bool,
    #[prop(optional)] relative: bool,
) -> impl IntoView {
    let utc = utc_text(&iso, date);
    let (local, set_local) = signal(None::<String>);
    let at = iso.clone();
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        let at = at.clone();
        let show = move || {
            let mut text = local_text(&at, date).unwrap_or_default();
            if relative && let Some(rel) = relative_text(&at) {
                text = format!("{text} ({rel})");
            }
            set_local.set(Some(text));
        };
        show();
        if relative
            && let Ok(handle) = set_interval_with_handle(show, std::time::Duration::from_secs(20))
        {
            on_cleanup(move || handle.clear());
        }
    });
    view! { <time datetime=iso>{move || local.get().unwrap_or_else(|| utc.clone())}</time> }
}

/// What the server renders: unambiguous, the same on every machine. Cut from the RFC 3339
/// text every timestamp on the wire has (`2026-11-27T09:05:00.000Z`, always UTC) rather than
/// parsed and formatted with chrono, whose formatting would weigh on the rider's bundle.
fn utc_text(iso: &str, date: bool) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let part = |range: std::ops::Range<usize>| iso.get(range).unwrap_or_default();
    let utc = iso.ends_with('Z') && iso.len() >= 17 && part(10..11) == "T";
    let month = part(5..7)
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    match (utc, month) {
        (true, Some(month)) if date => format!("{} {month} {} UTC", part(8..10), part(11..16)),
        (true, Some(_)) => format!("{} UTC", part(11..16)),
        _ => iso.to_string(),
    }
}

/// The moment in the browser's time zone and locale, with the zone's short name.
#[cfg(feature = "hydrate")]
fn local_text(iso: &str, date: bool) -> Option<String> {
    use wasm_bindgen::JsValue;
    let ms = js_sys::Date::parse(iso);
    if ms.is_nan() {
        return None;
    }
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into()).ok();
    set("hour", "2-digit")?;
    set("minute", "2-digit")?;
    set("timeZoneName", "short")?;
    if date {
        set("day", "numeric")?;
        set("month", "short")?;
    }
    let moment = js_sys::Date::new(&JsValue::from_f64(ms));
    Some(moment.to_locale_string("default", &options).into())
}

#[cfg(not(feature = "hydrate"))]
fn local_text(iso: &str, date: bool) -> Option<String> {
    Some(utc_text(iso, date))
}

/// "in 12 min", "3 min ago", "now"; `None` beyond a day either way.
#[cfg(feature = "hydrate")]
fn relative_text(iso: &str) -> Option<String> {
    let ms = js_sys::Date::parse(iso);
    if ms.is_nan() {
        return None;
    }
    let seconds = ((ms - js_sys::Date::now()) / 1000.0) as i64;
    (seconds.abs() < 24 * 3600).then(|| relative_words(seconds))
}

/// Effects, which compute it, never run on the server.
#[cfg(not(feature = "hydrate"))]
fn relative_text(_: &str) -> Option<String> {
    None
}

#[cfg_attr(
    not(any(feature = "hydrate", test)),
    expect(dead_code, reason = "only the browser says how long ago")
)]
fn relative_words(seconds: i64) -> String {
    let minutes = (seconds.abs() + 30) / 60;
    let span = if minutes >= 60 {
        format!("{} h {} min", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} min")
    };
    match seconds {
        s if s.abs() < 30 => "now".into(),
        s if s > 0 => format!("in {span}"),
        _ => format!("{span} ago"),
    }
}

/// Runs `fetch` (in the browser) each time `version` changes after the page has loaded.
pub fn refetch_on<F, Fut>(version: ReadSignal<u64>, fetch: F)
where
    F: Fn(u64) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    Effect::new(move |first: Option<()>| {
        let v = version.get();
        if first.is_some() {
            leptos::task::spawn_local(fetch(v));
        }
    });
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn the_server_writes_utc_and_relative_words_round() {
        assert_eq!(utc_text("2026-11-27T09:05:00.000Z", false), "09:05 UTC");
        assert_eq!(
            utc_text("2026-01-03T23:59:59.999Z", true),
            "03 Jan 23:59 UTC"
        );
        // Not our wire shape: shown as it is rather than guessed at.
        for other in ["2026-11-27T09:05:00+02:00", "2026-13-27T09:05:00.000Z", "x"] {
            assert_eq!(utc_text(other, true), other);
        }
        assert_eq!(relative_words(12 * 60 + 10), "in 12 min");
        assert_eq!(relative_words(-185), "3 min ago");
        assert_eq!(relative_words(20), "now");
        assert_eq!(relative_words(75 * 60), "in 1 h 15 min");
    }
}
