-- Per asset, all time: the rollup plus the rows past the marks.
CREATE OR REPLACE VIEW usage_asset_now AS
    SELECT asset_id, sum(shares) AS shares, sum(opens) AS opens,
           sum(human_opens) AS human_opens, sum(opened_shares) AS opened_shares,
           max(last_shared_at) AS last_shared_at
    FROM (SELECT asset_id, shares, opens, human_opens, opened_shares, last_shared_at
          FROM usage_asset
          UNION ALL
          SELECT asset_id, shares, opens, human_opens, opened_shares, last_shared_at
          FROM usage_now) u
    GROUP BY asset_id;
