//! How batteries are shown.
use leptos::prelude::*;

use super::BatteryView;
use crate::ui::{FormError, action_error};

/// The packs at a station; follows `batteries` as the live feed patches it.
#[component]
pub fn BatteryTable(#[prop(into)] batteries: Signal<Vec<BatteryView>>) -> impl IntoView {
    view! {
        <Show when=move || batteries.with(|b| !b.is_empty())
            fallback=|| view! { <p>"No batteries at this station."</p> }>
            <div class="table-wrap">
                <table class="batteries">
                    <thead><tr><th scope="col">"Serial"</th><th scope="col">"Model"</th><th scope="col">"Charge"</th><th scope="col">"State"</th></tr></thead>
                    <tbody>
                        {move || batteries.get().into_iter().map(|b| view! {
                            <tr data-battery-id=b.id>
                                <td>{b.serial}</td>
                                <td>{b.model}</td>
                                <td><meter min="0" max="100" low="30" high="89" optimum="100" value=b.charge_percent></meter>" " {b.charge_percent} "%"</td>
                                <td class=format!("state state-{}", b.state.as_str())>{b.state.as_str()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// The console's inventory: each battery with its state and charge, editable.
#[component]
pub fn InventoryEditor(batteries: Vec<BatteryView>) -> impl IntoView {
    let update = ServerAction::<super::api::UpdateBattery>::new();
    let error = move || action_error(update);
    view! {
        <FormError message=error/>
        <div class="table-wrap">
            <table class="batteries inventory fold" role="table">
                <thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader">"Serial"</th><th scope="col" role="columnheader">"Model"</th><th scope="col" role="columnheader">"State and charge"</th></tr></thead>
                <tbody role="rowgroup">
                    {batteries.into_iter().map(|b| {
                        let editable = super::rules::settable(b.state);
                        let serial = b.serial.clone();
                        view! {
                            <tr role="row" data-battery-id=b.id data-serial=serial>
                                <td role="cell" class="serial" data-label="Serial">{b.serial.clone()}</td>
                                <td role="cell" data-label="Model">{b.model.clone()}</td>
                                <td role="cell" data-label="State and charge">
                                    {if editable {
                                        view! {
                                            <ActionForm action=update attr:class="row">
                                                <input type="hidden" name="battery_id" value=b.id/>
                                                <label class="visually-hidden" for=format!("state-{}", b.id)>"State of " {b.serial.clone()}</label>
                                                <select id=format!("state-{}", b.id) name="state">
                                                    {super::BatteryState::ALL.iter().copied().filter(|s| super::rules::settable(*s)).map(|s| view! {
                                                        <option value=s.as_str() selected=s == b.state>{s.as_str()}</option>
                                                    }).collect_view()}
                                                </select>
                                                <label class="visually-hidden" for=format!("charge-{}", b.id)>"Charge of " {b.serial.clone()}</label>
                                                <input id=format!("charge-{}", b.id) name="charge_percent" type="number" min="0" max="100" value=b.charge_percent class="charge"/>
                                                "%"
                                                <button type="submit" disabled=move || update.pending().get()>"Save"</button>
                                            </ActionForm>
                                        }.into_any()
                                    } else {
                                        view! { <span class=format!("state state-{}", b.state.as_str())>{b.state.as_str()}</span> " · " {b.charge_percent} "% · held by its booking" }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn AddBatteryForm(station_id: i32) -> impl IntoView {
    let add = ServerAction::<super::api::AddBattery>::new();
    let error = move || action_error(add);
    let added = move || {
        add.value()
            .get()
            .and_then(Result::ok)
            .map(|b| format!("Added {} ({}%).", b.serial, b.charge_percent))
    };
    view! {
        <h3>"Add a battery"</h3>
        <ActionForm action=add attr:class="row">
            <input type="hidden" name="station_id" value=station_id/>
            <label for="new-serial">"Serial"</label>
            <input id="new-serial" name="serial" required maxlength="64" pattern="[A-Za-z0-9_\\-]+"/>
            <label for="new-model">"Model"</label>
            <input id="new-model" name="model" required maxlength="120"/>
            <label for="new-charge">"Charge %"</label>
            <input id="new-charge" name="charge_percent" type="number" min="0" max="100" required class="charge"/>
            <button type="submit" disabled=move || add.pending().get()>"Add battery"</button>
        </ActionForm>
        <FormError message=error/>
        <p role="status" class="ok">{added}</p>
    }
}
