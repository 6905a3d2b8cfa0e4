#!/usr/bin/env bash
# End-to-end speed and memory of `mailtutor annotate` and `export` (issue 26).
# Generates C:/S: logs with scripts/loggen: whole sessions (SMTP with a 16 KB
# body, POP3 RETR and IMAP FETCH of it) and command-only sessions (no bodies),
# at each size in SIZES, and a JSONL transcript of EXPORT_SIZE; runs annotate
# with GOMAXPROCS=1, the annotated text written to a file, and prints MB/s
# (input bytes), peak RSS, time to first line and output size. BASELINE=1
# also runs main as of 5091f15 (before streaming; it refuses logs over 64 MB)
# on a 60 MB command-only log, for the "twice today's" comparison.
#
#   bash scripts/annotate-bench.sh                 # SIZES="100M 1G"
#   SIZES=100M BASELINE=1 bash scripts/annotate-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/annotate-bench}
mkdir -p "$dir"
go build -o "$dir/mailtutor" .
go build -o "$dir/loggen" ./scripts/loggen

# first_line CMD...: seconds until the first annotated line (C:/S:) is out.
first_line() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, env={"GOMAXPROCS": "1", "PATH": "/usr/bin:/bin"})
for line in p.stdout:
    if line.startswith((b"C: ", b"S: ")):
        print(f"{time.monotonic() - t0:.3f} s")
        break
p.kill()
p.wait()
PY
}

# run NAME LOG: annotate LOG into a file and report.
run() {
  local name=$1 log=$2 bin=${3:-$dir/mailtutor}
  local in_bytes; in_bytes=$(stat -c %s "$log")
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" env GOMAXPROCS=1 "$bin" annotate "$log" >"$dir/out.txt"
  read -r secs rss <"$dir/time.txt"
  local out_bytes; out_bytes=$(stat -c %s "$dir/out.txt")
  local ttfl; ttfl=$(first_line "$bin" annotate "$log")
  awk -v n="$name" -v i="$in_bytes" -v s="$secs" -v r="$rss" -v o="$out_bytes" -v f="$ttfl" 'BEGIN {
    printf "%-28s in %7.1f MB  %6.2f s  %6.1f MB/s  peak RSS %5.1f MB  first line %s  out %7.1f MB (%.1fx)\n",
      n, i/1e6, s, i/1e6/s, r/1024, f, o/1e6, o/i }'
}

for size in ${SIZES:-100M 1G}; do
  "$dir/loggen" -kind sessions -size "$size" >"$dir/sessions-$size.log"
  run "annotate sessions $size" "$dir/sessions-$size.log"
  rm -f "$dir/sessions-$size.log"
  "$dir/loggen" -kind commands -size "$size" >"$dir/commands-$size.log"
  run "annotate commands $size" "$dir/commands-$size.log"
  rm -f "$dir/commands-$size.log"
done

if [ "${BASELINE:-0}" = 1 ]; then
  rm -rf "$dir/base" && mkdir -p "$dir/base"
  git archive 5091f15 | tar -x -C "$dir/base"
  (cd "$dir/base" && go build -o "$dir/mailtutor-5091f15" .)
  "$dir/loggen" -kind commands -size 60M >"$dir/commands-60M.log"
  run "5091f15 commands 60M" "$dir/commands-60M.log" "$dir/mailtutor-5091f15"
  run "annotate commands 60M" "$dir/commands-60M.log"
  "$dir/loggen" -kind sessions -size 60M >"$dir/sessions-60M.log"
  run "5091f15 sessions 60M" "$dir/sessions-60M.log" "$dir/mailtutor-5091f15"
  run "annotate sessions 60M" "$dir/sessions-60M.log"
  rm -f "$dir/commands-60M.log" "$dir/sessions-60M.log"
fi

"$dir/loggen" -kind transcript -size "${EXPORT_SIZE:-200M}" >"$dir/transcript.jsonl"
in_bytes=$(stat -c %s "$dir/transcript.jsonl")
for f in md html text; do
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$dir/mailtutor" export --format $f -o "$dir/export.$f" "$dir/transcript.jsonl"
  read -r secs rss <"$dir/time.txt"
  awk -v f="$f" -v i="$in_bytes" -v s="$secs" -v r="$rss" -v o="$(stat -c %s "$dir/export.$f")" 'BEGIN {
    printf "export --format %-5s in %7.1f MB  %6.2f s  %6.1f MB/s  peak RSS %5.1f MB  out %7.1f MB\n", f, i/1e6, s, i/1e6/s, r/1024, o/1e6 }'
  rm -f "$dir/export.$f"
done
rm -f "$dir/transcript.jsonl" "$dir/out.txt"
