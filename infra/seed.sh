#!/usr/bin/env bash
# Seeds demo data through the public API (the same code paths as any client):
# an admin (made the way an operator makes the first one), a demo organizer and
# attendee, and three published events in different cities and time zones.
# Usage: infra/seed.sh http://127.0.0.1:3000
set -euo pipefail
API=${1:-http://127.0.0.1:3000}
PASSWORD='demo-password-2026'

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
call() { # METHOD PATH TOKEN BODY
  local auth=()
  [ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
  curl -sS -f -X "$1" "$API$2" "${auth[@]}" -H 'content-type: application/json' ${4:+-d "$4"}
}
login() { call POST /auth/login "" "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" | json '["accessToken"]'; }

call POST /_local/functions/BootstrapAdminFunction/invoke "" \
  "{\"email\":\"admin@demo.example\",\"password\":\"$PASSWORD\",\"displayName\":\"Demo Admin\"}" >/dev/null
for who in organizer attendee; do
  call POST /auth/register "" "{\"email\":\"$who@demo.example\",\"password\":\"$PASSWORD\",\"displayName\":\"Demo ${who^}\"}" >/dev/null 2>&1 || true
done
ADMIN=$(login admin@demo.example)
ORGANIZER_ID=$(call GET /users?role=attendee\&limit=100 "$ADMIN" | python3 -c "
import json,sys
print(next(u['id'] for u in json.load(sys.stdin)['items'] if u['email']=='organizer@demo.example'))" 2>/dev/null || true)
[ -n "$ORGANIZER_ID" ] && call PATCH "/users/$ORGANIZER_ID/role" "$ADMIN" '{"role":"organizer"}' >/dev/null
ORGANIZER=$(login organizer@demo.example)

year=$(( $(date -u +%Y) + 1 ))
event() { # JSON
  local id
  id=$(call POST /events "$ORGANIZER" "$1" | json '["id"]')
  call POST "/events/$id/publish" "$ORGANIZER" >/dev/null
  echo "$id"
}
event "{\"title\":\"Cup Final: Lyon v Marseille\",\"category\":\"match\",\"description\":\"The season's last match.\",
  \"venue\":{\"name\":\"Groupama Stadium\",\"address\":\"10 Avenue Simone Veil, Décines-Charpieu\",\"city\":\"Lyon\",\"country\":\"FR\"},
  \"timezone\":\"Europe/Paris\",\"currency\":\"EUR\",
  \"startsAt\":\"$year-05-23T21:00:00+02:00\",\"endsAt\":\"$year-05-23T23:00:00+02:00\",
  \"salesOpensAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"salesClosesAt\":\"$year-05-23T20:00:00+02:00\",
  \"tiers\":[{\"name\":\"Standard\",\"priceMinor\":4500,\"capacity\":500,\"maxPerOrder\":6},
             {\"name\":\"VIP\",\"priceMinor\":15000,\"capacity\":50,\"maxPerOrder\":2}]}" >/dev/null
event "{\"title\":\"Midnight Strings in Concert\",\"category\":\"concert\",\"description\":\"An evening of chamber music.\",
  \"venue\":{\"name\":\"Royal Festival Hall\",\"address\":\"Belvedere Road\",\"city\":\"London\",\"country\":\"GB\"},
  \"timezone\":\"Europe/London\",\"currency\":\"GBP\",
  \"startsAt\":\"$year-03-14T19:30:00+00:00\",\"endsAt\":\"$year-03-14T22:00:00+00:00\",
  \"salesOpensAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"salesClosesAt\":\"$year-03-14T19:00:00+00:00\",
  \"tiers\":[{\"name\":\"Stalls\",\"priceMinor\":3500,\"capacity\":300,\"maxPerOrder\":8},
             {\"name\":\"Balcony\",\"priceMinor\":2200,\"capacity\":200,\"maxPerOrder\":8}]}" >/dev/null
event "{\"title\":\"RustConf Tokyo\",\"category\":\"conference\",\"description\":\"Two days of systems programming talks.\",
  \"venue\":{\"name\":\"Tokyo International Forum\",\"address\":\"3-5-1 Marunouchi, Chiyoda\",\"city\":\"Tokyo\",\"country\":\"JP\"},
  \"timezone\":\"Asia/Tokyo\",\"currency\":\"JPY\",
  \"startsAt\":\"$year-09-10T09:00:00+09:00\",\"endsAt\":\"$year-09-11T18:00:00+09:00\",
  \"salesOpensAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"salesClosesAt\":\"$year-09-09T23:59:00+09:00\",
  \"tiers\":[{\"name\":\"Regular\",\"priceMinor\":30000,\"capacity\":800,\"maxPerOrder\":5},
             {\"name\":\"Student\",\"priceMinor\":8000,\"capacity\":100,\"maxPerOrder\":1}]}" >/dev/null

cat <<MSG
Demo data is in. Sign in with (password: $PASSWORD):
  admin@demo.example       admin
  organizer@demo.example   organizer (owns the three demo events)
  attendee@demo.example    attendee
Try: curl -s '$API/events?city=Lyon'
MSG
