//! The expiry sweeper: one booking that cannot expire does not keep the others' packs held.
use crate::support::*;
use app::account::Role;
use app::booking::BookingStatus;
use app::booking::ssr as booking;
use sea_orm::ConnectionTrait;

/// A real fault injected in the database: updating this one booking fails.
async fn make_updates_of_booking_fail(db: &sea_orm::DatabaseConnection, id: i32) {
    let statements = if on_postgres() {
        vec![
            format!(
                "CREATE FUNCTION injected_fault() RETURNS trigger AS $$ BEGIN \
                 IF OLD.id = {id} THEN RAISE EXCEPTION 'injected fault'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER injected_fault BEFORE UPDATE ON bookings FOR EACH ROW \
             EXECUTE FUNCTION injected_fault()"
                .to_string(),
        ]
    } else {
        vec![format!(
            "CREATE TRIGGER injected_fault BEFORE UPDATE ON bookings WHEN OLD.id = {id} \
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        )]
    };
    for sql in statements {
        db.execute_unprepared(&sql).await.unwrap();
    }
}

#[tokio::test]
async fn one_failing_booking_does_not_stop_the_sweep() {
    let mut cfg = config().await;
    cfg.booking.hold_minutes = 0;
    cfg.booking.hold_reminder_minutes = 0; // a reminder may not be longer than the hold
    cfg.booking.sweep_seconds = 3600; // only the sweeps this test runs
    let s = start(cfg).await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    let first = user(&s, "first@a.test", Role::Rider).await;
    let second = user(&s, "second@a.test", Role::Rider).await;
    let stuck = booking::book(ctx(&s), &first, a).await.unwrap();
    let fine = booking::book(ctx(&s), &second, a).await.unwrap();
    let db = &ctx(&s).db;
    make_updates_of_booking_fail(db, stuck.id).await;

    assert_eq!(
        booking::expire_due(ctx(&s)).await.unwrap(),
        1,
        "the other booking expired"
    );
    let status = |rider| async move { booking::for_rider(db, rider).await.unwrap()[0].status };
    assert_eq!(status(second.id).await, BookingStatus::Expired);
    assert_eq!(
        status(first.id).await,
        BookingStatus::Confirmed,
        "left for the next sweep"
    );
    assert_ne!(stuck.id, fine.id);

    let drop = if on_postgres() {
        "DROP TRIGGER injected_fault ON bookings"
    } else {
        "DROP TRIGGER injected_fault"
    };
    db.execute_unprepared(drop).await.unwrap();
    assert_eq!(
        booking::expire_due(ctx(&s)).await.unwrap(),
        1,
        "retried once the fault is gone"
    );
    assert_eq!(status(first.id).await, BookingStatus::Expired);
}

#[tokio::test]
async fn riders_are_reminded_once_before_their_hold_ends() {
    use app::feed::FeedMessage;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let mut cfg = config().await;
    cfg.booking.sweep_seconds = 3600; // only the sweeps this test runs
    let s = start(cfg).await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 3, 100).await;
    let soon = user(&s, "soon@a.test", Role::Rider).await;
    let later = user(&s, "later@a.test", Role::Rider).await;
    let gone = user(&s, "gone@a.test", Role::Rider).await;
    let soon_booking = booking::book(ctx(&s), &soon, a).await.unwrap();
    booking::book(ctx(&s), &later, a).await.unwrap();
    let gone_booking = booking::book(ctx(&s), &gone, a).await.unwrap();
    booking::cancel(ctx(&s), &gone, gone_booking.id, "")
        .await
        .unwrap();
    assert_eq!(
        booking::remind_due(ctx(&s)).await.unwrap(),
        0,
        "30 minutes left: too early"
    );

    // Two holds now end in four minutes; one of them was cancelled.
    use app::booking::ssr::entity::{Column, Entity};
    Entity::update_many()
        .col_expr(
            Column::ExpiresAt,
            Expr::value(chrono::Utc::now() + chrono::Duration::minutes(4)),
        )
        .filter(Column::Id.is_in([soon_booking.id, gone_booking.id]))
        .exec(&ctx(&s).db)
        .await
        .unwrap();
    let cookie = session_cookie(&s, "soon@a.test").await;
    let mut feed = connect(&s, "/ws/notifications/", &[("cookie", &cookie)])
        .await
        .unwrap();
    next_msg(&mut feed).await;
    assert_eq!(booking::remind_due(ctx(&s)).await.unwrap(), 1);
    match next_msg(&mut feed).await {
        FeedMessage::Notification { title, message, .. } => {
            assert_eq!(title, "Your hold ends soon");
            assert!(
                message.contains("Alpha is held for 4 more minutes"),
                "{message}"
            );
        }
        other => panic!("expected the reminder, got {other:?}"),
    }
    assert_eq!(
        booking::remind_due(ctx(&s)).await.unwrap(),
        0,
        "once per booking"
    );
}
