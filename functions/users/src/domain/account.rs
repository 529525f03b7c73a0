//! Accounts: what a valid email, password and display name are, and the user as
//! the API shows it.

use serde::Serialize;
use shared::locale::Language;
use shared::{FieldError, Role};

pub const PASSWORD_MIN_CHARS: usize = 12;
/// Long passphrases are welcome, but the hash input stays bounded.
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const DISPLAY_NAME_MAX_CHARS: usize = 80;
pub const EMAIL_MAX_CHARS: usize = 254;

/// A user as stored, without storage details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    /// Lower-cased; `None` once the account is erased.
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Bumped by every password or role change; sessions of an older version are dead.
    pub credentials_version: u64,
    pub deleted: bool,
    /// The language the person chose for emails and the site; `None`: not chosen.
    pub language: Option<Language>,
    /// The organizer's team they are in, and their part in it.
    pub team: Option<shared::auth::Membership>,
}

impl User {
    /// A fresh account: a new id, created now (`at`, RFC 3339).
    pub fn new_account(email: String, display_name: String, role: Role, password_hash: String, at: &str) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            email: Some(email),
            display_name,
            role,
            password_hash: Some(password_hash),
            created_at: at.to_owned(),
            updated_at: at.to_owned(),
            credentials_version: 0,
            language: None,
            deleted: false,
            team: None,
        }
    }
}

/// The API's view of a user: never the hash, never the credentials version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub created_at: String,
    pub updated_at: String,
    pub language: Option<Language>,
    /// The organizer's team the account is in, and its part there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamView {
    pub organization_id: String,
    pub role: shared::auth::TeamRole,
}

impl From<&User> for Profile {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            created_at: user.created_at.clone(),
            updated_at: user.updated_at.clone(),
            language: user.language,
            team: user.team.as_ref().map(|t| TeamView { organization_id: t.organization_id.clone(), role: t.role }),
        }
    }
}

/// Admins cannot change their own role: the platform must not lose its last admin
/// by accident.
pub fn check_role_change(admin_id: &str, target_id: &str) -> Result<(), &'static str> {
    if admin_id == target_id { Err("admins cannot change their own role") } else { Ok(()) }
}

/// Normalises an email (trimmed, lower-cased) and checks it is plausible. Only
/// delivery proves an address; this refuses what is certainly not one.
///
/// ASCII only: a Cyrillic `а` looks like a Latin `a`, so non-ASCII addresses would
/// let one person register a look-alike of another's email. International domains
/// are written in their `xn--` form, which mail servers accept everywhere.
pub fn normalize_email(raw: &str) -> Result<String, FieldError> {
    let email = raw.trim().to_ascii_lowercase();
    let invalid = || FieldError::new("email", "is not a valid email address");
    if !email.is_ascii() {
        return Err(FieldError::new(
            "email",
            "must use ASCII characters only (write an international domain in its xn-- form)",
        ));
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(FieldError::new("email", format!("must be at most {EMAIL_MAX_CHARS} characters")));
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    let allowed_local = |c: char| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c);
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && local.chars().all(allowed_local)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    if local_ok && domain_ok { Ok(email) } else { Err(invalid()) }
}

/// Length rules only, as NIST SP 800-63B recommends: no composition rules.
pub fn check_new_password(field_name: &str, password: &str) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(FieldError::new(field_name, format!("must be at least {PASSWORD_MIN_CHARS} characters")));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(FieldError::new(field_name, format!("must be at most {PASSWORD_MAX_CHARS} characters")));
    }
    Ok(())
}

/// Characters that draw nothing or reorder the text around them: a name made of
/// them looks empty, and bidi overrides make a name read as something else
/// (CVE-2021-42574, "Trojan Source").
fn is_invisible_or_bidi(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}')
}

pub fn normalize_display_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let problem = |message: &str| Err(FieldError::new("displayName", message));
    if name.is_empty() {
        return problem("must not be empty");
    }
    if name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        return Err(FieldError::new("displayName", format!("must be at most {DISPLAY_NAME_MAX_CHARS} characters")));
    }
    if name.chars().any(char::is_control) {
        return problem("must not contain control characters");
    }
    if name.chars().any(is_invisible_or_bidi) {
        return problem("must not contain invisible or text-direction characters");
    }
    if !name.chars().any(char::is_alphanumeric) {
        return problem("must contain at least one letter or digit");
    }
    if name.eq_ignore_ascii_case(ERASED_DISPLAY_NAME) {
        return problem("is reserved; choose another name");
    }
    Ok(name)
}

/// What an erased account keeps: its id and role (for the organizers' accounting), nothing personal.
pub const ERASED_DISPLAY_NAME: &str = "Deleted user";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(normalize_email("  Ada.Lovelace+tix@Example.COM ").unwrap(), "ada.lovelace+tix@example.com");
        assert_eq!(normalize_email("emile@xn--exmple-cua.fr").unwrap(), "emile@xn--exmple-cua.fr");
    }

    #[test]
    fn look_alike_and_other_non_ascii_emails_are_refused() {
        // Cyrillic а (U+0430) in place of Latin a; Turkish dotless ı; German ß.
        for bad in
            ["\u{430}da@example.com", "ada@ex\u{430}mple.com", "\u{131}nfo@example.com", "stra\u{df}e@example.com"]
        {
            let err = normalize_email(bad).unwrap_err();
            assert!(err.message.contains("ASCII"), "{bad:?}: {}", err.message);
        }
    }

    #[test]
    fn absurd_emails_are_refused() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@b.c",
            "a@-b.com",
            "a@b..com",
            "a..b@example.com",
            ".a@example.com",
            "a b@example.com",
            "a@exa mple.com",
            "a@example.123",
            "<script>@x.com",
            "a@b@c.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(normalize_email(&long).is_err());
        let huge = format!("a@{}.com", "b".repeat(300));
        assert!(normalize_email(&huge).unwrap_err().message.contains("at most"));
    }

    #[test]
    fn password_length_bounds() {
        assert!(check_new_password("password", "short").is_err());
        assert!(check_new_password("password", &"x".repeat(PASSWORD_MIN_CHARS)).is_ok());
        assert!(
            check_new_password("password", &"é".repeat(PASSWORD_MAX_CHARS)).is_ok(),
            "counts characters, not bytes"
        );
        let err = check_new_password("newPassword", &"x".repeat(PASSWORD_MAX_CHARS + 1)).unwrap_err();
        assert_eq!(err.field, "newPassword");
    }

    #[test]
    fn display_names_are_tidied_and_bounded() {
        assert_eq!(normalize_display_name("  Ada   Lovelace ").unwrap(), "Ada Lovelace");
        assert!(normalize_display_name("   ").is_err());
        assert!(normalize_display_name(&"n".repeat(DISPLAY_NAME_MAX_CHARS + 1)).is_err());
        assert!(normalize_display_name("bell\u{7}").is_err());
        assert_eq!(normalize_display_name("Zoë Ñúñez 李").unwrap(), "Zoë Ñúñez 李");
    }

    #[test]
    fn invisible_bidi_and_reserved_display_names_are_refused() {
        for bad in [
            "\u{200B}\u{200C}\u{200D}",
            "\u{2060}",
            "\u{FEFF}",
            "\u{3164}",
            "admin\u{202E}nimda",
            "Ada\u{2067}Lovelace",
            "...",
            "Deleted user",
            "  deleted   USER ",
        ] {
            assert!(normalize_display_name(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn profiles_hide_secrets() {
        let user = User {
            id: "u1".into(),
            email: Some("a@example.com".into()),
            display_name: "A".into(),
            role: Role::Attendee,
            password_hash: Some("$argon2id$...".into()),
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            credentials_version: 2,
            language: None,
            deleted: false,
            team: None,
        };
        let json = serde_json::to_value(Profile::from(&user)).unwrap();
        assert_eq!(json["displayName"], "A");
        assert_eq!(json["role"], "attendee");
        assert!(json.get("passwordHash").is_none() && json.get("credentialsVersion").is_none());
    }

    #[test]
    fn admins_cannot_change_their_own_role() {
        assert!(check_role_change("a1", "a1").is_err());
        assert_eq!(check_role_change("a1", "u2"), Ok(()));
    }
}
