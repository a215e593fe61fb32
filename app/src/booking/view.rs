//! The rider's side of bookings: the Book button and the live "My bookings" page.
use leptos::prelude::*;
use leptos_router::components::A;

use super::api::{BookBattery, CancelBooking, my_bookings};
use super::{BookingStatus, BookingView};
use crate::error::AppError;
use crate::station::StationStatus;

/// Books a battery, with or without JavaScript. Disabled, with the reason, when the station is
/// not online or nothing is available; disabled while the request runs, so no double booking.
#[component]
pub fn BookButton(
    station_id: i32,
    signed_in: bool,
    status: Signal<StationStatus>,
    available: Signal<u32>,
) -> impl IntoView {
    let book = ServerAction::<BookBattery>::new();
    let reason = move || match (status.get(), available.get()) {
        (StationStatus::Online, 0) => {
            Some("No charged battery is available here right now.".to_string())
        }
        (StationStatus::Online, _) => None,
        (other, _) => Some(format!(
            "This station is {} and is not taking bookings.",
            other.as_str()
        )),
    };
    let error = move || crate::error::action_error(book);
    view! {
        <section class="book card" aria-labelledby="book-heading">
            <h2 id="book-heading">"Book a battery"</h2>
            <Show when=move || signed_in
                fallback=|| view! { <p><A href="/login">"Log in"</A> " to book a battery here."</p> }>
                <ActionForm action=book>
                    <input type="hidden" name="station_id" value=station_id/>
                    <button type="submit" class="primary"
                        disabled=move || book.pending().get() || reason().is_some()
                        aria-describedby="book-reason">
                        {move || if book.pending().get() { "Booking…" } else { "Book" }}
                    </button>
                </ActionForm>
                <p id="book-reason" class="reason">{reason}</p>
                <Show when=move || error().is_some()>
                    <p class="form-error" role="alert">{error}</p>
                </Show>
            </Show>
        </section>
    }
}

/// Client clock for countdowns; `None` during SSR and until the first tick, so server and
/// browser render the same text and hydration never disagrees.
fn use_clock() -> ReadSignal<Option<chrono::DateTime<chrono::Utc>>> {
    let (now, set_now) = signal(None);
    Effect::new(move |_| {
        set_now.set(Some(chrono::Utc::now()));
        if let Ok(handle) = set_interval_with_handle(
            move || set_now.set(Some(chrono::Utc::now())),
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    now
}

fn time_left(expires_at: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    match chrono::DateTime::parse_from_rfc3339(expires_at) {
        Ok(t) => {
            let left = (t.to_utc() - now).num_seconds().max(0);
            format!("{}:{:02} left to collect", left / 60, left % 60)
        }
        Err(_) => String::new(),
    }
}

fn until_text(expires_at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(expires_at)
        .map(|t| format!("Held until {} UTC", t.format("%H:%M")))
        .unwrap_or_default()
}

#[component]
pub fn MyBookingsPage() -> impl IntoView {
    let notes = expect_context::<crate::feed::NotificationFeed>();
    let cancel = ServerAction::<CancelBooking>::new();
    // Booking changes reach the rider as notifications: refetch on each, and after a cancel.
    let bookings = Resource::new(
        move || (notes.version.get(), cancel.version().get()),
        |_| my_bookings(),
    );
    let now = use_clock();
    let cancel_error = move || crate::error::action_error(cancel);
    view! {
        <div class="page-head">
            <h1>"My bookings"</h1>
            <crate::station::view::LiveIndicator connected=notes.connected/>
        </div>
        <Show when=move || cancel_error().is_some()>
            <p class="form-error" role="alert">{cancel_error}</p>
        </Show>
        <Transition fallback=|| view! { <p class="loading">"Loading bookings…"</p> }>
            {move || Suspend::new(async move {
                match bookings.await {
                    Ok(list) if list.is_empty() => view! { <p>"No bookings yet. " <A href="/">"Find a station"</A></p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="bookings">
                            {list.into_iter().map(|b| view! { <BookingCard b now cancel/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <p><A href="/login">"Log in"</A> " to see your bookings."</p> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BookingCard(
    b: BookingView,
    now: ReadSignal<Option<chrono::DateTime<chrono::Utc>>>,
    cancel: ServerAction<CancelBooking>,
) -> impl IntoView {
    let active = b.status.is_active();
    let expires = b.expires_at.clone();
    let status_text = match b.status {
        BookingStatus::Confirmed => "Confirmed: being prepared",
        BookingStatus::Ready => "Ready for collection",
        BookingStatus::Collected => "Collected",
        BookingStatus::Cancelled => "Cancelled",
        BookingStatus::Expired => "Expired",
    };
    view! {
        <li class=format!("booking card booking-{}", b.status.as_str()) data-booking-id=b.id>
            <div class="station-head">
                <h2><A href=format!("/stations/{}", b.station_id)>{b.station_name.clone()}</A></h2>
                <span class=format!("badge status-{}", b.status.as_str())>{status_text}</span>
            </div>
            <p>{b.battery_info.clone()}</p>
            {active.then(|| view! {
                <p class="code">"Collection code: " <strong>{b.collection_code.clone()}</strong></p>
                <p class="countdown" aria-live="off">{move || match now.get() {
                    Some(now) => time_left(&expires, now),
                    None => until_text(&expires),
                }}</p>
                <ActionForm action=cancel>
                    <input type="hidden" name="booking_id" value=b.id/>
                    <button type="submit" class="secondary" disabled=move || cancel.pending().get()>"Cancel booking"</button>
                </ActionForm>
            })}
        </li>
    }
}
