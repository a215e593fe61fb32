//! The page shell, the router and the header shared by every page.
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{A, Route, Router, Routes},
};

use crate::account::api::{Login, Logout, Register, me};
use crate::account::view::{LoginPage, RegisterPage};
use crate::station::view::HomePage;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
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

/// The account actions, shared so the header's "who am I" refreshes after any of them.
#[derive(Clone, Copy)]
pub struct AuthActions {
    pub login: ServerAction<Login>,
    pub register: ServerAction<Register>,
    pub logout: ServerAction<Logout>,
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let auth = AuthActions {
        login: ServerAction::new(),
        register: ServerAction::new(),
        logout: ServerAction::new(),
    };
    provide_context(auth);
    let user = Resource::new(
        move || {
            (
                auth.login.version().get(),
                auth.register.version().get(),
                auth.logout.version().get(),
            )
        },
        |_| me(),
    );

    view! {
        <Stylesheet id="leptos" href="/pkg/battery-swap.css"/>
        <Title text="battery-swap"/>
        <Router>
            <header class="site-header">
                <A href="/" attr:class="brand">"⚡ battery-swap"</A>
                <nav aria-label="Account">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match user.await {
                                Ok(Some(u)) => view! {
                                    <span class="who">{u.display_name} " (" {u.role.as_str()} ")"</span>
                                    <ActionForm action=auth.logout attr:class="inline">
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
            <main>
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=StaticSegment("login") view=LoginPage/>
                    <Route path=StaticSegment("register") view=RegisterPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Unknown paths: a real 404 for crawlers and scripts, a friendly page for people.
#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card narrow">
            <h1>"Page not found"</h1>
            <p><A href="/">"Back to the stations"</A></p>
        </section>
    }
}
