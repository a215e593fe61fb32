//! The booking forms other concepts' pages embed: the rider's Book button (station page), its
//! one-button form for a list of stations, and the staff's booking queue (console). Kept apart from `view`, the My bookings page, so that no
//! page imports another page's file.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::BookingStatus;
use super::api::{BookBattery, CancelBooking, CollectBooking, MarkReady, station_queue};
use crate::idempotency::{new_key, retrying_action};
use crate::station::{ModelCounts, StationStatus};
use crate::ui::{FormError, LocalTime, action_error};

/// Books a battery, with or without JavaScript: of the chosen pack model (the rider's saved
/// one by default) or any. Disabled, with the reason, when the station is not online or
/// nothing of that model is available; disabled while the request runs, so no double booking.
/// Each press sends a key of its own (`crate::idempotency`), and a booking whose answer was
/// lost is sent again under it: the rider gets the booking made, not a refusal of it.
#[component]
pub fn BookButton(
    station_id: i32,
    signed_in: bool,
    status: Signal<StationStatus>,
    available: Signal<u32>,
    /// Available packs per model, live.
    by_model: Signal<ModelCounts>,
    /// The rider's saved pack model: chosen at first.
    pack: Option<String>,
) -> impl IntoView {
    let book = retrying_action::<BookBattery>();
    // Without JavaScript, the form's own key: a form sent twice books once.
    let form_key = new_key();
    let chosen = RwSignal::new(pack.clone().unwrap_or_default());
    let pack = StoredValue::new(pack);
    let left = move || {
        let model = chosen.get();
        if model.is_empty() {
            available.get()
        } else {
            by_model.with(|m| m.get(&model).copied().unwrap_or(0))
        }
    };
    let reason = move || match (status.get(), left()) {
        (StationStatus::Online, 0) if chosen.with(String::is_empty) => {
            Some("No charged battery is available here right now.".to_string())
        }
        (StationStatus::Online, 0) => Some(format!(
            "No charged {} is available here right now.",
            chosen.get()
        )),
        (StationStatus::Online, _) => None,
        (other, _) => Some(format!(
            "This station is {} and is not taking bookings.",
            other.as_str()
        )),
    };
    // Every model on offer here, and the rider's own even when none is left.
    let models = move || {
        let mut list: Vec<(String, u32)> = by_model.get().into_iter().collect();
        if let Some(p) = pack.get_value()
            && !list.iter().any(|(m, _)| *m == p)
        {
            list.push((p, 0));
            list.sort();
        }
        list
    };
    // Without JavaScript the choice cannot re-enable the button, so only a station that takes
    // no booking at all disables it before the page is interactive; the server says the rest.
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    let blocked = move || {
        status.get() != StationStatus::Online
            || available.get() == 0
            || (interactive.get() && reason().is_some())
    };
    let error = move || action_error(book);
    // A plain form rather than `ActionForm`: its arguments come from the signals, not from
    // parsing the form's fields, which would bring serde_qs' parser into the rider's bundle
    // (the only `ActionForm` there; README "Browser weight"). Without JavaScript the same form
    // posts to the same URL.
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        follow_redirects();
        book.dispatch(BookBattery {
            station_id,
            model: chosen.get_untracked(),
            idempotency_key: crate::idempotency::new_key(),
        });
    };
    view! {
        <section class="book card" aria-labelledby="book-heading">
            <h2 id="book-heading">"Book a battery"</h2>
            <Show when=move || signed_in
                fallback=|| view! { <p><crate::ui::LoginLink/> " to book a battery here."</p> }>
                <form action=BookBattery::url() method="post" class="stack" on:submit=submit>
                    <input type="hidden" name="station_id" value=station_id/>
                    <input type="hidden" name="idempotency_key" value=form_key.clone()/>
                    <label for="book-model">"Pack model"</label>
                    <select id="book-model" name="model" prop:value=move || chosen.get()
                        on:change=move |e| chosen.set(event_target_value(&e))>
                        <option value="" selected=move || chosen.with(String::is_empty)>
                            {move || format!("Any model ({} available)", available.get())}
                        </option>
                        {move || models().into_iter().map(|(m, n)| {
                            let value = m.clone();
                            let selected = move || chosen.with(|c| *c == value);
                            view! { <option value=m.clone() selected=selected>{format!("{m} ({n} available)")}</option> }
                        }).collect_view()}
                    </select>
                    <button type="submit" class="primary"
                        disabled=move || book.pending().get() || blocked()
                        aria-describedby="book-reason">
                        {move || if book.pending().get() { "Booking…" } else { "Book" }}
                    </button>
                </form>
                <p id="book-reason" class="reason">{reason}</p>
                <FormError message=error/>
            </Show>
        </section>
    }
}

/// A one-button booking of a pack of `model` at `station_id`, for a list of stations (a station
/// page's nearest alternatives): the same request, key and retries as [`BookButton`], with or
/// without JavaScript.
#[component]
pub fn QuickBook(station_id: i32, model: String, station_name: String) -> impl IntoView {
    let book = retrying_action::<BookBattery>();
    let form_key = new_key();
    let chosen = StoredValue::new(model.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        follow_redirects();
        book.dispatch(BookBattery {
            station_id,
            model: chosen.get_value(),
            idempotency_key: crate::idempotency::new_key(),
        });
    };
    view! {
        <form action=BookBattery::url() method="post" class="quick-book" on:submit=submit>
            <input type="hidden" name="station_id" value=station_id/>
            <input type="hidden" name="model" value=model/>
            <input type="hidden" name="idempotency_key" value=form_key/>
            <button type="submit" class="primary" disabled=move || book.pending().get()
                aria-label=format!("Book at {station_name}")>
                {move || if book.pending().get() { "Booking…" } else { "Book" }}
            </button>
            <FormError message=move || action_error(book)/>
        </form>
    }
}

/// The page follows the server's redirect after a booking made from the page (to My bookings),
/// as `ActionForm` would have set up: a full page load, as without JavaScript.
fn follow_redirects() {
    _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
        _ = window().location().set_href(location);
    });
}

/// The console's booking queue: mark ready, confirm collection with the rider's code (checking
/// the returned pack in), or cancel with a reason. Live through the station feed (`refresh`).
#[component]
pub fn BookingQueue(station_id: i32, #[prop(into)] refresh: Signal<u64>) -> impl IntoView {
    let ready = ServerAction::<MarkReady>::new();
    let collect = ServerAction::<CollectBooking>::new();
    let cancel = ServerAction::<CancelBooking>::new();
    let queue = Resource::new(
        move || {
            (
                refresh.get(),
                ready.version().get(),
                collect.version().get(),
                cancel.version().get(),
            )
        },
        move |_| station_queue(station_id),
    );
    let error = move || {
        action_error(ready)
            .or_else(|| action_error(collect))
            .or_else(|| action_error(cancel))
    };
    let collected = move || {
        collect
            .value()
            .get()
            .and_then(Result::ok)
            .map(|b| format!("Booking {} collected.", b.id))
    };
    view! {
        <section class="card queue" aria-labelledby="queue-heading">
            <h2 id="queue-heading">"Booking queue"</h2>
            <FormError message=error/>
            <p role="status" class="ok">{collected}</p>
            <Transition fallback=|| view! { <p class="loading">"Loading queue…"</p> }>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(list) if list.is_empty() => view! { <p>"No active bookings."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="queue-list">
                                {list.into_iter().map(|b| {
                                    let id = b.id;
                                    let confirmed = b.status == BookingStatus::Confirmed;
                                    view! {
                                        <li class="card" data-booking-id=id>
                                            <p>
                                                <strong>"Booking " {id}</strong> " · " {b.battery_info.clone()} " · "
                                                <span class=format!("badge status-{}", b.status.as_str())>{b.status.as_str()}</span>
                                                <br/><small>"Held until " <LocalTime iso=b.expires_at.clone() relative=true/></small>
                                            </p>
                                            <Show when=move || confirmed>
                                                <ActionForm action=ready attr:class="inline">
                                                    <input type="hidden" name="booking_id" value=id/>
                                                    <button type="submit" disabled=move || ready.pending().get()>"Mark ready"</button>
                                                </ActionForm>
                                            </Show>
                                            <details>
                                                <summary>"Confirm collection"</summary>
                                                <ActionForm action=collect attr:class="stack">
                                                    <input type="hidden" name="booking_id" value=id/>
                                                    <label for=format!("code-{id}")>"Rider's collection code"</label>
                                                    <input id=format!("code-{id}") name="code" required autocomplete="off" maxlength="24"/>
                                                    <fieldset>
                                                        <legend>"Returned pack (a swap; optional)"</legend>
                                                        <label for=format!("ret-serial-{id}")>"Serial"</label>
                                                        <input id=format!("ret-serial-{id}") name="returned_serial" maxlength="64"/>
                                                        <label for=format!("ret-model-{id}")>"Model (new packs only)"</label>
                                                        <input id=format!("ret-model-{id}") name="returned_model" maxlength="120"/>
                                                        <label for=format!("ret-charge-{id}")>"Charge %"</label>
                                                        <input id=format!("ret-charge-{id}") name="returned_charge" type="number" min="0" max="100"/>
                                                    </fieldset>
                                                    <button type="submit" disabled=move || collect.pending().get()>"Confirm collection"</button>
                                                </ActionForm>
                                            </details>
                                            <details>
                                                <summary>"Cancel booking"</summary>
                                                <ActionForm action=cancel attr:class="stack">
                                                    <input type="hidden" name="booking_id" value=id/>
                                                    // A form sent twice cancels once, answering the same.
                                                    <input type="hidden" name="idempotency_key" value=new_key()/>
                                                    <label for=format!("reason-{id}")>"Reason (the rider is told)"</label>
                                                    <input id=format!("reason-{id}") name="reason" maxlength="255"/>
                                                    <button type="submit" class="secondary" disabled=move || cancel.pending().get()>"Cancel booking"</button>
                                                </ActionForm>
                                            </details>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
