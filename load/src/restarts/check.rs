//! What the database says at the end: every station's counts, and whether any rider or pack
//! was booked twice.
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::watchers::Counts;

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn number(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = rows(db, sql).await.into_iter().next().expect("one row");
    row.try_get("", "n").expect("n")
}

/// Every station's available and booked packs, counted from the packs themselves.
pub async fn counts(db: &DatabaseConnection) -> Counts {
    let sql = "SELECT station_id, \
                 count(*) FILTER (WHERE state = 'available') AS available, \
                 count(*) FILTER (WHERE state = 'booked') AS booked \
               FROM batteries GROUP BY station_id";
    rows(db, sql)
        .await
        .into_iter()
        .map(|r| {
            let id: i32 = r.try_get("", "station_id").expect("station_id");
            let available: i64 = r.try_get("", "available").expect("available");
            let booked: i64 = r.try_get("", "booked").expect("booked");
            (id, (available, booked))
        })
        .collect()
}

/// What double bookings would leave behind. (The database's unique indexes on active bookings
/// already refuse a second active booking of one rider or pack; the first two figures say the
/// end state agrees. A retry that booked twice shows as `made` above the answers, and a pack
/// booked without its booking, or freed with it still active, in `mismatched_packs`.)
#[derive(Debug)]
pub struct Doubles {
    /// Riders with more than one active booking.
    pub riders: i64,
    /// Packs in more than one active booking.
    pub packs: i64,
    /// Booked packs without exactly one active booking, and packs of active bookings that
    /// are not booked.
    pub mismatched_packs: i64,
    /// Bookings of this run's riders in the database.
    pub made: i64,
    /// Of those, still active (each rider cancels before it stops).
    pub active: i64,
}

pub async fn doubles(db: &DatabaseConnection, emails_like: &str) -> Doubles {
    let active = "status IN ('confirmed', 'ready')";
    let ours = format!("rider_id IN (SELECT id FROM users WHERE email LIKE '{emails_like}')");
    Doubles {
        riders: number(
            db,
            &format!(
                "SELECT count(*) AS n FROM (SELECT rider_id FROM bookings WHERE {active} \
             GROUP BY rider_id HAVING count(*) > 1) d"
            ),
        )
        .await,
        packs: number(
            db,
            &format!(
                "SELECT count(*) AS n FROM (SELECT battery_id FROM bookings WHERE {active} \
             GROUP BY battery_id HAVING count(*) > 1) d"
            ),
        )
        .await,
        mismatched_packs: number(
            db,
            &format!(
                "SELECT count(*) AS n FROM batteries p FULL JOIN \
               (SELECT battery_id FROM bookings WHERE {active}) b ON b.battery_id = p.id \
             WHERE (p.state = 'booked') IS DISTINCT FROM (b.battery_id IS NOT NULL)"
            ),
        )
        .await,
        made: number(
            db,
            &format!("SELECT count(*) AS n FROM bookings WHERE {ours}"),
        )
        .await,
        active: number(
            db,
            &format!("SELECT count(*) AS n FROM bookings WHERE {ours} AND {active}"),
        )
        .await,
    }
}
