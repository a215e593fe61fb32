//! The wasm entry point: hydrates the server-rendered page. Everything else lives in `app`.
#![recursion_limit = "512"]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration (what `leptos::mount::hydrate_lazy` does): a page whose code is in
    // a lazy route's wasm chunk is hydrated once that chunk has arrived.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let body = leptos::prelude::document().body();
        let Some(body) = body else { return };
        let owner = leptos::mount::hydrate_from_async(body, app::App).await;
        owner.forget();
        // The live feeds connect only now (see `app::feed::hydration_finished`).
        app::feed::hydration_finished();
        // Lets end-to-end tests (and curious humans) tell a hydrated page from a static one.
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}
