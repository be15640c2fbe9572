//! Countries by ISO 3166-1 alpha-2 code.

/// The English short name of the country with `code` (upper-case alpha-2).
pub fn country_name(code: &str) -> Option<&'static str> {
    rust_iso3166::from_alpha2(code).map(|c| c.name)
}

/// Every country as (alpha-2 code, name), for pickers.
pub fn countries() -> impl Iterator<Item = (&'static str, &'static str)> {
    rust_iso3166::ALL.iter().map(|c| (c.alpha2, c.name))
}
