-- The usage rows past the rollup's high-water marks, not yet folded.
CREATE OR REPLACE VIEW usage_now AS
    SELECT d.* FROM rollup_marks ms, rollup_marks mo,
        usage_delta(ms.done, 9223372036854775807, mo.done, 9223372036854775807) d
    WHERE ms.source = 'shares' AND mo.source = 'opens';
