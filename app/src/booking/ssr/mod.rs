//! Booking domain operations (server only). Every one runs in one transaction whose first
//! statement is a conditional write, so it is atomic on PostgreSQL and never hits SQLITE_BUSY
//! on an upgraded read lock; events go out only after commit.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, FromQueryResult, JoinType, QueryOrder, QuerySelect,
    entity::prelude::*,
};

pub mod entity;
mod lifecycle;
mod release;
mod reminders;

pub use crate::battery::ssr::ReturnedPack;
pub use lifecycle::{collect, collect_at_counter, mark_ready};
pub use release::{cancel, cancel_keyed, expire_due};
pub use reminders::{remind_due, reminder_lead};

use super::{BookingStatus, BookingView};
use crate::account::CurrentUser;
use crate::audit::AuditAction;
use crate::audit::ssr::Actor;
use crate::battery::ssr::{self as battery, entity as bat};
use crate::change::Change;
use crate::change::event::{Booked, Event, Rider};
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::feed::timestamp;
use crate::idempotency::ssr::Retry;
use crate::station::ssr::entity::station as st;
use crate::station::{self, StationStatus};

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A short code the rider shows staff; no 0/O or 1/I to misread.
fn collection_code() -> String {
    (0..CODE_LENGTH)
        .map(|_| CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

const CODE_LENGTH: usize = 6;

/// Whether `text` could be a collection code (upper case): anything else is refused before
/// a query is made of it.
fn is_code(text: &str) -> bool {
    text.len() == CODE_LENGTH && text.bytes().all(|b| CODE_ALPHABET.contains(&b))
}

/// A booking row with its station's name and its battery's model, read in one joined query.
#[derive(FromQueryResult)]
struct BookingRow {
    id: i32,
    rider_id: i32,
    battery_id: i32,
    station_id: i32,
    status: BookingStatus,
    collection_code: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    ready_at: Option<DateTime<Utc>>,
    collected_at: Option<DateTime<Utc>>,
    station_name: String,
    battery_model: String,
}

impl From<BookingRow> for BookingView {
    fn from(b: BookingRow) -> Self {
        BookingView {
            id: b.id,
            rider_id: b.rider_id,
            station_id: b.station_id,
            station_name: b.station_name,
            battery_id: b.battery_id,
            battery_info: b.battery_model,
            status: b.status,
            collection_code: Some(b.collection_code),
            collection_qr: None,
            created_at: timestamp(b.created_at),
            expires_at: timestamp(b.expires_at),
            ready_at: b.ready_at.map(timestamp),
            collected_at: b.collected_at.map(timestamp),
        }
    }
}

/// Bookings with their station and battery joined in; the caller filters and orders.
fn with_station_and_battery() -> Select<entity::Entity> {
    entity::Entity::find()
        .column_as(Expr::col((st::Entity, st::Column::Name)), "station_name")
        .column_as(
            Expr::col((bat::Entity, bat::Column::Model)),
            "battery_model",
        )
        .join(JoinType::InnerJoin, entity::Relation::Station.def())
        .join(JoinType::InnerJoin, entity::Relation::Battery.def())
}

async fn views(
    conn: &impl ConnectionTrait,
    query: Select<entity::Entity>,
) -> AppResult<Vec<BookingView>> {
    let rows = query.into_model::<BookingRow>().all(conn).await?;
    Ok(rows.into_iter().map(BookingView::from).collect())
}

/// A booking just written, as its rider and staff see it, from the names its writer already
/// holds (the station's from its recount, the pack's from its claim): no read back.
pub(super) fn written_view(
    b: entity::Model,
    station_name: String,
    battery_model: String,
) -> BookingView {
    BookingView::from(BookingRow {
        id: b.id,
        rider_id: b.rider_id,
        battery_id: b.battery_id,
        station_id: b.station_id,
        status: b.status,
        collection_code: b.collection_code,
        created_at: b.created_at,
        expires_at: b.expires_at,
        ready_at: b.ready_at,
        collected_at: b.collected_at,
        station_name,
        battery_model,
    })
}

/// One booking as its rider and staff see it.
pub(super) async fn booking_view(
    conn: &impl ConnectionTrait,
    booking_id: i32,
) -> AppResult<BookingView> {
    with_station_and_battery()
        .filter(entity::Column::Id.eq(booking_id))
        .into_model::<BookingRow>()
        .one(conn)
        .await?
        .map(BookingView::from)
        .ok_or_else(|| AppError::not_found("Booking"))
}

/// Books the best-charged battery at `station_id` for `rider`, whatever its model.
pub async fn book(ctx: &Ctx, rider: &CurrentUser, station_id: i32) -> AppResult<BookingView> {
    book_model(ctx, rider, station_id, "", None).await
}

/// Books one charged battery at `station_id` for `rider`, atomically: of `model` when one is
/// named (packs of other models do not fit the rider's vehicle), else (`""`) the best-charged
/// of any. Announces `battery_booked`, `inventory_update(book)`, and `booking_confirmed` to
/// the rider. Every attempt is counted by outcome, with its latency (`crate::observe`). Under
/// an idempotency `key`, a request sent again gets its first answer (`crate::idempotency`).
pub async fn book_model(
    ctx: &Ctx,
    rider: &CurrentUser,
    station_id: i32,
    model: &str,
    key: Option<String>,
) -> AppResult<BookingView> {
    crate::observe::station(station_id);
    let started = std::time::Instant::now();
    // Checked (and trimmed) before it names the request a key is kept for.
    let model = match crate::text::line("A battery model", model, 120, false) {
        Ok(model) => model,
        Err(refused) => {
            crate::observe::booking(Some(&refused), started.elapsed());
            return Err(refused);
        }
    };
    let asked = format!("book_battery station_id={station_id} model={model}");
    let retry = Retry::of(rider.id, key, asked);
    let (rider, keyed) = (rider.clone(), retry.clone());
    let booked = ctx
        .write_for(rider.id, move |ctx| async move {
            book_now(&ctx, &rider, station_id, &model, keyed).await
        })
        .await;
    let booked = Retry::or_first_answer(retry.as_ref(), &ctx.db, booked).await;
    crate::observe::booking(booked.as_ref().err(), started.elapsed());
    booked
}

async fn book_now(
    ctx: &Ctx,
    rider: &CurrentUser,
    station_id: i32,
    model: &str,
    retry: Option<Retry>,
) -> AppResult<BookingView> {
    let model = (!model.is_empty()).then_some(model);
    let change = Change::begin(ctx, Actor::User(rider)).await?;
    let now = change.at();
    let wanted = battery::Wanted {
        station_id,
        min_charge: ctx.rules.min_charge_percent,
        model,
        also: station::ssr::is_online(station_id),
    };
    let (mut change, claimed) = battery::claim_pack(change, &wanted).await?;
    let Some(battery) = claimed else {
        // Why not, read once the change has ended (on SQLite it holds the one write lock):
        // the station as it is now, which a status change just after the claim may have moved.
        change.rollback().await?;
        let station = station::ssr::find(&ctx.db, station_id).await?;
        return Err(match (station.status, model) {
            (StationStatus::Online, None) => AppError::NoneAvailable,
            (StationStatus::Online, Some(m)) => AppError::NoneOfModel(m.to_string()),
            (other, _) => AppError::StationNotOnline(other.as_str().to_string()),
        });
    };
    let inserted = entity::ActiveModel {
        rider_id: Set(rider.id),
        battery_id: Set(battery.id),
        station_id: Set(station_id),
        status: Set(BookingStatus::Confirmed),
        collection_code: Set(collection_code()),
        cancel_reason: Set(String::new()),
        created_at: Set(now),
        expires_at: Set(now + ctx.rules.hold),
        ..Default::default()
    }
    .insert(change.txn())
    .await;
    // The partial unique index on active bookings per rider; dropping the change releases the
    // battery.
    let booking =
        inserted.map_err(|e| crate::error::unique_or(e, AppError::ActiveBookingExists))?;
    let detail = format!(
        "booking {} of battery {} for {}",
        booking.id, battery.serial, rider.email
    );
    change.audit(Some(station_id), AuditAction::BookingCreated, detail);
    // The recount bumps the station's row (locked until commit on PostgreSQL) last, and the
    // audit line waits for the commit, so concurrent bookings there wait on fewer round trips.
    let summary = change.recount(station_id).await?;
    // On PostgreSQL the claim saw the station as its snapshot had it; the bump waited for any
    // status change or closing in flight, and the recount after it sees the committed status.
    if summary.status != StationStatus::Online {
        return Err(AppError::StationNotOnline(
            summary.status.as_str().to_string(),
        ));
    }
    change.raise(Event::Booked(Booked {
        station: summary.clone(),
        booking_id: booking.id,
        battery_id: battery.id,
        model: battery.model.clone(),
        code: booking.collection_code.clone(),
        expires_at: booking.expires_at,
        rider: Rider {
            id: rider.id,
            email: rider.email.clone(),
        },
    }));
    let made = written_view(booking, summary.name, battery.model);
    if let Some(retry) = &retry {
        change.keep(retry.row(&made)?);
    }
    change.commit().await?;
    Ok(made)
}

/// The rider's bookings, newest first.
pub async fn for_rider(conn: &impl ConnectionTrait, rider_id: i32) -> AppResult<Vec<BookingView>> {
    let query = with_station_and_battery()
        .filter(entity::Column::RiderId.eq(rider_id))
        .order_by_desc(entity::Column::Id);
    views(conn, query).await
}

/// Active bookings at a station, oldest first: the staff queue.
pub async fn queue(conn: &impl ConnectionTrait, station_id: i32) -> AppResult<Vec<BookingView>> {
    let query = with_station_and_battery()
        .filter(entity::Column::StationId.eq(station_id))
        .filter(entity::Column::Status.is_in(BookingStatus::ACTIVE))
        .order_by_asc(entity::Column::Id);
    // Staff never see codes: the code a rider shows is what proves they are at the counter.
    let staff_view = views(conn, query).await?;
    Ok(staff_view
        .into_iter()
        .map(BookingView::without_code)
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_short_and_unambiguous() {
        let code = super::collection_code();
        assert_eq!(code.len(), 6);
        assert!(!code.contains(['0', 'O', '1', 'I']));
        assert!(super::is_code(&code));
        for not in ["K7MX2", "K7MX2QQ", "K7MX2O", "k7mx2q", "K7MX2\0"] {
            assert!(!super::is_code(not), "{not:?}");
        }
    }
}
