//! The station tables: `stations` and `station_history` (its counts over time). Who runs
//! which station (`station_staff`) is authorisation data: `account::ssr::entity`.

pub mod station {
    use sea_orm::entity::prelude::*;

    use crate::station::{StationStatus, StockLevel};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "stations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub address: String,
        pub latitude: f64,
        pub longitude: f64,
        pub status: StationStatus,
        pub status_message: String,
        pub created_at: DateTimeUtc,
        /// Bumped by every change of inventory or status; orders this station's events.
        pub version: i64,
        /// Set while an admin has closed the station: it is out of the directory.
        pub closed_at: Option<DateTimeUtc>,
        /// Against the low-stock threshold, as the last change left it (`station::ssr::stock_alert`).
        pub stock_level: Option<StockLevel>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod history {
    use sea_orm::entity::prelude::*;

    /// A station's counts after one committed change (see `station::ssr::history`).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "station_history")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub station_id: i32,
        pub at: DateTimeUtc,
        pub available: i32,
        pub total: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
