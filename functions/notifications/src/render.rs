//! Emails from template files (`templates/<kind>.subject.txt`, `.txt`, `.html`),
//! compiled into the binary. HTML templates escape every value (names and titles
//! are user-supplied); text templates do not need to.

use minijinja::{Environment, context};
use shared::locale::Language;
use shared::messages::{NotificationKind, NotificationRequest, WebhookDisabledNotice};

/// The same template files in every language: `templates/<language>/<name>`.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        (
            &[$(($name, include_str!(concat!("../templates/en/", $name)))),*],
            &[$(($name, include_str!(concat!("../templates/fr/", $name)))),*],
        )
    };
}

type Templates = &'static [(&'static str, &'static str)];

/// English and French, file for file (a missing file fails the build).
const TEMPLATES: (Templates, Templates) = templates![
    "layout.txt",
    "layout.html",
    "reservation_confirmed.subject.txt",
    "reservation_confirmed.txt",
    "reservation_confirmed.html",
    "payment_failed.subject.txt",
    "payment_failed.txt",
    "payment_failed.html",
    "hold_expired.subject.txt",
    "hold_expired.txt",
    "hold_expired.html",
    "reservation_cancelled.subject.txt",
    "reservation_cancelled.txt",
    "reservation_cancelled.html",
    "event_cancelled.subject.txt",
    "event_cancelled.txt",
    "event_cancelled.html",
    "late_payment_refunded.subject.txt",
    "late_payment_refunded.txt",
    "late_payment_refunded.html",
    "reminder.subject.txt",
    "reminder.txt",
    "reminder.html",
    "payment_disputed.subject.txt",
    "payment_disputed.txt",
    "payment_disputed.html",
    "refund_failed.subject.txt",
    "refund_failed.txt",
    "refund_failed.html",
    "tickets_received.subject.txt",
    "tickets_received.txt",
    "tickets_received.html",
    "tickets_transferred.subject.txt",
    "tickets_transferred.txt",
    "tickets_transferred.html",
    "refunded_by_organizer.subject.txt",
    "refunded_by_organizer.txt",
    "refunded_by_organizer.html",
    "partially_refunded.subject.txt",
    "partially_refunded.txt",
    "partially_refunded.html",
    "waiting_list_offer.subject.txt",
    "waiting_list_offer.txt",
    "waiting_list_offer.html",
    "webhook_disabled.subject.txt",
    "webhook_disabled.txt",
    "webhook_disabled.html",
];

fn templates(language: Language) -> Templates {
    match language {
        Language::En => TEMPLATES.0,
        Language::Fr => TEMPLATES.1,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A message that cannot become an email (a template error): no retry will help.
#[derive(Debug, thiserror::Error)]
#[error("cannot render the {kind} email: {source}")]
pub struct RenderError {
    kind: &'static str,
    source: minijinja::Error,
}

pub struct Renderer {
    /// One environment per language, each with the same template names.
    envs: Vec<(Language, Environment<'static>)>,
    /// Where people open their reservations (`PublicBaseUrl`): `<base>/tickets/<id>` (the site's reservation page).
    base_url: Option<String>,
}

impl Default for Renderer {
    fn default() -> Self {
        let envs = Language::ALL
            .into_iter()
            .map(|language| {
                let mut env = Environment::new();
                // Undefined values are mistakes, not empty strings.
                env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
                for (name, source) in templates(language) {
                    env.add_template(name, source).expect("bundled templates parse (checked by a test)");
                }
                (language, env)
            })
            .collect();
        Self { envs, base_url: None }
    }
}

/// `2030-06-01T20:00:00+02:00` → `Saturday 1 June 2030, 20:00` (French: `samedi
/// 1 juin 2030, 20:00`) and `UTC+02:00`: the wall-clock time where the event is,
/// and its offset.
pub fn local_time(rfc3339: &str, language: Language) -> Option<(String, String)> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    let locale = match language {
        Language::En => chrono::Locale::en_GB,
        Language::Fr => chrono::Locale::fr_FR,
    };
    Some((t.format_localized("%A %-d %B %Y, %H:%M", locale).to_string(), t.format("UTC%:z").to_string()))
}

/// `5000` EUR → `50.00 EUR` (French: `50,00 EUR`); `1500` JPY → `1500 JPY`.
pub fn localized_amount(minor: i64, currency: &str, language: Language) -> String {
    let plain = amount(minor, currency);
    match language {
        Language::En => plain,
        Language::Fr => plain.replacen('.', ",", 1),
    }
}

/// `5000` EUR → `50.00 EUR`; `1500` JPY → `1500 JPY`.
pub fn amount(minor: i64, currency: &str) -> String {
    let exponent = iso_currency::Currency::from_code(currency).and_then(|c| c.exponent()).unwrap_or(2) as u32;
    if exponent == 0 {
        return format!("{minor} {currency}");
    }
    let unit = 10_i64.pow(exponent);
    format!(
        "{}{}.{:0width$} {currency}",
        if minor < 0 { "-" } else { "" },
        minor.abs() / unit,
        minor.abs() % unit,
        width = exponent as usize
    )
}

impl Renderer {
    /// Emails with links to `<base_url>/tickets/<id>`.
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        let base = base_url.into().trim().trim_end_matches('/').to_owned();
        Self { base_url: (!base.is_empty()).then_some(base), ..Self::default() }
    }

    pub fn render(
        &self,
        request: &NotificationRequest,
        recipient_name: &str,
        language: Language,
    ) -> Result<Email, RenderError> {
        let kind = request.kind.as_str();
        let b = &request.booking;
        let when = b.starts_at_local.as_deref().and_then(|t| local_time(t, language));
        let values = context! {
            starts_at_pretty => when.as_ref().map(|(local, _)| local.clone()),
            utc_offset => when.as_ref().map(|(_, offset)| offset.clone()),
            timezone => b.timezone,
            venue_address => b.venue_address,
            previous_starts_at => request.previous_starts_at_local.as_deref().and_then(|t| local_time(t, language)).map(|(local, offset)| format!("{local} ({offset})")),
            reservation_url => self.base_url.as_ref().map(|base| format!("{base}/tickets/{}", request.reservation_id)),
            name => recipient_name,
            reservation_id => request.reservation_id,
            event_title => b.event_title,
            venue => b.venue,
            starts_at => b.starts_at_local,
            tier_name => b.tier_name,
            quantity => b.quantity,
            amount => localized_amount(b.amount_minor, &b.currency, language),
            refund_amount => request.refund.as_ref().map(|r| localized_amount(r.amount_minor, &b.currency, language)),
            ticket_codes => b.ticket_codes,
            seats => b.seats,
        };
        let env = &self.envs.iter().find(|(l, _)| *l == language).expect("every language has templates").1;
        let render = |suffix: &str| {
            env.get_template(&format!("{kind}.{suffix}"))
                .and_then(|t| t.render(&values))
                .map_err(|source| RenderError { kind: kind_name(request.kind), source })
        };
        Ok(Email { subject: render("subject.txt")?.trim().to_owned(), text: render("txt")?, html: render("html")? })
    }

    /// The organizer's notice that a webhook endpoint was switched off, with a
    /// link to the site's webhooks page.
    pub fn render_webhook_disabled(
        &self,
        notice: &WebhookDisabledNotice,
        recipient_name: &str,
        language: Language,
    ) -> Result<Email, RenderError> {
        let when = chrono::DateTime::parse_from_rfc3339(&notice.disabled_at)
            .ok()
            .and_then(|t| local_time(&t.to_rfc3339(), language))
            .map_or_else(|| notice.disabled_at.clone(), |(local, offset)| format!("{local} ({offset})"));
        let values = context! {
            name => recipient_name,
            url => notice.url,
            reason => notice.reason,
            disabled_at => when,
            webhooks_url => self.base_url.as_ref().map(|base| format!("{base}/organize/webhooks")),
        };
        let env = &self.envs.iter().find(|(l, _)| *l == language).expect("every language has templates").1;
        let render = |suffix: &str| {
            env.get_template(&format!("webhook_disabled.{suffix}"))
                .and_then(|t| t.render(&values))
                .map_err(|source| RenderError { kind: "webhook_disabled", source })
        };
        Ok(Email { subject: render("subject.txt")?.trim().to_owned(), text: render("txt")?, html: render("html")? })
    }
}

fn kind_name(kind: NotificationKind) -> &'static str {
    kind.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::messages::BookingSummary;

    fn request(kind: NotificationKind, title: &str) -> NotificationRequest {
        NotificationRequest {
            kind,
            reservation_id: "r1".into(),
            user_id: "u1".into(),
            booking: BookingSummary {
                event_id: "e1".into(),
                event_title: title.into(),
                venue: Some("Stade, Lyon".into()),
                starts_at_local: Some("2030-06-01T20:00:00+02:00".into()),
                tier_name: "Standard".into(),
                quantity: 2,
                amount_minor: 5000,
                currency: "EUR".into(),
                ticket_codes: vec!["AAAABBBBCCCCDDDDEEEEFF".into(), "GGGGHHHHIIIIJJJJKKKKLL".into()],
                seats: Vec::new(),
                venue_address: None,
                timezone: None,
            },
            event_starts_at: None,
            previous_starts_at_local: None,
            transfer: None,
            refund: (kind == NotificationKind::PartiallyRefunded)
                .then(|| shared::messages::RefundNotice { refund_id: "f1".into(), amount_minor: 1500 }),
        }
    }

    #[test]
    fn an_organizer_is_told_which_webhook_endpoint_was_switched_off_and_where_to_switch_it_on() {
        let notice = WebhookDisabledNotice {
            organizer_id: "o1".into(),
            endpoint_id: "w1".into(),
            url: "https://hooks.example.com/in?<b>".into(),
            reason: "every delivery failed since 2030-06-01T10:00:00.000Z".into(),
            disabled_at: "2030-06-02T10:00:00.000Z".into(),
        };
        let renderer = Renderer::with_base_url("https://tickets.example.com");
        let email = renderer.render_webhook_disabled(&notice, "Ada", Language::En).unwrap();
        assert_eq!(email.subject, "Your webhook endpoint was switched off");
        assert!(email.text.contains("https://hooks.example.com/in?<b>"), "{}", email.text);
        assert!(email.text.contains("https://tickets.example.com/organize/webhooks"), "{}", email.text);
        assert!(email.html.contains("in?&lt;b&gt;"), "escaped: {}", email.html);
        let french = renderer.render_webhook_disabled(&notice, "Ada", Language::Fr).unwrap();
        assert!(french.text.contains("juin 2030"), "{}", french.text);
        assert!(
            Renderer::default()
                .render_webhook_disabled(&notice, "Ada", Language::En)
                .unwrap()
                .text
                .contains("Webhooks page")
        );
    }

    #[test]
    fn a_confirmation_names_each_tickets_seat() {
        let mut confirmed = request(NotificationKind::ReservationConfirmed, "Cup final");
        confirmed.booking.seats = vec!["Nord, row C, seat 12".into(), "Nord, row C, seat 13".into()];
        let email =
            Renderer::with_base_url("https://tickets.example.com/").render(&confirmed, "Ada", Language::En).unwrap();
        assert!(email.text.contains("AAAABBBBCCCCDDDDEEEEFF (Nord, row C, seat 12)"), "{}", email.text);
        assert!(email.text.contains("GGGGHHHHIIIIJJJJKKKKLL (Nord, row C, seat 13)"), "{}", email.text);
        assert!(email.html.contains("Nord, row C, seat 13"), "{}", email.html);
        assert!(
            email.text.contains(
                "Your tickets as a PDF, and the event for your calendar: https://tickets.example.com/tickets/r1"
            ),
            "{}",
            email.text
        );
        // Without seats, the codes alone.
        let plain = Renderer::with_base_url("https://tickets.example.com/")
            .render(&request(NotificationKind::ReservationConfirmed, "Cup final"), "Ada", Language::En)
            .unwrap();
        assert!(plain.text.contains("  - AAAABBBBCCCCDDDDEEEEFF\n"), "{}", plain.text);
    }

    #[test]
    fn a_reminder_shows_the_local_start_with_its_offset_the_address_codes_and_a_link() {
        let mut reminder = request(NotificationKind::Reminder, "Cup final");
        reminder.booking.timezone = Some("Europe/Paris".into());
        reminder.booking.venue_address = Some("1 rue du Stade, Lyon, FR".into());
        reminder.event_starts_at = Some("2030-06-01T18:00:00Z".into());
        let renderer = Renderer::with_base_url("https://tickets.example.com/");
        let email = renderer.render(&reminder, "Ada", Language::En).unwrap();
        for part in [
            "Saturday 1 June 2030, 20:00",
            "Europe/Paris, UTC+02:00",
            "Stade, Lyon",
            "1 rue du Stade, Lyon, FR",
            "2 x Standard",
            "AAAABBBBCCCCDDDDEEEEFF",
            "https://tickets.example.com/tickets/r1",
        ] {
            assert!(email.text.contains(part), "text lacks {part:?}:\n{}", email.text);
        }
        // minijinja's HTML escaping writes '/' as "&#x2f;", which browsers read back as '/'.
        assert!(email.html.contains("tickets.example.com&#x2f;tickets&#x2f;r1"), "{}", email.html);
        assert!(email.html.contains("UTC+02:00") && email.html.contains("GGGGHHHHIIIIJJJJKKKKLL"));
        assert!(email.subject.contains("Saturday 1 June 2030, 20:00"), "{}", email.subject);
        assert!(!email.text.to_lowercase().contains("time changed"));

        reminder.previous_starts_at_local = Some("2030-06-01T19:00:00+02:00".into());
        let moved = renderer.render(&reminder, "Ada", Language::En).unwrap();
        assert!(moved.subject.contains("new time"), "{}", moved.subject);
        assert!(moved.text.contains("The time changed") && moved.text.contains("Saturday 1 June 2030, 19:00"));
        assert!(moved.html.contains("The time changed"));
    }

    #[test]
    fn every_kind_renders_text_html_and_subject() {
        let renderer = Renderer::default();
        for kind in [
            NotificationKind::ReservationConfirmed,
            NotificationKind::PaymentFailed,
            NotificationKind::HoldExpired,
            NotificationKind::ReservationCancelled,
            NotificationKind::EventCancelled,
            NotificationKind::LatePaymentRefunded,
            NotificationKind::Reminder,
            NotificationKind::PaymentDisputed,
            NotificationKind::RefundFailed,
            NotificationKind::TicketsReceived,
            NotificationKind::TicketsTransferred,
            NotificationKind::RefundedByOrganizer,
            NotificationKind::PartiallyRefunded,
            NotificationKind::WaitingListOffer,
        ] {
            let email = renderer.render(&request(kind, "Cup final"), "Ada", Language::En).unwrap();
            assert!(email.subject.contains("Cup final"), "{kind:?}: {}", email.subject);
            assert!(email.text.contains("Hello Ada") && email.text.contains("50.00 EUR"), "{kind:?}: {}", email.text);
            assert!(email.html.contains("<strong>Cup final</strong>"), "{kind:?}");
            assert!(email.text.contains("2030-06-01T20:00:00+02:00") && email.text.contains("Stade, Lyon"));
        }
    }

    #[test]
    fn the_confirmation_lists_every_ticket_code() {
        let email = Renderer::default()
            .render(&request(NotificationKind::ReservationConfirmed, "Final"), "Ada", Language::En)
            .unwrap();
        for code in ["AAAABBBBCCCCDDDDEEEEFF", "GGGGHHHHIIIIJJJJKKKKLL"] {
            assert!(email.text.contains(code) && email.html.contains(code));
        }
    }

    #[test]
    fn user_supplied_text_is_escaped_in_html() {
        let email = Renderer::default()
            .render(
                &request(NotificationKind::ReservationConfirmed, "<script>alert(1)</script>"),
                "<b>Eve</b>",
                Language::En,
            )
            .unwrap();
        assert!(!email.html.contains("<script>") && email.html.contains("&lt;script&gt;"));
        assert!(!email.html.contains("<b>Eve</b>"));
    }

    #[test]
    fn amounts_follow_the_currencys_minor_unit() {
        assert_eq!(amount(5000, "EUR"), "50.00 EUR");
        assert_eq!(amount(5, "EUR"), "0.05 EUR");
        assert_eq!(amount(1500, "JPY"), "1500 JPY");
        assert_eq!(amount(1234, "BHD"), "1.234 BHD");
    }

    #[test]
    fn every_kind_renders_in_french_with_french_dates_and_amounts() {
        let renderer = Renderer::default();
        for kind in [
            NotificationKind::ReservationConfirmed,
            NotificationKind::PaymentFailed,
            NotificationKind::HoldExpired,
            NotificationKind::ReservationCancelled,
            NotificationKind::EventCancelled,
            NotificationKind::LatePaymentRefunded,
            NotificationKind::Reminder,
            NotificationKind::PaymentDisputed,
            NotificationKind::RefundFailed,
            NotificationKind::TicketsReceived,
            NotificationKind::TicketsTransferred,
            NotificationKind::RefundedByOrganizer,
            NotificationKind::PartiallyRefunded,
            NotificationKind::WaitingListOffer,
        ] {
            let english = renderer.render(&request(kind, "Finale"), "Ada", Language::En).unwrap();
            let french = renderer.render(&request(kind, "Finale"), "Ada", Language::Fr).unwrap();
            assert!(
                french.text.starts_with("Bonjour Ada") && french.text.contains("50,00 EUR"),
                "{kind:?}: {}",
                french.text
            );
            assert!(french.html.contains("<html lang=\"fr\">") && french.html.contains("<strong>Finale</strong>"));
            assert_ne!(english.subject, french.subject, "{kind:?} has its own French subject");
            assert!(french.subject.contains("Finale"), "{kind:?}: {}", french.subject);
        }
        let reminder = renderer.render(&request(NotificationKind::Reminder, "Finale"), "Ada", Language::Fr).unwrap();
        assert!(reminder.subject.contains("samedi 1 juin 2030, 20:00"), "{}", reminder.subject);
    }

    #[test]
    fn each_language_has_every_template_and_the_same_placeholders() {
        let placeholders = |source: &str| {
            let mut names: Vec<String> = source
                .split("{{")
                .skip(1)
                .filter_map(|part| part.split("}}").next())
                .map(|inner| inner.trim().split(['|', '[', ' ']).next().unwrap_or_default().to_owned())
                .collect();
            names.sort();
            names.dedup();
            names
        };
        assert_eq!(TEMPLATES.0.len(), TEMPLATES.1.len());
        for ((en_name, en), (fr_name, fr)) in TEMPLATES.0.iter().zip(TEMPLATES.1) {
            assert_eq!(en_name, fr_name);
            assert_eq!(placeholders(en), placeholders(fr), "{en_name}: the French says other things");
        }
    }
}
