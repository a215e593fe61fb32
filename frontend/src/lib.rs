//! The wasm entry points. The page is server-rendered; only its islands (`#[island]`
//! components in `app`) run in the browser. The page's loader (`app::assets`) calls
//! [`hydrate`], then each island's own export, then [`islands_hydrated`].
#![recursion_limit = "512"]

/// Sets up the reactive runtime for the islands about to be hydrated.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

/// Called once every island of the page is hydrated.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn islands_hydrated() {
    // The live feeds connect only now (see `app::feed::hydration_finished`).
    app::feed::hydration_finished();
}
