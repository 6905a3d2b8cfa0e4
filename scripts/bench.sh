#!/usr/bin/env bash
# Throughput of mailtutor serve beside the peers a user would otherwise run
# (Mailpit for SMTP ingest, Dovecot for POP3 RETR and IMAP FETCH), driven by
# the same load generator (../shared/bench) in the same run. Not part of CI:
# it installs Dovecot and Mailpit and takes a few minutes.
#
#   bash scripts/bench.sh            # prints a table; raw JSON in /tmp/bench/results.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${SHARED:-$root/../shared}
out=/tmp/bench
mkdir -p "$out" /tmp/peers
rm -f "$out/results.jsonl"

command -v dovecot >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd dovecot-pop3d dovecot-lmtpd >/dev/null; }
[ -x /tmp/peers/mailpit ] || GOBIN=/tmp/peers go install github.com/axllent/mailpit@v1.33.1
(cd "$shared/bench" && go build -o /tmp/mailbench .)
go build -o "$out/mailtutor" .

users=p1,p2,p3,p4,p5,p6,p7,p8
userflags=(--user bench:pass)
for u in ${users//,/ }; do userflags+=(--user "$u:pass"); done

run_mailtutor() { # $1 = label, $2 = quiet flag or "", output to file
  local label=$1; shift
  "$out/mailtutor" serve --smtp 127.0.0.1:12525 --submission 127.0.0.1:12587 --pop3 127.0.0.1:12110 --imap 127.0.0.1:12143 \
    "${userflags[@]}" "$@" >"$out/serve-$label.log" 2>&1 &
  local pid=$!
  sleep 0.5
  /tmp/mailbench -smtp-port 12525 -phases smtp -users bench -pass pass -rcpt bench@example.com -n 8000 -c 1 -label "mailtutor-$label-c1" -json "$out/results.jsonl" >/dev/null
  /tmp/mailbench -smtp-port 12525 -phases smtp -users bench -pass pass -rcpt bench@example.com -n 8000 -c 8 -label "mailtutor-$label-c8" -json "$out/results.jsonl" >/dev/null
  /tmp/mailbench -smtp-port 12525 -phases smtp -users $users -pass pass -rcpt p1@example.com -n 3000 -c 8 -label "mailtutor-$label-fill" >/dev/null
  /tmp/mailbench -pop3-port 12110 -phases pop3 -users $users -pass pass -pop3-n 15000 -c 8 -label "mailtutor-$label" -json "$out/results.jsonl" >/dev/null
  /tmp/mailbench -imap-port 12143 -phases imap -user bench -pass pass -imap-n 15000 -c 8 -label "mailtutor-$label" -json "$out/results.jsonl" >/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_mailtutor quiet --quiet
run_mailtutor printing

# Mailpit (SMTP)
/tmp/peers/mailpit --smtp 127.0.0.1:11025 --smtp-auth-accept-any --smtp-auth-allow-insecure --listen 127.0.0.1:18025 \
  --database /dev/shm/mailpit.db --max 0 --disable-version-check --quiet &
mp=$!
sleep 1
/tmp/mailbench -smtp-port 11025 -phases smtp -rcpt bench@example.com -n 8000 -c 1 -label mailpit-c1 -json "$out/results.jsonl" >/dev/null
/tmp/mailbench -smtp-port 11025 -phases smtp -rcpt bench@example.com -n 8000 -c 8 -label mailpit-c8 -json "$out/results.jsonl" >/dev/null
kill $mp; wait $mp 2>/dev/null || true
rm -f /dev/shm/mailpit.db*

# Dovecot (POP3, IMAP), mail delivered over LMTP
mkdir -p /tmp/peers/tls /tmp/peers/dovecot/mail
[ -f /tmp/peers/tls/cert.pem ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj /CN=localhost -keyout /tmp/peers/tls/key.pem -out /tmp/peers/tls/cert.pem 2>/dev/null
id vmail >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin vmail
rm -rf /tmp/peers/dovecot/mail/*; chown -R vmail:vmail /tmp/peers/dovecot/mail
dovecot -F -c "$shared/bench/peers/dovecot.conf" &
dv=$!
sleep 2
/tmp/mailbench -smtp-port 10024 -lmtp -phases smtp -users bench -rcpt bench@localhost -n 8000 -c 8 -label dovecot-fill >/dev/null
/tmp/mailbench -smtp-port 10024 -lmtp -phases smtp -users $users -rcpt p1@localhost -n 3000 -c 8 -label dovecot-fill >/dev/null
/tmp/mailbench -pop3-port 10110 -phases pop3 -users $users -pass pass -pop3-n 15000 -c 8 -label dovecot -json "$out/results.jsonl" >/dev/null
/tmp/mailbench -imap-port 10143 -phases imap -user bench -pass pass -imap-n 15000 -c 8 -label dovecot -json "$out/results.jsonl" >/dev/null
kill $dv; wait $dv 2>/dev/null || true

python3 - "$out/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    print(f"{r['label']:28} {r['phase']:6} c={r['concurrency']} {r['ops_per_sec']:>10.0f} ops/s  errors {r['errors']}  p99 {r.get('p99_ms', 0):.2f} ms")
PY
