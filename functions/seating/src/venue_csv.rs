//! A seat map from a venue's CSV, one seat per line, with a header:
//!
//! ```text
//! section,row,seat,x,y,tier[,accessible][,restricted_view]
//! Nord,A,1,120.5,40,Standard
//! Nord,A,2,125.5,40,Standard
//! ```
//!
//! Sections and rows come in the order they first appear, seats in line order
//! (adjacent lines of a row are seats side by side). `tier` is a tier's id or its
//! name. The flags are `true`/`false`, `yes`/`no` or `1`/`0`, empty for no. A bad
//! line is named as `line <n>.<column>` (the header is line 1), as a 422 says it.

use crate::Problem;
use crate::map::{MAX_COORDINATE, MAX_SEATS, MAX_SECTION_NAME, RowSpec, SeatSpec, SectionSpec, valid_label};

const COLUMNS: [&str; 8] = ["section", "row", "seat", "x", "y", "tier", "accessible", "restricted_view"];
const REQUIRED: usize = 6;

/// `tiers`: the event's tiers as (id, name).
pub fn parse(text: &str, tiers: &[(&str, &str)]) -> Result<Vec<SectionSpec>, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase().replace([' ', '-'], "_")).collect(),
        Err(err) => return Err(vec![Problem::new("line 1", format!("is not CSV: {err}"))]),
    };
    let mut index = [None; 8];
    let mut problems = Vec::new();
    for (i, column) in header.iter().enumerate() {
        match COLUMNS.iter().position(|c| c == column) {
            Some(c) => index[c] = Some(i),
            None => {
                problems.push(Problem::new("line 1", format!("'{column}' is not a column ({})", COLUMNS.join(", "))))
            }
        }
    }
    for (c, name) in COLUMNS.iter().enumerate().take(REQUIRED) {
        if index[c].is_none() {
            problems.push(Problem::new("line 1", format!("the column '{name}' is missing")));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut sections: Vec<SectionSpec> = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        if n >= MAX_SEATS {
            return Err(vec![Problem::new(format!("line {line}"), format!("a map has at most {MAX_SEATS} seats"))]);
        }
        let record = match record {
            Ok(r) => r,
            Err(err) => {
                problems.push(Problem::new(
                    format!("line {line}"),
                    format!("is not a CSV line of the header's columns: {err}"),
                ));
                continue;
            }
        };
        let cell = |c: usize| index[c].and_then(|i| record.get(i)).unwrap_or("");
        let at = |c: usize| format!("line {line}.{}", COLUMNS[c]);
        let before = problems.len();
        let section = cell(0);
        if section.is_empty() || section.chars().count() > MAX_SECTION_NAME {
            problems.push(Problem::new(at(0), format!("must be 1 to {MAX_SECTION_NAME} characters")));
        }
        for c in [1, 2] {
            if !valid_label(cell(c)) {
                problems.push(Problem::new(at(c), "must be 1 to 8 letters, digits or '-'"));
            }
        }
        let mut coordinate = |c: usize| match cell(c).parse::<f64>() {
            Ok(v) if (0.0..=MAX_COORDINATE).contains(&v) => v,
            _ => {
                problems.push(Problem::new(at(c), format!("must be a number from 0 to {MAX_COORDINATE}")));
                0.0
            }
        };
        let (x, y) = (coordinate(3), coordinate(4));
        let tier = cell(5);
        let tier_id = tiers.iter().find(|(id, name)| *id == tier || name.eq_ignore_ascii_case(tier)).map(|(id, _)| *id);
        if tier_id.is_none() {
            problems
                .push(Problem::new(at(5), format!("'{tier}' is neither the id nor the name of a tier of this event")));
        }
        let mut flag = |c: usize| match cell(c).to_lowercase().as_str() {
            "" | "false" | "no" | "0" => false,
            "true" | "yes" | "1" => true,
            _ => {
                problems.push(Problem::new(at(c), "must be true or false"));
                false
            }
        };
        let (accessible, restricted_view) = (flag(6), flag(7));
        if problems.len() > before {
            continue;
        }
        let tier_id = tier_id.unwrap_or_default();
        let position = match sections.iter().position(|s| s.name.eq_ignore_ascii_case(section)) {
            Some(p) => {
                if sections[p].tier_id != tier_id {
                    problems.push(Problem::new(
                        at(5),
                        format!("section {section} is priced by one tier; an earlier line says another"),
                    ));
                    continue;
                }
                p
            }
            None => {
                sections.push(SectionSpec { name: section.to_owned(), tier_id: tier_id.to_owned(), rows: Vec::new() });
                sections.len() - 1
            }
        };
        let rows = &mut sections[position].rows;
        let row = match rows.iter().position(|r| r.label.eq_ignore_ascii_case(cell(1))) {
            Some(r) => r,
            None => {
                rows.push(RowSpec { label: cell(1).to_owned(), seats: Vec::new() });
                rows.len() - 1
            }
        };
        rows[row].seats.push(SeatSpec { label: cell(2).to_owned(), x, y, accessible, restricted_view });
    }
    if problems.is_empty() { Ok(sections) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::validate;

    const TIERS: [(&str, &str); 2] = [("t1", "Standard"), ("t2", "Away")];

    #[test]
    fn a_venue_reads_in_line_order_with_tiers_by_name_or_id() {
        let text = "section,row,seat,x,y,tier,accessible\n\
                    Nord,A,1,10,5,standard,\n\
                    Nord,A,2,12,5,Standard,yes\n\
                    Gäste,1,1,90,5,t2,\n\
                    Nord,B,1,10,8,t1,0\n";
        let sections = parse(text, &TIERS).unwrap();
        assert_eq!(sections.len(), 2);
        assert_eq!((sections[0].name.as_str(), sections[0].tier_id.as_str()), ("Nord", "t1"));
        assert_eq!(sections[0].rows.iter().map(|r| r.seats.len()).collect::<Vec<_>>(), [2, 1]);
        assert!(sections[0].rows[0].seats[1].accessible);
        assert_eq!(sections[1].tier_id, "t2");
        assert!(validate(&sections, &["t1", "t2"]).is_empty());
    }

    #[test]
    fn the_documented_example_hall_reads_as_a_valid_2000_seat_map() {
        let text = include_str!("../../../docs/venues/hall-2000.csv");
        let tiers = [("t1", "Stalls"), ("t2", "Circle"), ("t3", "Balcony")];
        let sections = parse(text, &tiers).unwrap();
        assert!(validate(&sections, &["t1", "t2", "t3"]).is_empty());
        let (map, _) = crate::map::renumber(None, &sections, false).unwrap();
        assert_eq!(map.seat_count(), 2000);
        assert_eq!(map.sections.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Stalls", "Circle", "Balcony"]);
    }

    #[test]
    fn bad_lines_are_named_by_line_and_column() {
        let text = "section,row,seat,x,y,tier\nNord,A,1,1,5,Standard\nNord,A,2,ten,5,Standard\nNord,A,3,1,5,VIP\n\
                    Nord,A,4,1,5,Away\n";
        let problems = parse(text, &TIERS).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["line 3.x", "line 4.tier", "line 5.tier"]);
        assert!(problems[2].message.contains("priced by one tier"), "{problems:?}");
        let problems = parse("section,row,seat,x,tier\n", &TIERS).unwrap_err();
        assert!(problems[0].message.contains("'y' is missing"), "{problems:?}");
        let problems = parse("section,row,seat,x,y,tier\nNord,A,1,1,1\n", &TIERS).unwrap_err();
        assert_eq!(problems[0].field, "line 2");
    }
}
