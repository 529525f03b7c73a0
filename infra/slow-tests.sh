#!/usr/bin/env bash
# The slowest platform tests mostly wait on the chain (visibility timeouts, the
# sweeper, 600 holders' emails, a 40-second hold), each file against a runner of its
# own: `make test` runs them beside the other tests instead of after them.
#   slow-tests.sh skips   the --skip arguments that keep them out of `cargo test`
#   slow-tests.sh start   starts them in the background (test binaries built already)
#   slow-tests.sh wait    waits for them, prints their output, fails if they failed
#   slow-tests.sh stop    stops them (make's EXIT trap)
set -euo pipefail
cd "$(dirname "$0")/.."
TESTS=(faults reminders_cutoff three_d_secure)
# What `cargo test` skips (substrings of test names): three_d_secure's tests are all under `sca::`.
NAMES=(nothing_is_lost_oversold_charged_or_told_twice_when_processes_die
       a_run_cut_off_part_way_and_run_again_reminds_each_of_600_holders_once
       sca::)
dir=target/slow-tests
case "${1:-}" in
  skips)
    for name in "${NAMES[@]}"; do printf -- '--skip %s ' "$name"; done
    ;;
  start)
    rm -rf "$dir" && mkdir -p "$dir"
    # The workspace's own build of them (one package alone would unify features
    # differently and build them again). Their file names are unique in the workspace.
    built=$(cargo test --workspace --no-run 2>&1)
    bins=()
    for test in "${TESTS[@]}"; do
      bin=$(sed -n "s/.*Executable tests\/$test\.rs (\(.*\))/\1/p" <<< "$built")
      [ -n "$bin" ] || { echo "slow-tests: no test binary for $test" >&2; exit 1; }
      bins+=("$PWD/$bin")
    done
    # Its own process group, so `stop` ends the tests and the runners they started.
    setsid bash -c 'cd infra/platform-tests; status=0
      for bin in "$@"; do "$bin" --nocapture || status=1; done
      echo "$status" > ../../'"$dir"'/status' _ "${bins[@]}" > "$dir/log" 2>&1 < /dev/null &
    echo $! > "$dir/pid"
    echo "==> started beside the others: ${TESTS[*]}"
    ;;
  wait)
    while [ ! -s "$dir/status" ]; do sleep 2; done
    echo "==> the slow platform tests (${TESTS[*]}), run beside the others:"
    cat "$dir/log"
    [ "$(cat "$dir/status")" = 0 ]
    ;;
  stop)
    if [ -s "$dir/pid" ] && [ ! -s "$dir/status" ]; then kill -- -"$(cat "$dir/pid")" 2>/dev/null || true; fi
    ;;
  *) echo "usage: $0 skips|start|wait|stop" >&2; exit 2 ;;
esac
