//! How batteries are shown.
use leptos::prelude::*;

use super::BatteryView;

#[component]
pub fn BatteryTable(batteries: Vec<BatteryView>) -> impl IntoView {
    if batteries.is_empty() {
        return view! { <p>"No batteries at this station."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="batteries">
                <thead><tr><th scope="col">"Serial"</th><th scope="col">"Model"</th><th scope="col">"Charge"</th><th scope="col">"State"</th></tr></thead>
                <tbody>
                    {batteries.into_iter().map(|b| view! {
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
    }
    .into_any()
}
