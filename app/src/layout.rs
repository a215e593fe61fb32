//! The page shell, the router and the header shared by every page.
//!
//! The only module that imports pages (the `*Page` components): pages take what they share
//! (the session context, page helpers, widgets) from [`crate::ui`], never from here.
//!
//! The app runs in islands mode: every page is rendered by the server, and only its islands
//! (`#[island]` components) run in the browser. The rider's two pages keep their live parts in
//! small islands of the main wasm bundle; every other interactive page is one lazy island,
//! split into a wasm chunk of its own by `cargo leptos build --split` and fetched when the page
//! is first visited; login and registration are plain forms with no code in the browser (see
//! "Browser weight" in ARCHITECTURE.md).
use leptos::prelude::*;
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{A, Route, Router, Routes},
    hooks::{use_location, use_params_map},
};

use crate::account::api::{Logout, me};
use crate::account::pack_view::PackPage;
use crate::account::tokens_view::TokensPage;
use crate::account::view::{LoginPage, RegisterPage};
use crate::admin::view::Admin;
use crate::assets;
use crate::booking::view::MyBookingsPage;
use crate::notification::view::{NotificationsLink, NotificationsPage};
use crate::push::view::PushSwitch;
use crate::station::console::{ConsoleIndexPage, StationConsole};
use crate::station::directory::HomePage;
use crate::station::labels::PackLabelsPage;
use crate::station::view::StationPage;
use crate::ui::{SignedIn, StaffOnly, set_page_status};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>"battery-swap"</title>
                <meta name="description" content=DESCRIPTION/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // Installable: the home screen's name, icons and colour (`public/`).
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png"/>
                <meta name="theme-color" content="#0b6bcb"/>
                <link rel="stylesheet" href=assets::stylesheet_href(&options)/>
                <AutoReload options=options.clone()/>
                <assets::HydrateAfterPaint options/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy, with this response's script nonce (see
/// [`crate::content_policy`]).
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let (Some(nonce), Some(policy), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<crate::content_policy::ContentPolicy>(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&policy.header(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// What search engines show under the link.
const DESCRIPTION: &str = "Find a battery-swap station near you, see how many charged batteries \
    it holds right now, and book one to collect.";

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Page/>
        </Router>
    }
}

/// Everything inside the router: actions created here see the error a no-JavaScript form post
/// was redirected back with.
#[component]
fn Page() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    // Rendered by the server for each page: a login, registration or logout is a new page.
    let user = Resource::new(|| (), |_| me());
    provide_context(SignedIn(user));
    let location = use_location();
    let on_notifications = location.pathname.with_untracked(|p| p == "/notifications");

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <A href="/" attr:class="brand">"⚡ battery-swap"</A>
            <nav aria-label="Main">
                <A href="/">"Stations"</A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(u)) => view! {
                                <A href="/bookings">"My bookings"</A>
                                {u.is_staff().then(|| view! { <A href="/console">"Console"</A> })}
                                {u.is_admin().then(|| view! { <A href="/admin">"Admin"</A> })}
                                <NotificationsLink current=on_notifications/>
                                <A href="/account/pack">"My pack"</A>
                                <A href="/account/tokens">"API tokens"</A>
                                <span class="who">{u.display_name} " (" {u.role.as_str()} ")"</span>
                                <ActionForm action=logout attr:class="inline">
                                    <button type="submit">"Log out"</button>
                                </ActionForm>
                            }.into_any(),
                            _ => view! {
                                <crate::ui::LoginLink/>
                                <A href="/register">"Register"</A>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
        <main id="main">
            <Routes fallback=NotFound>
                // Whole pages are rendered before they are sent: no loading flash, and every page
                // is complete for a browser without JavaScript.
                <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                <Route path=(StaticSegment("stations"), ParamSegment("id")) view=StationPage ssr=SsrMode::Async/>
                // The rest are lazy islands: their code is fetched when first visited.
                <Route path=StaticSegment("bookings") view=BookingsRoute ssr=SsrMode::Async/>
                <Route path=StaticSegment("notifications") view=NotificationsRoute ssr=SsrMode::Async/>
                <Route path=StaticSegment("console") view=ConsoleIndexRoute ssr=SsrMode::Async/>
                <Route path=(StaticSegment("console"), ParamSegment("id")) view=StationConsoleRoute ssr=SsrMode::Async/>
                // Drawn by the server only, to print.
                <Route path=(StaticSegment("console"), ParamSegment("id"), StaticSegment("labels")) view=PackLabelsRoute ssr=SsrMode::Async/>
                <Route path=StaticSegment("admin") view=AdminRoute ssr=SsrMode::Async/>
                <Route path=(StaticSegment("account"), StaticSegment("tokens")) view=TokensIsland ssr=SsrMode::Async/>
                <Route path=(StaticSegment("account"), StaticSegment("pack")) view=PackIsland ssr=SsrMode::Async/>
                // Plain forms: no code in the browser.
                <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("register") view=RegisterPage ssr=SsrMode::Async/>
            </Routes>
        </main>
    }
}

/// Unknown paths: a real 404 for crawlers and scripts, a friendly page for people.
#[component]
fn NotFound() -> impl IntoView {
    set_page_status(404);
    view! {
        <section class="card narrow">
            <h1>"Page not found"</h1>
            <p><A href="/">"Back to the stations"</A></p>
        </section>
    }
}

// The lazy islands. Each is a page whose code (and whatever only it uses) sits in a wasm chunk
// of its own, fetched when the page is first visited; on the server it is an ordinary call, and
// the server names the chunks a page uses in `modulepreload` links, so a page opened directly
// does not wait for them in turn. An island's code in the browser sees no context from outside
// it: [`crate::ui::provide_island_context`] provides what pages read from context.

/// A page shown as one lazy island.
macro_rules! page_island {
    ($island:ident => $page:ident) => {
        #[island(lazy)]
        fn $island() -> impl IntoView {
            crate::ui::provide_island_context();
            view! { <$page/> }
        }
    };
}

page_island!(BookingsIsland => MyBookingsPage);

/// My bookings, with the push switch (server-rendered; its code is `public/push.js`) and the
/// page's own stylesheet (the QR code's card, which the station pages' first load need not
/// carry).
#[component]
fn BookingsRoute() -> impl IntoView {
    view! { <link rel="stylesheet" href="/bookings.css"/> <BookingsIsland/> <PushSwitch/> }
}

/// Notifications, with the push switch.
#[component]
fn NotificationsRoute() -> impl IntoView {
    view! { <NotificationsIsland/> <PushSwitch/> }
}

page_island!(NotificationsIsland => NotificationsPage);
page_island!(ConsoleIndexIsland => ConsoleIndexPage);
page_island!(TokensIsland => TokensPage);
page_island!(PackIsland => PackPage);

/// The console's and the admin's stylesheet: only their pages load it, so the rider's first load
/// does not carry it (`public/staff.css`).
#[component]
fn StaffStyle() -> impl IntoView {
    view! { <link rel="stylesheet" href="/staff.css"/> }
}

/// `/console`: the stations the caller runs, with the staff stylesheet.
#[component]
fn ConsoleIndexRoute() -> impl IntoView {
    view! { <StaffStyle/> <ConsoleIndexIsland/> }
}

/// `/console/{id}/labels`: staff of the station and admins, settled on the server.
#[component]
fn PackLabelsRoute() -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    let id = route_id();
    view! {
        <StaffStyle/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                if signed_in.user().await.is_some_and(|u| u.can_manage(id)) {
                    view! { <PackLabelsPage id/> }.into_any()
                } else {
                    view! { <StaffOnly/> }.into_any()
                }
            })}
        </Suspense>
    }
}

/// The `{id}` of a `/console/{id}…` address (0, no station, when it is not a number).
fn route_id() -> i32 {
    use_params_map()
        .with_untracked(|p| p.get("id").and_then(|v| v.parse::<i32>().ok()))
        .unwrap_or(0)
}

/// `/console/{id}`: who may see it is settled here, on the server, and handed to the island, so
/// the island creates its resources up front (resources created after an `await` inside the
/// island were numbered differently in the browser, and hydration failed).
#[component]
fn StationConsoleRoute() -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    let id = route_id();
    view! {
        <StaffStyle/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let allowed = signed_in.user().await.is_some_and(|u| u.can_manage(id));
                view! { <StationConsoleIsland id allowed/> }
            })}
        </Suspense>
    }
}

#[island(lazy)]
fn StationConsoleIsland(id: i32, allowed: bool) -> impl IntoView {
    crate::ui::provide_island_context();
    if allowed {
        view! { <StationConsole id/> }.into_any()
    } else {
        view! { <StaffOnly/> }.into_any()
    }
}

/// `/admin`: settled on the server, like the console (see [`StationConsoleRoute`]).
#[component]
fn AdminRoute() -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    view! {
        <StaffStyle/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let allowed = signed_in.user().await.is_some_and(|u| u.is_admin());
                view! { <AdminIsland allowed/> }
            })}
        </Suspense>
    }
}

/// The admin page is drawn in the browser, once the island has hydrated: its five resources,
/// read in nested Transitions, now and then were not all ready when the island hydrated under
/// load, and the Transition hydrated its fallback against the server's content (an
/// unrecoverable hydration error, `--repeat-each` under a concurrent build). Admins use the
/// page with JavaScript; the server sends a placeholder in its place.
#[island(lazy)]
fn AdminIsland(allowed: bool) -> impl IntoView {
    crate::ui::provide_island_context();
    if !allowed {
        return view! { <StaffOnly/> }.into_any();
    }
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    view! {
        <Show when=move || mounted.get()
            fallback=|| view! { <h1>"Admin"</h1><p class="loading">"Loading…"</p> }>
            <Admin/>
        </Show>
    }
    .into_any()
}
