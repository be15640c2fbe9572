//! Countries by ISO 3166-1 alpha-2 code.

/// The English short name of the country with `code` (upper-case alpha-2).
pub fn country_name(code: &str) -> Option<&'static str> {
    rust_iso3166::from_alpha2(code).map(|c| without_footnote(c.name))
}

/// Every country as (alpha-2 code, name), for pickers.
pub fn countries() -> impl Iterator<Item = (&'static str, &'static str)> {
    rust_iso3166::ALL.iter().map(|c| (c.alpha2, without_footnote(c.name)))
}

/// The name without the footnote mark some names carry in the ISO list the
/// crate was generated from ("Svalbard and Jan Mayen[e]").
fn without_footnote(name: &'static str) -> &'static str {
    match name.strip_suffix(']').and_then(|n| n.rfind('[').map(|at| &name[..at])) {
        Some(bare) if name.len() - bare.len() <= 4 => bare.trim_end(),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_names() {
        assert_eq!(country_name("SJ"), Some("Svalbard and Jan Mayen"));
        assert_eq!(country_name("FR"), Some("France"));
        assert!(countries().all(|(_, name)| !name.contains('[') && !name.contains(']')));
    }
}
