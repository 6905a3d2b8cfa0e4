#!/usr/bin/env bash
# Peak memory of a printing `mailtutor serve` while one IMAP client loops
# FETCH 1:* BODY.PEEK[] over 20 messages of 5 MB (issue: the printer's
# backlog held every message it had not printed yet). Not part of CI.
#
#   bash scripts/printer-memory.sh          # 20 s of FETCHes; prints peak RSS
#   SECONDS_LOOP=60 bash scripts/printer-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=/tmp/printer-memory
mkdir -p "$out"
go build -o "$out/mailtutor" .
extra=()
if "$out/mailtutor" serve --help 2>&1 | grep -q -- '--mailbox-quota'; then
  extra+=(--mailbox-quota 0)   # no per-mailbox quota: 100 MB of messages must fit
fi
"$out/mailtutor" serve --smtp 127.0.0.1:0 --submission 127.0.0.1:0 --pop3 127.0.0.1:0 --imap 127.0.0.1:13143 "${extra[@]}" \
  >"$out/serve.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q 13143 "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
python3 - "${SECONDS_LOOP:-20}" <<'PY'
import imaplib, sys, time
loop = float(sys.argv[1])
body = ("Subject: big\r\n\r\n" + ("x" * 998 + "\r\n") * 5243).encode()  # about 5 MB
m = imaplib.IMAP4("127.0.0.1", 13143)
m.login("alice", "wonderland")
for _ in range(20):
    m.append("INBOX", None, None, body)
m.select("INBOX", readonly=True)
end, n = time.time() + loop, 0
while time.time() < end:
    m.fetch("1:*", "(BODY.PEEK[])")
    n += 1
m.logout()
print(f"fetches of the whole mailbox: {n} ({n * 20 * len(body) / 1e6:.0f} MB sent)")
PY
echo "peak RSS of serve: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
