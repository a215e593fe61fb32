//! `/console/{id}/labels`: a label for every pack at a station, to print and stick on, each a QR
//! code of the serial (read by the counter's scanner) with the serial and model in text for
//! people. Two layouts: a sheet of A4 labels (3 × 8 of 70 × 37 mm), or one label per page for a
//! label printer's 62 mm strip (`?layout=strip`). Drawn by the server only: no code in the
//! browser but the Print button's (`public/print.js`).
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::get_station;
use crate::battery::api::pack_labels;
use crate::ui::FormError;

/// The labels of station `id`'s packs, for someone who runs it (the router checks).
#[component]
pub fn PackLabelsPage(id: i32) -> impl IntoView {
    let strip = use_query_map().with_untracked(|q| q.get("layout").as_deref() == Some("strip"));
    let labels = Resource::new(
        || (),
        move |_| async move { futures::join!(get_station(id), pack_labels(id)) },
    );
    let layout = if strip { "strip" } else { "a4" };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading labels…"</p> }>
            {move || Suspend::new(async move {
                let (station, labels) = labels.await;
                let (station, labels) = match (station, labels) {
                    (Ok(s), Ok(l)) => (s.station, l),
                    (Err(e), _) | (_, Err(e)) => return view! { <FormError message=e.to_string()/> }.into_any(),
                };
                let count = labels.len();
                view! {
                    <div class="labels-head">
                        <h1>"Pack labels · " {station.name.clone()}</h1>
                        <p>
                            {format!("{count} packs at the station, by serial. ")}
                            <a href=format!("/console/{id}")>"Back to the console"</a>
                        </p>
                        <form method="get" class="row">
                            <label for="labels-layout">"Layout"</label>
                            <select id="labels-layout" name="layout">
                                <option value="a4" selected=!strip>"A4 sheet, 3 × 8 labels of 70 × 37 mm"</option>
                                <option value="strip" selected=strip>"Label printer, 62 mm strip"</option>
                            </select>
                            <button type="submit" class="secondary">"Show"</button>
                            <button type="button" id="print-labels" hidden>"Print"</button>
                        </form>
                    </div>
                    <ul class=format!("labels {layout}")>
                        {labels.into_iter().map(|l| {
                            let serial = l.serial.clone();
                            view! {
                            <li class="label" data-serial=serial>
                                <div class="label-qr" inner_html=l.qr_svg></div>
                                <div class="label-text">
                                    <strong class="label-serial">{l.serial}</strong>
                                    <span class="label-model">{l.model}</span>
                                    <span class="label-station">{station.name.clone()}</span>
                                </div>
                            </li>
                        }}).collect_view()}
                    </ul>
                }.into_any()
            })}
        </Suspense>
    }
}
