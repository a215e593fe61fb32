//! The browser's position, asked only when the rider presses "Use my location".
use super::near::Point;

/// Where the device is, or why that is not known (permission refused, no fix in 15 s, no
/// geolocation in this browser). A position up to a minute old is fine for choosing a station.
#[cfg(feature = "hydrate")]
pub async fn here() -> Result<Point, String> {
    use wasm_bindgen::JsCast;
    use web_sys::{Position, PositionError, PositionOptions};
    let geolocation = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .geolocation()
        .map_err(|_| "this browser has no geolocation")?;
    let options = PositionOptions::new();
    options.set_maximum_age(60_000);
    options.set_timeout(15_000);
    let asked = js_sys::Promise::new(&mut |found, failed| {
        let _ = geolocation.get_current_position_with_error_callback_and_options(
            &found,
            Some(&failed),
            &options,
        );
    });
    match wasm_bindgen_futures::JsFuture::from(asked).await {
        Ok(position) => {
            let coords = position.unchecked_into::<Position>().coords();
            Ok((coords.latitude(), coords.longitude()))
        }
        // Browsers name the class `GeolocationPositionError` now: read its code, no instanceof.
        Err(e) => Err(match e.unchecked_into::<PositionError>().code() {
            PositionError::PERMISSION_DENIED => "permission refused".into(),
            PositionError::TIMEOUT => "no fix in time".into(),
            _ => "position unavailable".into(),
        }),
    }
}

/// On the server there is no position: the button that asks is drawn only in the browser.
#[cfg(not(feature = "hydrate"))]
pub async fn here() -> Result<Point, String> {
    Err("not in a browser".into())
}
