//! The JSON codec of every server fn's answer and of `AppError`: the same bytes and content
//! type as server_fn's `Json`, read in the browser as text.
//!
//! server_fn's own `JsonEncoding` reads answers with `serde_json::from_slice`, while island
//! props and feed messages are read from strings (`from_str`). serde_json compiles its whole
//! decoder once per reader type, so the browser carried every answer type's decoder twice
//! (about 59 KB of the main bundle before `wasm-opt`, README "Browser weight"). Reading the
//! answer as UTF-8 text first keeps one reader. Requests are unchanged (`PostUrl`, so the
//! forms work without JavaScript).
use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{Serialize, de::DeserializeOwned};

/// JSON, written as server_fn's `JsonEncoding` writes it and read from a `&str`.
pub struct JsonText;

/// The `output` of every server fn: a `POST` answered with [`JsonText`].
pub type JsonAnswer = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| <serde_json::Error as serde::de::Error>::custom("answer is not UTF-8"))?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn writes_what_server_fns_json_writes_and_reads_it_back() {
        let value = AppError::NoneOfModel("LX-48".into());
        let ours = <JsonText as Encodes<AppError>>::encode(&value).expect("encodes");
        let theirs = serde_json::to_vec(&value).expect("encodes");
        assert_eq!(ours.as_ref(), theirs.as_slice());
        let back: AppError = JsonText::decode(ours).expect("decodes");
        assert_eq!(back, value);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_an_error_not_a_panic() {
        let bad = Bytes::from_static(b"\"\xff\"");
        assert!(<JsonText as Decodes<String>>::decode(bad).is_err());
    }
}
