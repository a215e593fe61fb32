//! When a station cannot serve the rider (nothing of their pack model there, or no bookings
//! taken, when the page is served), its page lists the three nearest stations that can, live,
//! each with its distance and a Book button. The server sends a few more candidates than three
//! (`/api/nearby`); the browser keeps the first three that still hold a charged pack of the
//! model, by the all-stations feed (open while the island is on the page), and hides the list
//! while the station itself can serve the rider. A lazy island: only pages that show it load
//! its code and open that socket, outside the first-load budget of the others.
use leptos::prelude::*;
use std::collections::HashMap;

use super::StationStatus;
use super::near::{NearbyStation, distance_text};
use super::stock::of_model;
use crate::booking::forms::QuickBook;
use crate::feed::{LiveStation, use_station_counts_when};
use crate::ui::LoginLink;

/// How many the page shows.
pub const SHOWN: usize = 3;
/// How many candidates the server sends: room for some to run out while the page is open.
pub const CANDIDATES: u32 = 8;

/// The list, live.
#[island(lazy)]
pub fn StationAlternatives(
    station_id: i32,
    candidates: Vec<NearbyStation>,
    model: String,
    signed_in: bool,
) -> impl IntoView {
    let live = use_station_counts_when(Signal::from(true));
    let wanted = model.clone();
    // Hidden while this station can serve the rider after all.
    let none_here = move || {
        live.with(|l| {
            l.get(&station_id).is_none_or(|s| {
                s.status != StationStatus::Online
                    || of_model(&s.by_model, Some(&wanted)).unwrap_or(0) == 0
            })
        })
    };
    let candidates = StoredValue::new(candidates);
    let model = StoredValue::new(model);
    view! {
        <Show when=none_here>
            <Alternatives candidates=candidates.get_value() model=model.get_value() signed_in live/>
        </Show>
    }
}

#[component]
fn Alternatives(
    candidates: Vec<NearbyStation>,
    model: String,
    signed_in: bool,
    live: ReadSignal<HashMap<i32, LiveStation>>,
) -> impl IntoView {
    let model = StoredValue::new(model);
    let candidates = StoredValue::new(candidates);
    // Each candidate's packs of the model and whether it takes bookings: live once the feed
    // has it, else as the server counted them.
    let shown = move || {
        let model = model.get_value();
        live.with(|live| {
            candidates.with_value(|all| {
                all.iter()
                    .filter_map(|c| {
                        let (status, n) = match live.get(&c.station.id) {
                            Some(l) => (l.status, of_model(&l.by_model, Some(&model))),
                            None => (
                                c.station.status,
                                of_model(&c.station.available_by_model, Some(&model)),
                            ),
                        };
                        let n = n.unwrap_or(0);
                        (status == StationStatus::Online && n > 0).then(|| (c.clone(), n))
                    })
                    .take(SHOWN)
                    .collect::<Vec<_>>()
            })
        })
    };
    view! {
        <section class="alternatives card" aria-labelledby="alternatives-heading">
            <h2 id="alternatives-heading">{move || format!("Nearest with a charged {}", model.get_value())}</h2>
            // Three rows drawn again on a change: no keyed `For`, whose code weighs more.
            <ul>
                {move || shown().into_iter().map(|(c, n)| {
                    let d = f64::from(c.distance_m);
                    view! {
                        <li data-station-id=c.station.id>
                            <div>
                                <a href=format!("/stations/{}", c.station.id)>{c.station.name.clone()}</a>
                                <p class="distance">
                                    <strong>{distance_text(d)}</strong>
                                    {format!(" · about {} min by scooter · {n} of yours", c.ride_minutes)}
                                </p>
                            </div>
                            {signed_in.then(|| view! {
                                <QuickBook station_id=c.station.id model=model.get_value() station_name=c.station.name.clone()/>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || shown().is_empty()>
                <p>"No station nearby has one right now."</p>
            </Show>
            {(!signed_in).then(|| view! { <p><LoginLink/> " to book one."</p> })}
        </section>
    }
}
