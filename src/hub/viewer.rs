//! Who is on the other end of a socket, and what that lets them see.
use app::account::CurrentUser;

/// Who is on the other end, for what they may see (full rider emails, staff messages).
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// The signed-in user, if any, as loaded when the socket connected.
    pub user: Option<CurrentUser>,
    /// [`super::Hub::privilege_epoch`] read before `user` was loaded. A change of the user's
    /// privileges after it closes the socket, even one announced before the socket subscribed.
    pub as_of: u64,
}

impl Viewer {
    /// A signed-in viewer; `as_of` was read before `user` was loaded.
    pub fn signed_in(user: CurrentUser, as_of: u64) -> Self {
        Self {
            user: Some(user),
            as_of,
        }
    }

    /// The app's one permission rule (`CurrentUser::can_manage`): admins, and staff of the
    /// station.
    pub(super) fn privileged_for(&self, station_id: i32) -> bool {
        self.user.as_ref().is_some_and(|u| u.can_manage(station_id))
    }

    pub(super) fn user_id(&self) -> Option<i32> {
        self.user.as_ref().map(|u| u.id)
    }
}
