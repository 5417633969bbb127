#!/usr/bin/env bash
# Smoke test of tandem-bench: runs every load scenario for about a second
# against redis-server and tandem-server and checks that what it prints and
# writes parses: the table has a line for each figure with both servers'
# values and a ratio, the rounds CSV has one row per server with a positive
# throughput and no error replies, the summary CSV has a ratio, and both PNGs
# are PNGs. The memory scenarios (memory-*) run once over 20,000 keys; their
# table and CSV must hold the per-key figures for both servers. The
# replication scenarios (a primary and replicas per round) run once over
# 2,000 keys with redis-server in both roles, which checks the harness, and
# with tandem-server once it can be a replica (before that they are skipped
# for tandem, saying so). No speed and no memory figure is asserted: this
# machine's are not the test's business.
#
#   smoke.sh path/to/tandem-bench path/to/tandem-server
set -euo pipefail
bench=$1 server=$2
out=$(mktemp -d /tmp/tandem-bench-smoke-XXXXXX)
trap 'rm -rf "$out"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

scenarios=$("$bench" list | awk '{ print $1 }')
[ -n "$scenarios" ] || fail "tandem-bench list printed no scenarios"

repl_scenarios="replication-lag full-sync write-with-replicas"

for sc in $scenarios; do
  case " $repl_scenarios " in *" $sc "*) continue ;; esac
  case $sc in memory-*) continue ;; esac
  echo "== $sc"
  "$bench" compare --scenario "$sc" --duration 1 --rounds 1 --keyspace 2000 \
    --tandem "$server" --out "$out" >"$out/$sc.txt" || fail "$sc: compare failed"
  cat "$out/$sc.txt"

  grep -q "^scenario $sc" "$out/$sc.txt" || fail "$sc: no table header"
  for figure in ops_per_sec p50_us p99_us p999_us max_us cpu_s_per_mop; do
    line=$(grep -E "^$figure " "$out/$sc.txt") || fail "$sc: no $figure line in the table"
    # figure, tandem, redis, ratio: two numbers and a ratio (number or -)
    echo "$line" | awk '{ exit !(NF == 4 && $2 ~ /^[0-9.]+$/ && $3 ~ /^[0-9.]+$/ &&
                               ($4 ~ /^[0-9.]+$/ || $4 == "-")) }' ||
      fail "$sc: table line does not parse: $line"
  done

  rounds="$out/$sc-rounds.csv"
  [ -s "$rounds" ] || fail "$sc: no $rounds"
  awk -F, -v sc="$sc" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
              if (!("ops_per_sec" in col) || !("errors" in col)) exit 1; next }
    { rows++
      if ($1 != sc || ($2 != "tandem" && $2 != "redis")) exit 1
      if ($col["ops_per_sec"] + 0 <= 0) exit 1
      if ($col["errors"] + 0 != 0) exit 1 }
    END { exit rows != 2 }' "$rounds" || fail "$sc: bad rounds CSV: $(cat "$rounds")"

  summary="$out/$sc-summary.csv"
  awk -F, 'NR == 1 { if ($0 != "figure,tandem,redis,ratio") exit 1; next }
           $1 == "ops_per_sec" { found = 1; if ($4 + 0 <= 0) exit 1 }
           END { exit !found }' "$summary" || fail "$sc: bad summary CSV: $(cat "$summary")"

  for png in "$out/$sc-throughput.png" "$out/$sc-latency.png"; do
    [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] ||
      fail "$sc: $png is not a PNG"
  done
done

# The memory scenarios: a fresh server per round, filled once; the figures
# are bytes per key, which may be fractions (or, for RSS, below zero).
memory=0
for sc in $scenarios; do
  case $sc in memory-*) ;; *) continue ;; esac
  memory=$((memory + 1))
  echo "== $sc"
  "$bench" compare --scenario "$sc" --rounds 1 --keyspace 20000 \
    --tandem "$server" --out "$out" >"$out/$sc.txt" || fail "$sc: compare failed"
  cat "$out/$sc.txt"

  grep -q "^scenario $sc" "$out/$sc.txt" || fail "$sc: no table header"
  for figure in used_bytes_per_key rss_bytes_per_key used_memory_mb rss_mb; do
    line=$(grep -E "^$figure " "$out/$sc.txt") || fail "$sc: no $figure line in the table"
    echo "$line" | awk '{ exit !(NF == 4 && $2 ~ /^-?[0-9.]+$/ && $3 ~ /^-?[0-9.]+$/ &&
                               ($4 ~ /^-?[0-9.]+$/ || $4 == "-")) }' ||
      fail "$sc: table line does not parse: $line"
  done

  rounds="$out/$sc-rounds.csv"
  [ -s "$rounds" ] || fail "$sc: no $rounds"
  awk -F, -v sc="$sc" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
              if (!("used_bytes_per_key" in col) || !("rss_bytes_per_key" in col)) exit 1; next }
    { rows++
      if ($1 != sc || ($2 != "tandem" && $2 != "redis")) exit 1
      if ($col["used_bytes_per_key"] == "" || $col["rss_bytes_per_key"] == "") exit 1 }
    END { exit rows != 2 }' "$rounds" || fail "$sc: bad rounds CSV: $(cat "$rounds")"

  summary="$out/$sc-summary.csv"
  awk -F, 'NR == 1 { if ($0 != "figure,tandem,redis,ratio") exit 1; next }
           $1 == "used_bytes_per_key" { found = 1; if ($2 == "" || $3 == "" || $4 == "") exit 1 }
           END { exit !found }' "$summary" || fail "$sc: bad summary CSV: $(cat "$summary")"
done
[ "$memory" -ge 2 ] || fail "tandem-bench list has no memory-strings and memory-hashes"

# The replication scenarios. Each checks its own figures: numbers in the
# table for both servers, one CSV row per server with no error replies and
# a positive headline figure (throughput, probes seen, sync time).
repl_check() { # scenario label tandem-binary
  local sc=$1 label=$2 binary=$3 headline figures
  case $sc in
    replication-lag) headline=lag_probes
      figures="ops_per_sec max_ops_per_sec lag_p50_us lag_p99_us lag_max_us lag_probes" ;;
    full-sync) headline=sync_idle_s
      figures="sync_idle_s sync_under_load_s peak_mem_growth_mb idle_mem_growth_mb load_ops_per_sec" ;;
    write-with-replicas) headline=ops_per_sec_2r
      figures="ops_per_sec_0r ops_per_sec_1r ops_per_sec_2r p99_us_0r p99_us_1r p99_us_2r" ;;
    *) fail "$sc: no checks for this replication scenario" ;;
  esac
  echo "== $sc ($label)"
  "$bench" compare --scenario "$sc" --duration 1 --rounds 1 --keyspace 2000 \
    --tandem "$binary" --out "$out" >"$out/$sc.txt" || fail "$sc ($label): compare failed"
  cat "$out/$sc.txt"
  grep -q "^scenario $sc" "$out/$sc.txt" || fail "$sc: no table header"
  for figure in $figures; do
    line=$(grep -E "^$figure " "$out/$sc.txt") || fail "$sc: no $figure line in the table"
    echo "$line" | awk '{ exit !(NF == 4 && $2 ~ /^-?[0-9.]+$/ && $3 ~ /^-?[0-9.]+$/ &&
                               ($4 ~ /^-?[0-9.]+$/ || $4 == "-")) }' ||
      fail "$sc ($label): table line does not parse: $line"
  done
  awk -F, -v sc="$sc" -v headline="$headline" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
              if (!(headline in col) || !("errors" in col)) exit 1; next }
    { rows++
      if ($1 != sc || ($2 != "tandem" && $2 != "redis")) exit 1
      if ($col[headline] + 0 <= 0 || $col["errors"] + 0 != 0) exit 1 }
    END { exit rows != 2 }' "$out/$sc-rounds.csv" ||
    fail "$sc ($label): bad rounds CSV: $(cat "$out/$sc-rounds.csv")"
}

# Whether this tandem-server can be a replica yet: started with --replicaof
# (towards a port nothing listens on), INFO replication must say role:slave.
tandem_can_replicate() {
  local port pid ok=1
  port=$((20000 + RANDOM % 20000))
  mkdir -p "$out/replica-probe"
  "$server" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$out/replica-probe" \
    --replicaof 127.0.0.1 1 >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    if redis-cli -p "$port" info replication 2>/dev/null | grep -q '^role:slave'; then
      ok=0
      break
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return $ok
}

for sc in $repl_scenarios; do
  echo "$scenarios" | grep -qx "$sc" || fail "tandem-bench list has no $sc"
  repl_check "$sc" "redis-server in both roles" "$(command -v redis-server)"
done
if tandem_can_replicate; then
  for sc in $repl_scenarios; do repl_check "$sc" "tandem-server" "$server"; done
else
  echo "SKIP: the replication scenarios against tandem-server: it cannot be a replica yet" \
    "(--replicaof does not make it role:slave)"
fi

# The run command against a live server: its figures parse too. A port
# another process holds makes redis-server exit: then try another.
rpid=
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 20000))
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --dir "$out" --logfile "$out/redis.log" &
  rpid=$!
  for _ in $(seq 1 100); do
    kill -0 "$rpid" 2>/dev/null || break
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  kill -0 "$rpid" 2>/dev/null && break
  wait "$rpid" || true
  rpid=
done
[ -n "$rpid" ] || fail "could not start redis-server: $(tail -5 "$out/redis.log")"
"$bench" run -p "$port" -c 4 -n 2000 --mix set=1,get=1,incr=1 -r 100 >"$out/run.txt" ||
  { kill "$rpid"; fail "run failed"; }
# Open loop: 2,000 ops/s for about a second sends about 2,000 requests (the
# schedule, not the server's speed: any server keeps up with 2,000 ops/s).
"$bench" run -p "$port" -c 4 --rate 2000 --duration 1 --mix get=1 --zipf 0.99 -r 1000 \
  >"$out/rate.txt" || { kill "$rpid"; fail "run --rate failed"; }
kill "$rpid"
wait "$rpid" || true
grep -q '^ops 2000$' "$out/run.txt" || fail "run: expected 2000 replies: $(cat "$out/run.txt")"
grep -q '^errors 0$' "$out/run.txt" || fail "run: error replies: $(cat "$out/run.txt")"
awk '$1 == "ops" { found = 1; if ($2 < 1600 || $2 > 2400) exit 1 } END { exit !found }' \
  "$out/rate.txt" || fail "run --rate 2000 for 1 s: $(cat "$out/rate.txt")"
echo "bench smoke test passed"
