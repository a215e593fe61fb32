//! A station's page: its live counts, batteries and the Book button (the directory is in
//! `directory.rs`). Server-rendered with current data, then kept live by the feed.
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::alternatives::{CANDIDATES, StationAlternatives};
use super::api::{get_station, nearby, station_history};
use super::chart::AvailabilityChart;
use super::directions::Directions;
use super::history::AvailabilityHistory;
use super::live::live_or;
use super::near::NearbyStation;
use super::stock::{ModelBreakdown, of_model};
use super::{StationDetail, StationStatus, StationSummary};
use crate::battery::view::BatteryTable;
use crate::booking::forms::BookButton;
use crate::error::AppError;
use crate::feed::{Coalesced, use_station_feed};
use crate::ui::{FormError, LiveIndicator, SignedIn, StatusBadge, refetch_on};

/// One station: fetched by the server, then kept live in the browser by [`StationLive`].
#[component]
pub fn StationPage() -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i32>().ok()));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Some(id) = id else { return view! { <StationNotFound/> }.into_any() };
                let user = signed_in.user().await;
                let (signed_in, pack) = (user.is_some(), user.and_then(|u| u.pack_model));
                match get_station(id).await {
                    Ok(detail) => {
                        let history = station_history(id, Some(24)).await.ok();
                        let elsewhere = alternatives_to(&detail.station, pack.as_deref()).await;
                        view! {
                            <StationLive detail history signed_in pack>
                                {elsewhere.map(|(model, candidates)| view! {
                                    <StationAlternatives station_id=id candidates model signed_in/>
                                })}
                            </StationLive>
                        }
                        .into_any()
                    }
                    Err(AppError::NotFound(_)) => view! { <StationNotFound/> }.into_any(),
                    Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// When `station` cannot serve the rider now (it holds no charged pack of their `model`, or it
/// takes no bookings): the model, and the stations nearest it that can (what its page offers
/// instead).
async fn alternatives_to(
    station: &StationSummary,
    model: Option<&str>,
) -> Option<(String, Vec<NearbyStation>)> {
    let model = model?;
    let serves = station.status == StationStatus::Online
        && of_model(&station.available_by_model, Some(model)).unwrap_or(0) > 0;
    if serves {
        return None;
    }
    let (lat, lon) = (station.latitude, station.longitude);
    let near = nearby(lat, lon, model.to_string(), Some(CANDIDATES + 1))
        .await
        .ok()?;
    let others = near
        .into_iter()
        .filter(|n| n.station.id != station.id)
        .collect();
    Some((model.to_string(), others))
}

/// The live part of a station's page (an island): its counts, Book button, chart and packs.
/// `children`, rendered by the server below the Book button, are the nearest stations with the
/// rider's model when this one has none: an island of their own, whose code only such pages
/// load.
#[island]
fn StationLive(
    detail: StationDetail,
    history: Option<AvailabilityHistory>,
    signed_in: bool,
    pack: Option<String>,
    children: Children,
) -> impl IntoView {
    let station = detail.station.clone();
    let id = station.id;
    let feed = use_station_feed(Some(id));
    // Messages carry the counts, and which pack was booked or collected; the list is fetched
    // again only for what they do not carry (at most once a second). With the `details`
    // count it was fetched at (see `StationFeed::patched`).
    let batteries = RwSignal::new((0, detail.batteries));
    refetch_on(feed.details, move |at| async move {
        if let Ok(d) = get_station(id).await {
            batteries.update(|b| {
                if at >= b.0 {
                    *b = (at, d.batteries)
                }
            });
        }
    });
    let s = StoredValue::new(station.clone());
    let live = Memo::new(move |_| live_or(&feed, &s.get_value()));
    view! {
        <div class="page-head">
            <h1>{station.name.clone()}</h1>
            <StatusBadge status=Signal::derive(move || live.get().status)/>
            <LiveIndicator connected=feed.connected/>
        </div>
        <p class="address">{station.address.clone()}</p>
        <Directions name=station.name.clone() latitude=station.latitude longitude=station.longitude/>
        <Show when=move || live.get().status_message.is_some_and(|m| !m.is_empty())>
            <p class="status-message">{move || live.get().status_message}</p>
        </Show>
        <dl class="counts wide">
            <div><dt>"Available"</dt><dd class="available">{move || live.get().available}</dd></div>
            <div><dt>"Booked"</dt><dd class="booked">{move || live.get().booked}</dd></div>
            <div><dt>"Total"</dt><dd class="total">{move || live.get().total}</dd></div>
        </dl>
        <CountAnnouncer
            available=Signal::derive(move || live.get().available)
            status=Signal::derive(move || live.get().status)/>
        <h2>"Available by pack model"</h2>
        <ModelBreakdown by_model=Signal::derive(move || live.get().by_model) pack=pack.clone()/>
        <BookButton station_id=id signed_in
            status=Signal::derive(move || live.get().status)
            available=Signal::derive(move || live.get().available)
            by_model=Signal::derive(move || live.get().by_model)
            pack/>
        {children()}
        {history.map(|history| view! {
            <h2>"When to come"</h2>
            <AvailabilityChart history live=Signal::derive(move || live.get().available)/>
        })}
        <h2>"Batteries"</h2>
        <BatteryTable batteries=Signal::derive(move || batteries.with(|(at, list)| feed.patched(*at, list.clone())))/>
    }
}

/// Live counts for screen readers, in a polite live region: at most one announcement every
/// 10 s (a busy station must not chatter), except that booking becoming unavailable is said
/// at once. Silent at load: the page itself says the counts.
#[component]
fn CountAnnouncer(available: Signal<u32>, status: Signal<StationStatus>) -> impl IntoView {
    let said = RwSignal::new(String::new());
    let every_10s = Coalesced::every_ms(10_000.0);
    let bookable = |(a, s): (u32, StationStatus)| a > 0 && s == StationStatus::Online;
    Effect::new(move |before: Option<(u32, StationStatus)>| {
        let now = (available.get(), status.get());
        match before {
            Some(b) if bookable(b) && !bookable(now) => said.set(count_words(now)),
            Some(b) if b != now => every_10s.poke(),
            _ => {}
        }
        now
    });
    let bumps = every_10s.signal();
    Effect::new(move |first: Option<()>| {
        bumps.track();
        if first.is_some() {
            said.set(count_words((
                available.get_untracked(),
                status.get_untracked(),
            )));
        }
    });
    view! { <p class="visually-hidden" role="status" aria-atomic="true">{move || said.get()}</p> }
}

fn count_words((available, status): (u32, StationStatus)) -> String {
    match (status, available) {
        (StationStatus::Online, 0) => {
            "No charged battery available: booking is unavailable.".into()
        }
        (StationStatus::Online, 1) => "1 battery available.".into(),
        (StationStatus::Online, n) => format!("{n} batteries available."),
        (other, _) => format!("The station is {}: booking is unavailable.", other.as_str()),
    }
}

/// A station id that names no station: a 404, and the way back.
#[component]
fn StationNotFound() -> impl IntoView {
    crate::ui::set_page_status(404);
    view! {
        <section class="card narrow">
            <h1>"Station not found"</h1>
            <p>"There is no station at this address. " <a href="/">"See all stations"</a></p>
        </section>
    }
}
