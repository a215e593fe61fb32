//! Admin operations on stations, staff assignments and roles, and their refusals.
use app::account::Role;
use app::error::AppError;

use crate::in_process::domain;
use crate::support::*;

#[tokio::test]
async fn admin_operations_and_their_refusals() {
    use app::account::ssr::assign as admin_assign;
    use app::station::ssr::{NewStation, admin_create, admin_update};
    let s = domain().await;
    let admin = user(&s, "admin@a.test", Role::Admin).await;
    let staff = user(&s, "staff@a.test", Role::Staff).await;
    let rider = user(&s, "rider@a.test", Role::Rider).await;
    let new = |name: &str| NewStation {
        name: name.into(),
        address: "1 Road".into(),
        latitude: 1.0,
        longitude: 2.0,
    };
    assert_eq!(
        admin_create(ctx(&s), &staff, new("X")).await.unwrap_err(),
        AppError::Forbidden
    );
    let created = admin_create(ctx(&s), &admin, new("Gamma")).await.unwrap();
    assert!(
        matches!(
            admin_create(ctx(&s), &admin, new("Gamma")).await,
            Err(AppError::Validation(_))
        ),
        "names are unique"
    );
    let moved = admin_update(
        ctx(&s),
        &admin,
        created.id,
        NewStation {
            latitude: 45.0,
            ..new("Gamma Plaza")
        },
    )
    .await
    .unwrap();
    assert_eq!((moved.name.as_str(), moved.latitude), ("Gamma Plaza", 45.0));
    assert!(matches!(
        admin_update(
            ctx(&s),
            &admin,
            created.id,
            NewStation {
                latitude: 91.0,
                ..new("G")
            }
        )
        .await,
        Err(AppError::Validation(_))
    ));
    assert!(
        matches!(
            admin_assign(ctx(&s), &admin, created.id, rider.id, true).await,
            Err(AppError::Validation(_))
        ),
        "riders are made staff first"
    );
    admin_assign(ctx(&s), &admin, created.id, staff.id, true)
        .await
        .unwrap();
    admin_assign(ctx(&s), &admin, created.id, staff.id, true)
        .await
        .expect("assigning twice is harmless");
    let reloaded = app::account::ssr::load(&ctx(&s).db, staff.id)
        .await
        .unwrap()
        .unwrap();
    assert!(reloaded.can_manage(created.id));
    admin_assign(ctx(&s), &admin, created.id, staff.id, false)
        .await
        .unwrap();
    assert!(
        !app::account::ssr::load(&ctx(&s).db, staff.id)
            .await
            .unwrap()
            .unwrap()
            .can_manage(created.id)
    );

    use app::account::ssr::{list_users, set_role};
    assert_eq!(
        set_role(ctx(&s), &staff, rider.id, Role::Admin)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        set_role(ctx(&s), &admin, rider.id, Role::Staff)
            .await
            .unwrap()
            .role,
        Role::Staff
    );
    assert!(
        matches!(
            set_role(ctx(&s), &admin, admin.id, Role::Rider).await,
            Err(AppError::Validation(_))
        ),
        "no self-demotion"
    );
    assert_eq!(
        set_role(ctx(&s), &admin, 9999, Role::Staff)
            .await
            .unwrap_err(),
        AppError::not_found("User")
    );
    assert_eq!(list_users(ctx(&s), &admin).await.unwrap().len(), 3);
    assert_eq!(
        list_users(ctx(&s), &rider).await.unwrap_err(),
        AppError::Forbidden
    );
}
