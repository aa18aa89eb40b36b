-- The next-stage test, version 2: what its stored verdicts carry, and the
-- shares made to a deal before its first stage, which the test now reads
-- too (a deal given an asset is no control for it from then on, whatever
-- stage it was in).

-- A share before a deal's first stage is an exposure row without a stage,
-- entered at -infinity (one per asset and deal, its first share then).
ALTER TABLE exposures ALTER COLUMN stage DROP NOT NULL;
INSERT INTO exposures (asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at)
SELECT s.asset_id, s.deal_id, NULL, '-infinity', NULL, NULL, min(s.created_at)
FROM shares s
WHERE s.deal_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM deal_stages ds WHERE ds.deal_id = s.deal_id
                  AND ds.at <= s.created_at)
GROUP BY 1, 2
ON CONFLICT (asset_id, deal_id, entered_at)
    DO UPDATE SET shared_at = least(exposures.shared_at, excluded.shared_at);

-- Version 1's verdicts were judged by other rules (its no_effect was also
-- "cannot tell"): none is kept. The server stores version 2's at start.
DELETE FROM stage_verdicts;
ALTER TABLE stage_verdicts RENAME COLUMN exposures TO n;
ALTER TABLE stage_verdicts RENAME COLUMN advanced TO observed;
ALTER TABLE stage_verdicts
    ADD COLUMN expected    double precision NOT NULL DEFAULT 0,
    ADD COLUMN p_value     double precision,
    ADD COLUMN q_value     double precision,
    ADD COLUMN banded      boolean NOT NULL DEFAULT false,
    ADD COLUMN pending     integer NOT NULL DEFAULT 0,
    ADD COLUMN summary     text,
    ADD COLUMN explanation text NOT NULL DEFAULT '',
    ADD CONSTRAINT stage_verdicts_verdict CHECK (verdict IN
        ('insufficient_data', 'moves_deals', 'hurts', 'no_effect', 'inconclusive'));
