//! The unit of work (`app::change::Change`): once a change has committed, its events go out
//! even if its caller is gone; the SQLite writer's queue is bounded.
use app::account::Role;
use app::error::AppError;
use app::feed::FeedMessage;
use app::feed::ssr::DomainEvent;
use app::station::StationStatus;
use app::station::ssr::entity::station as st;
use sea_orm::EntityTrait;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::in_process::context;
use crate::support::*;

async fn status_of(db: &sea_orm::DatabaseConnection, id: i32) -> StationStatus {
    st::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("read")
        .expect("station")
        .status
}

/// Wakes the test when the future it polls by hand can go on.
struct Woken(tokio::sync::Notify);

impl futures::task::ArcWake for Woken {
    fn wake_by_ref(this: &Arc<Self>) {
        this.0.notify_one();
    }
}

/// The caller of a change is dropped the moment the database has its commit (as a request
/// timeout or a client that leaves would drop it), before its answer: a subscriber still
/// hears of the change.
#[tokio::test]
async fn a_committed_change_is_published_even_if_its_caller_is_gone() {
    let (ctx, mut published) = context().await;
    let admin = app::account::ssr::register(&ctx.db, "a@a.test", "A", PASSWORD, Role::Admin)
        .await
        .unwrap();
    let new = app::station::ssr::NewStation {
        name: "Alpha".into(),
        address: "x".into(),
        latitude: 0.0,
        longitude: 0.0,
    };
    let id = app::station::ssr::create(&ctx.db, new).await.unwrap().id;
    let mut caller = Box::pin(app::station::ssr::set_status(
        &ctx,
        &admin,
        id,
        StationStatus::Maintenance,
        "",
    ));
    // The caller is polled by hand, and only when it has been woken; before each poll the
    // test looks at the database. The wake-up that follows the commit therefore finds the
    // commit done, and the caller is dropped there instead of being polled again.
    let woken = Arc::new(Woken(tokio::sync::Notify::new()));
    let waker = futures::task::waker(woken.clone());
    loop {
        let polled = caller.as_mut().poll(&mut Context::from_waker(&waker));
        if let Poll::Ready(answer) = polled {
            panic!("the change answered ({answer:?}) before its commit was seen");
        }
        tokio::time::timeout(WAIT, woken.0.notified())
            .await
            .expect("the change goes on");
        if status_of(&ctx.db, id).await == StationStatus::Maintenance {
            break;
        }
    }
    drop(caller);
    match published.next().await {
        DomainEvent::Station {
            station_id,
            message: FeedMessage::StationStatus { status, .. },
            ..
        } => assert_eq!((station_id, status), (id, StationStatus::Maintenance)),
        other => panic!("expected the status change, got {other:?}"),
    }
}

/// Changes waiting for (or running on) the SQLite writer are bounded: one past the bound is
/// refused at once with 503 (`Busy`), and taken again once a place is free.
#[tokio::test]
async fn the_writers_queue_is_bounded() {
    if on_postgres() {
        return; // PostgreSQL has no writer thread
    }
    let url = fresh_database_url().await;
    let (mut ctx, _published) = context().await;
    // A writer of its own, on its own database, with room for two changes.
    let connect = move || async move { battery_swap::db::connect(&url, Some(1)).await };
    ctx.writer = Some(app::writer::Writer::start(connect, 2).await.unwrap());
    let (release, released) = tokio::sync::watch::channel(false);
    let (running_tx, mut running) = tokio::sync::mpsc::unbounded_channel();
    let hold = |n: u32| {
        let (mut released, running_tx) = (released.clone(), running_tx.clone());
        let ctx = ctx.clone();
        async move {
            ctx.write(move |_| async move {
                let _ = running_tx.send(n);
                let _ = released.wait_for(|go| *go).await;
                Ok(n)
            })
            .await
        }
    };
    let (first, second) = (tokio::spawn(hold(1)), tokio::spawn(hold(2)));
    for _ in 0..2 {
        tokio::time::timeout(WAIT, running.recv()).await.unwrap();
    }
    let refused = ctx.write(|_| async { Ok(3) }).await;
    assert!(matches!(refused, Err(AppError::Busy { .. })), "{refused:?}");
    assert_eq!(
        AppError::Busy {
            retry_after_secs: 1
        }
        .status(),
        503
    );
    release.send(true).unwrap();
    assert_eq!(first.await.unwrap().unwrap(), 1);
    assert_eq!(second.await.unwrap().unwrap(), 2);
    assert_eq!(ctx.write(|_| async { Ok(4) }).await.unwrap(), 4);
}

/// One user may have only a few changes waiting for the writer: a flood of one rider's
/// bookings is refused with 429 before it can take the places every other rider needs.
#[tokio::test]
async fn one_user_cannot_take_the_writers_queue() {
    use app::writer::MAX_PER_USER;
    if on_postgres() {
        return; // PostgreSQL has no writer thread
    }
    let url = fresh_database_url().await;
    let (mut ctx, _published) = context().await;
    let connect = move || async move { battery_swap::db::connect(&url, Some(1)).await };
    ctx.writer = Some(app::writer::Writer::start(connect, 100).await.unwrap());
    let (release, released) = tokio::sync::watch::channel(false);
    let (running_tx, mut running) = tokio::sync::mpsc::unbounded_channel();
    let mut held = Vec::new();
    for n in 0..MAX_PER_USER {
        let (mut released, running_tx, ctx) = (released.clone(), running_tx.clone(), ctx.clone());
        held.push(tokio::spawn(async move {
            ctx.write_for(7, move |_| async move {
                let _ = running_tx.send(n);
                let _ = released.wait_for(|go| *go).await;
                Ok(n)
            })
            .await
        }));
    }
    // All of them running (their places taken), none finished.
    for _ in 0..MAX_PER_USER {
        tokio::time::timeout(WAIT, running.recv()).await.unwrap();
    }
    let refused = ctx.write_for(7, |_| async { Ok(99) }).await;
    assert_eq!(refused, Err(AppError::RateLimited));
    assert_eq!(AppError::RateLimited.status(), 429);
    // Another rider is not refused for the first one's limit.
    let other = tokio::spawn({
        let ctx = ctx.clone();
        async move { ctx.write_for(8, |_| async { Ok(8) }).await }
    });
    release.send(true).unwrap();
    for (n, h) in held.into_iter().enumerate() {
        assert_eq!(h.await.unwrap().unwrap(), n as u32);
    }
    assert_eq!(other.await.unwrap().unwrap(), 8);
    // Its places are given back as its changes end.
    assert_eq!(ctx.write_for(7, |_| async { Ok(5) }).await.unwrap(), 5);
}

/// On SQLite every change takes the database's write lock in turn: an ordinary change (here a
/// staff edit's, a rider's) waits for the change in progress only, ahead of the bookings
/// queued on the writer thread, instead of sleeping in SQLite's busy handler until a gap.
#[tokio::test]
async fn ordinary_changes_go_ahead_of_the_writers_stream() {
    use app::audit::ssr::Actor;
    use app::change::Change;
    if on_postgres() {
        return; // PostgreSQL locks rows, not the database: no gate
    }
    let (ctx, _published) = context().await;
    let gate = ctx.gate.clone().expect("a gate on an SQLite file").gate;
    let (release, released) = tokio::sync::watch::channel(false);
    let (started_tx, mut started) = tokio::sync::mpsc::unbounded_channel();
    let (order_tx, mut order) = tokio::sync::mpsc::unbounded_channel::<String>();
    // A booking in progress on the writer, holding the lock.
    let holder = tokio::spawn({
        let (ctx, mut released) = (ctx.clone(), released.clone());
        async move {
            ctx.write(move |ctx| async move {
                let change = Change::begin(&ctx, Actor::System).await?;
                let _ = started_tx.send(());
                let _ = released.wait_for(|go| *go).await;
                change.rollback().await
            })
            .await
        }
    });
    tokio::time::timeout(WAIT, started.recv()).await.unwrap();
    // Three more bookings queue behind it on the writer, then an ordinary change.
    let mut waiting = Vec::new();
    for n in 0..3 {
        let (ctx, order_tx) = (ctx.clone(), order_tx.clone());
        waiting.push(tokio::spawn(async move {
            ctx.write(move |ctx| async move {
                let change = Change::begin(&ctx, Actor::System).await?;
                let _ = order_tx.send(format!("stream {n}"));
                change.rollback().await
            })
            .await
        }));
        until(|| gate.waiting() == n + 1).await;
    }
    waiting.push(tokio::spawn({
        let (ctx, order_tx) = (ctx.clone(), order_tx.clone());
        async move {
            let change = Change::begin(&ctx, Actor::System).await?;
            let _ = order_tx.send("ordinary".into());
            change.rollback().await
        }
    }));
    until(|| gate.waiting() == 4).await;
    release.send(true).unwrap();
    holder.await.unwrap().unwrap();
    for w in waiting {
        w.await.unwrap().unwrap();
    }
    let mut seen = Vec::new();
    while let Ok(next) = order.try_recv() {
        seen.push(next);
    }
    assert_eq!(seen, ["ordinary", "stream 0", "stream 1", "stream 2"]);
}

/// On PostgreSQL the hot stream (bookings, cancels) may hold only part of the pool: beside a
/// rush that has taken its share, an ordinary change still finds a connection at once.
#[tokio::test]
async fn ordinary_changes_find_a_connection_beside_a_rush() {
    use app::audit::ssr::Actor;
    use app::change::Change;
    if !on_postgres() {
        return; // SQLite orders its writes with the writer thread and the gate
    }
    let (mut ctx, _published) = context().await;
    // A pool of two, of which the stream may hold one.
    let url = fresh_database_url().await;
    ctx.db = battery_swap::db::connect(&url, Some(2)).await.unwrap();
    battery_swap::db::migrate(&ctx.db).await.unwrap();
    let share = app::context::Ctx::stream_share(2);
    assert_eq!(share, 1);
    ctx.stream_places = Some(std::sync::Arc::new(tokio::sync::Semaphore::new(share)));
    let (release, released) = tokio::sync::watch::channel(false);
    let (running_tx, mut running) = tokio::sync::mpsc::unbounded_channel();
    // Two bookings of a rush, each holding a connection until released.
    let rush: Vec<_> = (0..2)
        .map(|n| {
            let (ctx, mut released, running_tx) =
                (ctx.clone(), released.clone(), running_tx.clone());
            tokio::spawn(async move {
                ctx.write_for(n, move |ctx| async move {
                    let change = Change::begin(&ctx, Actor::System).await?;
                    let _ = running_tx.send(n);
                    let _ = released.wait_for(|go| *go).await;
                    change.rollback().await
                })
                .await
            })
        })
        .collect();
    tokio::time::timeout(WAIT, running.recv()).await.unwrap();
    // The second waits for the stream's place, not holding the pool's last connection.
    let ordinary = async {
        let change = Change::begin(&ctx, Actor::System).await?;
        change.rollback().await
    };
    tokio::time::timeout(WAIT, ordinary)
        .await
        .expect("a connection for an ordinary change")
        .unwrap();
    assert!(running.try_recv().is_err(), "the second booking waited");
    release.send(true).unwrap();
    for r in rush {
        r.await.unwrap().unwrap();
    }
}
