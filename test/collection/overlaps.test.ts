// Runs that meet on a feed, in orders forced with hooks (never left to timing): both orders of claim and
// commit across two runs in one process or two, a --since met while another run holds the feed, a restart
// under a holder, a collector killed at each step and taken over by the sweep, a feed that kills its
// collector twice; then random interleavings of several runs (fast-check's scheduler). Each ends with
// deposits per UTC day equal to the sandbox's truth and outcomes that say what happened.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollectionEngine, LaneKilled, type CollectionStep, type EngineDeps } from '../../src/collection/engine.ts';
import { createRun, getRunById, requestRun, type RunRow } from '../../src/collection/runs.ts';
import { COLLECT_RUN_JOB } from '../../src/collection/runtime.ts';
import { storeName } from '../helpers/harness.ts';
import { collectionWorld, depositsByDay, printTrackerDealer, sorted, truth, truthByDay, type World } from './helpers.ts';

const ACTIVATED = '2025-03-24';

/** A gate a hook waits at until the test opens it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Resolves when `predicate` has seen a matching hook call. */
function event() {
  let seen!: () => void;
  const happened = new Promise<void>((resolve) => (seen = resolve));
  return { happened, seen };
}

describe(`runs that meet on a feed (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string; path: string };
  const feeds: Array<{ id: string; customer: string; entity: string }> = [];
  /** runs the API started (the test executes them itself, in the order it forces) */
  const started: string[] = [];

  beforeAll(async () => {
    w = await collectionWorld({
      now: '2025-04-15T02:00:00Z',
      sandbox: { start: '2025-01-01', customers: 2, rates: { stoppedCustomer: 0 } },
    });
    w.t.app.collection.attachQueue({
      async send(name, data) {
        if (name !== COLLECT_RUN_JOB) return null;
        const runId = String(data?.runId);
        if (!started.includes(runId)) started.push(runId);
        return null;
      },
    });
    const made = await printTrackerDealer(w, 'Dealer overlaps', ACTIVATED);
    dealer = made.dealer;
    feeds.push(...made.feeds);
  }, 180_000);
  afterAll(async () => w?.close());

  type Hooks = NonNullable<EngineDeps['hooks']>;
  const engine = (workerId: string, hooks?: Hooks, feedConcurrency = 2) => createCollectionEngine({
    db: w.t.db, settings: { ...w.t.config.collection, feedConcurrency }, secrets: w.t.app.collection.secrets,
    clock: w.t.clock.read, log: () => {}, workerId, leaseSeconds: 60, hooks,
  });
  const nightly = async () => (await createRun(w.t.db, { account: dealer, trigger: 'nightly', now: w.t.clock.read() })).id;
  const since = async (day: string, feedId: string | null = null) =>
    (await requestRun(w.t.db, { account: dealer, feedId, trigger: 'cli', since: day, now: w.t.clock.read(), openRunsBound: null })).run.id;
  const takeStarted = () => started.splice(0);

  /** Deposits per UTC day equal the truth up to now, for the feeds collected last (default all). */
  const expectTruth = async (which = feeds) => {
    const today = w.t.clock.now.toISOString().slice(0, 10);
    for (const f of which) {
      const expected = truthByDay(await truth(w.sb, { entity: f.entity, start: ACTIVATED, end: today }));
      expect(expected.size).toBeGreaterThan(5);
      const got = await depositsByDay(w.t, f.customer, dealer.key);
      const wrong = [...new Set([...got.keys(), ...expected.keys()])].filter((d) => got.get(d) !== expected.get(d)).map((d) => `${d}: ${got.get(d)} vs ${expected.get(d)}`);
      expect(sorted(got), `${f.entity} (today ${today}): ${wrong.join(', ')}`).toEqual(sorted(expected));
    }
    // No live claim is left (a killed collector's lapsed one is taken over by the next run that needs the feed).
    expect(await w.t.db.query(`SELECT id FROM feeds WHERE lease_owner IS NOT NULL AND lease_until > now()`)).toEqual([]);
  };
  const outcomes = async (runId: string) => {
    const rows = await w.t.db.query<{ feed_id: string; status: string; covered_by: string | null; error: string | null; attempts: number }>(
      `SELECT feed_id, status, covered_by, error, attempts FROM collection_run_feeds WHERE run_id = $1 ORDER BY feed_id`, [runId],
    );
    return new Map(rows.map((r) => [r.feed_id, r]));
  };
  /** The lease period passes for a collector that died: its claims on runs, run feeds and feeds lapse. */
  const lapse = async (workerId: string) => {
    await w.t.db.query(`UPDATE feeds SET lease_until = now() - interval '1 second' WHERE lease_owner LIKE $1`, [`${workerId}/%`]);
    await w.t.db.query(`UPDATE collection_run_feeds SET lease_until = now() - interval '1 second' WHERE claimed_by = $1 AND status = 'claimed'`, [workerId]);
    await w.t.db.query(`UPDATE collection_runs SET lease_until = now() - interval '1 second' WHERE status IN ('queued', 'running')`);
  };

  it('collects each feed once when feed creation backfills and a nightly run meet in one process', async () => {
    const backfills = takeStarted();
    expect(backfills).toHaveLength(2);
    const night = await nightly();
    const backfillOf = new Map(feeds.map((f, i) => [f.id, backfills[i]]));
    const claimedBy = new Map(feeds.map((f) => [f.id, event()]));
    // The first feed's backfill holds it, a chunk read and not committed, until the nightly run met it and deferred.
    const metIt = event();
    const held = gate();
    const hooks: Hooks = async (step, at) => {
      const backfill = backfillOf.get(at.feedId);
      if (at.runId === backfill && step === 'claimed') claimedBy.get(at.feedId)!.seen();
      // The nightly run reaches each feed only once its backfill has it.
      if (at.runId === night && step === 'claim') await claimedBy.get(at.feedId)!.happened;
      if (at.feedId !== feeds[0].id) return;
      if (at.runId === backfill && step === 'read') await held.opened;
      if (at.runId === night && step === 'deferred') metIt.seen();
    };
    // One process works on all three runs: the defect was that both runs "held" the feed (a claim belonged to the process).
    const one = engine('process-1', hooks);
    const runs = Promise.all([...backfills, night].map((id) => one.executeRun(id)));
    await metIt.happened;
    held.open();
    const [b1, b2, n] = await runs;
    expect([b1.status, b2.status, n.status]).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const f of feeds) {
      expect((await outcomes(backfillOf.get(f.id)!)).get(f.id)).toMatchObject({ status: 'collected', attempts: 1 });
      expect((await outcomes(night)).get(f.id)).toMatchObject({ status: 'waited_for', covered_by: backfillOf.get(f.id) });
    }
    expect(b1.pages_read).toBeGreaterThan(0);
    expect(b1.pages_read).toBe(b1.pages); // a first backfill: every page read is new
    expect(n.outcomes).toMatchObject({ waited_for: 2, collected: 0, failed: 0 });
    await expectTruth();
  });

  it.each([['one process', true], ['two processes', false]] as const)(
    'orders two runs on one feed either way (%s): the one that claims second waits, then finds it covered',
    async (_label, sameProcess) => {
      w.t.clock.advanceDays(1);
      for (const order of [['a', 'b'], ['b', 'a']] as const) {
        // Time passes between the rounds: the first round's collections came before these runs were asked for.
        w.t.clock.advanceDays(1 / 24);
        const runs = { a: await nightly(), b: await nightly() };
        const [holder, waiter] = [runs[order[0]], runs[order[1]]];
        const feed = feeds[1].id;
        const metIt = event();
        const holderClaimed = event();
        const held = gate();
        const hooks: Hooks = async (step, at) => {
          if (at.feedId !== feed) return;
          // The waiter does not reach the feed before the holder has it.
          if (at.runId === waiter && step === 'claim') await holderClaimed.happened;
          if (at.runId === holder && step === 'claimed') holderClaimed.seen();
          if (at.runId === holder && step === 'committed') await held.opened;
          if (at.runId === waiter && step === 'deferred') metIt.seen();
        };
        const p1 = engine('process-1', hooks);
        const p2 = sameProcess ? p1 : engine('process-2', hooks);
        const done = Promise.all([p1.executeRun(holder), p2.executeRun(waiter)]);
        await metIt.happened;
        held.open();
        const [h, wt] = await done;
        expect([h.status, wt.status]).toEqual(['succeeded', 'succeeded']);
        expect((await outcomes(holder)).get(feed)?.status).toBe('collected');
        expect((await outcomes(waiter)).get(feed)).toMatchObject({ status: 'waited_for', covered_by: holder });
        await expectTruth();
      }
    },
  );

  it('never drops a --since met while another run holds the feed: it collects after the holder, from its day', async () => {
    w.t.clock.advanceDays(1);
    const feed = feeds[0].id;
    const night = await nightly();
    const sinceRun = await since(ACTIVATED, feed);
    const metIt = event();
    const nightClaimed = event();
    const held = gate();
    const hooks: Hooks = async (step, at) => {
      if (at.feedId !== feed) return;
      if (at.runId === night && step === 'claimed') nightClaimed.seen();
      if (at.runId === night && step === 'read') await held.opened;
      if (at.runId === sinceRun && step === 'deferred') metIt.seen();
    };
    const p = engine('process-1', hooks);
    const nightDone = p.executeRun(night);
    await nightClaimed.happened;
    const sinceDone = p.executeRun(sinceRun);
    await metIt.happened;
    held.open();
    const [n, s] = await Promise.all([nightDone, sinceDone]);
    expect([n.status, s.status]).toEqual(['succeeded', 'succeeded']);
    expect((await outcomes(sinceRun)).get(feed)).toMatchObject({ status: 'collected', covered_by: null });
    // It re-read the whole window from its day: every page of it, not only the nightly's last days.
    const expected = truthByDay(await truth(w.sb, { entity: feeds[0].entity, start: ACTIVATED, end: w.t.clock.now.toISOString().slice(0, 10) }));
    expect(s.pages_read).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    await expectTruth();
  });

  it('collects a feed restarted (re-activated) under a holder again, from the new start, and the backfill waits for that', async () => {
    w.t.clock.advanceDays(1);
    const f = feeds[1];
    const night = await nightly();
    const readOnce = event();
    const held = gate();
    let first = true;
    const hooks: Hooks = async (step, at) => {
      if (at.feedId !== f.id || at.runId !== night || step !== 'read' || !first) return;
      first = false;
      readOnce.seen();
      await held.opened;
    };
    const p = engine('process-1', hooks);
    const nightDone = p.executeRun(night);
    await readOnce.happened;
    // The dealer re-activates the feed while the nightly run holds it with a chunk read and not committed.
    await w.t.json(`/v1/accounts/${f.customer}/feeds/${f.id}/activate`, { method: 'POST', key: dealer.key, body: { activated_at: ACTIVATED }, expect: 200 });
    const [backfill] = takeStarted();
    held.open();
    const n = await nightDone;
    expect(n.status).toBe('succeeded');
    // Its chunk was refused (the claim was broken); it came back to the feed and collected it from the new start.
    expect((await outcomes(night)).get(f.id)).toMatchObject({ status: 'collected', attempts: 2 });
    const b = await p.executeRun(backfill);
    expect(b.status).toBe('succeeded');
    expect((await outcomes(backfill)).get(f.id)).toMatchObject({ status: 'waited_for', covered_by: night });
    await expectTruth();
  });

  it.each(['claimed', 'read', 'committed', 'release'] as const)(
    'takes over a run whose collector died at "%s": the sweep joins it, the feed is collected once',
    async (step: CollectionStep) => {
      w.t.clock.advanceDays(1);
      const feed = feeds[0].id;
      const run = await since(ACTIVATED, feed);
      // One lane, so nothing of the dead process goes on after its death.
      const dying = engine(`dies-at-${step}`, (s, at) => {
        if (s === step && at.feedId === feed) throw new LaneKilled();
      }, 1);
      await expect(dying.executeRun(run)).rejects.toThrow(LaneKilled);
      expect((await getRunById(w.t.db, run)).status).toBe('running');
      // Nobody renews it: the lease period passes, then any live process's sweep takes the run over.
      expect(await w.t.app.collection.sweepOnce()).toEqual([]);
      await lapse(`dies-at-${step}`);
      expect(await w.t.app.collection.sweepOnce()).toEqual([run]);
      await w.t.app.collection.idle();
      const done = await getRunById(w.t.db, run);
      expect(done).toMatchObject({ status: 'succeeded', errors: 0, feeds_total: 1 });
      // Dead before it let the feed go, its row already said collected: not collected again.
      expect((await outcomes(run)).get(feed)).toMatchObject({ status: 'collected', attempts: step === 'release' ? 1 : 2 });
      await expectTruth([feeds[0]]);
    },
  );

  it('fails a feed whose collector died twice, saying so, instead of resuming it a third time', async () => {
    w.t.clock.advanceDays(1);
    const run = await since(ACTIVATED);
    const feed = feeds[1].id;
    for (const id of ['first-death', 'second-death']) {
      const dying = engine(id, (s, at) => {
        if (s === 'read' && at.feedId === feed) throw new LaneKilled();
      }, 1);
      await expect(dying.executeRun(run)).rejects.toThrow(LaneKilled);
      await lapse(id);
    }
    expect(await w.t.app.collection.sweepOnce()).toEqual([run]);
    await w.t.app.collection.idle();
    const done = await getRunById(w.t.db, run);
    expect(done.status).toBe('partial');
    expect(done.outcomes).toMatchObject({ collected: 1, failed: 1 });
    const o = (await outcomes(run)).get(feed)!;
    expect(o).toMatchObject({ status: 'failed', attempts: 2 });
    expect(o.error).toMatch(/the process collecting it died 2 times in this run; not resumed again/);
    const [row] = await w.t.db.query<{ last_error: string }>(`SELECT last_error FROM feeds WHERE id = $1`, [feed]);
    expect(row.last_error).toBe(o.error);
    const rows = await w.t.json(`/v1/collection-runs/${run}/feeds`, { key: dealer.key });
    expect(rows.find((r: { feed_id: string }) => r.feed_id === feed)).toMatchObject({ outcome: 'failed', attempts: 2 });
    // Collected again by a later run, nothing is lost.
    const again = await engine('after-fix').executeRun(await since(ACTIVATED, feed));
    expect(again.status).toBe('succeeded');
    await expectTruth();
  });

  it('ends in the truth whatever the interleaving of several runs, restarts and --since over the feeds (fast-check scheduler)', async () => {
    const Op = fc.oneof(
      fc.constant({ kind: 'nightly' as const }),
      fc.record({ kind: fc.constant('since' as const), feed: fc.integer({ min: 0, max: 1 }), day: fc.constantFrom(ACTIVATED, '2025-04-01', '2025-04-10') }),
      fc.record({ kind: fc.constant('reactivate' as const), feed: fc.integer({ min: 0, max: 1 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.record({ op: Op, process: fc.integer({ min: 0, max: 1 }) }), { minLength: 2, maxLength: 4 }), async (s, ops) => {
        w.t.clock.advanceDays(1);
        const hooks: Hooks = (step, at) => s.schedule(Promise.resolve(), `${at.workerId} ${step} ${at.runId.slice(0, 4)} ${at.feedId.slice(0, 4)}`);
        const processes = [engine('p0', hooks), engine('p1', hooks)];
        const executions: Array<Promise<RunRow>> = [];
        const runs: string[] = [];
        const touched = new Set(ops.flatMap(({ op }) => (op.kind === 'nightly' ? feeds : [feeds[op.feed]])));
        const execute = (runId: string, process: number) => {
          runs.push(runId);
          executions.push(processes[process].executeRun(runId));
        };
        // Each operation starts when the scheduler says, so requests land between any two steps of the runs.
        const requests = ops.map(({ op, process }) => s.schedule(Promise.resolve(), `request ${op.kind}`).then(async () => {
          if (op.kind === 'nightly') return execute(await nightly(), process);
          if (op.kind === 'since') return execute(await since(op.day, feeds[op.feed].id), process);
          const f = feeds[op.feed];
          await w.t.json(`/v1/accounts/${f.customer}/feeds/${f.id}/activate`, { method: 'POST', key: dealer.key, body: { activated_at: ACTIVATED }, expect: 200 });
          for (const runId of takeStarted()) execute(runId, process);
        }));
        await s.waitFor(Promise.all(requests));
        const finished = await s.waitFor(Promise.all(executions));
        for (const run of finished) {
          expect(run.status, `${s.report().length} steps`).toBe('succeeded');
          expect(run.outcomes.failed + run.outcomes.offline + run.outcomes.open).toBe(0);
        }
        for (const runId of runs) {
          for (const o of (await outcomes(runId)).values()) if (o.status === 'waited_for') expect(runs).toContain(o.covered_by);
        }
        await expectTruth([...touched]);
      }),
      { numRuns: 6 },
    );
  }, 240_000);
});
