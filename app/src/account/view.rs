//! Login and registration pages: `ActionForm`s that work with and without JavaScript.
use leptos::prelude::*;

use super::api::{Login, Register};
use crate::ui::{FormError, action_error};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || action_error(login);
    // Where the rider came from (`?next=`), if it is a page of this site.
    let query = leptos_router::hooks::use_query_map();
    let next =
        move || query.with(|q| super::safe_next(&q.get("next").unwrap_or_default()).to_string());
    view! {
        <section class="card narrow">
            <h1>"Log in"</h1>
            <ActionForm action=login attr:class="stack">
                <input type="hidden" name="next" value=next/>
                <label for="login-email">"Email"</label>
                <input id="login-email" type="email" name="email" required autocomplete="username"/>
                <label for="login-password">"Password"</label>
                <input id="login-password" type="password" name="password" required autocomplete="current-password"/>
                <button type="submit" disabled=move || login.pending().get()>
                    {move || if login.pending().get() { "Logging in…" } else { "Log in" }}
                </button>
            </ActionForm>
            <FormError message=error/>
            <p>"New here? " <a href="/register">"Create an account"</a></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let error = move || action_error(register);
    view! {
        <section class="card narrow">
            <h1>"Create an account"</h1>
            <ActionForm action=register attr:class="stack">
                <label for="reg-email">"Email"</label>
                <input id="reg-email" type="email" name="email" required autocomplete="email"/>
                <label for="reg-name">"Display name"</label>
                <input id="reg-name" type="text" name="display_name" maxlength="100" autocomplete="nickname"/>
                <label for="reg-password">"Password (8 to 128 characters)"</label>
                <input id="reg-password" type="password" name="password" required minlength="8" maxlength="128" autocomplete="new-password"/>
                <button type="submit" disabled=move || register.pending().get()>
                    {move || if register.pending().get() { "Creating…" } else { "Create account" }}
                </button>
            </ActionForm>
            <FormError message=error/>
            <p>"Already registered? " <a href="/login">"Log in"</a></p>
        </section>
    }
}
