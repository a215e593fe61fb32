//! Every server fn, fed bad values one field at a time, answers a 4xx with a plain JSON error:
//! never a 500. Text is refused in the domain (length, control characters), before the
//! database can fail on it differently on SQLite and PostgreSQL.
use crate::support::*;
use app::account::Role;

/// Bad values, by name. Raw form encoding: `%FF%FE` is not UTF-8 at all.
const BAD: &[(&str, &str)] = &[
    ("over-long", "LONG"),
    ("empty", ""),
    ("NUL byte", "a%00b"),
    ("control character", "a%1Bb"),
    ("not UTF-8", "%FF%FE"),
    ("huge number", "99999999999999999999"),
    ("negative", "-1"),
    ("NaN", "NaN"),
    ("infinite", "inf"),
    ("fraction", "1.5"),
];

/// Text fields whose over-long, NUL or control-character values must be a 400 `validation`.
const TEXT: &[&str] = &[
    "display_name",
    "label",
    "title",
    "message",
    "name",
    "address",
    "model",
    "returned_model",
    "reason",
];

/// A server fn, whether the admin calls it (else an anonymous client), and a valid form.
type Call<'a> = (&'a str, bool, Vec<(&'a str, String)>);

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form with `field` set to the raw (already encoded) `bad` value, the rest valid.
fn form(fields: &[(&str, String)], field: &str, bad: &str) -> String {
    let long = "x".repeat(5000);
    fields
        .iter()
        .map(|(k, v)| {
            let value = match (*k == field, bad) {
                (true, "LONG") => long.clone(),
                (true, raw) => raw.to_string(),
                (false, _) => encode(v),
            };
            format!("{k}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn every_server_fn_refuses_bad_values_plainly() {
    let s = server().await;
    let a = station(&s, "Alpha").await;
    batteries(&s, a, 3, 100).await;
    user(&s, "admin@a.test", Role::Admin).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let admin = logged_in(&s, "admin@a.test").await;
    let anon = browser();
    let made = app::booking::ssr::book(ctx(&s), &rider, a).await.unwrap();
    let battery = app::battery::ssr::at_station(&ctx(&s).db, a).await.unwrap()[0].id;
    let (a, battery, booking, rider) = (
        a.to_string(),
        battery.to_string(),
        made.id.to_string(),
        rider.id.to_string(),
    );
    let s_ = |v: &str| v.to_string();
    let calls: Vec<Call> = vec![
        (
            "register",
            false,
            vec![
                ("email", s_("new@a.test")),
                ("password", s_(PASSWORD)),
                ("display_name", s_("New")),
            ],
        ),
        (
            "login",
            false,
            vec![
                ("email", s_("nobody@a.test")),
                ("password", s_("wrong password")),
            ],
        ),
        ("create_token", true, vec![("label", s_("script"))]),
        ("revoke_token", true, vec![("token_id", s_("1"))]),
        (
            "set_user_role",
            true,
            vec![("user_id", rider.clone()), ("role", s_("rider"))],
        ),
        (
            "list_audit",
            true,
            vec![("station_id", a.clone()), ("action", s_("booking_created"))],
        ),
        (
            "send_notification",
            true,
            vec![
                ("user_id", rider.clone()),
                ("title", s_("T")),
                ("message", s_("M")),
                ("level", s_("info")),
            ],
        ),
        ("mark_notifications_read", true, vec![("id", s_("1"))]),
        (
            "create_station",
            true,
            vec![
                ("name", s_("Beta")),
                ("address", s_("1 Road")),
                ("latitude", s_("1")),
                ("longitude", s_("1")),
            ],
        ),
        (
            "update_station",
            true,
            vec![
                ("station_id", a.clone()),
                ("name", s_("Alpha")),
                ("address", s_("2 Road")),
                ("latitude", s_("1")),
                ("longitude", s_("1")),
            ],
        ),
        (
            "assign_staff",
            true,
            vec![
                ("station_id", a.clone()),
                ("user_id", rider.clone()),
                ("assign", s_("false")),
            ],
        ),
        (
            "set_station_status",
            true,
            vec![
                ("station_id", a.clone()),
                ("status", s_("online")),
                ("message", s_("Open")),
            ],
        ),
        ("get_station", true, vec![("station_id", a.clone())]),
        (
            "add_battery",
            true,
            vec![
                ("station_id", a.clone()),
                ("serial", s_("NEW-1")),
                ("model", s_("Pack")),
                ("charge_percent", s_("50")),
            ],
        ),
        (
            "update_battery",
            true,
            vec![
                ("battery_id", battery.clone()),
                ("state", s_("charging")),
                ("charge_percent", s_("50")),
            ],
        ),
        ("book_battery", true, vec![("station_id", a.clone())]),
        ("mark_ready", true, vec![("booking_id", booking.clone())]),
        (
            "collect_booking",
            true,
            vec![
                ("booking_id", booking.clone()),
                ("code", s_("WRONG1")),
                ("returned_serial", s_("RET-1")),
                ("returned_model", s_("Pack")),
                ("returned_charge", s_("40")),
            ],
        ),
        (
            "cancel_booking",
            true,
            vec![("booking_id", s_("999999")), ("reason", s_("gone"))],
        ),
        ("station_queue", true, vec![("station_id", a.clone())]),
        (
            "collect_at_counter",
            true,
            vec![
                ("station_id", a.clone()),
                ("code", s_("WRONG1")),
                ("returned_serial", s_("RET-1")),
                ("returned_model", s_("Pack")),
                ("returned_charge", s_("40")),
            ],
        ),
        ("pack_labels", true, vec![("station_id", a.clone())]),
        (
            "create_device",
            true,
            vec![("station_id", a.clone()), ("label", s_("Cabinet"))],
        ),
        ("revoke_device", true, vec![("device_id", s_("999999"))]),
    ];
    let mut problems = Vec::new();
    for (name, as_admin, fields) in &calls {
        let client = if *as_admin { &admin } else { &anon };
        for (field, _) in fields {
            for (what, bad) in BAD {
                let res = client
                    .post(http(&s, &format!("/api/{name}")))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form(fields, field, bad))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let body = res.text().await.unwrap();
                let json: Option<serde_json::Value> = serde_json::from_str(&body).ok();
                let plain = json.as_ref().and_then(|j| j["error"].as_str()).is_some();
                let text_refusal = TEXT.contains(field)
                    && ["over-long", "NUL byte", "control character", "not UTF-8"].contains(what);
                let ok = if status >= 500 {
                    false
                } else if text_refusal {
                    status == 400 && plain
                } else {
                    status < 400 || plain
                };
                if !ok {
                    problems.push(format!("{name} {field}={what}: {status} {body:.200}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} bad answers:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
