//! One way to declare an enum that is stored as text and sent as JSON.
//!
//! The variant names in snake_case are at once the database value, the wire value and the
//! label, so they cannot drift apart. On the server the enum is a sea-orm `ActiveEnum`: a row
//! holding an unknown value fails to load (an error, logged), it never becomes a guess.

/// Declares an enum with serde and strum (`as_str`, `FromStr`, `ALL`) on both sides, and
/// sea-orm's `DeriveActiveEnum` over a text column on the server.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize,
            strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        #[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
        #[cfg_attr(
            feature = "ssr",
            sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
        )]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = <$name as strum::VariantArray>::VARIANTS;

            /// The stored, wire and display name.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}

pub(crate) use stored_enum;

#[cfg(test)]
mod tests {
    use crate::account::Role;
    use crate::audit::AuditAction;
    use crate::battery::BatteryState;
    use crate::booking::BookingStatus;
    use crate::notification::Level;
    use crate::station::{StationStatus, StockLevel};

    /// The stored value, the JSON value and `as_str` are one name, and it parses back.
    fn same_name_everywhere<T>(all: &[T])
    where
        T: Copy + std::fmt::Debug + PartialEq + serde::Serialize + std::str::FromStr,
        &'static str: From<T>,
    {
        for &v in all {
            let name: &'static str = v.into();
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(name));
            assert!(
                matches!(name.parse::<T>(), Ok(p) if p == v),
                "{name} parses back"
            );
            #[cfg(feature = "ssr")]
            assert_eq!(name, name.to_lowercase(), "stored values are snake_case");
        }
    }

    #[test]
    fn every_stored_enum_has_one_name_per_value() {
        same_name_everywhere(BatteryState::ALL);
        same_name_everywhere(BookingStatus::ALL);
        same_name_everywhere(StationStatus::ALL);
        same_name_everywhere(StockLevel::ALL);
        same_name_everywhere(Role::ALL);
        same_name_everywhere(Level::ALL);
        same_name_everywhere(AuditAction::ALL);
        assert_eq!(BatteryState::Available.as_str(), "available");
        assert_eq!(AuditAction::BookingCreated.as_str(), "booking_created");
        assert!("no_such_state".parse::<BatteryState>().is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_database_value_is_the_same_name() {
        use sea_orm::ActiveEnum;
        for &s in BatteryState::ALL {
            assert_eq!(s.to_value(), s.as_str());
            assert_eq!(
                BatteryState::try_from_value(&s.as_str().to_string()).ok(),
                Some(s)
            );
        }
        for &a in AuditAction::ALL {
            assert_eq!(a.to_value(), a.as_str());
        }
        assert!(BatteryState::try_from_value(&"lost".to_string()).is_err());
    }
}
