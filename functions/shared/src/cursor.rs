//! Opaque pagination cursors: a store's "last evaluated key" (string attributes
//! only) as base64url JSON. Each store checks a decoded cursor belongs to the
//! listing it is given to, so a forged cursor cannot reach other partitions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::collections::HashMap;

pub fn encode(position: &HashMap<String, String>) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).expect("a string map always serializes"))
}

/// `None` when the text is not a cursor we could have made.
pub fn decode(cursor: &str) -> Option<HashMap<String, String>> {
    let json = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    serde_json::from_slice(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let position = HashMap::from([("pk".to_owned(), "USER#1".to_owned())]);
        assert_eq!(decode(&encode(&position)), Some(position));
        assert_eq!(decode("!!"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("[1]")), None);
    }
}
