//! The audit trail as a filterable table.
use leptos::prelude::*;

use super::AuditAction;
use super::api::list_audit;
use crate::ui::{FormError, LocalTime};

/// Recent history of one station (`Some`) or, for admins, of everything (`None`), refreshed
/// whenever `refresh` changes.
#[component]
pub fn AuditTrail(station_id: Option<i32>, #[prop(into)] refresh: Signal<u64>) -> impl IntoView {
    let action = RwSignal::new(String::new());
    let entries = Resource::new(
        move || (refresh.get(), action.get()),
        // "" (every action) parses to no filter.
        move |(_, action)| list_audit(station_id, action.parse::<AuditAction>().ok()),
    );
    view! {
        <section class="audit" aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Recent history"</h2>
            <label for="audit-filter">"Show"</label>
            <select id="audit-filter" on:change=move |e| action.set(event_target_value(&e))>
                <option value="">"every action"</option>
                {AuditAction::ALL.iter().map(|a| view! { <option value=a.as_str()>{a.as_str().replace('_', " ")}</option> }).collect_view()}
            </select>
            <Transition fallback=|| view! { <p class="loading">"Loading history…"</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(list) if list.is_empty() => view! { <p>"Nothing recorded yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="audit-table fold" role="table">
                                    <thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader">"When"</th><th scope="col" role="columnheader">"Who"</th><th scope="col" role="columnheader">"Station"</th><th scope="col" role="columnheader">"What"</th><th scope="col" role="columnheader">"Detail"</th></tr></thead>
                                    <tbody role="rowgroup">
                                        {list.into_iter().map(|e| view! {
                                            <tr role="row">
                                                <td role="cell" data-label="When"><LocalTime iso=e.at date=true/></td>
                                                <td role="cell" data-label="Who">{e.actor}{e.address.map(|a| view! { <small class="address">" from " {a}</small> })}</td>
                                                <td role="cell" data-label="Station">{e.station_id.map(|id| id.to_string()).unwrap_or_default()}</td>
                                                <td role="cell" data-label="What">{e.action.as_str().replace('_', " ")}</td>
                                                <td role="cell" data-label="Detail">{e.detail}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
