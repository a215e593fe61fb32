//! The admin page's station devices panel: issue a device its token (shown once, with the
//! request a cabinet sends), see when each device last reported, revoke one.
use leptos::prelude::*;

use super::api::{CreateDevice, RevokeDevice, list_devices};
use super::{DeviceInfo, IssuedDevice};
use crate::error::AppError;
use crate::station::StationSummary;
use crate::ui::{FormError, LocalTime, action_error};

/// Its resources are made here, in the component's body, never inside a parent's `Suspend`:
/// hydration finds resources by creation order, and one created while a parent resolves does
/// not line up with the server's.
#[component]
pub fn DevicesPanel(stations: Resource<Result<Vec<StationSummary>, AppError>>) -> impl IntoView {
    let create = ServerAction::<CreateDevice>::new();
    let revoke = ServerAction::<RevokeDevice>::new();
    let devices = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_devices(),
    );
    let created = move || create.value().get().and_then(Result::ok);
    let error = move || action_error(create).or_else(|| action_error(revoke));
    view! {
        <section class="card" aria-labelledby="devices-heading">
            <h2 id="devices-heading">"Station devices"</h2>
            <p>
                "A device token lets one station's cabinet report its packs' charge, and nothing else. "
                "Reports follow the same rules as staff edits and are in the history below."
            </p>
            <FormError message=error/>
            {move || created().map(|d| view! { <NewDevice d/> })}
            <Transition fallback=|| view! { <p class="loading">"Loading devices…"</p> }>
                {move || Suspend::new(async move {
                    // Both at once, as in `admin::view` (a race in hydration otherwise).
                    let (stations, devices) = futures::join!(stations.into_future(), devices.into_future());
                    let stations = stations.unwrap_or_default();
                    let list = match devices {
                        Ok(list) => view! { <DeviceList list revoke/> }.into_any(),
                        Err(e) => view! { <FormError message=e.to_string()/> }.into_any(),
                    };
                    view! {
                        <ActionForm action=create attr:class="row">
                            <label for="device-station">"Station"</label>
                            <select id="device-station" name="station_id">
                                {stations.into_iter().map(|s| view! { <option value=s.id>{s.name}</option> }).collect_view()}
                            </select>
                            <label for="device-label">"Label"</label>
                            <input id="device-label" name="label" maxlength="100" placeholder="Cabinet A"/>
                            <button type="submit" disabled=move || create.pending().get()>"Create device token"</button>
                        </ActionForm>
                        {list}
                    }
                })}
            </Transition>
        </section>
    }
}

/// A token just issued, shown this once, with the request its device sends.
#[component]
fn NewDevice(d: IssuedDevice) -> impl IntoView {
    let example = format!(
        "curl -X POST -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n  -d '{{\"batteries\":[{{\"serial\":\"BS-01-001\",\"charge_percent\":93}}]}}' \\\n  <this server>/api/report_batteries",
        d.token
    );
    view! {
        <div class="new-token" role="status">
            <h3>"Device “" {d.label} "” created for station " {d.station_id}</h3>
            <p>"Copy its token now: it is shown only this once."</p>
            <p><code class="secret">{d.token}</code></p>
            <pre class="example">{example}</pre>
        </div>
    }
}

#[component]
fn DeviceList(list: Vec<DeviceInfo>, revoke: ServerAction<RevokeDevice>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p>"No station devices yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="users devices fold" role="table">
                <thead role="rowgroup">
                    <tr role="row">
                        <th scope="col" role="columnheader">"Device"</th><th scope="col" role="columnheader">"Station"</th><th scope="col" role="columnheader">"Created"</th>
                        <th scope="col" role="columnheader">"Last report"</th><th scope="col" role="columnheader">"Status"</th>
                    </tr>
                </thead>
                <tbody role="rowgroup">
                    {list.into_iter().map(|d| view! { <DeviceRow d revoke/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn DeviceRow(d: DeviceInfo, revoke: ServerAction<RevokeDevice>) -> impl IntoView {
    let last = match d.last_report_at {
        Some(at) => view! { <LocalTime iso=at date=true/> }.into_any(),
        None => "never".into_any(),
    };
    let revoke_label = format!("Revoke {}", d.label);
    let status = match d.revoked_at {
        Some(at) => view! { "revoked " <LocalTime iso=at date=true/> }.into_any(),
        None => view! {
            <ActionForm action=revoke attr:class="inline">
                <input type="hidden" name="device_id" value=d.id/>
                <button type="submit" class="secondary" aria-label=revoke_label>"Revoke"</button>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <tr role="row" data-device-id=d.id>
            <td role="cell" data-label="Device">{d.label.clone()} <br/> <small>"id " {d.id}</small></td>
            <td role="cell" data-label="Station">{d.station_name}</td>
            <td role="cell" data-label="Created"><LocalTime iso=d.created_at date=true/></td>
            <td role="cell" data-label="Last report">{last}</td>
            <td role="cell" data-label="Status">{status}</td>
        </tr>
    }
}
