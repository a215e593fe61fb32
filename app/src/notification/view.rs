//! The notification list and the header's unread badge, both live.
use leptos::prelude::*;

use super::api::{MarkNotificationsRead, list_notifications};
use super::{Level, NotificationView};
use crate::error::AppError;
use crate::feed::NotificationFeed;
use crate::ui::{FormError, LiveIndicator, LocalTime};

fn level_icon(level: Level) -> &'static str {
    match level {
        Level::Info => "ℹ",
        Level::Success => "✔",
        Level::Warning => "⚠",
        Level::Error => "✖",
    }
}

/// "Notifications (3)" in the header, on every page of someone logged in: an island, so the
/// unread count follows the tab's notifications feed. `current`: on the notifications page.
#[island]
pub fn NotificationsLink(current: bool) -> impl IntoView {
    crate::feed::open_notification_feed();
    let feed = crate::feed::notification_feed();
    view! {
        <a href="/notifications" aria-current=current.then_some("page")>
            "Notifications"
            <Show when=move || { feed.unread.get() > 0 }>
                " " <span class="unread-count" aria-label=move || format!("{} unread", feed.unread.get())>{move || feed.unread.get()}</span>
            </Show>
        </a>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let feed = expect_context::<NotificationFeed>();
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(
        move || (feed.version.get(), mark.version().get()),
        |_| list_notifications(),
    );
    Effect::new(move |_| {
        if let Some(Ok(unread)) = mark.value().get() {
            feed.unread.set(unread);
        }
    });
    view! {
        <div class="page-head">
            <h1>"Notifications"</h1>
            <LiveIndicator connected=feed.connected/>
        </div>
        <Transition fallback=|| view! { <p class="loading">"Loading notifications…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => view! { <p>"Nothing yet."</p> }.into_any(),
                    Ok(items) => view! {
                        <ActionForm action=mark attr:class="inline">
                            <button type="submit" class="secondary" disabled=move || mark.pending().get()>"Mark all as read"</button>
                        </ActionForm>
                        <ul class="notifications">
                            {items.into_iter().map(|n| view! { <NotificationItem n mark/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <p><crate::ui::LoginLink/> " to see your notifications."</p> }.into_any(),
                    Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NotificationItem(
    n: NotificationView,
    mark: ServerAction<MarkNotificationsRead>,
) -> impl IntoView {
    view! {
        <li class=format!("notification card level-{}", n.level.as_str()) class:unread=!n.read data-kind=n.kind.clone()>
            <p class="title">
                <span class="level" aria-hidden="true">{level_icon(n.level)}</span>
                <span class="visually-hidden">{n.level.as_str()}": "</span>
                <strong>{n.title.clone()}</strong>
                {(!n.read).then(|| view! { " " <span class="badge">"new"</span> })}
            </p>
            <p>{n.message.clone()}</p>
            <p class="meta"><LocalTime iso=n.created_at.clone() date=true relative=true/></p>
            {(!n.read).then(|| view! {
                <ActionForm action=mark attr:class="inline">
                    <input type="hidden" name="id" value=n.id/>
                    <button type="submit" class="link">"Mark as read"</button>
                </ActionForm>
            })}
        </li>
    }
}
