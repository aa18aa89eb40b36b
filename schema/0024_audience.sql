-- Who may see an asset (issue 16): 'external' content may be shared and
-- made public; 'internal' content (battlecards, pricing guidance) is for
-- the team only: reps read it, no tracked link or public page carries it.
-- The battlecards there were become internal (and so not public); new
-- battlecards are internal unless said otherwise (db/assets.c).
ALTER TABLE assets ADD COLUMN audience text NOT NULL DEFAULT 'external'
    CHECK (audience IN ('external', 'internal'));
UPDATE assets SET audience = 'internal', public = false, gated = false
 WHERE kind = 'battlecard';
ALTER TABLE assets ADD CONSTRAINT assets_internal_not_public
    CHECK (audience = 'external' OR NOT public);
