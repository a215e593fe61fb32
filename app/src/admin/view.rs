//! The admin page: stations, station devices, users and roles, staff assignments,
//! notifications, history.
use leptos::prelude::*;

use crate::account::api::{SetUserRole, list_users};
use crate::account::{CurrentUser, Role};
use crate::audit::view::AuditTrail;
use crate::device::view::DevicesPanel;
use crate::notification::Level;
use crate::notification::api::SendNotification;
use crate::station::StationSummary;
use crate::station::api::{
    AssignStaff, CloseStation, CreateStation, ReopenStation, UpdateStation, list_closed_stations,
    list_stations,
};
use crate::ui::{FormError, action_error};

/// The admin page, for an admin (the router checks, on the server).
#[component]
pub fn Admin() -> impl IntoView {
    let create = ServerAction::<CreateStation>::new();
    let update = ServerAction::<UpdateStation>::new();
    let assign = ServerAction::<AssignStaff>::new();
    let role = ServerAction::<SetUserRole>::new();
    let send = ServerAction::<SendNotification>::new();
    let close = ServerAction::<CloseStation>::new();
    let reopen = ServerAction::<ReopenStation>::new();
    let changes = Memo::new(move |_| {
        create.version().get()
            + update.version().get()
            + close.version().get()
            + reopen.version().get()
            + assign.version().get()
            + role.version().get()
            + send.version().get()
    });
    let stations = Resource::new(move || changes.get(), |_| list_stations());
    let users = Resource::new(move || changes.get(), |_| list_users());
    let closed = Resource::new(move || changes.get(), |_| list_closed_stations());
    let error = move || {
        action_error(create)
            .or_else(|| action_error(update))
            .or_else(|| action_error(close))
            .or_else(|| action_error(reopen))
            .or_else(|| action_error(assign))
            .or_else(|| action_error(role))
            .or_else(|| action_error(send))
    };
    let sent = move || {
        send.value()
            .get()
            .and_then(Result::ok)
            .map(|n| format!("Sent to {n} user(s)."))
    };
    view! {
        <h1>"Admin"</h1>
        <FormError message=error/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                // All at once: awaited one after another, a resource was read (and waited for by
                // the Transition) only once the one before had resolved, a race the island lost
                // now and then in the browser, failing to hydrate (`--repeat-each` under load).
                let (stations, users, closed) = futures::join!(stations.into_future(), users.into_future(), closed.into_future());
                let (stations, users) = (stations.unwrap_or_default(), users.unwrap_or_default());
                let closed = closed.unwrap_or_default();
                view! {
                    <section class="card" aria-labelledby="stations-heading">
                        <h2 id="stations-heading">"Stations"</h2>
                        {stations.iter().cloned().map(|s| view! { <StationEditor s update close/> }).collect_view()}
                        <h3>"New station"</h3>
                        <StationFields action_create=Some(create) station=None/>
                        <ClosedStations closed reopen/>
                    </section>
                    <section class="card" aria-labelledby="users-heading">
                        <h2 id="users-heading">"Users"</h2>
                        <div class="table-wrap">
                            <table class="users fold" role="table">
                                <thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader">"User"</th><th scope="col" role="columnheader">"Role"</th><th scope="col" role="columnheader">"Stations"</th></tr></thead>
                                <tbody role="rowgroup">
                                    {users.into_iter().map(|u| view! { <UserRow u stations=stations.clone() role assign/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                }.into_any()
            })}
        </Transition>
        <DevicesPanel stations/>
        <section class="card" aria-labelledby="send-heading">
            <h2 id="send-heading">"Send a notification"</h2>
            <ActionForm action=send attr:class="stack">
                <label for="send-user">"To (email; empty for everyone)"</label>
                <input id="send-user" name="email" type="email" autocomplete="off"/>
                <label for="send-title">"Title"</label>
                <input id="send-title" name="title" required maxlength="200"/>
                <label for="send-message">"Message"</label>
                <textarea id="send-message" name="message" required maxlength="2000"></textarea>
                <label for="send-level">"Level"</label>
                <select id="send-level" name="level">
                    {Level::ALL.iter().copied().map(|l| view! { <option value=l.as_str()>{l.as_str()}</option> }).collect_view()}
                </select>
                <button type="submit" disabled=move || send.pending().get()>"Send"</button>
            </ActionForm>
            <p role="status" class="ok">{sent}</p>
        </section>
        <AuditTrail station_id=None refresh=Signal::derive(move || changes.get() as u64)/>
    }
}

#[component]
fn StationEditor(
    s: StationSummary,
    update: ServerAction<UpdateStation>,
    close: ServerAction<CloseStation>,
) -> impl IntoView {
    let (id, name) = (s.id, s.name.clone());
    view! {
        <details class="station-editor">
            <summary>{s.name.clone()} " (" {s.id} ")"</summary>
            <ActionForm action=update attr:class="row">
                <input type="hidden" name="station_id" value=s.id/>
                <StationInputs station=Some(s.clone())/>
                <button type="submit">"Save"</button>
            </ActionForm>
            <details class="confirm-cancel">
                <summary>"Close station…"</summary>
                <p>"Riders will no longer see it or book there. Its packs and history stay, and it can be reopened."</p>
                <ActionForm action=close>
                    <input type="hidden" name="station_id" value=id/>
                    <button type="submit" class="secondary">"Yes, close " {name}</button>
                </ActionForm>
            </details>
        </details>
    }
}

/// Closed stations, each with a way back into the directory.
#[component]
fn ClosedStations(
    closed: Vec<StationSummary>,
    reopen: ServerAction<ReopenStation>,
) -> impl IntoView {
    (!closed.is_empty()).then(|| {
        view! {
            <h3>"Closed stations"</h3>
            <ul class="closed-stations">
                {closed.into_iter().map(|s| view! {
                    <li>
                        <ActionForm action=reopen attr:class="row">
                            <span>{s.name.clone()}</span>
                            <input type="hidden" name="station_id" value=s.id/>
                            <button type="submit" class="secondary">"Reopen " {s.name.clone()}</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn StationFields(
    action_create: Option<ServerAction<CreateStation>>,
    station: Option<StationSummary>,
) -> impl IntoView {
    action_create.map(|create| {
        view! {
            <ActionForm action=create attr:class="row">
                <StationInputs station=station.clone()/>
                <button type="submit">"Create station"</button>
            </ActionForm>
        }
    })
}

#[component]
fn StationInputs(station: Option<StationSummary>) -> impl IntoView {
    let key = station
        .as_ref()
        .map(|s| s.id.to_string())
        .unwrap_or_else(|| "new".into());
    let (name, address, lat, lng) = station
        .map(|s| {
            (
                s.name,
                s.address,
                s.latitude.to_string(),
                s.longitude.to_string(),
            )
        })
        .unwrap_or_default();
    view! {
        <label for=format!("name-{key}")>"Name"</label>
        <input id=format!("name-{key}") name="name" required maxlength="120" value=name/>
        <label for=format!("address-{key}")>"Address"</label>
        <input id=format!("address-{key}") name="address" maxlength="255" value=address/>
        <label for=format!("lat-{key}")>"Latitude"</label>
        <input id=format!("lat-{key}") name="latitude" type="number" step="any" min="-90" max="90" required value=lat class="coord"/>
        <label for=format!("lng-{key}")>"Longitude"</label>
        <input id=format!("lng-{key}") name="longitude" type="number" step="any" min="-180" max="180" required value=lng class="coord"/>
    }
}

#[component]
fn UserRow(
    u: CurrentUser,
    stations: Vec<StationSummary>,
    role: ServerAction<SetUserRole>,
    assign: ServerAction<AssignStaff>,
) -> impl IntoView {
    let names: Vec<String> = stations
        .iter()
        .filter(|s| u.stations.contains(&s.id))
        .map(|s| s.name.clone())
        .collect();
    let id = u.id;
    let email = u.email.clone();
    let assign_label = u.email.clone();
    view! {
        <tr role="row" data-user=email.clone()>
            <td role="cell" data-label="User">{u.display_name.clone()} <br/> <small>{u.email.clone()} " · id " {id}</small></td>
            <td role="cell" data-label="Role">
                <ActionForm action=role attr:class="row">
                    <input type="hidden" name="user_id" value=id/>
                    <label class="visually-hidden" for=format!("role-{id}")>"Role of " {u.email.clone()}</label>
                    <select id=format!("role-{id}") name="role">
                        {Role::ALL.iter().copied().map(|r| view! { <option value=r.as_str() selected=r == u.role>{r.as_str()}</option> }).collect_view()}
                    </select>
                    <button type="submit">"Set role"</button>
                </ActionForm>
            </td>
            <td role="cell" data-label="Stations">
                {if names.is_empty() { "none".to_string() } else { names.join(", ") }}
                // Exactly staff (not admins, who manage every station): only staff are assigned.
                {(u.role == Role::Staff).then(|| view! {
                    <ActionForm action=assign attr:class="row">
                        <input type="hidden" name="user_id" value=id/>
                        <label class="visually-hidden" for=format!("assign-{id}")>"Station for " {assign_label.clone()}</label>
                        <select id=format!("assign-{id}") name="station_id">
                            {stations.iter().map(|s| view! { <option value=s.id>{s.name.clone()}</option> }).collect_view()}
                        </select>
                        <button type="submit" name="assign" value="true">"Assign"</button>
                        <button type="submit" name="assign" value="false" class="secondary">"Unassign"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
