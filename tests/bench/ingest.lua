-- wrk script of the ingest scenario (scripts/bench.sh): every request is a
-- POST /api/v1/events of BENCH_INGEST_BATCH (1,000) "download" events of
-- asset BENCH_ASSET_ID, each with an id never sent before (wrk's pid, the
-- start time, the thread and a counter), so nothing is a duplicate. The
-- responses are checked: a batch counts as good when it is answered 202 with
-- "accepted":<batch>, no duplicates and nothing rejected; done() prints the bad ones for the harness to read.
-- Headers (Authorization, Content-Type) come from wrk -H.

local batch = tonumber(os.getenv("BENCH_INGEST_BATCH") or "1000")
local asset = os.getenv("BENCH_ASSET_ID") or error("BENCH_ASSET_ID is not set")

local threads = {}

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

local prefix, n, want
local parts = {}
-- good and bad are globals: done() reads them with thread:get().
good, bad = 0, 0

function init(args)
	local pid = "0"
	local f = io.open("/proc/self/stat", "r")
	if f then
		pid = f:read("*l"):match("^(%d+)") or pid
		f:close()
	end
	prefix = string.format("b%s-%d-%d-", pid, os.time(), tid)
	n = 0
	want = '"accepted":' .. batch .. ','
	wrk.method = "POST"
end

function request()
	n = n + 1
	local head = prefix .. n .. "-"
	for i = 1, batch do
		parts[i] = '{"id":"' .. head .. i .. '","type":"download","asset_id":"' .. asset .. '"}'
	end
	return wrk.format("POST", nil, nil, "[" .. table.concat(parts, ",", 1, batch) .. "]")
end

function response(status, headers, body)
	if status == 202 and body and body:find(want, 1, true) and body:find('"duplicates":0[,}]')
		and body:find('"rejected":[]', 1, true) then
		good = good + 1
	else
		bad = bad + 1
		if bad <= 3 then
			io.stderr:write(string.format("ingest: %d %s\n", status, (body or ""):sub(1, 300)))
		end
	end
end

function done(summary, latency, requests)
	local b, g = 0, 0
	for _, t in ipairs(threads) do
		b = b + (t:get("bad") or 0)
		g = g + (t:get("good") or 0)
	end
	io.write(string.format("bench-batches: good %d bad %d\n", g, b))
end
