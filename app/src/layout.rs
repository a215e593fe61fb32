//! The page shell, the router and the header shared by every page.
//!
//! The only module that imports pages (the `*Page` components): pages take what they share
//! (the session context, page helpers, widgets) from [`crate::ui`], never from here.
//!
//! A rider's pages (the station list and a station) are in the main wasm bundle; every other
//! page is a lazy route, split into its own wasm chunk by `cargo leptos build --split` and
//! fetched when first visited (see "Browser weight" in ARCHITECTURE.md).
use leptos::prelude::*;
use leptos_router::{
    Lazy, LazyRoute, ParamSegment, SsrMode, StaticSegment,
    components::{A, Route, Router, Routes},
    lazy_route,
};

use crate::account::api::{Logout, me};
use crate::account::pack_view::PackPage;
use crate::account::tokens_view::TokensPage;
use crate::account::view::{LoginPage, RegisterPage};
use crate::admin::view::AdminPage;
use crate::assets;
use crate::booking::view::MyBookingsPage;
use crate::feed::use_notifications;
use crate::notification::view::{NotificationsLink, NotificationsPage};
use crate::station::console::{ConsoleIndexPage, StationConsolePage};
use crate::station::view::{HomePage, StationPage};
use crate::ui::{AuthEpoch, SignedIn, set_page_status};

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
    let epoch = AuthEpoch(RwSignal::new(0));
    provide_context(epoch);
    let logout = ServerAction::<Logout>::new();
    epoch.follow(logout);
    let user = Resource::new(move || epoch.0.get(), |_| me());
    provide_context(SignedIn(user));
    // One notifications socket per tab, open while someone is logged in (read by an effect,
    // in the browser only).
    let logged_in = Signal::derive(move || user.get().and_then(Result::ok).flatten().is_some());
    provide_context(use_notifications(logged_in));

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
                                <NotificationsLink/>
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
                // The rest load their code when first visited.
                <Route path=StaticSegment("bookings") view={Lazy::<BookingsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("notifications") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("console") view={Lazy::<ConsoleIndexRoute>::new()} ssr=SsrMode::Async/>
                <Route path=(StaticSegment("console"), ParamSegment("id")) view={Lazy::<StationConsoleRoute>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("admin") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async/>
                <Route path=StaticSegment("register") view={Lazy::<RegisterRoute>::new()} ssr=SsrMode::Async/>
                <Route path=(StaticSegment("account"), StaticSegment("tokens")) view={Lazy::<TokensRoute>::new()} ssr=SsrMode::Async/>
                <Route path=(StaticSegment("account"), StaticSegment("pack")) view={Lazy::<PackRoute>::new()} ssr=SsrMode::Async/>
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

// The lazy routes. Each `view` becomes a `#[lazy]` function: in the browser its code (and
// whatever only it uses) sits in a wasm chunk of its own, fetched on first use; on the server it
// is an ordinary call, and the server names the chunks a page used in `modulepreload` links so
// a page opened directly hydrates without waiting for them. The pages create their resources
// themselves, so there is no route data to load beside the code.

/// A lazy route that shows one page component (no route data: see above).
macro_rules! lazy_page {
    ($route:ident => $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(BookingsRoute => MyBookingsPage);
lazy_page!(NotificationsRoute => NotificationsPage);
lazy_page!(ConsoleIndexRoute => ConsoleIndexPage);
lazy_page!(StationConsoleRoute => StationConsolePage);
lazy_page!(AdminRoute => AdminPage);
lazy_page!(LoginRoute => LoginPage);
lazy_page!(RegisterRoute => RegisterPage);
lazy_page!(TokensRoute => TokensPage);
lazy_page!(PackRoute => PackPage);
