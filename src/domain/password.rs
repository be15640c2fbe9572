//! The password policy for members.

/// A password that satisfies the policy: at least 12 characters, at most
/// 256, not the member's email and not one of the commonly used passwords.
pub struct Password(String);

/// Passwords of 12+ characters that appear in public breach lists often
/// enough to be guessed first. Compared case-insensitively.
const COMMON: &str = include_str!("common_passwords.txt");

impl Password {
    /// Checks `input` for the member whose email is `email`.
    pub fn parse(input: &str, email: &str) -> Result<Self, String> {
        let chars = input.chars().count();
        if chars < 12 {
            return Err("Use at least 12 characters.".into());
        }
        if chars > 256 {
            return Err("Use at most 256 characters.".into());
        }
        let lowered = input.trim().to_lowercase();
        let email = email.trim().to_lowercase();
        let local_part = email.split('@').next().unwrap_or_default();
        if lowered == email || (local_part.len() >= 4 && lowered == local_part) {
            return Err("Do not use your email address as your password.".into());
        }
        let first = lowered.chars().next();
        if lowered.chars().all(|c| Some(c) == first) {
            return Err("Use more than one repeated character.".into());
        }
        if COMMON.lines().any(|common| common.trim() == lowered) {
            return Err("This password is too common; choose one that is harder to guess.".into());
        }
        Ok(Self(input.to_string()))
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(Password::parse("short", "a@b.io").is_err());
        assert!(Password::parse("ana.lima@example.com", "ana.lima@example.com").is_err());
        assert!(Password::parse("aaaaaaaaaaaaaaa", "a@b.io").is_err());
        assert!(Password::parse("Password1234", "a@b.io").is_err());
        assert!(Password::parse("correct horse battery", "a@b.io").is_ok());
    }
}
