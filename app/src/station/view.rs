//! The station list, server-rendered from the database and hydrated.
use leptos::prelude::*;

use super::api::list_stations;
use super::{StationStatus, StationSummary};

#[component]
pub fn HomePage() -> impl IntoView {
    let stations = Resource::new(|| (), |_| list_stations());
    view! {
        <h1>"Stations"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading stations…"</p> }>
            {move || Suspend::new(async move {
                match stations.await {
                    Ok(list) if list.is_empty() => view! { <p>"No stations yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="station-list">
                            {list.into_iter().map(|s| view! { <StationCard station=s/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn StatusBadge(status: StationStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", status.as_str())>{status.as_str()}</span> }
}

#[component]
fn StationCard(station: StationSummary) -> impl IntoView {
    let c = station.counts;
    view! {
        <li class="station-card" data-station-id=station.id>
            <div class="station-head">
                <h2>{station.name.clone()}</h2>
                <StatusBadge status=station.status/>
            </div>
            <p class="address">{station.address.clone()}</p>
            <dl class="counts">
                <div><dt>"Available"</dt><dd class="available">{c.available}</dd></div>
                <div><dt>"Booked"</dt><dd class="booked">{c.booked}</dd></div>
                <div><dt>"Total"</dt><dd class="total">{c.total}</dd></div>
            </dl>
        </li>
    }
}
