//! Password hashing with Argon2id, the parameters OWASP recommends (19 MiB of
//! memory, 2 passes, 1 lane), stored in the self-describing PHC string format so
//! the parameters can be raised later without breaking existing hashes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// Argon2id needs 19 MiB per hash. glibc serves such blocks from its heap arenas
/// once a first one has been freed (its mmap threshold rises to the block's size),
/// and with one arena per thread the process kept growing: `LoginFunction` reached
/// 2 GB after 200 logins. A fixed threshold of 1 MiB makes every block a fresh
/// mapping, returned to the system when the hash is done, so memory stays bounded.
fn bound_memory() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only changes the allocator's policy for later allocations.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        }
    });
}

fn argon2() -> Argon2<'static> {
    bound_memory();
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password.as_bytes(), &salt).expect("hashing with a fresh salt cannot fail").to_string()
}

/// Constant-time verification (the comparison inside argon2 is constant-time).
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A real hash with our parameters that no password matches in practice.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("a password nobody has, for timing only"))
}

/// Spends the same work as a real verification, so that an unknown email takes
/// as long to refuse as a wrong password. Always `false`.
pub fn verify_against_nothing(password: &str) -> bool {
    verify(password, dummy_hash())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let stored = hash("correct horse battery staple");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery staple", &stored));
        assert!(!verify("correct horse battery stapler", &stored));
    }

    #[test]
    fn salts_differ_and_garbage_never_verifies() {
        assert_ne!(hash("same password here"), hash("same password here"));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn the_stand_in_check_does_a_real_verification_with_our_parameters() {
        assert!(dummy_hash().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "same cost as a real account's hash");
        assert!(!verify_against_nothing("anything"));
        assert!(!verify_against_nothing(""));
    }
}
