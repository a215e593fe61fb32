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
    let mut all = hub.subscribe(Topic::AllStations, Viewer::default(), None);
    let mut one = hub.subscribe(Topic::Station(1), Viewer::default(), None);
    let mut two = hub.subscribe(Topic::Station(2), Viewer::default(), None);
    hub.dispatch(&station_event(1));
    assert!(all.frames.try_recv().is_ok());
    assert!(one.frames.try_recv().is_ok());
    assert!(two.frames.try_recv().is_err());
}

#[test]
fn full_queue_kicks_only_that_subscriber() {
    let hub = Hub::new(2);
    let mut slow = hub.subscribe(Topic::AllStations, Viewer::default(), None);
    let mut fast = hub.subscribe(Topic::AllStations, Viewer::default(), None);
    for _ in 0..3 {
        hub.dispatch(&station_event(1));
        while fast.frames.try_recv().is_ok() {}
    }
    assert_eq!(slow.kicked.try_recv(), Ok(KICK_TOO_SLOW));
    assert!(fast.kicked.try_recv().is_err());
    assert_eq!(hub.stats().subscribers, 1);
    drop(fast);
    assert_eq!(hub.stats().subscribers, 0);
}

#[test]
fn revoking_a_credential_kicks_its_sockets() {
    let hub = Hub::new(8);
    let mut a = hub.subscribe(
        Topic::User(1),
        Viewer::default(),
        Some(Credential::Session(7)),
    );
    let mut b = hub.subscribe(
        Topic::User(1),
        Viewer::default(),
        Some(Credential::Token(7)),
    );
    hub.dispatch(&DomainEvent::CredentialRevoked {
        credential: Credential::Session(7),
    });
    assert_eq!(a.kicked.try_recv(), Ok(KICK_REVOKED));
    assert!(b.kicked.try_recv().is_err());
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
    let mut feed = hub.subscribe(Topic::Station(1), viewer(5, epoch), None);
    let mut inbox = hub.subscribe(Topic::User(5), viewer(5, epoch), None);
    let mut other = hub.subscribe(Topic::Station(1), viewer(6, epoch), None);
    hub.dispatch(&DomainEvent::UserPrivilegesChanged { user_id: 5 });
    assert_eq!(feed.kicked.try_recv(), Ok(KICK_PRIVILEGES_CHANGED));
    assert_eq!(inbox.kicked.try_recv(), Ok(KICK_PRIVILEGES_CHANGED));
    assert!(other.kicked.try_recv().is_err());
    assert_eq!(hub.stats().subscribers, 1);
}

#[test]
fn a_socket_set_up_before_a_change_it_missed_is_kicked_when_it_subscribes() {
    let hub = Hub::new(8);
    let before = hub.privilege_epoch();
    // The change is announced while the socket is still loading the user's (old) rights.
    hub.dispatch(&DomainEvent::UserPrivilegesChanged { user_id: 5 });
    let mut late = hub.subscribe(Topic::Station(1), viewer(5, before), None);
    assert_eq!(late.kicked.try_recv(), Ok(KICK_PRIVILEGES_CHANGED));
    hub.dispatch(&station_event(1));
    assert!(late.frames.try_recv().is_err(), "it is never sent anything");
    // Loaded after the change: the rights are current.
    let mut fresh = hub.subscribe(Topic::Station(1), viewer(5, hub.privilege_epoch()), None);
    assert!(fresh.kicked.try_recv().is_err());
}

#[test]
fn closing_kicks_every_socket_and_every_later_one() {
    let hub = Hub::new(8);
    let mut feed = hub.subscribe(Topic::AllStations, Viewer::default(), None);
    let mut inbox = hub.subscribe(Topic::User(1), viewer(1, 0), None);
    hub.close_all();
    assert_eq!(feed.kicked.try_recv(), Ok(KICK_SHUTDOWN));
    assert_eq!(inbox.kicked.try_recv(), Ok(KICK_SHUTDOWN));
    assert_eq!(hub.stats().subscribers, 0);
    let mut late = hub.subscribe(Topic::Station(1), Viewer::default(), None);
    assert_eq!(late.kicked.try_recv(), Ok(KICK_SHUTDOWN));
    hub.dispatch(&station_event(1));
    assert!(late.frames.try_recv().is_err(), "never routed anything");
}
