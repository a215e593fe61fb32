//! The page shell, the router and the header shared by every page.
//!
//! The only module that imports pages (the `*Page` components): pages take what they share
//! (the session context, page helpers, widgets) from [`crate::ui`], never from here.
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{A, Route, Router, Routes},
};

use crate::account::api::{Logout, me};
use crate::account::tokens_view::TokensPage;
use crate::account::view::{LoginPage, RegisterPage};
use crate::admin::view::AdminPage;
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
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/battery-swap.css"/>
        <Title text="battery-swap"/>
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
                                <A href="/account/tokens">"API tokens"</A>
                                <span class="who">{u.display_name} " (" {u.role.as_str()} ")"</span>
                                <ActionForm action=logout attr:class="inline">
                                    <button type="submit">"Log out"</button>
                                </ActionForm>
                            }.into_any(),
                            _ => view! {
                                <A href="/login">"Log in"</A>
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
                <Route path=StaticSegment("bookings") view=MyBookingsPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("notifications") view=NotificationsPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("console") view=ConsoleIndexPage ssr=SsrMode::Async/>
                <Route path=(StaticSegment("console"), ParamSegment("id")) view=StationConsolePage ssr=SsrMode::Async/>
                <Route path=StaticSegment("admin") view=AdminPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("register") view=RegisterPage ssr=SsrMode::Async/>
                <Route path=(StaticSegment("account"), StaticSegment("tokens")) view=TokensPage ssr=SsrMode::Async/>
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
