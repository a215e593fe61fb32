//! The station tables: `stations`, and `station_staff` (who runs which station).

pub mod station {
    use sea_orm::entity::prelude::*;

    use crate::station::StationStatus;

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
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod staff {
    use sea_orm::entity::prelude::*;

    /// Which staff users run which stations.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "station_staff")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub station_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
