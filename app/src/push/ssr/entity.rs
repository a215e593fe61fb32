//! The push tables: the server's VAPID keys, the users' devices, and what is still to push.
pub mod key {
    use sea_orm::entity::prelude::*;

    /// The one row of VAPID keys (`id` 1), base64url.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "push_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub private_key: String,
        pub public_key: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod device {
    use sea_orm::entity::prelude::*;

    /// A device a user turned push on for.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "push_subscriptions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub user_id: i32,
        /// The session it was turned on in: the device goes when the session does.
        pub session_id: i32,
        pub endpoint: String,
        pub p256dh: String,
        pub auth: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod outbox {
    use sea_orm::entity::prelude::*;

    /// A stored notification still to push to one device.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "push_outbox")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub notification_id: i32,
        pub device_id: i32,
        pub attempts: i32,
        pub claimed_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
