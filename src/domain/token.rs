//! Random secrets handed out once (invitation, reset and session links).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh 32-byte secret: the text goes to its holder once, only the
/// SHA-256 is stored.
pub struct SecretToken {
    /// URL-safe text of the secret, to put in a link.
    pub plain: String,
    /// SHA-256 of `plain`, to store.
    pub hash: Vec<u8>,
}

impl SecretToken {
    /// Draws a new token from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        // ThreadRng is a CSPRNG reseeded from the operating system.
        rand::rng().fill_bytes(&mut bytes);
        let plain = URL_SAFE_NO_PAD.encode(bytes);
        let hash = Self::hash(&plain);
        Self { plain, hash }
    }

    /// The stored form of a token presented by a client. Lookups go by this
    /// hash, so a database index compares hashes, never the secret itself.
    pub fn hash(plain: &str) -> Vec<u8> {
        Sha256::digest(plain.as_bytes()).to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_ne!(a.plain, b.plain);
        assert_eq!(a.plain.len(), 43);
        assert_eq!(SecretToken::hash(&a.plain), a.hash);
        assert_ne!(a.hash, a.plain.as_bytes());
    }
}
