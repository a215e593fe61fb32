//! What a station holds for a rider's vehicle: available packs per model, live.
use leptos::prelude::*;

use super::ModelCounts;

/// Available packs per model, the rider's own marked. Packs of different models do not fit
/// the same vehicles, so this is what a rider checks before setting off.
#[component]
pub fn ModelBreakdown(
    #[prop(into)] by_model: Signal<ModelCounts>,
    /// The rider's saved pack model, if any.
    pack: Option<String>,
) -> impl IntoView {
    let pack = StoredValue::new(pack);
    let entries = move || by_model.get().into_iter().collect::<Vec<_>>();
    view! {
        <ul class="models" aria-label="Available by pack model">
            <For
                each=entries
                key=|entry| entry.clone()
                children=move |(model, n)| {
                    let mine = pack.with_value(|p| p.as_deref() == Some(model.as_str()));
                    let key = model.clone();
                    view! {
                        <li class:mine=mine data-model=key>
                            <span class="model">{model}</span> " " <strong>{n}</strong>
                        </li>
                    }
                }
            />
        </ul>
    }
}

/// The count of the rider's own model, or `None` without a saved one.
pub fn of_model(by_model: &ModelCounts, pack: Option<&str>) -> Option<u32> {
    pack.map(|p| by_model.get(p).copied().unwrap_or(0))
}
