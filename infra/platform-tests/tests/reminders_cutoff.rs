//! A reminder run cut off part-way: the page function's timeout is 1 second and it
//! claims one holder at a time (`ReminderClaimsInFlight=1`), so a page of 300 holders
//! cannot finish in one invocation: the runner kills it in the middle of its groups
//! (with reminders claimed, queued and not yet marked). The cut-off page comes back
//! from its queue, and fired again, the schedule resumes each run from its recorded
//! cursor; lapsed claims are taken again, and every one of 600 holders still ends up
//! with exactly one reminder.

#[path = "support/reminders.rs"]
#[allow(dead_code)]
mod support;

use chrono::Duration;
use platform_tests::Platform;
use std::time::Duration as StdDuration;
use support::*;

#[tokio::test]
async fn a_run_cut_off_part_way_and_run_again_reminds_each_of_600_holders_once() {
    let p = Platform::start_with(&[
        "--param",
        "ReminderPageSize=300",
        "--param",
        "ReminderClaimsInFlight=1",
        "--param",
        "ReminderPageTimeout=1",
        // A cut-off page comes back after six times its timeout, as in AWS.
        "--param",
        "ReminderPagesVisibilitySeconds=6",
    ]);
    let organizer = p.organizer().await;
    let (event, tier) = event_starting(&p, &organizer, Duration::hours(2), 700).await;
    let holders = futures::future::join_all((0..4).map(|_| p.attendee())).await;
    let ids = seed_confirmed(&p, &event, &tier, &holders, 600).await;

    assert!(started(&fire(&p).await, &event));
    // The runner cuts pages off; firing the schedule again (as every 15 minutes in AWS)
    // resumes the run where its record says.
    // Each cut-off run is found stalled 4 s after its last move and fired again: 232 s
    // on a clean 2-core clone beside the other tests, 371 s with a core kept busy. The
    // limit is a safety net five times the first.
    let counts = until_all_reminded(&p, &ids, StdDuration::from_secs(1200), Some(StdDuration::from_secs(3))).await;
    let output = p.runner.output();
    let cut = output.lines().filter(|l| l.contains("SendRemindersFunction") && l.contains("Task timed out")).count();
    assert!(cut > 0, "no page was cut off: the test did not test what it says");
    tokio::time::sleep(StdDuration::from_secs(5)).await;
    let twice = counts.iter().filter(|n| **n > 1).count();
    assert_eq!(twice, 0, "{twice} holders were reminded more than once");
    let after = reminders_by_reservation(&p).await;
    assert!(ids.iter().all(|id| after.get(id) == Some(&1)), "a late duplicate arrived ({cut} pages were cut off)");
}
