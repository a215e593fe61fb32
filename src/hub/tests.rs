//! The hub's routing, slow-consumer and kick rules, without sockets.
use super::*;
use app::feed::FeedMessage;

fn station_event(station_id: i32) -> DomainEvent {
    DomainEvent::station(
        station_id,
        FeedMessage::error(format!("event for {station_id}")),
    )
}

#[test]
fn routes_by_topic() {
    let hub = Hub::new(8);
    let all = hub.subscribe(Topic::AllStations, Viewer::default(), None);
    let one = hub.subscribe(Topic::Station(1), Viewer::default(), None);
    let two = hub.subscribe(Topic::Station(2), Viewer::default(), None);
    hub.dispatch(&station_event(1));
    assert!(all.inbox.try_frame().is_some());
    assert!(one.inbox.try_frame().is_some());
    assert!(two.inbox.try_frame().is_none());
}

#[test]
fn full_queue_kicks_only_that_subscriber() {
    let hub = Hub::new(2);
    let slow = hub.subscribe(Topic::AllStations, Viewer::default(), None);
    let fast = hub.subscribe(Topic::AllStations, Viewer::default(), None);
    for _ in 0..3 {
        hub.dispatch(&station_event(1));
        while fast.inbox.try_frame().is_some() {}
    }
    assert_eq!(slow.inbox.try_kick(), Some(KICK_TOO_SLOW));
    assert!(fast.inbox.try_kick().is_none());
    assert_eq!(hub.stats().subscribers, 1);
    drop(fast);
    assert_eq!(hub.stats().subscribers, 0);
}

#[test]
fn revoking_a_credential_kicks_its_sockets() {
    let hub = Hub::new(8);
    let a = hub.subscribe(
        Topic::User(1),
        Viewer::default(),
        Some(Credential::Session(7)),
    );
    let b = hub.subscribe(
        Topic::User(1),
        Viewer::default(),
        Some(Credential::Token(7)),
    );
    hub.dispatch(&DomainEvent::CredentialRevoked {
        credential: Credential::Session(7),
    });
    assert_eq!(a.inbox.try_kick(), Some(KICK_REVOKED));
    assert!(b.inbox.try_kick().is_none());
}

fn viewer(user_id: i32, as_of: u64) -> Viewer {
    let user = app::account::CurrentUser {
        id: user_id,
        email: format!("u{user_id}@a.test"),
        display_name: "u".into(),
        role: app::account::Role::Staff,
        stations: vec![1],
        pack_model: None,
    };
    Viewer::signed_in(user, as_of)
}

#[test]
fn a_privilege_change_kicks_every_socket_of_that_user_only() {
    let hub = Hub::new(8);
    let epoch = hub.privilege_epoch();
    let feed = hub.subscribe(Topic::Station(1), viewer(5, epoch), None);
    let inbox = hub.subscribe(Topic::User(5), viewer(5, epoch), None);
    let other = hub.subscribe(Topic::Station(1), viewer(6, epoch), None);
    hub.dispatch(&DomainEvent::UserPrivilegesChanged { user_id: 5 });
    assert_eq!(feed.inbox.try_kick(), Some(KICK_PRIVILEGES_CHANGED));
    assert_eq!(inbox.inbox.try_kick(), Some(KICK_PRIVILEGES_CHANGED));
    assert!(other.inbox.try_kick().is_none());
    assert_eq!(hub.stats().subscribers, 1);
}

#[test]
fn a_socket_set_up_before_a_change_it_missed_is_kicked_when_it_subscribes() {
    let hub = Hub::new(8);
    let before = hub.privilege_epoch();
    // The change is announced while the socket is still loading the user's (old) rights.
    hub.dispatch(&DomainEvent::UserPrivilegesChanged { user_id: 5 });
    let late = hub.subscribe(Topic::Station(1), viewer(5, before), None);
    assert_eq!(late.inbox.try_kick(), Some(KICK_PRIVILEGES_CHANGED));
    hub.dispatch(&station_event(1));
    assert!(
        late.inbox.try_frame().is_none(),
        "it is never sent anything"
    );
    // Loaded after the change: the rights are current.
    let fresh = hub.subscribe(Topic::Station(1), viewer(5, hub.privilege_epoch()), None);
    assert!(fresh.inbox.try_kick().is_none());
}

#[test]
fn closing_kicks_every_socket_and_every_later_one() {
    let hub = Hub::new(8);
    let feed = hub.subscribe(Topic::AllStations, Viewer::default(), None);
    let inbox = hub.subscribe(Topic::User(1), viewer(1, 0), None);
    hub.close_all();
    assert_eq!(feed.inbox.try_kick(), Some(KICK_SHUTDOWN));
    assert_eq!(inbox.inbox.try_kick(), Some(KICK_SHUTDOWN));
    assert_eq!(hub.stats().subscribers, 0);
    let late = hub.subscribe(Topic::Station(1), Viewer::default(), None);
    assert_eq!(late.inbox.try_kick(), Some(KICK_SHUTDOWN));
    hub.dispatch(&station_event(1));
    assert!(late.inbox.try_frame().is_none(), "never routed anything");
}

#[test]
fn a_socket_writing_its_batch_still_counts_it_against_the_queue() {
    use std::task::{Context, Poll, Waker};
    let hub = Hub::new(2);
    let sub = hub.subscribe(Topic::Station(1), Viewer::default(), None);
    let mut cx = Context::from_waker(Waker::noop());
    let mut batch = std::collections::VecDeque::new();
    hub.dispatch(&station_event(1));
    hub.dispatch(&station_event(1));
    let taken = std::pin::pin!(sub.next(&mut batch)).poll(&mut cx);
    assert_eq!(taken, Poll::Ready(Delivery::Frames));
    assert_eq!(batch.len(), 2);
    // Still writing those two when the third comes: two behind is as far as it may be.
    hub.dispatch(&station_event(1));
    assert_eq!(sub.inbox.try_kick(), Some(KICK_TOO_SLOW));
    assert_eq!(hub.stats().subscribers, 0);
}

/// `inventory_update` of station `station_id` at `version`, `available` packs free.
fn counts(station_id: i32, version: i64, available: u32) -> DomainEvent {
    DomainEvent::Station {
        station_id,
        seq: Some(version * 16),
        message: FeedMessage::InventoryUpdate {
            station_id,
            station_name: "S".into(),
            available_batteries: available,
            booked_batteries: 0,
            total_batteries: 20,
            timestamp: String::new(),
            action: app::feed::InventoryAction::Book,
            available_by_model: None,
        },
        privileged: None,
    }
}

fn text(frame: Option<SharedFrame>) -> Option<String> {
    frame.map(|f| f.text.to_string())
}

#[tokio::test]
async fn a_watched_station_comes_at_most_once_a_second_with_its_latest_counts() {
    let hub = Hub::new(64);
    let map = hub.subscribe(Topic::Watch, Viewer::default(), None);
    hub.watch(&map, &[1, 3]);
    let elsewhere = hub.subscribe(Topic::Watch, Viewer::default(), None);
    hub.watch(&elsewhere, &[2]);
    let all = hub.subscribe(Topic::AllStations, Viewer::default(), None);
    for n in 1..=5 {
        hub.dispatch(&counts(1, n, 20 - n as u32));
    }
    hub.dispatch(&station_event(1));
    let first = text(map.inbox.try_frame()).unwrap();
    assert!(first.contains("\"available_batteries\":19"), "{first}");
    assert!(
        map.inbox.try_frame().is_none(),
        "the rest waits for the second's end"
    );
    assert!(
        elsewhere.inbox.try_frame().is_none(),
        "another station's map"
    );
    let mut spec_feed = 0;
    while all.inbox.try_frame().is_some() {
        spec_feed += 1;
    }
    assert_eq!(
        spec_feed, 6,
        "the spec's all-stations feed has every event, at once"
    );

    // The flush comes at the end of the second, with the latest counts only.
    let mut batch = std::collections::VecDeque::new();
    let woke = tokio::time::timeout(pacing::EVERY * 5, map.next(&mut batch)).await;
    assert_eq!(woke.ok(), Some(Delivery::Frames));
    let latest: Vec<_> = batch.iter().map(|f| f.text.to_string()).collect();
    assert_eq!(latest.len(), 1, "{latest:?}");
    assert!(
        latest[0].contains("\"available_batteries\":15"),
        "{latest:?}"
    );

    // Following other stations drops the old entries; dropping the socket drops them all.
    hub.watch(&map, &[2]);
    hub.dispatch(&counts(3, 9, 1));
    assert!(map.inbox.try_frame().is_none(), "no longer follows 3");
    hub.dispatch(&counts(2, 9, 1));
    assert!(map.inbox.try_frame().is_some());
    assert!(elsewhere.inbox.try_frame().is_some());
    assert_eq!(hub.stats().subscribers, 3, "a watch socket counts once");
    drop((map, elsewhere, all));
    assert_eq!(hub.stats().subscribers, 0);
    assert!(hub.lock().is_empty(), "no entry left behind");
}

#[test]
fn directory_changes_reach_every_watch_socket_and_pack_events_none() {
    let hub = Hub::new(8);
    let map = hub.subscribe(Topic::Watch, Viewer::default(), None);
    hub.watch(&map, &[1]);
    let listed = FeedMessage::StationClosed {
        station_id: 7,
        station_name: "Gone".into(),
        timestamp: String::new(),
    };
    hub.dispatch(&DomainEvent::station(7, listed));
    assert!(
        text(map.inbox.try_frame())
            .unwrap()
            .contains("station_closed")
    );
    let booked = FeedMessage::BatteryBooked {
        station_id: 1,
        station_name: "S".into(),
        battery_id: 3,
        available_batteries: 1,
        booked_batteries: 1,
        total_batteries: None,
        user: "r***@a.test".into(),
        timestamp: String::new(),
        available_by_model: None,
    };
    hub.dispatch(&DomainEvent::station(1, booked));
    assert!(
        map.inbox.try_frame().is_none(),
        "its counts come in the inventory_update"
    );
}
