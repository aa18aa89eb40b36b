-- asset_json() takes the asset's verdicts as a fourth argument now
-- (schema/functions/asset_json.sql); the three-argument form goes.
DROP FUNCTION IF EXISTS asset_json(assets, json, numeric);
