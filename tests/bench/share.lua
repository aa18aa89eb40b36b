-- wrk script of the outbox scenario (scripts/bench.sh): every request is a
-- POST /api/v1/shares of a link share of asset BENCH_ASSET_ID. Headers
-- (Authorization, Content-Type) come from wrk -H; wrk counts the answers
-- that are not 2xx.
local asset = os.getenv("BENCH_ASSET_ID") or error("BENCH_ASSET_ID is not set")
wrk.method = "POST"
wrk.body = '{"asset_id": "' .. asset .. '", "channel": "link"}'
