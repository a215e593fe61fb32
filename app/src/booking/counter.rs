//! The console's counter: a rider shows their code, staff scan it (or type it) and the booking it
//! names is collected, with the pack the rider hands back checked in. Built for one free hand:
//! scan the returned pack's label first when there is one, then the rider's code, which
//! confirms. The camera and the decoding are `public/scan/scan.js` (plain JavaScript, loaded
//! after the page hydrates; its decoder only when the camera opens): it fills the field named
//! by a Scan button's `data-scan-into` and, with `data-scan-submit`, sends the form as the
//! Confirm button would.
use leptos::prelude::*;

use super::api::CollectAtCounter;
use crate::ui::{FormError, action_error};

/// The counter's form for `station_id`: what staff use with a rider waiting.
#[component]
pub fn Counter(station_id: i32) -> impl IntoView {
    let collect = ServerAction::<CollectAtCounter>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    let collected = move || {
        collect
            .value()
            .get()
            .and_then(Result::ok)
            .map(|b| format!("Booking {} collected: {}.", b.id, b.battery_info))
    };
    // A collection done, the form is empty for the next rider in the queue.
    Effect::new(move |_| {
        if matches!(collect.value().get(), Some(Ok(_)))
            && let Some(form) = form.get()
        {
            form.reset();
        }
    });
    view! {
        <section class="card counter" id="counter" aria-labelledby="counter-heading">
            <h2 id="counter-heading">"At the counter"</h2>
            <p class="hint">"Scan the returned pack's label first, if there is one, then the rider's code: the code confirms the collection."</p>
            <ActionForm action=collect node_ref=form attr:class="stack">
                <input type="hidden" name="station_id" value=station_id/>
                <label for="counter-code">"Rider's collection code"</label>
                <div class="with-scan">
                    // Room for a hand-held scanner's whole text (`BSWAP:CODE:` first).
                    <input id="counter-code" name="code" required autocomplete="off" autocapitalize="characters"
                        spellcheck="false" maxlength="24"/>
                    <button type="button" class="scan" data-scan="code" data-scan-into="counter-code" data-scan-submit="">
                        "Scan code"
                    </button>
                </div>
                <fieldset>
                    <legend>"Returned pack (a swap; optional)"</legend>
                    <label for="counter-serial">"Serial"</label>
                    <div class="with-scan">
                        <input id="counter-serial" name="returned_serial" maxlength="80" autocomplete="off" spellcheck="false"/>
                        <button type="button" class="scan" data-scan="pack" data-scan-into="counter-serial" data-scan-next="counter-charge"
                            aria-label="Scan the returned pack's label">"Scan label"</button>
                    </div>
                    <label for="counter-model">"Model (new packs only)"</label>
                    <input id="counter-model" name="returned_model" maxlength="120"/>
                    <label for="counter-charge">"Charge %"</label>
                    <input id="counter-charge" name="returned_charge" type="number" min="0" max="100" inputmode="numeric"/>
                </fieldset>
                <button type="submit" class="primary" disabled=move || collect.pending().get()>"Confirm collection"</button>
            </ActionForm>
            <FormError message=move || action_error(collect)/>
            <p role="status" class="ok">{collected}</p>
        </section>
    }
}
