//! Station pages: the live list with search and a plan view, and one station with its
//! batteries and the Book button. Server-rendered with current data, then kept live by the feed.
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{get_station, list_stations, station_history};
use super::chart::AvailabilityChart;
use super::history::AvailabilityHistory;
use super::live::live_or;
use super::plan::PlanView;
use super::stock::{ModelBreakdown, of_model};
use super::{StationDetail, StationStatus, StationSummary};
use crate::battery::view::BatteryTable;
use crate::booking::forms::BookButton;
use crate::error::AppError;
use crate::feed::directory::merged;
use crate::feed::{Coalesced, StationFeed, use_station_feed};
use crate::ui::{FormError, LiveIndicator, SignedIn, StatusBadge};

/// The station list: fetched by the server, then kept live in the browser by [`StationsLive`].
#[component]
pub fn HomePage() -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    let q = use_query_map().with_untracked(|q| q.get("q").unwrap_or_default());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    let pack = signed_in.user().await.and_then(|u| u.pack_model);
                    match list_stations().await {
                        Ok(list) => view! { <StationsLive list pack q/> }.into_any(),
                        Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The live part of the station list (an island: the page's only code in the browser).
#[island]
fn StationsLive(list: Vec<StationSummary>, pack: Option<String>, q: String) -> impl IntoView {
    let feed = use_station_feed(None);
    let list = RwSignal::new(list);
    // Fetched again after a reconnect: directory changes may have been missed meanwhile.
    refetch_on(feed.resynced, move |_| async move {
        if let Ok(fresh) = list_stations().await {
            list.set(fresh);
        }
    });
    let search = RwSignal::new(q);
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
        <StationList list feed search pack/>
    }
}

/// Runs `fetch` (in the browser) each time `version` changes after the page has loaded.
fn refetch_on<F, Fut>(version: ReadSignal<u64>, fetch: F)
where
    F: Fn(u64) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    Effect::new(move |first: Option<()>| {
        let v = version.get();
        if first.is_some() {
            leptos::task::spawn_local(fetch(v));
        }
    });
}

#[component]
fn StationList(
    list: RwSignal<Vec<StationSummary>>,
    feed: StationFeed,
    search: RwSignal<String>,
    /// The rider's saved pack model: each card counts its packs first.
    pack: Option<String>,
) -> impl IntoView {
    let pack = StoredValue::new(pack);
    // The list as rendered, with the stations created, edited or closed since laid over it.
    let all = Memo::new(move |_| {
        feed.directory
            .with(|changes| list.with(|l| merged(l, changes)))
    });
    let shown = move || {
        let needle = search.get().trim().to_lowercase();
        all.get()
            .into_iter()
            .enumerate()
            .filter(|(_, s)| s.name.to_lowercase().contains(&needle))
            .collect::<Vec<_>>()
    };
    view! {
        <PlanView stations=Signal::from(all) feed/>
        <ul class="station-list">
            <For
                each=shown
                key=|(i, s)| (*i, s.id, s.name.clone(), s.address.clone())
                children=move |(i, station)| view! { <StationCard number=i + 1 station feed pack=pack.get_value()/> }
            />
        </ul>
        <Show when=move || shown().is_empty()>
            <p>"No station matches “" {move || search.get()} "”."</p>
        </Show>
    }
}

#[component]
fn StationCard(
    /// The station's marker on the plan view.
    number: usize,
    station: StationSummary,
    feed: StationFeed,
    pack: Option<String>,
) -> impl IntoView {
    let s = StoredValue::new(station.clone());
    let live = Memo::new(move |_| live_or(&feed, &s.get_value()));
    let yours = pack.clone().map(|model| {
        let label = format!("Your pack ({model})");
        let n = move || of_model(&live.get().by_model, Some(&model)).unwrap_or(0);
        view! { <div class="yours"><dt>{label}</dt><dd class="available-yours">{n}</dd></div> }
    });
    view! {
        <li class="station-card" data-station-id=station.id>
            <div class="station-head">
                <h2>
                    <span class="plan-number" title="Its number on the plan">{number}</span>
                    <a href=format!("/stations/{}", station.id)>{station.name.clone()}</a>
                </h2>
                <StatusBadge status=Signal::derive(move || live.get().status)/>
            </div>
            <p class="address">{station.address.clone()}</p>
            <dl class="counts">
                {yours}
                <div><dt>"Available"</dt><dd class="available">{move || live.get().available}</dd></div>
                <div><dt>"Booked"</dt><dd class="booked">{move || live.get().booked}</dd></div>
                <div><dt>"Total"</dt><dd class="total">{move || live.get().total}</dd></div>
            </dl>
            <ModelBreakdown by_model=Signal::derive(move || live.get().by_model) pack/>
        </li>
    }
}

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
                        view! { <StationLive detail history signed_in pack/> }.into_any()
                    }
                    Err(AppError::NotFound(_)) => view! { <StationNotFound/> }.into_any(),
                    Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The live part of a station's page (an island): its counts, Book button, chart and packs.
#[island]
fn StationLive(
    detail: StationDetail,
    history: Option<AvailabilityHistory>,
    signed_in: bool,
    pack: Option<String>,
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
