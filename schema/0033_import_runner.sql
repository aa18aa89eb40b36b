-- Which run of an import job is the one in force. A server that claims a
-- job (or a request that runs its own) names its run here, and the run's
-- transaction holds the job's row locked while it imports: a job is taken
-- up again only when no transaction holds it (its server is gone), and a
-- run that lost its job to another neither imports it a second time nor
-- marks it failed. (Servers sharing a database each put back, every few
-- seconds, the jobs whose runs are gone; before, a server starting put
-- back every running job, those of live servers too.)
ALTER TABLE import_jobs ADD COLUMN runner uuid;
