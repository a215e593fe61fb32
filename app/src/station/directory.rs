//! The station directory (`/`): the live list with search, near me and "only with my pack",
//! under the plan view. Server-rendered with current data, then kept live by the feed.
//!
//! Near me is the server's: the form's `near` (a station, a street of one, or "lat, lon") is
//! resolved and the list sorted and measured on the server, with or without JavaScript. "Use
//! my location" (`public/locate.js`, plain JavaScript outside the bundle) asks the browser for
//! the position (only when pressed) and loads the page for it (`?near=lat,lon&here=1`). So the
//! browser's bundle carries no distance or geolocation code, and the plan view is
//! drawn by the server alone (the island's server-rendered children): the first load stays
//! within its budget. "Only stations with my pack" filters live in the browser (`mine`). The
//! street map (`super::map`) takes the plan's place once the page is interactive.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::list_stations;
use super::area::watch_message;
use super::directions::Directions;
use super::live::live_or;
use super::map::StationMap;
use super::near::{Point, RIDE_KMH, distance_m, distance_text, resolve_place, ride_minutes};
use super::plan::PlanView;
use super::stock::{ModelBreakdown, of_model};
use super::{StationStatus, StationSummary};
use crate::feed::directory::merged;
use crate::feed::{StationFeed, use_watch_feed};
use crate::ui::{FormError, LiveIndicator, SignedIn, StatusBadge, refetch_on};

/// What the rider asked in the page's address: `q`, `near`, `here`, `mine`.
#[derive(Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Asked {
    q: String,
    near: String,
    /// `near` is the browser's own position ("Use my location").
    here: bool,
    mine: bool,
}

/// Where the list is sorted from, as the page names it, and each station's distance.
#[derive(Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Near {
    from: Option<String>,
    /// Metres from `from`, by station id (sorted by id).
    metres: Vec<(i32, u32)>,
}

/// The station list: fetched by the server, then kept live in the browser by [`StationsLive`].
#[component]
pub fn HomePage() -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    let asked = use_query_map().with_untracked(|q| Asked {
        q: q.get("q").unwrap_or_default(),
        near: q.get("near").unwrap_or_default(),
        here: q.get("here").is_some_and(|v| !v.is_empty()),
        mine: q.get("mine").is_some_and(|v| !v.is_empty()),
    });
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let asked = asked.clone();
                Suspend::new(async move {
                    let user = signed_in.user().await;
                    let booker = user.is_some();
                    let pack = user.and_then(|u| u.pack_model);
                    match list_stations().await {
                        Ok(list) => {
                            let (list, near, at) = sorted(list, &asked);
                            let unknown = !asked.near.trim().is_empty() && near.from.is_none();
                            let note = near.from.clone();
                            let plan = list.clone();
                            let marked = pack.clone();
                            let watch = watch_message(list.iter().map(|s| s.id));
                            view! {
                                <StationsLive list pack asked near watch>
                                    <NearNote from=note unknown/>
                                    <StationMap near=at pack=marked signed_in=booker>
                                        <PlanView stations=plan/>
                                    </StationMap>
                                </StationsLive>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The list nearest first from the asked place, with the distances and the place's point, if
/// it names one.
///
/// The order is the browser's own (see [`in_list_order`]), so the server's plan numbers the
/// stations as the list does.
fn sorted(list: Vec<StationSummary>, asked: &Asked) -> (Vec<StationSummary>, Near, Option<Point>) {
    let Some((at, name)) = resolve_place(&asked.near, &list) else {
        return (merged(&list, &Default::default()), Near::default(), None);
    };
    let mut metres: Vec<(i32, u32)> = list
        .iter()
        .map(|s| {
            (
                s.id,
                distance_m(at, (s.latitude, s.longitude)).round() as u32,
            )
        })
        .collect();
    metres.sort_unstable();
    let near = Near {
        from: Some(if asked.here {
            "your location".into()
        } else {
            name
        }),
        metres,
    };
    (
        in_list_order(&list, &Default::default(), &near.metres),
        near,
        Some(at),
    )
}

/// The list as the page shows it: the directory's order (by name, with the stations changed
/// since laid over it), then nearest first when distances were measured (stations added since,
/// last). Shared by the server's plan and the browser's list.
fn in_list_order(
    list: &[StationSummary],
    changes: &crate::feed::directory::DirectoryChanges,
    metres: &[(i32, u32)],
) -> Vec<StationSummary> {
    let mut all = merged(list, changes);
    if !metres.is_empty() {
        all.sort_by_cached_key(|s| distance_of(metres, s.id).unwrap_or(u32::MAX));
    }
    all
}

/// Where the list is sorted from, or that the asked place is unknown (server-rendered).
#[component]
fn NearNote(from: Option<String>, unknown: bool) -> impl IntoView {
    let text = match from {
        Some(from) => format!(
            "Nearest first from {from}. Riding times are estimates at {RIDE_KMH:.0} km/h in a straight line."
        ),
        None if unknown => {
            return view! {
                <p class="form-error" role="alert">"No station or street matches that place: the list is in name order."</p>
            }
            .into_any();
        }
        None => return ().into_any(),
    };
    view! { <p class="near-note">{text}</p> }.into_any()
}

/// The live part of the station list (an island): search, the "only my pack" filter and the
/// cards' counts. `children`, rendered by the server between the form and the list, say where
/// the list is sorted from and draw the plan view.
#[island]
fn StationsLive(
    list: Vec<StationSummary>,
    pack: Option<String>,
    asked: Asked,
    near: Near,
    /// The `watch` of the stations listed (the first 500, nearest first when sorted so).
    watch: String,
    children: Children,
) -> impl IntoView {
    // The stations the feed follows: the list's, until the map says which are in its view.
    let watch = RwSignal::new(watch);
    let feed = use_watch_feed(watch.read_only());
    let list = RwSignal::new(list);
    // Fetched again after a reconnect: directory changes may have been missed meanwhile.
    refetch_on(feed.resynced, move |_| async move {
        if let Ok(fresh) = list_stations().await {
            list.set(fresh);
        }
    });
    let search = RwSignal::new(asked.q);
    let mine = RwSignal::new(asked.mine && pack.is_some());
    let mine_box = pack.clone().map(|model| {
        view! {
            <label class="check">
                <input type="checkbox" name="mine" value="1" prop:checked=mine
                    on:change=move |e| mine.set(event_target_checked(&e))/>
                "Only stations with my pack (" {model} ") now"
            </label>
        }
    });
    let metres = StoredValue::new(near.metres);
    view! {
        <div class="page-head">
            <h1>"Stations"</h1>
            <LiveIndicator connected=feed.connected/>
        </div>
        <form method="get" class="search" role="search">
            <label for="station-search">"Search by name"</label>
            <input id="station-search" type="search" name="q" prop:value=search
                on:input=move |e| search.set(event_target_value(&e)) placeholder="e.g. Downtown"/>
            <label for="near-place">"Near"</label>
            <div class="near-row">
                <input id="near-place" type="text" name="near" value=asked.near
                    placeholder="station, street or lat, lon"/>
                <button type="submit">"Sort by distance"</button>
                // Its code is `public/locate.js`; hidden by the stylesheet until that is ready.
                <button type="button" class="secondary locate" id="locate">"Use my location"</button>
            </div>
            {mine_box}
        </form>
        <p class="form-error" id="locate-problem" role="alert" hidden></p>
        {children()}
        // The map (`public/map/map.js`) writes its `watch` here (see `super::area`).
        <input type="hidden" id="map-watch" on:input=move |e| watch.set(event_target_value(&e))/>
        <StationList list feed search pack metres mine/>
    }
}

#[component]
fn StationList(
    list: RwSignal<Vec<StationSummary>>,
    feed: StationFeed,
    search: RwSignal<String>,
    /// The rider's saved pack model: each card counts its packs first.
    pack: Option<String>,
    /// Each station's distance from where the rider asked, if they did.
    metres: StoredValue<Vec<(i32, u32)>>,
    /// Only the stations holding a charged pack of `pack` now (live).
    mine: RwSignal<bool>,
) -> impl IntoView {
    let pack = StoredValue::new(pack);
    // The list as rendered, with the stations created, edited or closed since laid over it.
    // Nearest first when the server measured distances (stations added since, last).
    let all = Memo::new(move |_| {
        feed.directory
            .with(|changes| list.with(|l| metres.with_value(|m| in_list_order(l, changes, m))))
    });
    let shown = move || {
        let needle = search.get().trim().to_lowercase();
        let only_mine = mine.get();
        all.get()
            .into_iter()
            .enumerate()
            .filter(|(_, s)| s.name.to_lowercase().contains(&needle))
            .filter(|(_, s)| !only_mine || has_mine(&feed, s, pack.get_value().as_deref()))
            .map(|(i, s)| {
                let d = metres.with_value(|m| distance_of(m, s.id));
                (i, s, d)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <ul class="station-list">
            <For
                each=shown
                key=|(i, s, d)| (*i, s.id, s.name.clone(), s.address.clone(), *d)
                children=move |(i, station, distance)| view! {
                    <StationCard number=i + 1 station feed pack=pack.get_value() distance/>
                }
            />
        </ul>
        <Show when=move || shown().is_empty()>
            <p>{move || if mine.get() {
                "No station matching this holds a charged pack of yours right now.".to_string()
            } else {
                format!("No station matches “{}”.", search.get())
            }}</p>
        </Show>
    }
}

/// `id`'s distance in `metres`, which is sorted by id.
fn distance_of(metres: &[(i32, u32)], id: i32) -> Option<u32> {
    let at = metres.binary_search_by_key(&id, |m| m.0).ok()?;
    Some(metres[at].1)
}

/// Whether `s` is online with a charged pack of `model` free now, by its live counts.
fn has_mine(feed: &StationFeed, s: &StationSummary, model: Option<&str>) -> bool {
    let live = live_or(feed, s);
    live.status == StationStatus::Online && of_model(&live.by_model, model).unwrap_or(0) > 0
}

#[component]
fn StationCard(
    /// The station's marker on the plan view.
    number: usize,
    station: StationSummary,
    feed: StationFeed,
    pack: Option<String>,
    /// Metres from where the rider asked to be near.
    distance: Option<u32>,
) -> impl IntoView {
    let s = StoredValue::new(station.clone());
    let live = Memo::new(move |_| live_or(&feed, &s.get_value()));
    let yours = pack.clone().map(|model| {
        let label = format!("Your pack ({model})");
        let n = move || of_model(&live.get().by_model, Some(&model)).unwrap_or(0);
        view! { <div class="yours"><dt>{label}</dt><dd class="available-yours">{n}</dd></div> }
    });
    let distance = distance.map(|d| {
        let d = f64::from(d);
        view! {
            <p class="distance">
                <strong>{distance_text(d)}</strong>
                {format!(" · about {} min by scooter", ride_minutes(d))}
            </p>
        }
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
            {distance}
            <p class="address">{station.address.clone()}</p>
            <Directions name=station.name.clone() latitude=station.latitude longitude=station.longitude/>
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
