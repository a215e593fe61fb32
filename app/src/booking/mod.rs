//! Bookings: a rider holds one charged battery at a station until they collect it.
use serde::{Deserialize, Serialize};

pub mod api;
pub mod counter;
pub mod forms;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod view;

crate::stored_enum::stored_enum! {
    /// confirmed → ready → collected; or cancelled / expired.
    pub enum BookingStatus {
        Confirmed,
        Ready,
        Collected,
        Cancelled,
        Expired,
    }
}

impl BookingStatus {
    pub const ACTIVE: [BookingStatus; 2] = [Self::Confirmed, Self::Ready];

    pub fn is_active(self) -> bool {
        Self::ACTIVE.contains(&self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingView {
    pub id: i32,
    pub rider_id: i32,
    pub station_id: i32,
    pub station_name: String,
    pub battery_id: i32,
    pub battery_info: String,
    pub status: BookingStatus,
    /// What the rider shows at the counter, proving they are there; only the rider sees it
    /// (`None` in every view for anyone else, staff included).
    pub collection_code: Option<String>,
    /// The code as a QR code (inline SVG, drawn by the server) for the counter's scanner: only
    /// in the rider's own list of bookings (`my_bookings`), never on a feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_qr: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    pub ready_at: Option<String>,
    pub collected_at: Option<String>,
}

impl BookingView {
    /// This view as `viewer_id` may see it: the collection code only for its rider.
    pub fn seen_by(self, viewer_id: i32) -> Self {
        if viewer_id == self.rider_id {
            self
        } else {
            self.without_code()
        }
    }

    pub fn without_code(mut self) -> Self {
        self.collection_code = None;
        self.collection_qr = None;
        self
    }

    /// This view with its collection code drawn as a QR code, while the booking is active.
    #[cfg(feature = "ssr")]
    pub fn with_qr(mut self) -> Self {
        self.collection_qr = match &self.collection_code {
            Some(code) if self.status.is_active() => Some(crate::ui::qr::svg(
                &format!("{}{code}", crate::ui::qr::CODE_PREFIX),
                &format!("Collection code {code} as a QR code"),
            )),
            _ => None,
        };
        self
    }
}
