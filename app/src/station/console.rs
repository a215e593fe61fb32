//! The staff console: a station's counter and booking queue first (what the person at the
//! counter needs with a rider waiting), then its live counts, status, low-stock banner,
//! inventory (with a pack found by its label, and the labels to print) and history. Staff see
//! their assigned stations, admins all; everyone else is refused (and the server fns refuse
//! too). Laid out for a phone or a tablet first (`public/staff.css`).
use leptos::prelude::*;

use super::StationStatus;
use super::api::{SetStationStatus, get_station, list_stations};
use crate::account::CurrentUser;
use crate::audit::view::AuditTrail;
use crate::battery::view::{AddBatteryForm, InventoryEditor};
use crate::booking::counter::Counter;
use crate::booking::forms::BookingQueue;
use crate::feed::use_station_feed;
use crate::ui::{FormError, LiveIndicator, SignedIn, StaffOnly, StatusBadge, action_error};

#[component]
pub fn ConsoleIndexPage() -> impl IntoView {
    let signed_in = expect_context::<SignedIn>();
    let stations = Resource::new(|| (), |_| list_stations());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let Some(user) = signed_in.user().await.filter(CurrentUser::is_staff) else {
                    return view! { <StaffOnly/> }.into_any();
                };
                let mine: Vec<_> = stations.await.unwrap_or_default().into_iter().filter(|s| user.can_manage(s.id)).collect();
                view! {
                    <h1>"Console"</h1>
                    {if mine.is_empty() { Some(view! { <p>"You are not assigned to any station yet."</p> }) } else { None }}
                    <ul class="station-list">
                        {mine.into_iter().map(|s| view! {
                            <li class="station-card">
                                <div class="station-head">
                                    <h2><a href=format!("/console/{}", s.id)>{s.name.clone()}</a></h2>
                                    <StatusBadge status=s.status/>
                                </div>
                                <p class="address">{s.address.clone()}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </Suspense>
    }
}

/// A station's console, for someone who may run it (the router checks, on the server).
#[component]
pub fn StationConsole(id: i32) -> impl IntoView {
    let feed = use_station_feed(Some(id));
    // Staff pages follow every change (the queue and the history too), but at most once a
    // second however busy the station is.
    let version = feed.changed;
    let detail = Resource::new(move || version.get(), move |_| get_station(id));
    let status = ServerAction::<SetStationStatus>::new();
    let status_error = move || action_error(status);
    let live = Memo::new(move |_| feed.stations.with(|m| m.get(&id).cloned()));
    // Every resource of the page is created here, up front: resources created inside a
    // `Suspend` could be numbered differently in the browser than on the server.
    // The counter and the queue sit outside the Transitions, which draw their contents again
    // on every change of the station: what staff are typing there must stay.
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading station…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let loaded = d.station.status;
                        let current = move || live.get().map(|l| l.status).unwrap_or(loaded);
                        view! {
                            <div class="page-head">
                                <h1>{d.station.name.clone()} " · console"</h1>
                                <StatusBadge status=Signal::derive(current)/>
                                <LiveIndicator connected=feed.connected/>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
        <Counter station_id=id/>
        <BookingQueue station_id=id refresh=version/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                detail.await.ok().map(|d| {
                    let s = d.station.clone();
                    let counts = move || live.get().map(|l| (l.available, l.booked, l.total)).unwrap_or((s.counts.available, s.counts.booked, s.counts.total));
                    // Low on stock as loaded, until a `stock_alert` says otherwise.
                    let loaded_low = d.low_stock;
                    let low = move || live.get().and_then(|l| l.low_stock).unwrap_or(loaded_low);
                    view! {
                        <dl class="counts wide">
                            <div><dt>"Available"</dt><dd class="available">{move || counts().0}</dd></div>
                            <div><dt>"Booked"</dt><dd class="booked">{move || counts().1}</dd></div>
                            <div><dt>"Total"</dt><dd class="total">{move || counts().2}</dd></div>
                        </dl>
                        <div role="status">
                            <Show when=low>
                                <p class="stock-alert">{move || low_stock_text(counts().0)}</p>
                            </Show>
                        </div>
                        <section class="card" aria-labelledby="status-heading">
                            <h2 id="status-heading">"Station status"</h2>
                            <ActionForm action=status attr:class="row">
                                <input type="hidden" name="station_id" value=id/>
                                <label for="status-select">"Status"</label>
                                <select id="status-select" name="status">
                                    {StationStatus::ALL.iter().copied().map(|st| view! {
                                        <option value=st.as_str() selected=st == d.station.status>{st.as_str()}</option>
                                    }).collect_view()}
                                </select>
                                <label for="status-message">"Message"</label>
                                <input id="status-message" name="message" maxlength="255" value=d.station.status_message.clone()/>
                                <button type="submit" disabled=move || status.pending().get()>"Set status"</button>
                            </ActionForm>
                            <FormError message=status_error/>
                        </section>
                    }
                })
            })}
        </Transition>
        <section class="card" aria-labelledby="inventory-heading">
            <h2 id="inventory-heading">"Inventory"</h2>
            <FindPack/>
            <p><a href=format!("/console/{id}/labels")>"Print pack labels"</a></p>
            <Transition fallback=|| view! { <p class="loading">"Loading inventory…"</p> }>
                {move || Suspend::new(async move {
                    detail.await.map(|d| view! { <InventoryEditor batteries=d.batteries/> }).ok()
                })}
            </Transition>
            <AddBatteryForm station_id=id/>
        </section>
        <AuditTrail station_id=Some(id) refresh=version/>
    }
}

/// The low-stock banner's text, with the live count.
fn low_stock_text(available: u32) -> String {
    match available {
        1 => "Low stock: 1 pack left. Bring charged packs.".into(),
        n => format!("Low stock: {n} packs left. Bring charged packs."),
    }
}

/// A pack's row in the inventory, found by its serial, typed or scanned from its label: the row
/// is brought into view, marked (again after the inventory is redrawn) and its first control
/// focused. `public/scan/scan.js` handles the form, which needs no server, and shows it once
/// it is there to (`html[data-finder]`).
#[component]
fn FindPack() -> impl IntoView {
    view! {
        <form class="find-pack" data-find-pack="">
            <label for="find-pack">"Find a pack"</label>
            <div class="with-scan">
                <input id="find-pack" name="serial" maxlength="80" autocomplete="off" spellcheck="false" placeholder="Serial"/>
                <button type="button" class="scan" data-scan="pack" data-scan-into="find-pack" data-scan-submit=""
                    aria-label="Scan a pack's label to find it">"Scan label"</button>
                <button type="submit" class="secondary">"Find"</button>
            </div>
            <p class="find-status" role="status"></p>
        </form>
    }
}
