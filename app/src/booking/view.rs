//! The rider's "My bookings" page: each booking with its live status, the collection code, a
//! countdown of the hold, and Cancel. (The Book button and the staff's queue, which other pages
//! embed, are in `forms`.)
use leptos::prelude::*;

use leptos::server_fn::ServerFn;

use super::api::{CancelBooking, my_bookings};
use super::{BookingStatus, BookingView};
use crate::error::AppError;
use crate::feed::NotificationFeed;
use crate::idempotency::{new_key, retrying_action};
use crate::ui::{FormError, LiveIndicator, LocalTime, action_error};

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

#[component]
pub fn MyBookingsPage() -> impl IntoView {
    let notes = expect_context::<NotificationFeed>();
    // Sent again under its key when its answer was lost (`crate::idempotency`).
    let cancel = retrying_action::<CancelBooking>();
    // Booking changes reach the rider as notifications: refetch on each, and after a cancel.
    let bookings = Resource::new(
        move || (notes.version.get(), cancel.version().get()),
        |_| my_bookings(),
    );
    let now = use_clock();
    let cancel_error = move || action_error(cancel);
    view! {
        <div class="page-head">
            <h1>"My bookings"</h1>
            <LiveIndicator connected=notes.connected/>
        </div>
        <FormError message=cancel_error/>
        <Transition fallback=|| view! { <p class="loading">"Loading bookings…"</p> }>
            {move || Suspend::new(async move {
                match bookings.await {
                    Ok(list) if list.is_empty() => view! { <p>"No bookings yet. " <a href="/">"Find a station"</a></p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="bookings">
                            {list.into_iter().map(|b| view! { <BookingCard b now cancel/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <p><crate::ui::LoginLink/> " to see your bookings."</p> }.into_any(),
                    Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BookingCard(
    b: BookingView,
    now: ReadSignal<Option<chrono::DateTime<chrono::Utc>>>,
    cancel: Action<CancelBooking, Result<BookingView, AppError>>,
) -> impl IntoView {
    let id = b.id;
    // Without JavaScript, the form's own key; with it, a key for each press.
    let form_key = new_key();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        cancel.dispatch(CancelBooking {
            booking_id: id,
            reason: String::new(),
            idempotency_key: new_key(),
        });
    };
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
                <h2><a href=format!("/stations/{}", b.station_id)>{b.station_name.clone()}</a></h2>
                <span class=format!("badge status-{}", b.status.as_str())>{status_text}</span>
            </div>
            <p>{b.battery_info.clone()}</p>
            {active.then(|| view! {
                // The code as a QR code for the counter's scanner, drawn by the server (so it
                // shows without JavaScript), beside the letters staff may type instead.
                <div class="code-card">
                    {b.collection_qr.clone().map(|svg| view! { <div class="code-qr" inner_html=svg></div> })}
                    <p class="code">"Collection code: " <strong>{b.collection_code.clone().unwrap_or_default()}</strong></p>
                    <p class="code-hint">"Show this at the counter: staff scan it, or type the letters."</p>
                </div>
                <p class="held">"Held until " <LocalTime iso=b.expires_at.clone()/></p>
                // Empty until the page is interactive: a server-rendered countdown would be stale.
                <p class="countdown" aria-live="off">{move || now.get().map(|now| time_left(&expires, now))}</p>
                // Asked twice: one stray tap must not give the pack away. A disclosure, so the
                // question works without JavaScript as well.
                <details class="confirm-cancel">
                    <summary>"Cancel booking…"</summary>
                    <p>"The pack goes back to the station for others to book."</p>
                    <form action=CancelBooking::url() method="post" on:submit=submit>
                        <input type="hidden" name="booking_id" value=b.id/>
                        <input type="hidden" name="idempotency_key" value=form_key/>
                        <button type="submit" class="secondary" disabled=move || cancel.pending().get()>"Yes, cancel booking"</button>
                    </form>
                </details>
            })}
        </li>
    }
}
