//! The page shell, the router and the header shared by every page.
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{A, Route, Router, Routes},
};

use crate::account::CurrentUser;
use crate::account::admin::AdminPage;
use crate::account::api::{Logout, me};
use crate::account::view::{LoginPage, RegisterPage};
use crate::booking::view::MyBookingsPage;
use crate::error::AppError;
use crate::feed::use_notifications;
use crate::notification::view::{NotificationsLink, NotificationsPage};
use crate::station::console::{ConsoleIndexPage, StationConsolePage};
use crate::station::view::{HomePage, StationPage};

pub fn shell(options: LeptosOptions) -> impl IntoView {
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

/// Who is logged in, for every page (refreshed after login, registration and logout). Await it
/// inside a `Suspend`, so the server renders the right branch and hydration agrees.
#[derive(Clone, Copy)]
pub struct SignedIn(pub Resource<Result<Option<CurrentUser>, AppError>>);

impl SignedIn {
    pub async fn user(self) -> Option<CurrentUser> {
        self.0.await.ok().flatten()
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
                                {(u.is_admin() || u.role == crate::account::Role::Staff).then(|| view! { <A href="/console">"Console"</A> })}
                                {u.is_admin().then(|| view! { <A href="/admin">"Admin"</A> })}
                                <NotificationsLink/>
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
