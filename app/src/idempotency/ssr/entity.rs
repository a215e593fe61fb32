//! `idempotency_keys`: the first answer to each keyed request, written only by
//! `idempotency::ssr`, in the transaction of the change it answers.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    /// The client's key; unique per user.
    pub key: String,
    /// What was asked (endpoint and arguments): a key sent again with another request is
    /// refused, not answered with the first request's answer.
    pub request: String,
    /// The first answer, as JSON.
    pub answer: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
