//! The rider's pack page (`/account/pack`): which pack model their vehicle takes. Saved, it
//! makes every station card count that model's packs and the Book form take one of them.
use leptos::prelude::*;

use super::api::SetPackModel;
use crate::battery::api::pack_models;
use crate::ui::{AuthEpoch, FormError, SignedIn, action_error};

#[component]
pub fn PackPage() -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    let save = ServerAction::<SetPackModel>::new();
    // "Who am I" (which carries the saved model) is fetched again after a save.
    expect_context::<AuthEpoch>().follow(save);
    let models = Resource::new(|| (), |_| pack_models());
    let saved = move || {
        save.value().get().and_then(Result::ok).map(|m| match m {
            Some(m) => format!("Saved: {m}."),
            None => "Cleared: lists and Book show every model.".to_string(),
        })
    };
    view! {
        <h1>"Your pack"</h1>
        <p>
            "Packs of different models do not fit the same vehicles. Save your vehicle's, and "
            "station lists count its packs first and Book takes one of them."
        </p>
        <FormError message=move || action_error(save)/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                // Both at once, as in `admin::view` (a race in hydration otherwise).
                let (models, user) = futures::join!(models.into_future(), signed_in.user());
                let models = models.unwrap_or_default();
                match user {
                    None => view! { <p><crate::ui::LoginLink/> " to save your pack model."</p> }.into_any(),
                    Some(u) => {
                        let current = u.pack_model.unwrap_or_default();
                        view! {
                            <ActionForm action=save attr:class="stack narrow">
                                <label for="pack-model">"Pack model"</label>
                                <select id="pack-model" name="model">
                                    <option value="" selected=current.is_empty()>"Any model (none saved)"</option>
                                    {models.into_iter().map(|m| {
                                        let (selected, label) = (m == current, m.clone());
                                        view! { <option value=m selected=selected>{label}</option> }
                                    }).collect_view()}
                                </select>
                                <button type="submit" disabled=move || save.pending().get()>"Save"</button>
                            </ActionForm>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <p role="status" class="ok">{saved}</p>
    }
}
