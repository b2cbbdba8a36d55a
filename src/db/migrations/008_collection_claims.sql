-- Collection claims that belong to a run's lane (not to a process), honest per-feed outcomes of a run,
-- a crash-loop guard per (run, feed), and a lease on each open run so any live process can take it over.

-- A run that collected some feeds and not others is 'partial', not 'failed'.
ALTER TABLE collection_runs DROP CONSTRAINT collection_runs_status_check;
ALTER TABLE collection_runs ADD CONSTRAINT collection_runs_status_check
  CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed'));
-- Renewed by every process working on the run; when it lapses, any live process joins the run.
ALTER TABLE collection_runs ADD COLUMN lease_until timestamptz;

-- Per feed of a run: collected | failed (error says why) | offline (server down) | waited_for (covered_by
-- collected it) | skipped (deactivated or deleted since the run began).
ALTER TABLE collection_run_feeds DROP CONSTRAINT collection_run_feeds_status_check;
UPDATE collection_run_feeds SET status = CASE WHEN status = 'done' THEN 'collected' ELSE 'offline' END
 WHERE status = 'done' OR (status = 'skipped' AND error IS NOT NULL);
ALTER TABLE collection_run_feeds ADD CONSTRAINT collection_run_feeds_status_check
  CHECK (status IN ('pending', 'claimed', 'collected', 'failed', 'offline', 'waited_for', 'skipped'));
-- the run whose collection covered this one's request (waited_for)
ALTER TABLE collection_run_feeds ADD COLUMN covered_by uuid;
-- pages the readings of the window computed (pages is the net change of the deposits)
ALTER TABLE collection_run_feeds ADD COLUMN pages_read bigint NOT NULL DEFAULT 0;
-- collections of this feed started for this run, and how many of them ended with their process dead
ALTER TABLE collection_run_feeds ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE collection_run_feeds ADD COLUMN deaths integer NOT NULL DEFAULT 0;
-- a lane holds the feed's claim for this row right now (a lapsed claim with this set is a death)
ALTER TABLE collection_run_feeds ADD COLUMN collecting boolean NOT NULL DEFAULT false;

-- The feed claim: lease_owner is now a token of one lane of one run (never shared by two runs of a
-- process); lease_run names the run, lease_taken_at when (on the collection clock).
ALTER TABLE feeds ADD COLUMN lease_run uuid;
ALTER TABLE feeds ADD COLUMN lease_taken_at timestamptz;
-- The last collection that finished: its run, when its claim was taken, and the day it re-collected from
-- (null: from the cursor). A run asked for before that claim (and for no earlier day) is covered by it.
ALTER TABLE feeds ADD COLUMN collected_by_run uuid;
ALTER TABLE feeds ADD COLUMN collected_claim_at timestamptz;
ALTER TABLE feeds ADD COLUMN collected_from timestamptz;
-- Which came first, a run's request or a feed claim, is told by one sequence, never by clocks: two events
-- at the same instant (a clock's granularity, or a test's frozen clock) are still ordered, so a claim
-- taken before a request can never be taken as covering it.
CREATE SEQUENCE collection_order;
ALTER TABLE collection_runs ADD COLUMN request_order bigint NOT NULL DEFAULT nextval('collection_order');
ALTER TABLE feeds ADD COLUMN lease_order bigint;
ALTER TABLE feeds ADD COLUMN collected_claim_order bigint;
