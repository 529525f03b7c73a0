//! Ticket codes: one per seat, 128 bits from the operating system's CSPRNG,
//! base64url without padding (22 characters), so a code cannot be guessed and
//! travels in a URL or a QR code as it is.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

pub fn new_codes(quantity: u32) -> Vec<String> {
    (0..quantity)
        .map(|_| {
            let mut bytes = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            URL_SAFE_NO_PAD.encode(bytes)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_unguessable_url_safe_code_per_seat() {
        let codes = new_codes(50);
        assert_eq!(codes.len(), 50);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 22 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'))
        );
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 50);
        assert_eq!(URL_SAFE_NO_PAD.decode(&codes[0]).unwrap().len(), 16, "128 bits");
    }
}
