//! Privileges follow role and assignment changes: a demoted or unassigned staff member's open
//! sockets close (4403), on every instance, and their new sockets see what a rider sees.
use app::account::ssr::assign as admin_assign;
use app::account::ssr::{load, set_role};
use app::account::{CurrentUser, Role};
use serde_json::Value;

use crate::support::*;

/// Reads station-feed messages until `battery_added` (the marker event a test sends after the
/// one it looks at), returning everything before it.
async fn until_marker(ws: &mut Ws) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let msg = next_json(ws).await;
        if msg["type"] == "battery_added" {
            return seen;
        }
        seen.push(msg);
    }
}

/// The rider's email as `ws` sees it on `battery_booked`, and whether it got `booking_update`.
async fn booking_as_seen(ws: &mut Ws) -> (String, bool) {
    let seen = until_marker(ws).await;
    let booked = seen
        .iter()
        .find(|m| m["type"] == "battery_booked")
        .expect("battery_booked");
    let staff_only = seen.iter().any(|m| m["type"] == "booking_update");
    (booked["user"].as_str().unwrap().to_string(), staff_only)
}

/// Books for `rider`, then adds a battery as the marker.
async fn book_then_mark(s: &battery_swap::Server, rider: &CurrentUser, station_id: i32) {
    app::booking::ssr::book(ctx(s), rider, station_id)
        .await
        .unwrap();
    batteries(s, station_id, 1, 100).await;
}

async fn greeted(s: &battery_swap::Server, path: &str, cookie: &str) -> Ws {
    let mut ws = connect(s, path, &[("cookie", cookie)]).await.unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "connection_established");
    ws
}

#[tokio::test]
async fn demoting_staff_closes_all_their_sockets_and_leftover_assignments_grant_nothing() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    let admin = user(&s, "admin@a.test", Role::Admin).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    staff_of(&s, "other@a.test", a).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let cookie = session_cookie(&s, "staff@a.test").await;
    let other_cookie = session_cookie(&s, "other@a.test").await;
    let one = format!("/ws/stations/{a}/");
    let mut theirs = vec![
        greeted(&s, &one, &cookie).await,
        greeted(&s, "/ws/stations/", &cookie).await,
        greeted(&s, "/ws/notifications/", &cookie).await,
    ];
    let mut colleague = greeted(&s, &one, &other_cookie).await;

    set_role(ctx(&s), &admin, staff.id, Role::Rider)
        .await
        .unwrap();
    for ws in &mut theirs {
        assert_eq!(close_code(ws).await, Some(4403), "every feed of theirs");
    }
    // The assignment row is still there, but a rider manages nothing.
    let now = load(&ctx(&s).db, staff.id).await.unwrap().unwrap();
    assert!(now.stations.is_empty() && !now.can_manage(a), "{now:?}");

    let mut reconnected = greeted(&s, &one, &cookie).await;
    book_then_mark(&s, &rider, a).await;
    let (email, staff_only) = booking_as_seen(&mut reconnected).await;
    assert_eq!((email.as_str(), staff_only), ("r***@a.test", false));
    // The colleague, still staff there, was not disturbed and still sees everything.
    let (email, staff_only) = booking_as_seen(&mut colleague).await;
    assert_eq!((email.as_str(), staff_only), ("rider@a.test", true));
}

#[tokio::test]
async fn unassigning_staff_closes_their_sockets_and_promoting_them_does_too() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 2, 100).await;
    let admin = user(&s, "admin@a.test", Role::Admin).await;
    let staff = staff_of(&s, "staff@a.test", a).await;
    let riders = [
        user(&s, "rider1@a.test", Role::Rider).await,
        user(&s, "rider2@a.test", Role::Rider).await,
    ];
    let cookie = session_cookie(&s, "staff@a.test").await;
    let one = format!("/ws/stations/{a}/");
    let mut feed = greeted(&s, &one, &cookie).await;

    admin_assign(ctx(&s), &admin, a, staff.id, false)
        .await
        .unwrap();
    assert_eq!(close_code(&mut feed).await, Some(4403));
    let mut feed = greeted(&s, &one, &cookie).await;
    book_then_mark(&s, &riders[0], a).await;
    let (email, staff_only) = booking_as_seen(&mut feed).await;
    assert_eq!((email.as_str(), staff_only), ("r***@a.test", false));

    // Rights that grow take effect at once too: the socket reconnects as an admin.
    set_role(ctx(&s), &admin, staff.id, Role::Admin)
        .await
        .unwrap();
    assert_eq!(close_code(&mut feed).await, Some(4403));
    let mut feed = greeted(&s, &one, &cookie).await;
    book_then_mark(&s, &riders[1], a).await;
    let (email, staff_only) = booking_as_seen(&mut feed).await;
    assert_eq!((email.as_str(), staff_only), ("rider2@a.test", true));
}

/// On PostgreSQL the change made through one instance closes the user's sockets on another.
#[tokio::test]
async fn a_role_change_closes_the_users_sockets_on_every_instance() {
    if !on_postgres() {
        return; // SQLite is one instance by nature.
    }
    let url = fresh_database_url().await;
    let first = start(test_config(url.clone())).await;
    let second = start(test_config(url.clone())).await;
    let a = station(&first, "Alpha").await;
    let admin = user(&first, "admin@a.test", Role::Admin).await;
    let staff = staff_of(&first, "staff@a.test", a).await;
    let cookie = session_cookie(&second, "staff@a.test").await;
    let mut feed = greeted(&second, &format!("/ws/stations/{a}/"), &cookie).await;
    set_role(ctx(&first), &admin, staff.id, Role::Rider)
        .await
        .unwrap();
    assert_eq!(close_code(&mut feed).await, Some(4403));
}
