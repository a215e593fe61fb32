//! Station pages: the live list with search and a plan view, and one station with its
//! batteries and the Book button. Server-rendered with current data, then kept live by the feed.
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::StationSummary;
use super::api::{get_station, list_stations};
use crate::battery::view::BatteryTable;
use crate::booking::forms::BookButton;
use crate::error::AppError;
use crate::feed::{LiveStation, StationFeed, use_station_feed};
use crate::ui::{FormError, LiveIndicator, SignedIn, StatusBadge};

/// The counts and status to show: live when the feed has them, else as rendered.
fn live_or(feed: &StationFeed, s: &StationSummary) -> LiveStation {
    feed.stations
        .with(|m| m.get(&s.id).cloned())
        .unwrap_or(LiveStation {
            available: s.counts.available,
            booked: s.counts.booked,
            total: s.counts.total,
            status: s.status,
            status_message: (!s.status_message.is_empty()).then(|| s.status_message.clone()),
        })
}

#[component]
pub fn HomePage() -> impl IntoView {
    let stations = Resource::new(|| (), |_| list_stations());
    let feed = use_station_feed(None);
    let query = use_query_map();
    let search = RwSignal::new(query.with_untracked(|q| q.get("q").unwrap_or_default()));
    view! {
        <div class="page-head">
            <h1>"Stations"</h1>
            <LiveIndicator connected=feed.connected/>
        </div>
        <form method="get" class="search" role="search">
            <label for="station-search">"Search by name"</label>
            <input id="station-search" type="search" name="q" prop:value=search
                on:input=move |e| search.set(event_target_value(&e)) placeholder="e.g. Downtown"/>
        </form>
        <Suspense fallback=|| view! { <p class="loading">"Loading stations…"</p> }>
            {move || Suspend::new(async move {
                match stations.await {
                    Ok(list) => view! { <StationList list feed search/> }.into_any(),
                    Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StationList(
    list: Vec<StationSummary>,
    feed: StationFeed,
    search: RwSignal<String>,
) -> impl IntoView {
    let all = StoredValue::new(list);
    let shown = move || {
        let needle = search.get().trim().to_lowercase();
        all.get_value()
            .into_iter()
            .filter(|s| s.name.to_lowercase().contains(&needle))
            .collect::<Vec<_>>()
    };
    view! {
        <PlanView stations=all.get_value() feed/>
        <ul class="station-list">
            <For each=shown key=|s| s.id let:station>
                <StationCard station feed/>
            </For>
        </ul>
        <Show when=move || shown().is_empty()>
            <p>"No station matches “" {move || search.get()} "”."</p>
        </Show>
    }
}

#[component]
fn StationCard(station: StationSummary, feed: StationFeed) -> impl IntoView {
    let s = StoredValue::new(station.clone());
    let live = Memo::new(move |_| live_or(&feed, &s.get_value()));
    view! {
        <li class="station-card" data-station-id=station.id>
            <div class="station-head">
                <h2><A href=format!("/stations/{}", station.id)>{station.name.clone()}</A></h2>
                <StatusBadge status=Signal::derive(move || live.get().status)/>
            </div>
            <p class="address">{station.address.clone()}</p>
            <dl class="counts">
                <div><dt>"Available"</dt><dd class="available">{move || live.get().available}</dd></div>
                <div><dt>"Booked"</dt><dd class="booked">{move || live.get().booked}</dd></div>
                <div><dt>"Total"</dt><dd class="total">{move || live.get().total}</dd></div>
            </dl>
        </li>
    }
}

/// A simple map: stations placed by latitude and longitude within the network's bounds.
#[component]
fn PlanView(stations: Vec<StationSummary>, feed: StationFeed) -> impl IntoView {
    if stations.is_empty() {
        return ().into_any();
    }
    let (mut lat0, mut lat1, mut lng0, mut lng1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for s in &stations {
        (lat0, lat1) = (lat0.min(s.latitude), lat1.max(s.latitude));
        (lng0, lng1) = (lng0.min(s.longitude), lng1.max(s.longitude));
    }
    let span = |a: f64, b: f64| if (b - a).abs() < 1e-9 { 1.0 } else { b - a };
    let (w, h, pad) = (100.0, 50.0, 8.0);
    let dots = stations
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let x = pad + (s.longitude - lng0) / span(lng0, lng1) * (w - 2.0 * pad);
            let y = pad + (lat1 - s.latitude) / span(lat0, lat1) * (h - 2.0 * pad);
            let st = StoredValue::new(s.clone());
            let live = Memo::new(move |_| live_or(&feed, &st.get_value()));
            let label = move || {
                format!(
                    "{} · {} available",
                    st.get_value().name,
                    live.get().available
                )
            };
            // Alternate labels above and below their dots so neighbours do not collide.
            let label_y = if i % 2 == 0 { y - 3.2 } else { y + 5.0 };
            view! {
                <a href=format!("/stations/{}", s.id)>
                    <circle cx=tenths(x) cy=tenths(y) r="2.2"
                        class=move || format!("dot dot-{}", live.get().status.as_str())/>
                    <text x=tenths(x) y=tenths(label_y) text-anchor="middle">{label}</text>
                </a>
            }
        })
        .collect_view();
    view! {
        <figure class="plan">
            <svg viewBox="0 0 100 50" role="img" aria-label="Plan of the stations by location">{dots}</svg>
            <figcaption>"Plan view: stations by location. Filled dot: online; hollow: offline or in maintenance."</figcaption>
        </figure>
    }
    .into_any()
}

/// A plan coordinate (0 to 100) with one decimal, written without float formatting, which would
/// add its tables to the wasm bundle (server and browser must write the same text).
fn tenths(v: f64) -> String {
    let t = (v * 10.0).round() as i64;
    let sign = if t < 0 { "-" } else { "" };
    format!("{sign}{}.{}", t.abs() / 10, t.abs() % 10)
}

#[component]
pub fn StationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i32>().ok()));
    view! {
        {move || match id() {
            Some(id) => view! { <StationDetailView id/> }.into_any(),
            None => view! { <StationNotFound/> }.into_any(),
        }}
    }
}

#[component]
fn StationDetailView(id: i32) -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    let feed = use_station_feed(Some(id));
    // Messages carry the counts, and which pack was booked or collected; the list is fetched
    // again only for what they do not carry (at most once a second).
    let detail = Resource::new(move || feed.details.get(), move |_| get_station(id));
    // (The generation is read when the data is shown rather than returned by the fetcher: a
    // resource of `(u64, StationDetail)` broke hydration.)
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading station…"</p> }>
            {move || Suspend::new(async move {
                let signed_in = signed_in.user().await.is_some();
                match detail.await {
                    Ok(d) => {
                        let fetched_at = feed.details.get_untracked();
                        let station = d.station.clone();
                        let s = StoredValue::new(station.clone());
                        let live = Memo::new(move |_| live_or(&feed, &s.get_value()));
                        view! {
                            <div class="page-head">
                                <h1>{station.name.clone()}</h1>
                                <StatusBadge status=Signal::derive(move || live.get().status)/>
                                <LiveIndicator connected=feed.connected/>
                            </div>
                            <p class="address">{station.address.clone()}</p>
                            <Show when=move || live.get().status_message.is_some_and(|m| !m.is_empty())>
                                <p class="status-message">{move || live.get().status_message}</p>
                            </Show>
                            <dl class="counts wide">
                                <div><dt>"Available"</dt><dd class="available">{move || live.get().available}</dd></div>
                                <div><dt>"Booked"</dt><dd class="booked">{move || live.get().booked}</dd></div>
                                <div><dt>"Total"</dt><dd class="total">{move || live.get().total}</dd></div>
                            </dl>
                            <BookButton station_id=station.id signed_in
                                status=Signal::derive(move || live.get().status)
                                available=Signal::derive(move || live.get().available)/>
                            <h2>"Batteries"</h2>
                            <BatteryTable batteries=Signal::derive(move || feed.patched(fetched_at, d.batteries.clone()))/>
                        }.into_any()
                    }
                    Err(AppError::NotFound(_)) => view! { <StationNotFound/> }.into_any(),
                    Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A station id that names no station: a 404, and the way back.
#[component]
fn StationNotFound() -> impl IntoView {
    crate::ui::set_page_status(404);
    view! {
        <section class="card narrow">
            <h1>"Station not found"</h1>
            <p>"There is no station at this address. " <A href="/">"See all stations"</A></p>
        </section>
    }
}
