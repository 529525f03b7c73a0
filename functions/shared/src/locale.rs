//! The languages the platform speaks to people in (emails, documents), and how a
//! person's is found: their account's choice, else their browser's
//! `Accept-Language` (RFC 9110), else English.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Fr,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Fr];

    /// The BCP 47 primary tag: `en`, `fr`.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }

    /// `en`, `fr`, and their regional forms (`fr-BE`, `en_GB`), any case.
    pub fn parse(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The first language of an `Accept-Language` header we speak, by its
    /// weights (`q`); `None` when it names none of ours.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut ranked: Vec<(f32, usize, Language)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let language = Language::parse(pieces.next()?)?;
                let q = pieces
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, language))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|(_, _, language)| *language)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_accept_language_headers() {
        assert_eq!(Language::parse("fr-BE"), Some(Language::Fr));
        assert_eq!(Language::parse("EN_gb"), Some(Language::En));
        assert_eq!(Language::parse("de"), None);
        assert_eq!(Language::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"), Some(Language::Fr));
        assert_eq!(Language::from_accept_language("de-DE, en;q=0.5, fr;q=0.7"), Some(Language::Fr));
        assert_eq!(Language::from_accept_language("en;q=0.9, fr"), Some(Language::Fr));
        assert_eq!(Language::from_accept_language("fr;q=0, en;q=0.1"), Some(Language::En));
        assert_eq!(Language::from_accept_language("de, *"), None);
        assert_eq!(Language::from_accept_language(""), None);
        assert_eq!(serde_json::to_string(&Language::Fr).unwrap(), "\"fr\"");
    }
}
