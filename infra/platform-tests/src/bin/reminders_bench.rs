//! `make bench`'s reminders line: an event with N confirmed holders (5,000 by
//! default), the reminder schedule fired once, and the time from the firing to the
//! last reminder email SES took, end to end on the local stack (the page function,
//! the notifications queue, its consumer, moto's SES). A measurement, not a test:
//! it prints figures and fails only if reminders go missing or are doubled.
//! Usage: reminders_bench [holders, default 5000] [runner arguments...]

#[path = "../../tests/support/reminders.rs"]
#[allow(dead_code)]
mod support;

use platform_tests::Platform;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use support::*;

/// The reservation ids of the reminders the notification consumer reported sent
/// in these log lines (its "notification done" lines, keyed `<reservation>:reminder:<start>`).
fn reminded(lines: &str) -> Vec<String> {
    lines
        .lines()
        .filter_map(|line| line.strip_prefix("[SendNotificationsFunction] "))
        .filter(|line| line.contains("notification done") && line.contains(":reminder:"))
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|log| log["outcome"] == "sent")
        .filter_map(|log| log["key"].as_str().and_then(|k| k.split(':').next()).map(str::to_owned))
        .collect()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let holders: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5000);
    // The template's own page size, timeout and claims in flight, unless overridden
    // (further arguments go to the runner, e.g. `--param LogLevel=DEBUG`).
    let runner_args: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let p = Platform::start_with(&runner_args);
    let organizer = p.organizer().await;
    let (event, tier) = event_starting(&p, &organizer, chrono::Duration::hours(2), holders as u32 + 10).await;
    let accounts = futures::future::join_all((0..20).map(|_| p.attendee())).await;
    let seeding = Instant::now();
    let ids = seed_confirmed(&p, &event, &tier, &accounts, holders).await;
    println!(
        "Reminders: {holders} confirmed holders seeded in {:.1} s; firing the schedule",
        seeding.elapsed().as_secs_f64()
    );

    let fired = Instant::now();
    assert!(started(&fire(&p).await, &event), "the schedule did not start the event's run");
    let wanted: HashSet<&String> = ids.iter().collect();
    let limit = Duration::from_secs(600);
    let (mut last_change, mut last_count) = (fired, 0);
    // Only new output is parsed each round: re-reading megabytes of logs twice a
    // second took a third of a core from the platform being measured.
    let (mut read_to, mut done) = (0, HashSet::new());
    let seen = loop {
        let (lines, next) = p.runner.output_since(read_to);
        read_to = next;
        done.extend(reminded(&lines).into_iter().filter(|id| wanted.contains(id)));
        let seen = done.len();
        if seen != last_count {
            (last_change, last_count) = (Instant::now(), seen);
        }
        if seen == holders || fired.elapsed() > limit {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let elapsed = last_change.duration_since(fired).as_secs_f64();
    let pages = p.runner.output().matches("\"reminder page\"").count();
    println!(
        "Reminders: {seen} of {holders} holders reminded in {elapsed:.1} s from firing to the last email ({:.0} holders/s, {pages} pages)",
        seen as f64 / elapsed
    );
    let counts = reminders_by_reservation(&p).await;
    let twice = ids.iter().filter(|id| counts.get(*id).copied().unwrap_or(0) > 1).count();
    let queued = reminders_queued(&p, &event);
    println!("Reminders: {queued} queued by the pages, {twice} holders emailed twice");
    if let Ok(path) = std::env::var("REMINDERS_BENCH_LOG") {
        std::fs::write(&path, p.runner.output()).expect("the runner's output written");
    }
    assert_eq!(seen, holders, "holders left without a reminder");
    assert_eq!(twice, 0, "holders reminded twice");
}
