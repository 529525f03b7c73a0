//! What a buyer keeps: the tickets as a PDF (a page per ticket, with the QR code
//! the door scans) and the event as a calendar file (RFC 5545, in the event's own
//! time zone). Both are made from the booking alone, in the Lambda, no I/O.

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use printpdf::{BuiltinFont, Color, Mm, PdfDocument, Rect, Rgb};
use shared::locale::Language;

/// One ticket as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPage {
    pub code: String,
    /// The signed code (what the QR code holds).
    pub pass: String,
    pub seat: Option<String>,
}

/// A booking's tickets, for their pages and their calendar entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub reservation_id: String,
    pub event_title: String,
    /// "Venue name, City".
    pub venue: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub timezone: Tz,
    pub tier_name: String,
    pub holder: String,
    /// Tickets name their holder (checked with an ID at the gate).
    pub named: bool,
    pub tickets: Vec<TicketPage>,
}

/// The words on the pages, per language (the documents' message catalogue).
struct Words {
    when: &'static str,
    place: &'static str,
    tier: &'static str,
    seat: &'static str,
    holder: &'static str,
    named_holder: &'static str,
    code: &'static str,
    ticket_of: &'static str,
    reservation: &'static str,
    footer: &'static str,
    locale: chrono::Locale,
}

fn words(language: Language) -> Words {
    match language {
        Language::En => Words {
            when: "When",
            place: "Where",
            tier: "Tier",
            seat: "Seat",
            holder: "Holder",
            named_holder: "Holder (ID checked at the gate)",
            code: "Code",
            ticket_of: "Ticket {n} of {total}",
            reservation: "Reservation",
            footer: "Show this page (printed or on a phone) at the gate. Each ticket lets one person in once.",
            locale: chrono::Locale::en_GB,
        },
        Language::Fr => Words {
            when: "Date",
            place: "Lieu",
            tier: "Catégorie",
            seat: "Place",
            holder: "Titulaire",
            named_holder: "Titulaire (pièce d'identité contrôlée à l'entrée)",
            code: "Code",
            ticket_of: "Billet {n} sur {total}",
            reservation: "Réservation",
            footer: "Présentez cette page (imprimée ou sur un téléphone) à l'entrée. Chaque billet fait entrer une personne, une fois.",
            locale: chrono::Locale::fr_FR,
        },
    }
}

/// The start where the event is: "Saturday 1 June 2030, 20:00 (Europe/Paris)".
fn local_start(booking: &Booking, words: &Words) -> Option<String> {
    let start = booking.starts_at?.with_timezone(&booking.timezone);
    Some(format!("{} ({})", start.format_localized("%A %-d %B %Y, %H:%M", words.locale), booking.timezone.name()))
}

/// The tickets as an A4 PDF, one page per ticket.
pub fn tickets_pdf(booking: &Booking, language: Language) -> Result<Vec<u8>, String> {
    let w = words(language);
    let (doc, first_page, first_layer) = PdfDocument::new(&booking.event_title, Mm(210.0), Mm(297.0), "ticket");
    let regular = doc.add_builtin_font(BuiltinFont::Helvetica).map_err(|e| e.to_string())?;
    let bold = doc.add_builtin_font(BuiltinFont::HelveticaBold).map_err(|e| e.to_string())?;
    let mono = doc.add_builtin_font(BuiltinFont::Courier).map_err(|e| e.to_string())?;
    let total = booking.tickets.len();
    for (i, ticket) in booking.tickets.iter().enumerate() {
        let (page, layer) =
            if i == 0 { (first_page, first_layer) } else { doc.add_page(Mm(210.0), Mm(297.0), "ticket") };
        let layer = doc.get_page(page).get_layer(layer);
        let ticket_of = w.ticket_of.replace("{n}", &(i + 1).to_string()).replace("{total}", &total.to_string());
        layer.use_text(ticket_of, 11.0, Mm(20.0), Mm(277.0), &regular);
        layer.use_text(&booking.event_title, 22.0, Mm(20.0), Mm(265.0), &bold);

        // The QR code: dark modules as filled squares, a quiet zone around them.
        let code = qrcode::QrCode::with_error_correction_level(ticket.pass.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| e.to_string())?;
        let modules = code.width();
        let size = 90.0_f32;
        let module = size / (modules as f32 + 8.0);
        let (left, top) = (60.0_f32, 250.0_f32);
        layer.set_fill_color(Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)));
        for (index, color) in code.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (x, y) = ((index % modules) as f32, (index / modules) as f32);
                let llx = left + (x + 4.0) * module;
                let ury = top - (y + 4.0) * module;
                layer.add_rect(Rect::new(Mm(llx), Mm(ury - module), Mm(llx + module), Mm(ury)));
            }
        }

        let mut y = top - size - 10.0;
        let mut line = |label: &str, value: &str| {
            layer.use_text(label, 10.0, Mm(20.0), Mm(y), &regular);
            layer.use_text(value, 13.0, Mm(75.0), Mm(y), &bold);
            y -= 9.0;
        };
        if let Some(when) = local_start(booking, &w) {
            line(w.when, &when);
        }
        if let Some(venue) = &booking.venue {
            line(w.place, venue);
        }
        line(w.tier, &booking.tier_name);
        if let Some(seat) = &ticket.seat {
            line(w.seat, seat);
        }
        line(if booking.named { w.named_holder } else { w.holder }, &booking.holder);
        layer.use_text(w.code, 10.0, Mm(20.0), Mm(y), &regular);
        layer.use_text(&ticket.code, 13.0, Mm(75.0), Mm(y), &mono);
        y -= 9.0;
        layer.use_text(format!("{} {}", w.reservation, booking.reservation_id), 9.0, Mm(20.0), Mm(y), &regular);
        layer.use_text(w.footer, 9.0, Mm(20.0), Mm(20.0), &regular);
    }
    doc.save_to_bytes().map_err(|e| e.to_string())
}

/// The event as an iCalendar file (RFC 5545), in the event's time zone: a
/// VTIMEZONE describing the zone's offset at the event, then the VEVENT.
pub fn calendar_ics(booking: &Booking, now: DateTime<Utc>) -> Option<String> {
    let start = booking.starts_at?;
    let zone = booking.timezone;
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).format("%Y%m%dT%H%M%S").to_string();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Ticketing platform//Tickets//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VTIMEZONE".to_owned(),
        format!("TZID:{}", zone.name()),
    ];
    // One observance per distinct offset the event spans (its start and end).
    let mut seen = Vec::new();
    for instant in std::iter::once(start).chain(booking.ends_at) {
        let offset = zone.offset_from_utc_datetime(&instant.naive_utc());
        let seconds = offset.fix().local_minus_utc();
        if seen.contains(&seconds) {
            continue;
        }
        seen.push(seconds);
        let kind = if offset.dst_offset().num_seconds() != 0 { "DAYLIGHT" } else { "STANDARD" };
        let utc_offset = format!(
            "{}{:02}{:02}",
            if seconds < 0 { '-' } else { '+' },
            seconds.abs() / 3600,
            seconds.abs() % 3600 / 60
        );
        lines.extend([
            format!("BEGIN:{kind}"),
            format!("DTSTART:{}", local(instant)),
            format!("TZOFFSETFROM:{utc_offset}"),
            format!("TZOFFSETTO:{utc_offset}"),
            format!("TZNAME:{}", offset.abbreviation().unwrap_or(zone.name())),
            format!("END:{kind}"),
        ]);
    }
    lines.push("END:VTIMEZONE".to_owned());
    let seats: Vec<&str> = booking.tickets.iter().filter_map(|t| t.seat.as_deref()).collect();
    let mut description = format!("{} x {}", booking.tickets.len(), booking.tier_name);
    if !seats.is_empty() {
        description.push_str(&format!(" ({})", seats.join("; ")));
    }
    lines.extend([
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@tickets", booking.reservation_id),
        format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART;TZID={}:{}", zone.name(), local(start)),
    ]);
    if let Some(end) = booking.ends_at.filter(|end| *end > start) {
        lines.push(format!("DTEND;TZID={}:{}", zone.name(), local(end)));
    }
    lines.push(format!("SUMMARY:{}", escape(&booking.event_title)));
    if let Some(venue) = &booking.venue {
        lines.push(format!("LOCATION:{}", escape(venue)));
    }
    lines.extend([
        format!("DESCRIPTION:{}", escape(&description)),
        "STATUS:CONFIRMED".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ]);
    Some(lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("\r\n") + "\r\n")
}

/// RFC 5545 §3.3.11: backslash, semicolon, comma and newlines escaped in TEXT.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\\n").replace('\n', "\\n")
}

/// RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF and a space), never
/// inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut folded = String::with_capacity(line.len() + line.len() / 74 * 3);
    let mut used = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if used + len > 75 {
            folded.push_str("\r\n ");
            used = 1;
        }
        folded.push(ch);
        used += len;
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking() -> Booking {
        Booking {
            reservation_id: "r-1".into(),
            event_title: "Finale, the cup; \"à Lyon\"".into(),
            venue: Some("Stade des Lumières, Décines".into()),
            starts_at: Some(Utc.with_ymd_and_hms(2030, 6, 1, 18, 0, 0).unwrap()),
            ends_at: Some(Utc.with_ymd_and_hms(2030, 6, 1, 20, 0, 0).unwrap()),
            timezone: chrono_tz::Europe::Paris,
            tier_name: "Tribune Nord".into(),
            holder: "Éloïse Dupré".into(),
            named: true,
            tickets: vec![
                TicketPage {
                    code: "AAAABBBBCCCCDDDDEEEEFF".into(),
                    pass: "x.y.z".into(),
                    seat: Some("Nord, row C, seat 12".into()),
                },
                TicketPage {
                    code: "GGGGHHHHIIIIJJJJKKKKLL".into(),
                    pass: "x.y.w".into(),
                    seat: Some("Nord, row C, seat 13".into()),
                },
            ],
        }
    }

    #[test]
    fn a_page_per_ticket_with_what_the_gate_needs_in_the_holders_language() {
        for (language, word) in [(Language::En, "samedi"), (Language::Fr, "samedi")] {
            let pdf = tickets_pdf(&booking(), language).unwrap();
            let doc = lopdf::Document::load_mem(&pdf).expect("a PDF a reader opens");
            assert_eq!(doc.get_pages().len(), 2);
            let page = doc.extract_text(&[1]).unwrap();
            for expected in ["AAAABBBBCCCCDDDDEEEEFF", "Nord, row C, seat 12", "Tribune Nord", "Europe/Paris"] {
                assert!(page.contains(expected), "{language:?} page 1 lacks {expected}: {page}");
            }
            let second = doc.extract_text(&[2]).unwrap();
            assert!(second.contains("GGGGHHHHIIIIJJJJKKKKLL"), "{second}");
            if language == Language::Fr {
                assert!(page.contains(word) && page.contains("Billet 1 sur 2"), "{page}");
            } else {
                assert!(page.contains("Saturday 1 June 2030, 20:00") && page.contains("Ticket 1 of 2"), "{page}");
            }
        }
    }

    #[test]
    fn the_calendar_file_parses_and_keeps_the_events_zone() {
        let ics = calendar_ics(&booking(), Utc.with_ymd_and_hms(2030, 5, 1, 0, 0, 0).unwrap()).unwrap();
        assert!(ics.lines().all(|l| l.len() <= 76), "folded at 75 octets");
        assert!(ics.contains("DTSTART;TZID=Europe/Paris:20300601T200000\r\n"), "{ics}");
        assert!(ics.contains("DTEND;TZID=Europe/Paris:20300601T220000\r\n"), "{ics}");
        assert!(ics.contains("TZOFFSETTO:+0200") && ics.contains("BEGIN:DAYLIGHT"), "{ics}");
        let calendar: icalendar::Calendar = ics.parse().expect("an iCalendar parser reads it");
        let event = calendar.components.iter().find_map(|c| c.as_event()).expect("a VEVENT");
        use icalendar::{Component, EventLike};
        assert_eq!(event.get_summary(), Some("Finale, the cup; \"à Lyon\""), "escaped and read back");
        assert_eq!(event.get_location(), Some("Stade des Lumières, Décines"));
        assert_eq!(event.get_uid(), Some("r-1@tickets"));
        // No start, no calendar entry.
        assert!(calendar_ics(&Booking { starts_at: None, ..booking() }, Utc::now()).is_none());
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&line);
        assert!(folded.split("\r\n").all(|part| part.len() <= 75));
        assert_eq!(folded.replace("\r\n ", ""), line);
    }
}
