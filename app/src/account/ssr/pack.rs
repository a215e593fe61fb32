//! The rider's pack model: saved once, it makes the station lists and the Book form show and
//! book the packs that fit their vehicle.
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;

use super::entity::user;
use crate::account::CurrentUser;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};

/// Saves `model` as `actor`'s pack model (empty: none). Only a model the network holds is
/// accepted, so a typo cannot leave a rider with lists that never show a pack.
pub async fn set_pack_model(
    ctx: &Ctx,
    actor: &CurrentUser,
    model: &str,
) -> AppResult<Option<String>> {
    let model = crate::text::line("A battery model", model, 120, false)?;
    let model = if model.is_empty() {
        None
    } else if crate::battery::ssr::models(&ctx.db).await?.contains(&model) {
        Some(model)
    } else {
        return Err(AppError::validation(
            "Choose one of the pack models the network holds.",
        ));
    };
    user::Entity::update_many()
        .col_expr(user::Column::PackModel, Expr::value(model.clone()))
        .filter(user::Column::Id.eq(actor.id))
        .exec(&ctx.db)
        .await?;
    Ok(model)
}
