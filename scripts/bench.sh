#!/usr/bin/env bash
# make bench: measures build/nextstage against references on this machine and
# prints a table (also written to build/bench/results.txt).
#
#   scripts/bench.sh [SCENARIO...]      default: all, in the order of SCENARIOS
#
# Every figure is a ratio to a reference measured in the same run (a
# libmicrohttpd hello-world for HTTP), because absolute figures move from
# machine to machine. A benchmark is not a test: the exit status says whether
# the harness worked, not whether the targets were met.
#
# Environment: BENCH_THREADS (server threads, default nproc), BENCH_DB_POOL
# (the server's database pool, default the server's), BENCH_DURATION
# (10s), BENCH_WARMUP (2s), BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (2),
# BENCH_SEARCH_CONNECTIONS (16: wrk and pgbench clients of the search
# scenario), BENCH_UPLOAD_MB (200: MiB uploaded and downloaded),
# BENCH_INGEST_CONNECTIONS (4: connections posting event batches),
# BENCH_IMPORT_DEALS (25000: deals of the import CSV, 4 rows each),
# BENCH_APP_KEYS (40: keystrokes typed into the web app's search),
# BENCH_APP_LOADS (7: loads of /app/ of each kind),
# BENCH_EXTRACT_PDFS (40) and BENCH_EXTRACT_PAGES (20: the extract
# scenario's generated PDFs and their pages),
# BENCH_PG_PORT (54391: the bench cluster).
#
# To add a scenario: write bench_NAME (start what it needs with need_*,
# measure with run_wrk, run_pgbench or record, then call report,
# report_under or report_max) and add NAME to SCENARIOS.
# Load goes to 127.0.0.1 only; every step is bounded in time.
# shellcheck disable=SC2317  # functions run from traps and by computed names
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIOS=(hello healthz me search slowclients app upload app-upload download opens outbox nginx ingest import analytics extract)

THREADS=${BENCH_THREADS:-$(nproc)}
DB_POOL=${BENCH_DB_POOL:-}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
CONNS=${BENCH_CONNECTIONS:-32}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
SEARCH_CONNS=${BENCH_SEARCH_CONNECTIONS:-16}
UPLOAD_MB=${BENCH_UPLOAD_MB:-200}
INGEST_CONNS=${BENCH_INGEST_CONNECTIONS:-4}
IMPORT_DEALS=${BENCH_IMPORT_DEALS:-25000}
APP_KEYS=${BENCH_APP_KEYS:-40}
APP_LOADS=${BENCH_APP_LOADS:-7}
OUT=build/bench
PG_DIR=var/bench-pg
PG_PORT=${BENCH_PG_PORT:-54391}
NS=build/nextstage
export BENCH_THREADS=$THREADS
# Only what this script sets reaches the server.
unset "${!NEXTSTAGE_@}"
# The bench cluster is durable (fsync on): durable writes are what the
# opens and ingest scenarios measure.
unset NS_PG_FAST

BG_PIDS=()     # background servers, stopped on exit
PG_STARTED=0
FAILED=0       # harness failures (not missed targets)
declare -A RATE UNIT P99 NON2XX SOCKERR
ROWS=()        # formatted table lines, in report order
NOTES=()       # lines printed under the table: what was measured how
MET=0 TARGETS=0
PRINTED=0

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- processes -------------------------------------------------------------

# Stops one background process: SIGTERM, then SIGKILL after 5 s.
stop_bg() {
	local pid=$1 i st
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	for ((i = 0; i < 50; i++)); do
		st=$(ps -o stat= -p "$pid" 2>/dev/null || true)
		[[ -z $st || $st == Z* ]] && break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? pid
	set +e
	trap - INT TERM
	for pid in $CHILD "${BG_PIDS[@]}"; do stop_bg "$pid"; done
	# What was measured before a failure is still worth seeing.
	if [ "$rc" != 0 ] && [ "$PRINTED" = 0 ] && [ ${#ROWS[@]} -gt 0 ]; then
		print_table "INCOMPLETE RUN (exit $rc)"
	fi
	if [ "$PG_STARTED" = 1 ]; then scripts/pg.sh destroy "$PG_DIR" >/dev/null 2>&1; fi
	rm -f "$OUT/upload.pdf" "$OUT/app-upload.pdf" "$OUT/upload.copy" "$OUT/ingest.copy" \
		"$OUT/import.csv"
	# The access log of a run is large: keep its end for post-mortems.
	if [ -f "$OUT/nextstage.log" ]; then
		tail -n 2000 "$OUT/nextstage.log" >"$OUT/nextstage.log.tail"
		rm -f "$OUT/nextstage.log"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# interruptible CMD...: runs CMD in the background and waits for it, so that
# Ctrl-C or SIGTERM stops the script at once. (In the foreground, bash lets
# wrk swallow Ctrl-C, which only cuts that one run short.)
CHILD=''
interruptible() {
	local rc=0
	"$@" &
	CHILD=$!
	wait "$CHILD" || rc=$?
	CHILD=''
	return "$rc"
}

# A TCP port nothing listens on, below the ephemeral range.
free_port() {
	local p _
	for _ in {1..100}; do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port"
}

# wait_http URL PID TIMEOUT_S LOGFILE: waits for a 200, failing early if PID dies.
wait_http() {
	local url=$1 pid=$2 deadline=$((SECONDS + $3)) logf=$4
	until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url")" = 200 ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 20 "$logf" >&2 || true
			die "server for $url exited"
		fi
		[ "$SECONDS" -lt "$deadline" ] || die "no 200 from $url after $3 s"
		sleep 0.2
	done
}

# --- what scenarios need (each starts once) ----------------------------------

HELLO_URL=
need_hello() {
	[ -z "$HELLO_URL" ] || return 0
	cc -O2 -o "$OUT/hello" tests/bench/hello.c -lmicrohttpd
	local port
	port=$(free_port)
	"$OUT/hello" "$port" 2>"$OUT/hello.log" &
	BG_PIDS+=($!)
	wait_http "http://127.0.0.1:$port/" $! 10 "$OUT/hello.log"
	HELLO_URL=http://127.0.0.1:$port
}

DB_URL=
need_db() {
	[ -z "$DB_URL" ] || return 0
	scripts/pg.sh destroy "$PG_DIR" >/dev/null 2>&1 || true # left by a killed run
	PG_STARTED=1
	DB_URL=$(timeout --foreground 90 scripts/pg.sh start "$PG_DIR" "$PG_PORT") || die "PostgreSQL did not start"
	log "PostgreSQL: $DB_URL"
}

# ns ARGS...: runs the release binary against the bench database; its
# stderr goes to build/bench/setup.log, shown if it fails.
ns() {
	if ! NEXTSTAGE_DATABASE_URL=$DB_URL timeout --foreground 60 "$NS" "$@" 2>>"$OUT/setup.log"; then
		tail -n 20 "$OUT/setup.log" >&2
		die "nextstage $* failed"
	fi
}

NS_URL='' TOKEN='' NS_PID=''
need_server() {
	[ -z "$NS_URL" ] || return 0
	[ -x "$NS" ] || die "$NS is missing (make build/nextstage)"
	need_db
	ns migrate
	echo pw-bench-123 | ns user add --email bench@example.com --name Bench --role rep >/dev/null
	TOKEN=$(ns token create --email bench@example.com --name bench)
	[ -n "$TOKEN" ] || die "nextstage token create printed nothing"
	local port
	port=$(free_port)
	# The access log (one JSON line per request on stderr) goes to a file:
	# its cost is part of the server's.
	# The upload scenario sends BENCH_UPLOAD_MB MiB in one request.
	env NEXTSTAGE_DATABASE_URL="$DB_URL" NEXTSTAGE_LISTEN="127.0.0.1:$port" \
		NEXTSTAGE_THREADS="$THREADS" NEXTSTAGE_MAX_UPLOAD_MB=$((UPLOAD_MB + 100)) \
		${DB_POOL:+NEXTSTAGE_DB_POOL=$DB_POOL} "$NS" serve >"$OUT/nextstage.log" 2>&1 &
	BG_PIDS+=($!)
	NS_PID=$!
	wait_http "http://127.0.0.1:$port/healthz" "$NS_PID" 30 "$OUT/nextstage.log"
	NS_URL=http://127.0.0.1:$port
}

# sql ARGS...: psql on the bench database (unaligned, tuples only, stops
# at the first error).
sql() {
	timeout 120 psql "$DB_URL" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

# The session settings the server gives its connections (server/db/conn.c:
# search matches titles by pg_trgm word similarity 0.45, not the default
# 0.6), read from the binary so that references run the same way.
SERVER_PGOPTIONS=
server_pgoptions() {
	[ -z "$SERVER_PGOPTIONS" ] || return 0
	SERVER_PGOPTIONS=$(grep -ao -- '-c timezone=[[:print:]]*' "$NS" | head -n 1 || true)
	if [ -z "$SERVER_PGOPTIONS" ]; then
		SERVER_PGOPTIONS='-c timezone=UTC -c pg_trgm.word_similarity_threshold=0.45'
		log "no connection options found in $NS; using: $SERVER_PGOPTIONS"
	fi
}

MTOKEN=''
need_marketer() {
	[ -z "$MTOKEN" ] || return 0
	need_server
	echo pw-bench-123 | ns user add --email marketer@example.com --name 'Bench marketer' \
		--role marketer >/dev/null
	MTOKEN=$(ns token create --email marketer@example.com --name bench)
	[ -n "$MTOKEN" ] || die "nextstage token create printed nothing"
}

# 10,000 assets made by one INSERT ... SELECT (the triggers run as for any
# insert: search document, taxonomy tables, audit), each with a file of 20
# pages of extracted text (tests/bench/search-pages.sql), then VACUUM
# ANALYZE so that neither the server nor pgbench meets autovacuum or stale
# statistics.
SEARCH_DATA=0
need_search_data() {
	[ "$SEARCH_DATA" = 0 ] || return 0
	need_marketer
	local t0=$SECONDS
	sql -f - >/dev/null <<'SQL'
INSERT INTO personas (slug, name, description) VALUES
    ('cfo', 'Chief Financial Officer', 'Owns budget and ROI'),
    ('cio', 'Chief Information Officer', 'Owns the IT roadmap'),
    ('it-manager', 'IT manager', 'Runs infrastructure day to day'),
    ('security-lead', 'Security lead', 'Owns risk and compliance'),
    ('head-of-sales', 'Head of sales', 'Runs the sales team'),
    ('ops-manager', 'Operations manager', 'Runs processes and the supply chain');
SELECT setseed(0.4242);
WITH w AS (SELECT
    ARRAY['Cloud migration', 'Data security', 'Compliance automation', 'Pricing', 'ROI',
          'Onboarding', 'Integration', 'Analytics', 'Customer success', 'Supply chain',
          'Risk management', 'Forecasting', 'Workflow automation', 'Identity management',
          'Cost optimization', 'Disaster recovery', 'Vendor consolidation', 'Remote work',
          'Sales enablement', 'Digital transformation', 'Zero trust', 'Observability',
          'API management', 'Payments', 'Fraud detection', 'Inventory planning', 'Procurement',
          'Backup strategy', 'Network performance', 'Endpoint protection', 'Data governance',
          'Machine learning', 'Contract management', 'Billing', 'Churn reduction',
          'Field service', 'Mobile workforce', 'Energy efficiency', 'Customer experience',
          'Total cost of ownership'] AS topics,
    ARRAY['healthcare', 'banking', 'retail', 'manufacturing', 'insurance', 'logistics',
          'education', 'government', 'telecom', 'energy', 'software', 'media'] AS industries,
    ARRAY['cut costs by 30%', 'shortened the sales cycle', 'passed the audit in weeks',
          'doubled pipeline', 'reduced downtime', 'consolidated five vendors',
          'improved forecast accuracy', 'scaled to millions of users',
          'onboarded customers faster', 'lowered risk exposure'] AS outcomes,
    ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark Industries', 'Wayne Enterprises',
          'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Wonka', 'Cyberdyne'] AS companies,
    ARRAY['guide', 'ebook', 'whitepaper', 'case_study', 'product_sheet', 'one_pager', 'deck',
          'battlecard', 'video', 'webinar', 'blog_post', 'template', 'other'] AS kinds,
    ARRAY['Guide', 'eBook', 'Whitepaper', 'Case study', 'Product sheet', 'One-pager', 'Deck',
          'Battlecard', 'Video', 'Webinar', 'Blog post', 'Template', 'Overview'] AS kind_names,
    ARRAY['cfo', 'cio', 'it-manager', 'security-lead', 'head-of-sales', 'ops-manager'] AS personas,
    ARRAY['prospecting', 'discovery', 'evaluation', 'proposal', 'negotiation', 'closed_won',
          'closed_lost'] AS stages,
    ARRAY['security', 'compliance', 'pricing', 'roi', 'cloud', 'competitive', 'enterprise',
          'smb', 'emea', 'north-america', 'apac', 'q3-launch', 'product', 'partner',
          'analyst-report', 'customer-story', 'objection-handling', 'demo', 'integration',
          'renewal', 'upsell', 'onboarding', 'gdpr', 'soc2', 'hipaa'] AS tags,
    (SELECT id FROM users WHERE email = 'marketer@example.com') AS owner
), r AS (SELECT g, w.*,
    1 + floor(random() * 40)::int AS t, 1 + floor(random() * 12)::int AS i,
    1 + floor(random() * 10)::int AS o, 1 + floor(random() * 12)::int AS c,
    1 + floor(random() * 13)::int AS k, 1 + floor(random() * 6)::int AS p1,
    floor(random() * 7)::int AS p2, 1 + floor(random() * 7)::int AS s1,
    floor(random() * 3)::int AS ns, random() AS x, random() AS y, random() AS z
    FROM generate_series(1, 10000) g, w)
INSERT INTO assets (title, description, kind, intent, personas, stages, tags, status, public,
    gated, disclosure, owner, expires_at, source, created_at, updated_at)
SELECT
    CASE WHEN kinds[k] = 'case_study'
        THEN format('How %s %s with %s', companies[c], outcomes[o], lower(topics[t]))
        ELSE format('%s %s for %s teams', topics[t], lower(kind_names[k]), industries[i]) END
        || CASE WHEN g % 7 = 0 THEN format(' (%s)', 2019 + g % 6) ELSE '' END,
    format('%s for %s. Learn how %s %s, what %s leaders ask about %s, and how to answer '
           'objections on %s in %s deals. Includes a checklist, benchmarks and next steps.',
        kind_names[k], industries[i], companies[c], outcomes[o], industries[1 + (i + 3) % 12],
        lower(topics[t]), lower(topics[1 + (t * 7) % 40]), industries[1 + (i * 5) % 12]),
    kinds[k], CASE WHEN x < 0.6 THEN 'sales' ELSE 'educational' END,
    (SELECT array_agg(DISTINCT e ORDER BY e) FROM unnest(ARRAY[personas[p1],
        CASE WHEN p2 > 0 THEN personas[p2] END]) e WHERE e IS NOT NULL),
    (SELECT array_agg(stages[s] ORDER BY s) FROM generate_series(s1, least(s1 + ns, 7)) s),
    ARRAY(SELECT DISTINCT tags[1 + (g * m * 7 + t) % 25] FROM generate_series(1, 1 + g % 4) m),
    CASE WHEN y < 0.85 THEN 'published' WHEN y < 0.93 THEN 'draft' WHEN y < 0.97 THEN 'archived'
        ELSE 'retired' END,
    z < 0.3, z < 0.1, CASE WHEN z < 0.1 THEN 'We share your details with our partners.' END,
    owner,
    CASE WHEN g % 20 = 0 THEN now() - interval '30 days'
        WHEN g % 20 = 1 THEN now() + interval '180 days' END,
    CASE WHEN g % 3 = 0 THEN 'hubspot' WHEN g % 3 = 1 THEN 'seismic' END,
    now() - (g % 730) * interval '1 day' - (g * 7919 % 86400) * interval '1 second',
    now() - (g % 730) * interval '1 day' - (g * 7919 % 86400) * interval '1 second'
FROM r;
VACUUM ANALYZE;
SQL
	log "search: 10,000 assets generated in $((SECONDS - t0)) s; their files' text (20 pages each)"
	timeout 900 psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -f tests/bench/search-pages.sql >/dev/null ||
		die "search: the files' text was not generated"
	sql -c 'VACUUM ANALYZE' >/dev/null
	SEARCH_DATA=1
	log "search: data set ready in $((SECONDS - t0)) s"
}

# The bytes uploaded and downloaded: a PDF header (libmagic says
# application/pdf) and random bytes, UPLOAD_MB MiB in all.
UPLOAD_FILE=$OUT/upload.pdf
UPLOAD_BYTES=$((UPLOAD_MB * 1048576))
need_upload_file() { upload_file "$UPLOAD_FILE"; }

# upload_file PATH: writes UPLOAD_BYTES bytes, a PDF header and random
# bytes, to PATH (unless it holds that many already).
upload_file() {
	[ "$(stat -c %s "$1" 2>/dev/null)" = "$UPLOAD_BYTES" ] && return 0
	local head=$'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n' n
	n=$(printf '%s' "$head" | wc -c)
	{
		printf '%s' "$head"
		timeout 60 head -c $((UPLOAD_BYTES - n)) /dev/urandom
	} >"$1"
	[ "$(stat -c %s "$1")" = "$UPLOAD_BYTES" ] || die "could not write $1"
}

# The web app's scenarios drive Debian's Chromium with playwright-core,
# installed by scripts/deps.sh into tests/e2e/node_modules.
need_browser() {
	if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null ||
		[ ! -d tests/e2e/node_modules/playwright-core ]; then
		die "the app scenarios need /usr/bin/chromium, node and tests/e2e/node_modules (make deps)"
	fi
}

# The rep's deals, so that the rep's first page (/app/: My deals) shows a
# full page (200, its limit) whatever ran before: made by one curl, keep-alive.
REP_DEALS=0
need_rep_deals() {
	[ "$REP_DEALS" = 0 ] || return 0
	need_server
	local have args=() i body slugs=(prospecting discovery evaluation proposal negotiation closed_won
		closed_lost)
	have=$(curl -sf --max-time 10 -H "Authorization: Bearer $TOKEN" "$NS_URL/api/v1/deals?limit=200" |
		python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))') || die "GET /api/v1/deals failed"
	for ((i = have; i < 200; i++)); do
		body="{\"name\": \"App bench deal $i\", \"account\": \"Account $((i % 40))\","
		body+=" \"amount\": $((1000 + i * 250)), \"stage\": \"${slugs[i % 7]}\"}"
		[ ${#args[@]} = 0 ] || args+=(--next)
		args+=(-sS -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN"
			-H 'Content-Type: application/json' --data-binary "$body" "$NS_URL/api/v1/deals")
	done
	if [ ${#args[@]} -gt 0 ] && [ "$(timeout 60 curl "${args[@]}" | grep -vc '^201$')" != 0 ]; then
		die "could not make the rep's deals"
	fi
	REP_DEALS=1
}

# --- measuring and reporting -------------------------------------------------

# record NAME RATE UNIT [P99_MS NON2XX SOCKERR]: stores one measurement
# (for references that are not wrk runs: pgbench tps, psql \copy rows/s...).
record() {
	RATE[$1]=$2 UNIT[$1]=$3 P99[$1]=${4:--} NON2XX[$1]=${5:--} SOCKERR[$1]=${6:--}
}

# median_of NAME RUN...: records NAME as the RUN whose rate is the median
# (an odd number of runs), with that run's p99, and the runs' non-2xx and
# socket errors summed.
median_of() {
	local name=$1 r mid bad=0 sockerr=0
	shift
	mid=$(for r in "$@"; do echo "${RATE[$r]}"; done | sort -n | sed -n "$((($# + 1) / 2))p")
	for r in "$@"; do
		bad=$((bad + ${NON2XX[$r]/-/0})) sockerr=$((sockerr + ${SOCKERR[$r]/-/0}))
	done
	for r in "$@"; do
		if [ "${RATE[$r]}" = "$mid" ]; then
			record "$name" "$mid" "${UNIT[$r]}" "${P99[$r]}" "$bad" "$sockerr"
			return 0
		fi
	done
	record "$name" - req/s
}

# run_wrk NAME URL [wrk args...]: a warm-up, then the measured run, then
# record NAME with req/s, p99 (ms), non-2xx/3xx responses and socket errors.
# The raw output stays in build/bench/NAME.wrk.txt.
run_wrk() {
	local name=$1 url=$2 raw=$OUT/$1.wrk.txt
	shift 2
	log "$name: $url (warm-up $WARMUP, then $DURATION)"
	interruptible timeout 60 wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARMUP" "$@" "$url" >/dev/null 2>&1 || true
	if ! interruptible timeout 120 wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" "$url" \
		>"$raw" 2>&1; then
		log "$name: wrk failed:"
		cat "$raw" >&2
		FAILED=1
		record "$name" - req/s
		return 0
	fi
	# shellcheck disable=SC2046
	record "$name" $(awk '
		function ms(v) {
			if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
			if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000
			return v
		}
		/^Requests\/sec:/ { rps = $2 }
		/^ +99%/ { p99 = sprintf("%.2f", ms($2)) }
		/Non-2xx or 3xx responses:/ { bad = $NF }
		/Socket errors:/ { gsub(",", ""); se = $4 + $6 + $8 + $10 }
		END { printf "%s req/s %s %d %d\n", rps == "" ? "-" : sprintf("%.0f", rps), p99 == "" ? "-" : p99, bad, se }
	' "$raw")
	if [ "${RATE[$name]}" = - ]; then
		log "$name: no Requests/sec in $raw"
		FAILED=1
	fi
}

# secs DURATION: whole seconds of a wrk-style duration (10s, 2m, 1h, 10).
secs() {
	case $1 in
	*h) echo $((${1%h} * 3600)) ;;
	*m) echo $((${1%m} * 60)) ;;
	*s) echo "${1%s}" ;;
	*) echo "$1" ;;
	esac
}

# run_pgbench NAME SCRIPT CLIENTS: pgbench -M prepared on the bench
# database with the server's session settings, a warm-up, then the
# measured run; records NAME in tps, with the p99 latency from pgbench's
# per-transaction log. The raw output stays in build/bench/NAME.pgbench.txt.
run_pgbench() {
	local name=$1 script=$2 clients=$3 raw=$OUT/$1.pgbench.txt d w tps failed p99
	d=$(secs "$DURATION") w=$(secs "$WARMUP")
	server_pgoptions
	local cmd=(pgbench -n -M prepared -c "$clients" -j "$WRK_THREADS" -f "$script")
	log "$name: ${cmd[*]} (warm-up ${w}s, then ${d}s)"
	interruptible timeout $((w + 60)) env PGOPTIONS="$SERVER_PGOPTIONS" "${cmd[@]}" -T "$w" \
		"$DB_URL" >/dev/null 2>&1 || true
	rm -f "$OUT/$name".txlog*
	if ! interruptible timeout $((d + 60)) env PGOPTIONS="$SERVER_PGOPTIONS" "${cmd[@]}" -T "$d" \
		-l --log-prefix="$OUT/$name.txlog" "$DB_URL" >"$raw" 2>&1; then
		log "$name: pgbench failed:"
		cat "$raw" >&2
		FAILED=1
		record "$name" - tps
		return 0
	fi
	tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$raw")
	failed=$(awk '/^number of failed transactions:/ { print $5 }' "$raw")
	# Fields: client, transaction, latency (us), ...
	p99=$(cat "$OUT/$name".txlog* 2>/dev/null | awk '{ print $3 }' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int(NR * 0.99 + 0.999)] / 1000; else print "-" }')
	rm -f "$OUT/$name".txlog*
	if [ -z "$tps" ] || [ "${failed:-0}" != 0 ]; then
		log "$name: no tps, or failed transactions, in $raw"
		FAILED=1
	fi
	record "$name" "${tps:--}" tps "$p99"
}

# now_s: seconds since the epoch, with nanoseconds.
now_s() { date +%s.%N; }

# mibps BYTES START END: MiB/s, one decimal.
mibps() { awk -v b="$1" -v s="$2" -v e="$3" 'BEGIN { printf "%.1f", b / 1048576 / (e - s) }'; }

# status_kb PID FIELD: a field of /proc/PID/status in kB (VmRSS, VmHWM).
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# rss_watch PID FILE: writes PID's VmRSS (kB) to FILE every 50 ms until
# PID exits or the watcher is stopped.
rss_watch() {
	local v
	while v=$(status_kb "$1" VmRSS 2>/dev/null) && [ -n "$v" ]; do
		echo "$v"
		sleep 0.05
	done >"$2"
}

# Peak-RSS measurement of the server around one request: mem_begin resets
# the server's VmHWM to its current RSS (writing 5 to /proc/PID/clear_refs)
# and starts polling VmRSS; mem_end prints the growth of the peak over the
# RSS at mem_begin in MEM_GROWTH (MiB), details in MEM_DETAIL. Without the
# reset, VmHWM only counts if it rose; the polled peak always does.
MEM_PID='' MEM_RSS0=0 MEM_HWM0=0 MEM_RESET=0 MEM_DETAIL='' MEM_GROWTH=-
mem_begin() {
	MEM_RESET=0
	if echo 5 2>/dev/null >"/proc/$NS_PID/clear_refs"; then MEM_RESET=1; fi
	MEM_RSS0=$(status_kb "$NS_PID" VmRSS) MEM_HWM0=$(status_kb "$NS_PID" VmHWM)
	rss_watch "$NS_PID" "$OUT/$1.rss" &
	MEM_PID=$!
}
mem_end() {
	local hwm polled peak
	hwm=$(status_kb "$NS_PID" VmHWM)
	stop_bg "$MEM_PID"
	polled=$(sort -n "$OUT/$1.rss" | tail -n 1)
	peak=${polled:-0}
	if [ "$MEM_RESET" = 1 ] || [ "$hwm" -gt "$MEM_HWM0" ]; then
		[ "$hwm" -le "$peak" ] || peak=$hwm
	fi
	MEM_DETAIL="RSS before $((MEM_RSS0 / 1024)) MiB, VmHWM after $((hwm / 1024)) MiB"
	MEM_DETAIL+=" ($([ "$MEM_RESET" = 1 ] && echo 'reset by clear_refs' || echo "was $((MEM_HWM0 / 1024)) MiB")),"
	MEM_DETAIL+=" polled VmRSS peak $((${polled:-0} / 1024)) MiB"
	MEM_GROWTH=$(awk -v p="$peak" -v b="$MEM_RSS0" 'BEGIN { printf "%.1f", (p - b) / 1024 }')
}

row() { printf '%-14s %10s %-7s %8s %8s %8s  %-13s %6s %8s  %s\n' "$@"; }

# report NAME [REFERENCE [MIN_RATIO]]: adds NAME's row to the table. With a
# reference, the ratio RATE[NAME] / RATE[REFERENCE] is shown; with a
# MIN_RATIO too, the target is a ratio >= MIN_RATIO with no non-2xx
# responses and no socket errors.
report() {
	local name=$1 ref=${2:-} min=${3:-} ratio=- target=- met=-
	if [ -n "$ref" ]; then
		ratio=$(awk -v a="${RATE[$name]}" -v b="${RATE[$ref]:--}" \
			'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')
	fi
	if [ -n "$min" ]; then
		TARGETS=$((TARGETS + 1))
		target=">= $min"
		if [ "${NON2XX[$name]}" != - ] && [ "${NON2XX[$name]}" != 0 ]; then
			met="no (non-2xx)"
		elif [ "${SOCKERR[$name]}" != - ] && [ "${SOCKERR[$name]}" != 0 ]; then
			met="no (socket errors)"
		elif [ "$ratio" = - ]; then
			met="no (no figure)"
		elif awk -v r="$ratio" -v m="$min" 'BEGIN { exit !(r >= m) }'; then
			met=yes
			MET=$((MET + 1))
		else
			met=no
		fi
	fi
	ROWS+=("$(row "$name" "${RATE[$name]}" "${UNIT[$name]}" "${P99[$name]}" \
		"${NON2XX[$name]}" "${SOCKERR[$name]}" "${ref:-(reference)}" "$ratio" "$target" "$met")")
}

# report_max NAME VALUE UNIT MAX: adds a row whose target is an absolute
# bound, VALUE < MAX (a latency, a memory growth), not a ratio.
report_max() {
	local met=no
	TARGETS=$((TARGETS + 1))
	if [ "$2" = - ]; then
		met="no (no figure)"
	elif awk -v v="$2" -v m="$4" 'BEGIN { exit !(v < m) }'; then
		met=yes
		MET=$((MET + 1))
	fi
	ROWS+=("$(row "$1" "$2" "$3" - - - "(bound)" - "< $4 $3" "$met")")
}

# report_under NAME MAX [REFERENCE]: adds NAME's row with an absolute
# bound, RATE[NAME] < MAX (in NAME's unit), and with a REFERENCE the ratio
# RATE[NAME] / RATE[REFERENCE] beside it (a latency next to the latency of
# what it is made of).
report_under() {
	local name=$1 max=$2 ref=${3:-} v=${RATE[$1]} ratio=- met=no
	if [ -n "$ref" ]; then
		ratio=$(awk -v a="$v" -v b="${RATE[$ref]:--}" \
			'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')
	fi
	TARGETS=$((TARGETS + 1))
	if [ "$v" = - ]; then
		met="no (no figure)"
	elif awk -v v="$v" -v m="$max" 'BEGIN { exit !(v < m) }'; then
		met=yes
		MET=$((MET + 1))
	fi
	ROWS+=("$(row "$name" "$v" "${UNIT[$name]}" "${P99[$name]}" - - "${ref:-(bound)}" "$ratio" \
		"< $max ${UNIT[$name]}" "$met")")
}

# report_info NAME: adds NAME's row with neither reference nor target (a
# figure that is only printed).
report_info() {
	ROWS+=("$(row "$1" "${RATE[$1]}" "${UNIT[$1]}" "${P99[$1]}" "${NON2XX[$1]}" \
		"${SOCKERR[$1]}" - - - -)")
}

# note TEXT: a line printed under the table (how a figure was measured).
note() { NOTES+=("$*"); }

# print_table [NOTE]: prints the table and writes it to build/bench/results.txt.
print_table() {
	PRINTED=1
	{
		[ -z "${1:-}" ] || echo "$1"
		echo "nextstage bench, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
		echo "machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -r)"
		echo "server threads: $THREADS, database pool: ${DB_POOL:-default (2 x CPUs)}; wrk -t$WRK_THREADS -c$CONNS -d$DURATION --latency (after a $WARMUP warm-up), 127.0.0.1"
		echo
		row scenario rate unit "p99 ms" non-2xx sock-err reference ratio target met
		printf '%s\n' "${ROWS[@]}"
		echo
		echo "targets met: $MET of $TARGETS"
		if [ ${#NOTES[@]} -gt 0 ]; then
			echo
			printf '%s\n' "${NOTES[@]}"
		fi
	} | tee "$OUT/results.txt"
}

# scenario NAME: runs bench_NAME once (a scenario runs its reference this way).
declare -A RAN
scenario() {
	[ -z "${RAN[$1]:-}" ] || return 0
	RAN[$1]=1
	"bench_$1"
	# A server that died mid-run makes every later figure meaningless.
	if [ -n "$NS_PID" ] && ! kill -0 "$NS_PID" 2>/dev/null; then
		tail -n 20 "$OUT/nextstage.log" >&2 || true
		die "nextstage exited during $1"
	fi
}

# --- scenarios -----------------------------------------------------------------

bench_hello() {
	need_hello
	run_wrk hello-world "$HELLO_URL/"
	report hello-world
}

bench_healthz() {
	scenario hello
	need_server
	run_wrk healthz "$NS_URL/healthz"
	report healthz hello-world 0.70
}

bench_me() {
	scenario hello
	need_server
	run_wrk me "$NS_URL/api/v1/me" -H "Authorization: Bearer $TOKEN"
	report me hello-world 0.40
}

# Search: a rep's query with q and two filters over 10,000 assets, at
# SEARCH_CONNS connections. Reference: pgbench running the very statement
# the server sends (its text and parameters read from PostgreSQL's log,
# the parameters inlined as typed literals) with as many clients.
SEARCH_QUERY='q=security%20compliance&persona=cfo&stage=evaluation'
bench_search() {
	need_server
	need_search_data
	local CONNS=$SEARCH_CONNS # run_wrk's connections
	local url="$NS_URL/api/v1/assets?$SEARCH_QUERY" script=$OUT/search.pgbench.sql total page ref_page
	# The first search reads the total and facets, the next ones keep them
	# (server/db/searchcache.c): the statement logged, and run by pgbench,
	# is the one the server then sends for every search, the page alone.
	curl -sf -o "$OUT/search.json" --max-time 10 -H "Authorization: Bearer $TOKEN" "$url" ||
		die "search: GET $url failed"
	total=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["total"])' "$OUT/search.json")
	page=$(python3 -c 'import json, sys; print([i["id"] for i in json.load(open(sys.argv[1]))["items"]])' "$OUT/search.json")
	search_statement "$url" "$script"
	# The reference must find what the server finds.
	ref_page=$(PGOPTIONS=$SERVER_PGOPTIONS sql -F $'\t' -f "$script" 2>/dev/null |
		python3 -c 'import json, sys; print([i["id"] for i in json.loads(sys.stdin.readline().split("\t")[0])["items"]])') ||
		die "search: $script failed in psql"
	[ "$page" = "$ref_page" ] ||
		die "search: the server's page is $page, its statement's in psql $ref_page"
	run_pgbench search-pgbench "$script" "$SEARCH_CONNS"
	# Five runs, each with new connections (which HTTP thread takes which
	# connection is chance): search is the median run, search-min and
	# search-max the others' bounds, search-p99 the worst run's p99.
	local i rates=() p99s=() bad=0 sockerr=0
	for i in 1 2 3 4 5; do
		run_wrk "search-$i" "$url" -H "Authorization: Bearer $TOKEN"
		rates+=("${RATE[search-$i]}") p99s+=("${P99[search-$i]}")
		bad=$((bad + ${NON2XX[search-$i]/-/0})) sockerr=$((sockerr + ${SOCKERR[search-$i]/-/0}))
	done
	local sorted
	sorted=$(printf '%s\n' "${rates[@]}" | sort -n)
	record search-min "$(sed -n 1p <<<"$sorted")" req/s
	record search-max "$(sed -n 5p <<<"$sorted")" req/s
	for i in 1 2 3 4 5; do
		if [ "${RATE[search-$i]}" = "$(sed -n 3p <<<"$sorted")" ]; then
			record search "${RATE[search-$i]}" req/s "${P99[search-$i]}" "$bad" "$sockerr"
			break
		fi
	done
	report search-pgbench
	report search search-pgbench 0.80
	report search-max
	report search-min search-max 0.85
	report_max search-p99 "$(printf '%s\n' "${p99s[@]}" | sort -n | tail -n 1)" ms 20
	# The same filters without words: no slower than with them.
	run_wrk search-filters "$NS_URL/api/v1/assets?${SEARCH_QUERY#*&}" -H "Authorization: Bearer $TOKEN"
	report search-filters search 1.0
	# The latency one person sees when the server is not saturated: one
	# connection per core (at -c16 on 2 cores, p99 is mostly queueing,
	# about 8 times a search's cost).
	CONNS=$WRK_THREADS run_wrk search-unsaturated "$url" -H "Authorization: Bearer $TOKEN"
	report_info search-unsaturated
	# What searching inside files costs in space.
	local size
	for size in "search-index assets_words" "search-head assets_head" "search-docs assets" "search-pages blob_pages"; do
		record "${size%% *}" "$(sql -c "SELECT round(pg_total_relation_size('${size#* }') / 1048576.0, 1)")" MiB
		report_info "${size%% *}"
	done
	note "search-index: the GIN index of assets.search (words with file text); search-head: of" \
		"assets.search_head (words without file text) and titles' trigrams;" \
		"search-docs: the assets table with its TOAST (search documents); search-pages: blob_pages" \
		"(200,000 pages of text and their tsvectors, tests/bench/search-pages.sql)"
	note "search-unsaturated: the same requests with $WRK_THREADS connections (one per core): the p99" \
		"a user sees when searches do not queue behind each other"
	note "search: GET /api/v1/assets?$SEARCH_QUERY as a rep ($total of 10,000 assets match)," \
		"wrk -c$SEARCH_CONNS, the median of 5 runs (search-min, search-max: the others' bounds;" \
		"search-p99: the worst run's; search-filters: the same without q); search-pgbench: pgbench -n -M prepared -c $SEARCH_CONNS" \
		"-j $WRK_THREADS -f $script (the server's statement and parameters, from the log)," \
		"PGOPTIONS='$SERVER_PGOPTIONS'"
}

# search_statement URL OUT: sends one request with log_min_duration_statement
# = 0 and writes the search statement it ran, parameters inlined, to OUT.
search_statement() {
	local url=$1 out=$2 pglog off try
	server_pgoptions
	# scripts/pg.sh keeps the log next to the data directory.
	pglog=$(dirname "$(sql -c 'SHOW data_directory')")/postgres.log
	[ -r "$pglog" ] || die "search: no PostgreSQL log at $pglog"
	for try in 1 2 3; do
		off=$(stat -c %s "$pglog")
		sql -c 'ALTER SYSTEM SET log_min_duration_statement = 0' -c 'SELECT pg_reload_conf()' >/dev/null
		sleep $((try / 2)).5 # the backends reload before their next statement
		curl -sf -o /dev/null --max-time 10 -H "Authorization: Bearer $TOKEN" "$url" ||
			die "search: GET $url failed"
		sleep 0.2
		sql -c 'ALTER SYSTEM RESET log_min_duration_statement' -c 'SELECT pg_reload_conf()' >/dev/null
		if timeout 60 python3 tests/bench/pgstmt.py script "$pglog" "$off" 'WITH w AS MATERIALIZED (' \
			"$DB_URL" "$out"; then
			return 0
		fi
	done
	die "search: the statement did not show in $pglog"
}

# Through nginx: the shipped site (deploy/nginx-nextstage.conf) without TLS
# (plain HTTP on a loopback port; TLS is nginx's cost, not ours), in front
# of one server, then of two on the same database: search and tracked-link
# opens. On 2 cores a second server adds throughput only as far as the
# cores allow (nginx, wrk and PostgreSQL share them). Search through nginx
# is the median of 3 runs, as search is of 5 (one run of it moves by a
# fifth from the next); every open answered through nginx must be stored.
NGINX_DIR=''
nginx_start() { # nginx_start PORT UPSTREAM-PORT...
	NGINX_DIR=$(mktemp -d /tmp/ns-bench-nginx-XXXXXX)
	python3 tests/bench/nginx_site.py "$@" >"$NGINX_DIR/site.conf"
	cat >"$NGINX_DIR/nginx.conf" <<CONF
daemon off; user root; worker_processes auto; pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $NGINX_DIR/body; proxy_temp_path $NGINX_DIR/proxy;
  fastcgi_temp_path $NGINX_DIR/f; uwsgi_temp_path $NGINX_DIR/u; scgi_temp_path $NGINX_DIR/s;
  include $NGINX_DIR/site.conf; }
CONF
	nginx -t -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" 2>>"$OUT/setup.log" || die "nginx -t refused the site"
	nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" 2>>"$OUT/setup.log" &
	BG_PIDS+=($!)
	NGINX_PID=$!
	wait_http "http://127.0.0.1:$1/healthz" "$NGINX_PID" 10 "$NGINX_DIR/error.log"
}
nginx_stop() {
	stop_bg "$NGINX_PID"
	rm -rf "$NGINX_DIR"
}

bench_nginx() {
	scenario search
	scenario opens
	need_server
	need_search_data
	need_link_asset
	command -v nginx >/dev/null || die "nginx is missing (scripts/deps.sh installs it)"
	local port port2 pid2 share token
	share=$(api_post "$MTOKEN" /api/v1/shares "{\"asset_id\": \"$LINK_ASSET\", \"channel\": \"link\"}" id)
	token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$OUT/api.json")
	sql -c "UPDATE shares SET created_at = created_at - interval '1 hour' WHERE id = '$share'"
	port=$(free_port) port2=$(free_port)
	env NEXTSTAGE_DATABASE_URL="$DB_URL" NEXTSTAGE_LISTEN="127.0.0.1:$port2" \
		NEXTSTAGE_THREADS="$THREADS" NEXTSTAGE_TRUSTED_PROXIES=127.0.0.1 \
		${DB_POOL:+NEXTSTAGE_DB_POOL=$DB_POOL} "$NS" serve >"$OUT/nextstage-2.log" 2>&1 &
	BG_PIDS+=($!)
	pid2=$!
	wait_http "http://127.0.0.1:$port2/healthz" "$pid2" 30 "$OUT/nextstage-2.log"
	local n i reqs answered=0 stored
	for n in 1 2; do
		if [ "$n" = 1 ]; then nginx_start "$port" "${NS_URL##*:}"; else nginx_start "$port" "${NS_URL##*:}" "$port2"; fi
		for i in 1 2 3; do
			CONNS=$SEARCH_CONNS run_wrk "search-nginx-$n-$i" \
				"http://127.0.0.1:$port/api/v1/assets?$SEARCH_QUERY" -H "Authorization: Bearer $TOKEN"
		done
		median_of "search-nginx-$n" "search-nginx-$n-1" "search-nginx-$n-2" "search-nginx-$n-3"
		run_wrk "opens-nginx-$n" "http://127.0.0.1:$port/s/$token" -H "User-Agent: $OPENS_UA"
		UNIT[opens-nginx-$n]=opens/s
		reqs=$(wrk_requests "opens-nginx-$n" || true)
		answered=$((answered + ${reqs:-0}))
		nginx_stop
	done
	stop_bg "$pid2"
	stored=$(sql -c "SELECT count(*) FROM opens WHERE share_id = '$share'")
	if [ "$stored" -lt "$answered" ]; then
		log "nginx: $answered opens answered through nginx in the measured runs, only $stored stored"
		FAILED=1
	fi
	report search-nginx-1 search
	report search-nginx-2 search-nginx-1
	report opens-nginx-1 opens
	report opens-nginx-2 opens-nginx-1
	note "search-nginx-N, opens-nginx-N: the same requests as search and opens through nginx with the" \
		"shipped site (deploy/nginx-nextstage.conf, TLS taken out) in front of N servers on one database" \
		"(search-nginx-N: the median of 3 runs; ratios informational: nginx, wrk, PostgreSQL and the" \
		"servers share $(nproc) cores); opens stored $stored, $answered answered through nginx in the" \
		"measured runs"
}

# Slow clients: the search scenario's requests while SLOW_CONNS connections
# from another loopback address (127.0.0.2) trickle header lines, one every
# 2 s, never ending their header blocks, and reconnect a second after a cut
# (tests/bench/trickle.py). The server takes 256 connections an address
# and cuts a header block after NEXTSTAGE_HEADER_TIMEOUT_S: the searches
# must go on (reference: the search scenario's median, same run).
SLOW_CONNS=${BENCH_SLOW_CONNECTIONS:-1100}
bench_slowclients() {
	scenario search
	local CONNS=$SEARCH_CONNS secs out=$OUT/trickle.txt pid
	secs=$(($(secs "$WARMUP") + $(secs "$DURATION") + 6))
	python3 tests/bench/trickle.py 127.0.0.1 "${NS_URL##*:}" 127.0.0.2 "$SLOW_CONNS" 2 "$secs" \
		>"$out" 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	sleep 3
	run_wrk search-slowclients "$NS_URL/api/v1/assets?$SEARCH_QUERY" -H "Authorization: Bearer $TOKEN"
	wait "$pid" || { log "slowclients: the trickler failed: $(tail -n 3 "$out")"; FAILED=1; }
	report search-slowclients search
	note "search-slowclients: the search scenario's requests (wrk -c$SEARCH_CONNS from 127.0.0.1) while" \
		"$SLOW_CONNS connections from 127.0.0.2 trickle header lines (one every 2 s, never ending the" \
		"block, reconnecting a second after a cut); $(grep '^trickle:' "$out" || echo 'trickle: no summary')"
}

# Upload: UPLOAD_MB MiB as multipart/form-data (curl -F) by a marketer.
# Reference: psql's \copy of the same bytes, as 1 MiB rows of a bytea table
# stored like blob_chunks, from a binary COPY file (no hex text: the server
# sends its chunks as binary parameters too).
UPLOAD_ID=''
bench_upload() {
	need_marketer
	need_upload_file
	local copy=$PWD/$OUT/upload.copy t0 t1 res code
	timeout 60 python3 tests/bench/pgstmt.py copyfile "$UPLOAD_FILE" "$copy" 1048576
	sql -c 'CREATE TABLE bench_chunks (blob_id bigint NOT NULL, n integer NOT NULL,
			data bytea NOT NULL, PRIMARY KEY (blob_id, n))' \
		-c 'ALTER TABLE bench_chunks ALTER COLUMN data SET STORAGE EXTERNAL' -c CHECKPOINT
	log "upload-copy: \\copy of $UPLOAD_MB MiB into bench_chunks"
	t0=$(now_s)
	interruptible timeout 300 psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 \
		-c "\\copy bench_chunks (blob_id, n, data) FROM '$copy' WITH (FORMAT binary)"
	t1=$(now_s)
	record upload-copy "$(mibps "$UPLOAD_BYTES" "$t0" "$t1")" MiB/s
	rm -f "$copy"
	sql -c 'DROP TABLE bench_chunks' -c CHECKPOINT

	log "upload: POST /api/v1/assets with $UPLOAD_MB MiB"
	mem_begin upload
	res=$(interruptible timeout 300 curl -sS -o "$OUT/upload.json" -w '%{http_code} %{time_total}' \
		-H "Authorization: Bearer $MTOKEN" \
		--form-string 'metadata={"title": "Bench upload", "kind": "whitepaper", "intent": "sales", "status": "published", "stages": ["proposal"]}' \
		-F "file=@$UPLOAD_FILE;filename=bench.pdf;type=application/pdf" \
		"$NS_URL/api/v1/assets") || res="curl-failed ${res:-}"
	mem_end upload
	local growth=$MEM_GROWTH
	code=${res%% *}
	if [ "$code" = 201 ]; then
		UPLOAD_ID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$OUT/upload.json")
		record upload "$(awk -v b="$UPLOAD_BYTES" -v t="${res#* }" 'BEGIN { printf "%.1f", b / 1048576 / t }')" MiB/s
	else
		log "upload: expected 201, got $res: $(head -c 500 "$OUT/upload.json" 2>/dev/null)"
		FAILED=1
		record upload - MiB/s
		growth=-
	fi
	report upload-copy
	report upload upload-copy
	record upload-rss "$growth" MiB # the app-upload scenario compares with it
	report_max upload-rss "$growth" MiB 32
	note "upload: curl -F of $UPLOAD_MB MiB (multipart) to POST /api/v1/assets; upload-copy:" \
		"psql \\copy bench_chunks (blob_id, n, data) FROM <binary COPY file of the same bytes," \
		"1 MiB rows> (bytea STORAGE EXTERNAL, one transaction); ratio informational"
	note "upload-rss: server peak RSS growth during the upload ($MEM_DETAIL)"
}

# The web app in Chromium (tests/bench/app.mjs), as the rep signed in by
# a cookie session, on the search data set: the weight of /app/search (its
# JS and CSS, gzip, as received, the PDF renderer under /app/vendor/pdf/
# not counted), keystroke to results painted in its search box against
# the API's latency for the same requests, and loads of /app/ (cold: a
# fresh browser context each; warm: again in one tab) against a fresh
# context loading /healthz.
bench_app() {
	need_browser
	need_search_data
	need_rep_deals
	local res=$OUT/app.txt cookie
	cookie=$(app_cookie bench@example.com)
	rm -f "$res"
	log "app: the web app in Chromium (weight, $APP_KEYS keystrokes, $APP_LOADS loads of each kind)"
	if ! interruptible timeout 300 env APP_COOKIE="$cookie" APP_KEYS="$APP_KEYS" APP_LOADS="$APP_LOADS" \
		node tests/bench/app.mjs page "$NS_URL" >"$res" 2>"$OUT/app.log"; then
		log "app: the browser driver failed (build/bench/app.log):"
		tail -n 20 "$OUT/app.log" >&2
		FAILED=1
	fi
	local w
	w=$(appv "$res" weight_wire_bytes)
	record app-weight "$(awk -v b="$w" 'BEGIN { if (b == "-") print "-"; else printf "%.1f", b / 1000 }')" KB
	record app-key-api "$(appv "$res" api_median_ms)" ms
	record app-key "$(appv "$res" key_median_ms)" ms
	record app-key-p95 "$(appv "$res" key_p95_ms)" ms
	record app-key-fetch "$(appv "$res" key_from_fetch_median_ms)" ms
	record app-load-ref "$(appv "$res" load_floor_ms)" ms
	record app-load-cold "$(appv "$res" load_cold_ms)" ms
	record app-load-warm "$(appv "$res" load_warm_ms)" ms
	report_under app-weight 100
	report app-key-api
	report_under app-key 150 app-key-api
	report_info app-key-p95
	report app-key-fetch app-key-api
	report app-load-ref
	report_under app-load-cold 1000 app-load-ref
	report app-load-warm app-load-ref
	note "app-weight: KB (1,000 bytes) of response bodies as Chromium received them" \
		"(Accept-Encoding gzip; playwright's request.sizes()) of the $(appv "$res" weight_files)" \
		"JS and CSS files a fresh context loads for /app/search until the network is idle," \
		"/app/vendor/pdf/ not counted ($(appv "$res" weight_excluded_bytes) B there);" \
		"$(appv "$res" weight_plain_bytes) B uncompressed, $(appv "$res" weight_header_bytes) B of" \
		"headers besides; not gzip: $(appv "$res" weight_not_gzip)"
	note "app-key: ms from a key's keydown (event.timeStamp) in the search box of /app/search to" \
		"the frame after ol.results next changed (MutationObserver, requestAnimationFrame, then a" \
		"message), median of $(appv "$res" keys) keys typed one at a time (each waited for) over" \
		"the words of the data set, $(appv "$res" keys_with_results) of them answered with matches;" \
		"it INCLUDES the pause the app waits after the last key (static/views/search.js): keydown to the" \
		"request's start $(appv "$res" key_wait_median_ms) ms, the request in the browser" \
		"$(appv "$res" key_fetch_median_ms) ms, its answer to painted $(appv "$res" key_render_median_ms) ms" \
		"(medians); p95 $(appv "$res" key_p95_ms) ms, max $(appv "$res" key_max_ms) ms"
	note "app-key-fetch: the same, from the search request's start (resource timing) to painted:" \
		"what the debounce leaves (p95 $(appv "$res" key_from_fetch_p95_ms) ms);" \
		"app-key-api: node's fetch of the same URLs (keep-alive, the page's cookie), median" \
		"of 3 runs each after one unmeasured, then the median over the keys (p95 $(appv "$res" api_p95_ms)" \
		"ms; the unmeasured first runs: median $(appv "$res" api_first_median_ms) ms)"
	note "app-load-cold: ms from navigation start to the frame after /app/ (the rep's My deals," \
		"$(appv "$res" load_rows) rows) shows its table, in a fresh signed-in context (empty cache)," \
		"median of $APP_LOADS (max $(appv "$res" load_cold_max_ms) ms; the last: response" \
		"$(appv "$res" load_last_response_ms), DOMContentLoaded $(appv "$res" load_last_dcl_ms), first" \
		"contentful paint $(appv "$res" load_last_fcp_ms) ms, $(appv "$res" load_last_requests) requests);" \
		"app-load-warm: /app/ again in the same tab after its first load (files revalidated:" \
		"no-cache), median of $APP_LOADS; app-load-ref: a fresh context's load of /healthz to the frame after its" \
		"load event, median of $APP_LOADS"
}

# app_cookie EMAIL: signs EMAIL in with the bench's password (POST
# /api/v1/session, as the app's sign-in does) and prints the session
# cookie it sets, name=value.
app_cookie() {
	local c
	c=$(timeout 15 curl -sS -o /dev/null -D - -H 'Content-Type: application/json' \
		--data-binary "{\"email\": \"$1\", \"password\": \"pw-bench-123\"}" "$NS_URL/api/v1/session" |
		awk 'tolower($1) == "set-cookie:" { sub(/;.*/, "", $2); print $2; exit }') || c=''
	[ -n "$c" ] || die "could not sign $1 in"
	echo "$c"
}

# appv FILE KEY: the value of KEY in a "key value" file of tests/bench/app.mjs, or -.
appv() { awk -v k="$2" '$1 == k { v = $2 } END { print v == "" ? "-" : v }' "$1" 2>/dev/null || echo -; }

# A file of UPLOAD_MB MiB (bytes of its own, not the upload scenario's:
# identical bytes are stored once) uploaded from /app/library by the
# marketer in Chromium, as a person picks it (tests/bench/app.mjs upload).
# During the upload: the page's longest task (PerformanceObserver
# longtask) and the worst delay of a 50 ms heartbeat; the throughput and
# the server's peak RSS growth next to the curl upload's.
bench_app-upload() {
	need_browser
	need_search_data
	scenario upload
	local file=$OUT/app-upload.pdf res=$OUT/app-upload.txt growth cookie
	upload_file "$file"
	# Signed in before: a sign-in's Argon2id hash takes 64 MiB for a moment.
	cookie=$(app_cookie marketer@example.com)
	rm -f "$res"
	sql -c CHECKPOINT # as before curl's upload: the WAL of the one before is not in this one's time
	log "app-upload: $UPLOAD_MB MiB from /app/library in Chromium"
	mem_begin app-upload
	if ! interruptible timeout 400 env APP_COOKIE="$cookie" APP_UPLOAD_TIMEOUT_S=300 \
		node tests/bench/app.mjs upload "$NS_URL" "$file" >"$res" 2>"$OUT/app-upload.log"; then
		log "app-upload: the browser driver failed (build/bench/app-upload.log):"
		tail -n 20 "$OUT/app-upload.log" >&2
		FAILED=1
	fi
	mem_end app-upload
	growth=$MEM_GROWTH
	rm -f "$file"
	[ "$(appv "$res" upload_bytes)" = "$UPLOAD_BYTES" ] || growth=-
	record app-upload "$(appv "$res" upload_mibps)" MiB/s
	record app-longtask "$(appv "$res" upload_longest_ms)" ms
	record app-heartbeat "$(appv "$res" upload_heartbeat_max_ms)" ms
	record app-upload-rss "$growth" MiB
	report app-upload upload
	report_under app-longtask 200
	report_info app-heartbeat
	report_under app-upload-rss 32 upload-rss
	note "app-upload: MiB/s of $UPLOAD_MB MiB picked in /app/library's file input (XHR multipart" \
		"with progress, static/views/library.js), from its change event to the row's end" \
		"(201: 'uploaded'), $(appv "$res" upload_s) s, first progress after" \
		"$(appv "$res" upload_first_progress_ms) ms, $(appv "$res" upload_progress_events)" \
		"progress updates; ratio to curl -F's upload (informational)"
	note "app-longtask: ms, the longest task on the page's main thread during the upload" \
		"(PerformanceObserver longtask: tasks over 50 ms; 0 = none; $(appv "$res" upload_longtasks)" \
		"long tasks; the list's refresh after it: $(appv "$res" upload_after_longest_ms) ms);" \
		"app-heartbeat: ms, the worst lateness of a 50 ms setInterval during the upload"
	note "app-upload-rss: server peak RSS growth from before the browser starts to after it" \
		"ends ($MEM_DETAIL); reference: upload-rss, curl's"
}

# Download: the uploaded file, GET /api/v1/assets/{id}/content as a rep.
# Reference: psql reading the same chunks with a binary COPY (the bytes as
# they are; the server reads them in binary too).
bench_download() {
	scenario upload
	local t0 t1 res blob growth code size secs_
	if [ -z "$UPLOAD_ID" ]; then
		log "download: nothing was uploaded"
		FAILED=1
		record download-psql - MiB/s
		record download - MiB/s
	else
		blob=$(sql -c "SELECT blob_id FROM asset_versions WHERE asset_id = '$UPLOAD_ID' AND number = 1")
		log "download-psql: \\copy (SELECT data FROM blob_chunks ...) TO /dev/null, binary"
		t0=$(now_s)
		interruptible timeout 300 psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT data FROM \
blob_chunks WHERE blob_id = $blob ORDER BY n) TO '/dev/null' WITH (FORMAT binary)"
		t1=$(now_s)
		record download-psql "$(mibps "$UPLOAD_BYTES" "$t0" "$t1")" MiB/s
		log "download: GET /api/v1/assets/$UPLOAD_ID/content"
		mem_begin download
		res=$(interruptible timeout 300 curl -sS -o /dev/null -w '%{http_code} %{size_download} %{time_total}' \
			-H "Authorization: Bearer $TOKEN" "$NS_URL/api/v1/assets/$UPLOAD_ID/content") ||
			res="curl-failed ${res:-}"
		mem_end download
		growth=$MEM_GROWTH
		read -r code size secs_ <<<"$res"
		if [ "$code" = 200 ] && [ "$size" = "$UPLOAD_BYTES" ]; then
			record download "$(awk -v b="$size" -v t="$secs_" 'BEGIN { printf "%.1f", b / 1048576 / t }')" MiB/s
		else
			log "download: expected 200 and $UPLOAD_BYTES bytes, got $res"
			FAILED=1
			record download - MiB/s
		fi
		note "download: curl -o /dev/null of GET /api/v1/assets/{id}/content (server peak RSS" \
			"growth ${growth} MiB); download-psql: psql \\copy (SELECT data FROM blob_chunks" \
			"WHERE blob_id = $blob ORDER BY n) TO '/dev/null' WITH (FORMAT binary)"
	fi
	report download-psql
	report download download-psql 0.50
}

# api_post TOKEN PATH JSON FIELD: POSTs JSON to the server, expects 201 and
# prints FIELD of the answer.
api_post() {
	local res=$OUT/api.json code
	code=$(timeout 30 curl -sS -o "$res" -w '%{http_code}' -H "Authorization: Bearer $1" \
		-H 'Content-Type: application/json' --data-binary "$3" "$NS_URL$2") || code=curl-failed
	[ "$code" = 201 ] || die "POST $2: expected 201, got $code: $(head -c 500 "$res" 2>/dev/null)"
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$res" "$4"
}

# group_commits: "COMMITS JOBS" of the server's event writer, from /metrics.
group_commits() {
	timeout 10 curl -sf --max-time 5 "$NS_URL/metrics" | awk '
		$1 == "nextstage_group_commits_total" { c = $2 }
		$1 == "nextstage_group_commit_jobs_total" { j = $2 }
		END { print (c == "" ? "-" : c), (j == "" ? "-" : j) }'
}

# gc_note BEFORE AFTER: "C commits for J jobs (J/C jobs per commit)".
gc_note() {
	awk -v b="$1" -v a="$2" 'BEGIN {
		split(b, x, " "); split(a, y, " ")
		if (x[1] == "-" || y[1] == "-") { print "group-commit metrics missing from /metrics"; exit }
		c = y[1] - x[1]; j = y[2] - x[2]
		printf "%d commits for %d jobs (%s jobs per commit)", c, j, c ? sprintf("%.1f", j / c) : "-"
	}'
}

# wrk_requests NAME: the requests of NAME's measured wrk run.
wrk_requests() { awk '/ requests in / { print $1; exit }' "$OUT/$1.wrk.txt" 2>/dev/null; }

# A published link asset (a url, no bytes) of the marketer's: what the
# opens scenario shares and the ingest scenario's events are about.
LINK_ASSET=''
need_link_asset() {
	[ -z "$LINK_ASSET" ] || return 0
	need_marketer
	LINK_ASSET=$(api_post "$MTOKEN" /api/v1/assets '{"title": "Bench link", "kind": "guide",
		"intent": "sales", "url": "https://example.com/x", "status": "published"}' id)
	[ -n "$LINK_ASSET" ] || die "no asset id"
}

# Opens: GET /s/{token} of a link share (302 once the open is committed)
# with a browser's User-Agent, at CONNS connections. The share is
# back-dated by an hour, so that the burst rule (opens within 10 s of the
# share from an address that opened many links) does not make them bots.
# Reference: pgbench's single-row autocommit INSERT into a table like
# opens, with as many clients. Both are durable only with fsync and
# synchronous_commit on, which is checked and printed.
OPENS_UA='Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'
bench_opens() {
	need_link_asset
	local share token url code fsync synccommit walsync script=$OUT/opens.pgbench.sql
	local gc0 gc1 stored humans reqs
	share=$(api_post "$MTOKEN" /api/v1/shares "{\"asset_id\": \"$LINK_ASSET\", \"channel\": \"link\"}" id)
	token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$OUT/api.json")
	sql -c "UPDATE shares SET created_at = created_at - interval '1 hour' WHERE id = '$share'"
	url=$NS_URL/s/$token
	code=$(timeout 15 curl -s -o /dev/null -w '%{http_code}' --max-time 10 -A "$OPENS_UA" "$url") || true
	[ "$code" = 302 ] || die "opens: GET /s/<token> answered ${code:-nothing}, not 302"

	fsync=$(sql -c 'SHOW fsync') synccommit=$(sql -c 'SHOW synchronous_commit')
	walsync=$(sql -c 'SHOW wal_sync_method')
	log "opens: fsync=$fsync synchronous_commit=$synccommit wal_sync_method=$walsync"
	if [ "$fsync" != on ] || [ "$synccommit" != on ]; then
		log "opens: warning: the bench cluster is not durable; opens and ingest figures mean little"
	fi

	# The reference: one open per transaction, as a server without group
	# commit would write it.
	sql -c 'CREATE TABLE bench_opens (id bigint GENERATED ALWAYS AS IDENTITY, share_id uuid NOT NULL,
			at timestamptz NOT NULL DEFAULT now(), client_hash bytea, ua_class text NOT NULL,
			is_bot boolean NOT NULL, bot_reason text)' \
		-c 'CREATE INDEX ON bench_opens USING brin (at)' -c 'CREATE INDEX ON bench_opens (share_id, at)' \
		-c CHECKPOINT
	printf '%s\n' "INSERT INTO bench_opens (share_id, client_hash, ua_class, is_bot) VALUES
  ('$share', '\\x$(printf '%064d' 0)'::bytea, 'browser', false);" >"$script"
	run_pgbench opens-pgbench "$script" "$CONNS"
	UNIT[opens-pgbench]=rows/s # one row per transaction
	sql -c 'DROP TABLE bench_opens' -c CHECKPOINT

	gc0=$(group_commits)
	run_wrk opens "$url" -H "User-Agent: $OPENS_UA"
	gc1=$(group_commits)
	UNIT[opens]=opens/s
	read -r stored humans <<<"$(sql -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE NOT is_bot)
		FROM opens WHERE share_id = '$share'")"
	reqs=$(wrk_requests opens)
	if [ -n "$reqs" ] && [ "$stored" -lt "$reqs" ]; then
		log "opens: $reqs opens answered in the measured run, only $stored stored"
		FAILED=1
	fi
	report opens-pgbench
	report opens opens-pgbench 1.5
	note "opens: wrk -c$CONNS GET /s/<token> of a link share (302 after the open is committed)," \
		"browser User-Agent; opens-pgbench: pgbench -n -M prepared -c $CONNS -j $WRK_THREADS -f" \
		"$script (one INSERT INTO bench_opens, a table with the columns and indexes of opens," \
		"per transaction, autocommit); cluster: fsync=$fsync synchronous_commit=$synccommit" \
		"wal_sync_method=$walsync"
	note "opens: group commit during warm-up and run: $(gc_note "$gc0" "$gc1"); opens stored" \
		"$stored ($humans not bots), ${reqs:-?} answered in the measured run"
}

# Outgoing webhooks (README, "Outgoing webhooks and e-mail"). The receiver
# is nginx answering 204 to any post, so what is measured is the server's
# side. deliveries: OUTBOX_EVENTS request.created events made by one INSERT
# (the trigger writes them to the outbox in that transaction), delivered
# to OUTBOX_HOOKS webhooks, timed from the commit to the last delivery
# settled. Reference: one durable single-row commit per delivery
# (opens-pgbench), which is what settling one costs. opens-outbox and
# shares-outbox: the opens and share-creation requests with a webhook of
# every event active, against the same without (shares: POST /api/v1/shares,
# tests/bench/share.lua); every open must reach the receiver.
OUTBOX_EVENTS=${BENCH_OUTBOX_EVENTS:-20000}
OUTBOX_HOOKS=4
ATOKEN=''
need_admin() {
	[ -z "$ATOKEN" ] || return 0
	need_server
	echo pw-bench-123 | ns user add --email admin@example.com --name 'Bench admin' --role admin >/dev/null
	ATOKEN=$(ns token create --email admin@example.com --name bench)
	[ -n "$ATOKEN" ] || die "nextstage token create printed nothing"
}

receiver_start() { # receiver_start PORT: nginx answering 204 to everything
	NGINX_DIR=$(mktemp -d /tmp/ns-bench-rx-XXXXXX)
	cat >"$NGINX_DIR/nginx.conf" <<CONF
daemon off; user root; worker_processes 1; pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $NGINX_DIR/body; proxy_temp_path $NGINX_DIR/proxy;
  fastcgi_temp_path $NGINX_DIR/f; uwsgi_temp_path $NGINX_DIR/u; scgi_temp_path $NGINX_DIR/s;
  server { listen 127.0.0.1:$1; location = /healthz { return 200; } location / { return 204; } } }
CONF
	nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" 2>>"$OUT/setup.log" &
	BG_PIDS+=($!)
	NGINX_PID=$!
	wait_http "http://127.0.0.1:$1/healthz" "$NGINX_PID" 10 "$NGINX_DIR/error.log"
}

# outbox_drained KIND WANT: waits (120 s at most) until WANT deliveries of
# KIND are delivered; prints the seconds since the epoch when they were.
outbox_drained() {
	local i have
	for ((i = 0; i < 1200; i++)); do
		have=$(sql -c "SELECT count(*) FROM outbox WHERE kind = '$1' AND state = 'delivered'")
		if [ "$have" -ge "$2" ]; then
			now_s
			return 0
		fi
		sleep 0.1
	done
	log "outbox: only $have of $2 $1 deliveries made in 120 s"
	FAILED=1
	echo -
}

bench_outbox() {
	scenario opens
	need_admin
	command -v nginx >/dev/null || die "nginx is missing (scripts/deps.sh installs it)"
	local port i hooks=() rep t0 t1 share token opened reqs
	port=$(free_port)
	receiver_start "$port"
	for ((i = 0; i < OUTBOX_HOOKS; i++)); do
		hooks+=("$(api_post "$ATOKEN" /api/v1/webhooks "{\"url\": \"http://127.0.0.1:$port/hook/$i\",
			\"events\": [\"request.created\"], \"label\": \"bench $i\"}" id)")
	done
	rep=$(sql -c "SELECT id FROM users WHERE email = 'bench@example.com'")
	sql -c "INSERT INTO content_requests (title, requester)
		SELECT 'Bench request ' || i, '$rep' FROM generate_series(1, $((OUTBOX_EVENTS / OUTBOX_HOOKS))) i"
	t0=$(now_s)
	t1=$(outbox_drained request.created "$OUTBOX_EVENTS")
	record deliveries "$(awk -v n="$OUTBOX_EVENTS" -v a="$t0" -v b="$t1" \
		'BEGIN { if (b == "-") print "-"; else printf "%.0f", n / (b - a) }')" deliveries/s
	for i in "${hooks[@]}"; do
		timeout 10 curl -sf -o /dev/null -X DELETE -H "Authorization: Bearer $ATOKEN" \
			"$NS_URL/api/v1/webhooks/$i" || die "could not delete webhook $i"
	done

	BENCH_ASSET_ID=$LINK_ASSET run_wrk shares "$NS_URL/api/v1/shares" -s tests/bench/share.lua \
		-H "Authorization: Bearer $MTOKEN" -H 'Content-Type: application/json'
	UNIT[shares]=shares/s
	hooks=("$(api_post "$ATOKEN" /api/v1/webhooks "{\"url\": \"http://127.0.0.1:$port/all\",
		\"events\": [\"share.opened\", \"lead.sales_ready\", \"request.created\",
		\"request.fulfilled\", \"verdict.changed\", \"review.decided\", \"deal.stage_changed\"],
		\"label\": \"bench all\"}" id)")
	BENCH_ASSET_ID=$LINK_ASSET run_wrk shares-outbox "$NS_URL/api/v1/shares" -s tests/bench/share.lua \
		-H "Authorization: Bearer $MTOKEN" -H 'Content-Type: application/json'
	UNIT[shares-outbox]=shares/s

	share=$(api_post "$MTOKEN" /api/v1/shares "{\"asset_id\": \"$LINK_ASSET\", \"channel\": \"link\"}" id)
	token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$OUT/api.json")
	sql -c "UPDATE shares SET created_at = created_at - interval '1 hour' WHERE id = '$share'"
	run_wrk opens-outbox "$NS_URL/s/$token" -H "User-Agent: $OPENS_UA"
	UNIT[opens-outbox]=opens/s
	opened=$(sql -c "SELECT count(*) FROM opens WHERE share_id = '$share' AND NOT is_bot")
	outbox_drained share.opened "$opened" >/dev/null
	reqs=$(wrk_requests opens-outbox)
	timeout 10 curl -sf -o /dev/null -X DELETE -H "Authorization: Bearer $ATOKEN" \
		"$NS_URL/api/v1/webhooks/${hooks[0]}" || die "could not delete the webhook"
	nginx_stop

	report deliveries opens-pgbench
	report_info shares
	report shares-outbox shares
	report opens-outbox opens-pgbench 1.5
	report opens-outbox opens
	note "deliveries: $OUTBOX_EVENTS request.created events (one INSERT) to $OUTBOX_HOOKS webhooks of a" \
		"local nginx answering 204, from the commit to the last delivery settled; reference: one durable" \
		"single-row commit per delivery (opens-pgbench)"
	note "shares-outbox, opens-outbox: POST /api/v1/shares (tests/bench/share.lua) and GET /s/<token>" \
		"with a webhook of every event active; shares: the same without; opens-outbox's ${opened:-?} opens" \
		"(${reqs:-?} answered in the measured run) all delivered to the receiver"
}

# Ingest: POST /api/v1/events, batches of INGEST_BATCH "download" events
# (ids never sent before, one asset), at INGEST_CONNS connections
# (tests/bench/ingest.lua). Reference: psql's \copy of as many equivalent
# rows (at least 100,000) into a table with the columns of downloads and
# ingested_events and their indexes, in one transaction.
INGEST_BATCH=1000
bench_ingest() {
	need_link_asset
	local CONNS=$INGEST_CONNS # run_wrk's connections
	local raw=$OUT/ingest.wrk.txt copy=$PWD/$OUT/ingest.copy gc0 gc1 d0 e0 d1 e1 good bad n t0 t1
	read -r d0 e0 <<<"$(sql -F ' ' -c 'SELECT (SELECT count(*) FROM downloads), (SELECT count(*) FROM ingested_events)')"
	gc0=$(group_commits)
	export BENCH_ASSET_ID=$LINK_ASSET BENCH_INGEST_BATCH=$INGEST_BATCH
	run_wrk ingest "$NS_URL/api/v1/events" -s tests/bench/ingest.lua \
		-H "Authorization: Bearer $MTOKEN" -H 'Content-Type: application/json'
	gc1=$(group_commits)
	read -r d1 e1 <<<"$(sql -F ' ' -c 'SELECT (SELECT count(*) FROM downloads), (SELECT count(*) FROM ingested_events)')"
	read -r good bad <<<"$(awk '/^bench-batches:/ { print $3, $5 }' "$raw")"
	if [ "${good:-0}" = 0 ] || [ "$bad" != 0 ]; then
		log "ingest: batches not all accepted (good ${good:-?}, bad ${bad:-?}); see $raw"
		FAILED=1
	fi
	if [ "$((d1 - d0))" != "$((e1 - e0))" ]; then
		log "ingest: $((e1 - e0)) event ids stored but $((d1 - d0)) downloads"
		FAILED=1
	fi
	if [ "${RATE[ingest]}" != - ]; then # from wrk's unrounded req/s
		RATE[ingest]=$(awk -v b="$INGEST_BATCH" '/^Requests\/sec:/ { printf "%.0f", $2 * b }' "$raw")
	fi
	UNIT[ingest]=events/s
	NON2XX[ingest]=${bad:--} # bad batches: not 202 with all events accepted

	n=$(( ${good:-0} * INGEST_BATCH ))
	[ "$n" -ge 100000 ] || n=100000
	timeout 60 awk -v n="$n" -v a="$LINK_ASSET" 'BEGIN {
		for (i = 1; i <= n; i++) printf "c%d-1700000000-%d-%d\tdownload\t%s\n", 4242, i % 4, i, a }' >"$copy"
	sql -c 'CREATE TABLE bench_events (id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
			type text NOT NULL, asset_id uuid NOT NULL, user_id uuid,
			at timestamptz NOT NULL DEFAULT now(), received_at timestamptz NOT NULL DEFAULT now())' \
		-c 'CREATE INDEX ON bench_events USING brin (at)' -c 'CREATE INDEX ON bench_events (asset_id, at)' \
		-c CHECKPOINT
	log "ingest-copy: \\copy of $n rows into bench_events"
	t0=$(now_s)
	interruptible timeout 300 psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 \
		-c "\\copy bench_events (id, type, asset_id) FROM '$copy'"
	t1=$(now_s)
	record ingest-copy "$(awk -v n="$n" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f", n / (e - s) }')" rows/s
	rm -f "$copy"
	sql -c 'DROP TABLE bench_events' -c CHECKPOINT
	report ingest-copy
	report ingest ingest-copy 0.20
	note "ingest: wrk -c$INGEST_CONNS -s tests/bench/ingest.lua: POST /api/v1/events of" \
		"$INGEST_BATCH download events (unique ids, one asset) per request, 202 after commit;" \
		"rate = req/s x $INGEST_BATCH; p99 is per batch; non-2xx counts batches not answered" \
		"202 with all accepted (measured run: ${good:-?} good, ${bad:-?} bad)"
	note "ingest-copy: psql \\copy bench_events (id, type, asset_id) FROM <text file of $n rows>" \
		"(one transaction; bench_events: the columns of downloads and ingested_events, id text" \
		"primary key, BRIN on at, btree on (asset_id, at)); group commit during warm-up and run:" \
		"$(gc_note "$gc0" "$gc1"); $((d1 - d0)) downloads stored"
}

# Import: a CSV of IMPORT_DEALS deals x 4 stage changes (our header, some
# quoted fields with commas) POSTed once by the marketer, which answers 202
# (more than 20,000 records: a job), then its job followed until done.
# Reference: psql \copy of the same file into a table of the same text
# columns; target: the import's rows/s >= 10% of COPY's. Also the server's
# peak RSS growth during the import.
bench_import() {
	need_marketer
	local csv=$OUT/import.csv rows=$((IMPORT_DEALS * 4)) res code t0 t1 growth summary url
	timeout 60 env TZ=UTC awk -v n="$IMPORT_DEALS" 'BEGIN {
		split("prospecting discovery evaluation proposal negotiation closed_won closed_lost", st, " ")
		print "external_id,name,account,owner_email,stage,amount,changed_at"
		for (d = 1; d <= n; d++) {
			owner = d % 2 ? "bench@example.com" : "marketer@example.com"
			name = d % 5 ? sprintf("Deal %06d", d) : sprintf("\"Deal %06d, renewal \"\"Q3\"\"\"", d)
			t0 = 1735689600 + d * 60 # 2025-01-01 plus a minute per deal
			for (k = 0; k < 4; k++) {
				s = k < 3 ? st[k + 1] : st[4 + d % 4]
				t = t0 + k * 7 * 86400
				printf "crm-%06d,%s,Account %d,%s,%s,\"USD %d,%03d.00\",%s\n", d, name, d % 500,
					owner, s, 1 + (d * 37) % 90, d % 1000, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1)
			}
		}
	}' >"$csv"
	[ "$(($(wc -l <"$csv") - 1))" = "$rows" ] || die "import: could not write $csv"

	sql -c 'CREATE TABLE bench_import (external_id text, name text, account text,
		owner_email text, stage text, amount text, changed_at text)'
	t0=$(now_s)
	sql -c "\\copy bench_import FROM '$csv' WITH (FORMAT csv, HEADER)"
	t1=$(now_s)
	record import-copy "$(awk -v n="$rows" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')" rows/s
	sql -c 'DROP TABLE bench_import' -c CHECKPOINT

	log "import: POST /api/v1/import/deals with $rows rows ($(($(stat -c %s "$csv") / 1024)) KiB)"
	mem_begin import
	t0=$(now_s)
	res=$(interruptible timeout 120 curl -sS -o "$OUT/import.json" -w '%{http_code}' \
		-H "Authorization: Bearer $MTOKEN" -H 'Content-Type: text/csv' --data-binary "@$csv" \
		"$NS_URL/api/v1/import/deals") || res="curl-failed ${res:-}"
	code=$res
	url=$(python3 -c 'import json, sys; print("/api/v1/import/jobs/" + json.load(open(sys.argv[1]))["id"])' \
		"$OUT/import.json" 2>/dev/null) || url=''
	local status=''
	for _ in $(seq 1 1200); do
		[ "$code" = 202 ] && [ -n "$url" ] || break
		curl -sS -o "$OUT/import.json" -H "Authorization: Bearer $MTOKEN" "$NS_URL$url" || break
		# (grep, not a JSON parser per poll: the poll's cost is in the figure)
		status=$(grep -o '"status":"[a-z]*"' "$OUT/import.json" | head -n 1 | cut -d'"' -f4) || status=''
		case $status in done | failed) break ;; esac
		sleep 0.05
	done
	t1=$(now_s)
	mem_end import
	growth=$MEM_GROWTH
	rm -f "$csv"
	summary=$(python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))["report"]
print(" ".join("%s %s" % (k, a.get(k)) for k in
      ("rows", "created", "updated", "transitions", "unchanged", "error_count")))' \
		"$OUT/import.json" 2>/dev/null) || summary=''
	if [ "$status" = done ] && [[ $summary == "rows $rows "* ]]; then
		record import "$(awk -v n="$rows" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')" rows/s
	else
		log "import: expected a job done with rows $rows, got $code/$status: $(head -c 500 "$OUT/import.json" 2>/dev/null)"
		FAILED=1
		record import - rows/s
		growth=-
	fi
	if [ "$status" = done ]; then bench_import_tables; else record import-tables - rows/s; fi
	report import-copy
	report import import-copy 0.10
	report import-tables
	report import import-tables
	record import-rss "$growth" MiB
	report_info import-rss
	note "import: curl --data-binary of a $rows-row CSV ($IMPORT_DEALS deals x 4 stage changes," \
		"text/csv) to POST /api/v1/import/deals (202), then GET of its job until done, in" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; report: ${summary:-none};" \
		"import-copy: psql \\copy of the same file into a table of 7 text columns"
	note "import-rss: server peak RSS growth during the import ($MEM_DETAIL)"
	note "import-tables: psql \\copy of the rows the import wrote (deals, then their stage" \
		"entries) into copies of deals and deal_stages with their indexes, checks, foreign" \
		"keys and triggers (each deal's audit row included): what landing them costs" \
		"PostgreSQL before any work of the import's own"
}

# The second reference of the import: the rows it wrote, copied out and
# then COPYed into copies of their tables (see the note above).
bench_import_tables() {
	local deals=$PWD/$OUT/import-deals.copy stages=$PWD/$OUT/import-stages.copy t0 t1 n
	local pick="JOIN deals d ON d.id = s.deal_id WHERE d.external_id LIKE 'crm-%'"
	sql -c "\\copy (SELECT id, external_id, name, account, owner, stage, amount, created_at FROM deals WHERE external_id LIKE 'crm-%') TO '$deals'" \
		-c "\\copy (SELECT s.deal_id, s.stage, s.at, s.source, s.left_at, s.next_stage FROM deal_stages s $pick) TO '$stages'"
	n=$(($(wc -l <"$deals") + $(wc -l <"$stages")))
	sql <<'SQL'
CREATE TABLE bench_deals (LIKE deals INCLUDING ALL);
ALTER TABLE bench_deals ADD FOREIGN KEY (owner) REFERENCES users,
    ADD FOREIGN KEY (stage) REFERENCES stages;
CREATE TRIGGER bench_deals_audit AFTER INSERT ON bench_deals
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TABLE bench_deal_stages (LIKE deal_stages INCLUDING ALL);
CREATE TRIGGER bench_deal_stages_refs AFTER INSERT ON bench_deal_stages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deal_stages_refs();
CHECKPOINT;
SQL
	t0=$(now_s)
	sql -c "\\copy bench_deals (id, external_id, name, account, owner, stage, amount, created_at) FROM '$deals'" \
		-c "\\copy bench_deal_stages (deal_id, stage, at, source, left_at, next_stage) FROM '$stages'"
	t1=$(now_s)
	# rows/s of the file's rows (as import-copy counts them), not of the tables'
	record import-tables "$(awk -v n="$IMPORT_DEALS" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.0f", n * 4 / (b - a) }')" rows/s
	log "import-tables: $n rows in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
	sql -c 'DROP TABLE bench_deals, bench_deal_stages' -c "DELETE FROM audit WHERE entity = 'bench_deals'"
	rm -f "$deals" "$stages"
}

# Analytics at scale, in a database of its own in the bench cluster:
# tests/bench/analytics-data.sql makes 100,000 deals (500,000 stage
# entries), 1,000,000 shares and 3,000,000 opens over two years for 2,000
# assets (and builds the rollups in bulk: analytics_rebuild), then each
# dashboard (and the review queue's first page, our own 500 ms budget) is
# timed (best of three, curl's total time) next to a plain count(*) over
# the shares.
ANALYTICS_RUNS=3
bench_analytics() {
	need_db
	local db url port pid t0=$SECONDS token
	sql -c "DROP DATABASE IF EXISTS analytics" -c "CREATE DATABASE analytics" >/dev/null
	db=${DB_URL/dbname=nextstage/dbname=analytics}
	NEXTSTAGE_DATABASE_URL=$db timeout 120 "$NS" migrate 2>>"$OUT/setup.log" || die "migrate analytics failed"
	log "analytics: generating the data set (a few minutes)"
	timeout 900 psql "$db" -X -q -v ON_ERROR_STOP=1 -f tests/bench/analytics-data.sql >/dev/null ||
		die "the analytics data set was not generated"
	log "analytics: data set ready in $((SECONDS - t0)) s"
	echo pw-bench-123 | NEXTSTAGE_DATABASE_URL=$db "$NS" user add --email analyst@example.com \
		--name Analyst --role marketer --board >/dev/null 2>>"$OUT/setup.log"
	token=$(NEXTSTAGE_DATABASE_URL=$db "$NS" token create --email analyst@example.com --name bench 2>>"$OUT/setup.log")
	port=$(free_port)
	NEXTSTAGE_DATABASE_URL=$db NEXTSTAGE_LISTEN=127.0.0.1:$port NEXTSTAGE_THREADS=$THREADS \
		"$NS" serve >"$OUT/analytics-server.log" 2>&1 &
	pid=$!
	BG_PIDS+=($pid)
	wait_http "http://127.0.0.1:$port/healthz" "$pid" 30 "$OUT/analytics-server.log"
	# The reference: PostgreSQL counting the shares (best of three).
	local ms best
	best=$(for _ in $(seq "$ANALYTICS_RUNS"); do
		timeout 60 psql "$db" -X -q -c '\timing on' -c 'SELECT count(*) FROM shares' |
			awk '/^Time:/ { print $2 }'
	done | sort -n | head -n 1)
	record analytics-count "${best:--}" ms
	report_info analytics-count
	local name path max
	for spec in "stage-test /api/v1/analytics/stage-test 2000" \
		"unused /api/v1/analytics/unused 200" \
		"coverage /api/v1/analytics/coverage 200" \
		"reviews /api/v1/reviews 500" \
		"usage /api/v1/analytics/usage?from=$(date -u -d '1 year ago' +%F)&to=$(date -u +%F)&group=week 200"; do
		read -r name path max <<<"$spec"
		best=$(for _ in $(seq "$ANALYTICS_RUNS"); do
			curl -s -o "$OUT/analytics-$name.json" -w '%{http_code} %{time_total}\n' --max-time 120 \
				-H "Authorization: Bearer $token" "http://127.0.0.1:$port$path"
		done | awk '$1 == 200 { print $2 * 1000 }' | sort -n | head -n 1)
		[ -n "$best" ] || { log "analytics: $path failed: $(head -c 300 "$OUT/analytics-$name.json")"; FAILED=1; }
		ms=${best:+$(printf '%.1f' "$best")}
		record "$name" "${ms:--}" ms # the reference of its dashboard's row below
		report_max "$name" "${ms:--}" ms "$max"
		note "$name: GET $path, best of $ANALYTICS_RUNS: ${ms:--} ms, $(awk -v a="${ms:-0}" -v b="${RATE[analytics-count]}" \
			'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')x the count(*) of shares"
	done
	bench_dashboards "http://127.0.0.1:$port"
	stop_bg "$pid"
	note "analytics-count: SELECT count(*) FROM shares (1,000,000 rows) by psql, best of $ANALYTICS_RUNS"
}

# Each dashboard of the web app painted after a navigation, in Chromium, on
# the analytics data set (tests/bench/dashboards.mjs: median of 5 loads
# after a warm-up); the reference is its API answer's time above.
bench_dashboards() {
	need_browser
	local out=$OUT/analytics-dashboards.txt key median p90 worst api
	if ! interruptible timeout 600 node tests/bench/dashboards.mjs "$1" analyst@example.com pw-bench-123 5 \
		>"$out" 2>>"$OUT/setup.log"; then
		log "dashboards: the driver failed (build/bench/setup.log)"
		FAILED=1
	fi
	for key in dash-stage-test dash-usage dash-coverage dash-unused; do
		read -r _ median p90 worst < <(grep "^$key " "$out" || echo "$key - - -")
		api=${key#dash-}
		record "$key" "$median" ms "$p90"
		report_under "$key" 500 "$api"
		note "$key: /app/dashboards page painted after navigation (chart or matrix on screen), median of 5" \
			"(p90 $p90, worst $worst ms); reference: GET of its API ($api) above"
	done
}

# Text out of PDFs through the sandbox (tests/bench/extract_run.c:
# extract_run, so fork + exec of `nextstage extract`, limits, frames and a
# preview of page 1 included) against pdftotext alone on the same files
# (tests/files/make_files.py --bench), both one file after another; best
# of three runs each, interleaved, so that load from elsewhere hits both.
EXTRACT_PDFS=${BENCH_EXTRACT_PDFS:-40}
EXTRACT_PAGES=${BENCH_EXTRACT_PAGES:-20}
bench_extract() {
	command -v pdftotext >/dev/null || die "extract: pdftotext is not installed (make deps)"
	make -s build/bench/extract_run >/dev/null || die "extract: the driver did not build"
	local dir=$OUT/extract-files pages=$((EXTRACT_PDFS * EXTRACT_PAGES)) t0 t1 n secs
	local best_ref=0 best=0 rate cpu_ref=- cpu=- f
	rm -rf "$dir"
	timeout 300 python3 tests/files/make_files.py "$dir" --bench "$EXTRACT_PDFS" "$EXTRACT_PAGES" ||
		die "extract: the PDFs were not generated"
	local files=("$dir"/bench/*.pdf)
	# warm-up: the page cache, fontconfig's cache
	timeout 60 build/bench/extract_run "$NS" "${files[@]:0:3}" >/dev/null || true
	for f in "${files[@]:0:3}"; do timeout 10 pdftotext -q "$f" /dev/null || true; done
	for _ in 1 2 3; do
		t0=$(now_s)
		for f in "${files[@]}"; do
			timeout 30 pdftotext -q "$f" /dev/null || die "extract: pdftotext failed on $f"
		done
		t1=$(now_s)
		rate=$(awk -v n="$pages" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
		[ "$rate" -gt "$best_ref" ] && best_ref=$rate
		if ! read -r n secs < <(timeout 600 build/bench/extract_run "$NS" "${files[@]}" \
			2>>"$OUT/setup.log"); then
			log "extract: the driver failed (build/bench/setup.log)"
			FAILED=1
			break
		fi
		[ "$n" = "$pages" ] || { log "extract: $n pages of $pages"; FAILED=1; }
		rate=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
		[ "$rate" -gt "$best" ] && best=$rate
	done
	# CPU time (user + system, children included) of one run each
	cpu_ref=$( { TIMEFORMAT='%U %S'; time (for f in "${files[@]}"; do pdftotext -q "$f" /dev/null; done); } 2>&1 |
		awk -v n="$pages" '{ printf "%.2f", ($1 + $2) * 1000 / n }')
	cpu=$( { TIMEFORMAT='%U %S'; time (build/bench/extract_run "$NS" "${files[@]}" >/dev/null 2>&1); } 2>&1 |
		awk -v n="$pages" '{ printf "%.2f", ($1 + $2) * 1000 / n }')
	record extract-pdftotext "$best_ref" pages/s
	record extract "$best" pages/s
	report_info extract-pdftotext
	report extract extract-pdftotext 0.8
	note "extract: $EXTRACT_PDFS generated PDFs of $EXTRACT_PAGES pages through extract_run (a sandboxed" \
		"child per file, preview included) against pdftotext alone, best of 3; CPU per page:" \
		"extract_run $cpu ms, pdftotext $cpu_ref ms"
	rm -rf "$dir"
}

# --- main ----------------------------------------------------------------------

command -v wrk >/dev/null || die "wrk is not installed (make deps)"
mkdir -p "$OUT"
rm -f "$OUT"/*.wrk.txt "$OUT"/*.pgbench.txt "$OUT"/*.rss "$OUT"/*.log "$OUT"/*.log.tail "$OUT/results.txt"
[ $# -gt 0 ] || set -- "${SCENARIOS[@]}"
for s in "$@"; do
	declare -F "bench_$s" >/dev/null || die "unknown scenario $s (have: ${SCENARIOS[*]})"
done
start=$SECONDS
for s in "$@"; do scenario "$s"; done
print_table
log "done in $((SECONDS - start)) s"
exit "$FAILED"
