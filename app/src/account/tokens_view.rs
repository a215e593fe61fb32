//! The rider's API tokens page (`/account/tokens`): create a token (its secret shown once),
//! see the working ones, revoke any. Plain `ActionForm`s, so it works without JavaScript too:
//! then a new secret reaches the page through a short-lived cookie (`take_new_token`).
use leptos::prelude::*;

use super::api::{CreateToken, RevokeToken, list_tokens, take_new_token};
use super::{IssuedToken, TokenInfo};
use crate::error::AppError;
use crate::ui::{FormError, LocalTime, action_error};

#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    // Without JavaScript the new secret comes back through the redirect, once.
    let flashed = Resource::new(|| (), |_| take_new_token());
    let created = move || create.value().get().and_then(Result::ok);
    let error = move || action_error(create).or_else(|| action_error(revoke));
    view! {
        <h1>"API tokens"</h1>
        <p>
            "A token lets a script call the API or open the live feeds as you ("
            <code>"Authorization: Bearer …"</code>
            "). Each works for a limited time; revoke one as soon as you no longer need it."
        </p>
        <FormError message=error/>
        <Transition fallback=|| view! { <p class="loading">"Loading tokens…"</p> }>
            {move || Suspend::new(async move {
                // Both at once, as in `admin::view` (a race in hydration otherwise).
                let (flashed, tokens) = futures::join!(flashed.into_future(), tokens.into_future());
                let flashed = flashed.ok().flatten();
                match tokens {
                    Err(AppError::Unauthenticated) => view! {
                        <p><crate::ui::LoginLink/> " to manage your API tokens."</p>
                    }.into_any(),
                    Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                    Ok(list) => view! {
                        <Show when=move || created().is_some() fallback=move || view! { <NewToken issued=flashed.clone()/> }>
                            <NewToken issued=created()/>
                        </Show>
                        <section class="card" aria-labelledby="new-token-heading">
                            <h2 id="new-token-heading">"New token"</h2>
                            <ActionForm action=create attr:class="stack">
                                <label for="token-label">"Label"</label>
                                <input id="token-label" type="text" name="label" maxlength="100" placeholder="API token"/>
                                <button type="submit" disabled=move || create.pending().get()>"Create token"</button>
                            </ActionForm>
                        </section>
                        <TokenList list revoke/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The secret of a token just created, with the warning that it is shown this once.
#[component]
fn NewToken(issued: Option<IssuedToken>) -> impl IntoView {
    issued.map(|t| {
        view! {
            <section class="card new-token" role="status">
                <h2>"Token “" {t.label} "” created"</h2>
                <p>"Copy it now: it is shown only this once."</p>
                <p><code class="secret">{t.token}</code></p>
            </section>
        }
    })
}

#[component]
fn TokenList(list: Vec<TokenInfo>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p>"You have no API tokens."</p> }.into_any();
    }
    view! {
        <section class="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"Your tokens"</h2>
            <div class="table-wrap">
                <table class="users tokens">
                    <thead>
                        <tr><th scope="col">"Label"</th><th scope="col">"Created"</th><th scope="col">"Expires"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|t| view! {
                            <tr data-token-id=t.id>
                                <td>{t.label.clone()}</td>
                                <td><LocalTime iso=t.created_at.clone() date=true/></td>
                                <td><LocalTime iso=t.expires_at.clone() date=true/></td>
                                <td>
                                    <ActionForm action=revoke attr:class="inline">
                                        <input type="hidden" name="token_id" value=t.id/>
                                        <button type="submit" class="secondary" aria-label=format!("Revoke {}", t.label)>"Revoke"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
