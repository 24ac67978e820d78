#!/usr/bin/env bash
# How close does the gateway come to its database's floor, on this machine?
#
#   bash bench/compare.sh [--duration 30s] [--clients 32] [--pgbench-clients 8] [--profile DIR]
#
# Back to back, each on a fresh database of the local PostgreSQL (named
# scanpay_bench_<pid>_*, dropped on exit):
#   a. pgbench tpcb-like, scale 10: what this PostgreSQL does with a
#      standard small read-write transaction;
#   b. the floor: pgbench running bench/paid_order.sql with prepared
#      statements, the least SQL a paid order needs on Scanpay's schema
#      (3 commits; see the file), on a database that `scanpay migrate` made
#      and bench/floor_seed.sql seeded;
#   c. `scanpay serve --webhook-allow-private` with default settings, driven
#      by `scanpay loadtest` (closed loop): create, pay, verified webhook.
# It prints paid orders/s against tpcb TPS and against the floor, and CPU
# per transaction or paid order of the gateway (its /proc stat), of
# PostgreSQL (every server process, reaped backends included: run it on a
# quiet machine, as other databases' work counts too), of the client
# (pgbench, or the load tool's own getrusage) and of everything else that
# kept the machine busy meanwhile.
# With --profile DIR it also saves a CPU profile of the gateway under load
# (through serve --pprof-addr), which costs the gateway a little.
#
# Environment: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres); the
# user must be able to create databases. Not run by CI: it takes a few
# minutes and its numbers mean something only on a quiet machine.
set -euo pipefail

duration=30 clients=32 pgclients=8 profile=
usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=${2:-}; shift 2 ;;
	--clients) clients=${2:-}; shift 2 ;;
	--pgbench-clients) pgclients=${2:-}; shift 2 ;;
	--profile) profile=${2:-}; shift 2 ;;
	*) usage ;;
	esac
done
if [[ $duration =~ ^([0-9]+)s?$ ]]; then
	secs=${BASH_REMATCH[1]}
elif [[ $duration =~ ^([0-9]+)m$ ]]; then
	secs=$((BASH_REMATCH[1] * 60))
else
	echo "compare.sh: --duration takes seconds (30, 30s) or minutes (2m)" >&2
	exit 2
fi
for tool in go psql pgbench createdb dropdb jq ${profile:+curl}; do
	command -v "$tool" >/dev/null || { echo "compare.sh: $tool is not installed" >&2; exit 1; }
done

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
prefix=scanpay_bench_$$
databases=() pids=()

cleanup() {
	for pid in "${pids[@]}"; do
		{ kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; } || true
	done
	for db in "${databases[@]}"; do
		dropdb --if-exists "$db" || echo "compare.sh: could not drop $db" >&2
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fresh_db() {
	createdb "$1"
	databases+=("$1")
}
db_url() { echo "postgres://$PGUSER@$PGHOST:$PGPORT/$1?sslmode=disable"; }
psql_q() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }

# CPU accounting, in clock ticks from /proc.
tick=$(getconf CLK_TCK)
postmaster=$(head -1 "$(psql_q -d postgres -c 'SHOW data_directory')/postmaster.pid" 2>/dev/null || pgrep -o -x postgres)

# proc_ticks PID: user+system CPU of one process (0 once it is gone).
proc_ticks() {
	local f
	f=$(cut -d')' -f2- "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	# shellcheck disable=SC2086
	set -- $f # the fields from the 3rd on: utime (the 14th) is ${12}
	echo $((${12} + ${13}))
}
# proc_ticks_reaped PID: the same, plus the CPU of the children it reaped.
proc_ticks_reaped() {
	local f
	f=$(cut -d')' -f2- "/proc/$1/stat")
	# shellcheck disable=SC2086
	set -- $f
	echo $((${12} + ${13} + ${14} + ${15}))
}
# pg_ticks: the whole server: the postmaster, its live children, and
# those it has reaped (a backend's CPU moves there when it exits).
pg_ticks() {
	local total pid
	total=$(proc_ticks_reaped "$postmaster")
	for pid in $(pgrep -P "$postmaster"); do
		total=$((total + $(proc_ticks "$pid")))
	done
	echo "$total"
}
# machine_ticks: CPU busy on the whole machine (user, nice, system, irq,
# softirq, steal), so a reader sees what else ran.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# children_ticks: the CPU of this script's reaped children (pgbench).
children_ticks() {
	local f
	f=$(cut -d')' -f2- "/proc/$$/stat")
	# shellcheck disable=SC2086
	set -- $f
	echo $((${14} + ${15}))
}
# ms_per DELTA_TICKS COUNT: milliseconds of CPU per unit.
ms_per() { awk -v t="$1" -v n="$2" -v hz="$tick" 'BEGIN { if (n > 0) printf "%.3f", t * 1000 / hz / n; else print "-" }'; }

# quiet_check: warn when other databases are busy; their work would count
# as PostgreSQL's here.
quiet_check() {
	local busy
	busy=$(psql_q -d postgres -c "SELECT string_agg(datname || ' ' || n, ', ') FROM (SELECT datname, count(*) AS n FROM pg_stat_activity
		WHERE state = 'active' AND pid <> pg_backend_pid() AND datname NOT LIKE '${prefix}%' GROUP BY datname) AS a")
	if [ -n "$busy" ]; then
		echo "compare.sh: warning: other PostgreSQL sessions are active ($busy); PostgreSQL's CPU will include their work" >&2
	fi
}
# settle DB: wait until nothing is connected to DB, so every backend's CPU
# has reached the postmaster, and start the next run from a checkpoint.
settle() {
	for _ in $(seq 100); do
		[ "$(psql_q -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1'")" = 0 ] && break
		sleep 0.1
	done
	checkpoint
}
checkpoint() { psql_q -d postgres -c CHECKPOINT; }
# pgbench_run DB ARGS...: runs pgbench, leaves its output in $work/pgbench.out
# and the CPU ticks of the server, of pgbench and of the whole machine in
# pg_used, client_used and machine_used.
pgbench_run() {
	local db=$1 before client_before
	shift
	settle "$db"
	quiet_check
	before=$(pg_ticks)
	machine_before=$(machine_ticks)
	client_before=$(children_ticks)
	pgbench -c "$pgclients" -j 2 -T "$secs" "$@" "$db" >"$work/pgbench.out" 2>&1 || {
		cat "$work/pgbench.out" >&2
		exit 1
	}
	client_used=$(($(children_ticks) - client_before))
	settle "$db"
	machine_used=$(($(machine_ticks) - machine_before))
	pg_used=$(($(pg_ticks) - before))
}
pgbench_field() { sed -n "s/^$1 = \([0-9.]*\).*/\1/p; s/^$1: \([0-9]*\).*/\1/p" "$work/pgbench.out" | head -1; }

echo "compare.sh: building scanpay" >&2
(cd "$root" && go build -o "$work/scanpay" ./cmd/scanpay)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# a. tpcb-like.
echo "compare.sh: a. pgbench tpcb-like, scale 10, $pgclients clients, ${secs}s" >&2
fresh_db "${prefix}_tpcb"
pgbench -i -s 10 -q "${prefix}_tpcb" >"$work/pgbench-init.out" 2>&1 || { cat "$work/pgbench-init.out" >&2; exit 1; }
pgbench_run "${prefix}_tpcb"
tpcb_tps=$(pgbench_field tps)
tpcb_n=$(pgbench_field 'number of transactions actually processed')
tpcb_pg=$(ms_per "$pg_used" "$tpcb_n")
tpcb_client=$(ms_per "$client_used" "$tpcb_n")
tpcb_others=$(ms_per $((machine_used - pg_used - client_used)) "$tpcb_n")

# b. the floor.
echo "compare.sh: b. the floor, bench/paid_order.sql, $pgclients clients, ${secs}s" >&2
fresh_db "${prefix}_floor"
"$work/scanpay" migrate --db "$(db_url "${prefix}_floor")" >/dev/null
psql_q -d "${prefix}_floor" -f "$root/bench/floor_seed.sql"
pgbench_run "${prefix}_floor" -n -M prepared -f "$root/bench/paid_order.sql"
floor_tps=$(pgbench_field tps)
floor_n=$(pgbench_field 'number of transactions actually processed')
floor_pg=$(ms_per "$pg_used" "$floor_n")
floor_client=$(ms_per "$client_used" "$floor_n")
floor_others=$(ms_per $((machine_used - pg_used - client_used)) "$floor_n")
floor_failed=$(pgbench_field 'number of failed transactions')

# c. the gateway under the load tool.
echo "compare.sh: c. scanpay serve and scanpay loadtest, $clients clients, ${secs}s" >&2
gwdb=$(db_url "${prefix}_gw")
fresh_db "${prefix}_gw"
"$work/scanpay" migrate --db "$gwdb" >/dev/null
key=$("$work/scanpay" merchant create --name "Bench Café" --db "$gwdb" --json | jq -r .secret_key)
serve_flags=(--addr 127.0.0.1:0 --db "$gwdb" --webhook-allow-private --secret-key-file "$work/scanpay.key")
[ -n "$profile" ] && serve_flags+=(--pprof-addr 127.0.0.1:0)
"$work/scanpay" serve "${serve_flags[@]}" >"$work/serve.log" 2>&1 &
gateway=$!
pids+=("$gateway")
for _ in $(seq 200); do
	addr=$(sed -n 's/.*msg="scanpay listening" addr=\([^ ]*\).*/\1/p' "$work/serve.log")
	[ -n "$addr" ] && break
	kill -0 "$gateway" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
	sleep 0.05
done
[ -n "$addr" ] || { echo "compare.sh: the gateway did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
checkpoint
quiet_check

"$work/scanpay" loadtest --gateway "http://$addr" --key "$key" --clients "$clients" --duration "${secs}s" --json \
	>"$work/loadtest.json" 2>"$work/loadtest.err" &
loadtest=$!
pids+=("$loadtest")
wait_for() { # wait_for PATTERN: until the load tool logs it, or it exits
	until grep -qs "$1" "$work/loadtest.err"; do
		kill -0 "$loadtest" 2>/dev/null || return 1
		sleep 0.1
	done
}
if ! wait_for "running for"; then
	cat "$work/loadtest.err" >&2
	exit 1
fi
gw_before=$(proc_ticks "$gateway")
pg_before=$(pg_ticks)
machine_before=$(machine_ticks)
if [ -n "$profile" ]; then
	mkdir -p "$profile"
	cp "$work/scanpay" "$profile/scanpay"
	pprof=$(sed -n 's/.*msg="pprof listening" addr=\([^ ]*\).*/\1/p' "$work/serve.log")
	curl -sf -o "$profile/gateway.cpu.pprof" "http://$pprof/debug/pprof/profile?seconds=$((secs * 2 / 3))" &
	pids+=($!)
fi
wait_for "run finished" || true
gw_used=$(($(proc_ticks "$gateway") - gw_before))
pg_used=$(($(pg_ticks) - pg_before))
machine_used=$(($(machine_ticks) - machine_before))
loadtest_status=0
wait "$loadtest" || loadtest_status=$?
[ -n "$profile" ] && wait "${pids[-1]}"
kill "$gateway"
wait "$gateway" || true
cat "$work/loadtest.err" >&2
r=$work/loadtest.json
[ -s "$r" ] || exit 1
paid=$(jq .paid "$r")
gw_rate=$(jq .paid_per_s "$r")
gw_cpu=$(ms_per "$gw_used" "$paid")
gw_pg=$(ms_per "$pg_used" "$paid")
gw_tool=$(printf '%.3f' "$(jq .tool_cpu.per_paid_order_ms "$r")")
gw_others=$(awk -v m="$(ms_per "$machine_used" "$paid")" -v g="$gw_cpu" -v p="$gw_pg" -v t="$gw_tool" 'BEGIN { printf "%.3f", m - g - p - t }')
db_paid=$(psql_q -d "${prefix}_gw" -c "SELECT count(*) FROM orders WHERE status = 'paid'")
verify=$("$work/scanpay" ledger verify --db "$gwdb" | tail -1) || true

jms() { printf '%.2f' "$(jq ".latency_ms.$1.$2" "$r")"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
row() { printf '%-42s %14s %9s %9s %9s %9s\n' "$@"; }
echo
echo "scanpay bench/compare.sh: ${secs}s per run, $(nproc) CPUs, PostgreSQL $(psql_q -d postgres -c 'SHOW server_version' | cut -d' ' -f1), load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-57s %s\n' "" "CPU ms per transaction (a.) or paid order (b., c.)"
row run rate gateway postgres client others
row "a. pgbench tpcb-like, scale 10, $pgclients clients" "$(printf '%.1f TPS' "$tpcb_tps")" - "$tpcb_pg" "$tpcb_client" "$tpcb_others"
row "b. floor: paid_order.sql, $pgclients clients" "$(printf '%.1f /s' "$floor_tps")" - "$floor_pg" "$floor_client" "$floor_others"
row "c. gateway + loadtest, $clients clients" "$(printf '%.1f /s' "$gw_rate")" "$gw_cpu" "$gw_pg" "$gw_tool" "$gw_others"
cat <<EOF

gateway / tpcb  = $(ratio "$gw_rate" "$tpcb_tps")
gateway / floor = $(ratio "$gw_rate" "$floor_tps")
floor / tpcb    = $(ratio "$floor_tps" "$tpcb_tps")

(client: pgbench in a. and b., the load tool in c.; others: the rest of the machine's busy CPU meanwhile: the kernel's
network and disk work, about 0.5 ms per paid order for c.'s HTTP, and anything else that ran, which makes the run suspect.)
gateway run: $paid paid ($db_paid paid in the database); latency p50 / p99 in ms: create $(jms create p50) / $(jms create p99), pay $(jms pay p50) / $(jms pay p99), commit → webhook $(jms commit_to_webhook p50) / $(jms commit_to_webhook p99)
             errors $(jq .errors.total "$r"), webhooks missing $(jq .webhooks.missing "$r"), bad signatures $(jq .webhooks.bad_signature "$r"); floor failed transactions ${floor_failed:-0}
             ledger verify: $verify
EOF
[ -n "$profile" ] && echo "gateway CPU profile: go tool pprof -top $profile/scanpay $profile/gateway.cpu.pprof"
[ "$db_paid" = "$paid" ] || { echo "compare.sh: the load tool counted $paid paid orders, the database has $db_paid" >&2; exit 1; }
exit "$loadtest_status"
