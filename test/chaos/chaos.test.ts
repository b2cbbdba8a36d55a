// The chaos scenario in the suite: for each seed of CHAOS_SEEDS (default 1,2), on PostgreSQL `canopy serve`
// and two `canopy worker`s, on PGlite `canopy serve` alone with the CLI through its control socket; the
// sandbox at 20% faults; kills where the seed says. A failing seed prints its differences and the command
// that reruns exactly it.
import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../helpers/harness.ts';
import { runChaosSeed, type ChaosOptions, type ChaosReport, type ChaosStore } from './scenario.ts';

export const DEFAULT_CHAOS_SEEDS = '1,2';

function seeds(): number[] {
  const raw = process.env.CHAOS_SEEDS ?? DEFAULT_CHAOS_SEEDS;
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`CHAOS_SEEDS must be comma-separated non-negative integers, got "${raw}"`);
  return list;
}

function rerun(seed: number, store: ChaosStore, options: ChaosOptions): string {
  const db = store === 'postgresql' ? `TEST_DATABASE_URL=${testDatabaseUrl} ` : '';
  return `CHAOS_SEEDS=${seed} ${options.sinceIntoClosedMonth ? 'CHAOS_CLOSED_SINCE=1 ' : ''}${db}npx vitest run test/chaos`;
}

function summary(r: ChaosReport): string {
  return `chaos seed ${r.seed} (${r.store}): ${(r.durationMs / 1000).toFixed(1)} s; sandbox requests ${JSON.stringify(r.requests)}; `
    + `kills: ${r.kills.length ? r.kills.join('; ') : 'none'}; runs ${JSON.stringify(r.runs)}; CLI exits ${JSON.stringify(r.cliExits)}; `
    + `${r.lateAcrossClose} readings late across the close; ${r.daysCompared} customer-days and ${r.pagesCompared} pages compared with the truth`;
}

const store: ChaosStore = testDatabaseUrl ? 'postgresql' : 'pglite';

async function scenario(seed: number, options: ChaosOptions) {
  const report = await runChaosSeed(seed, store, options, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`${summary(report)}\n`);
  const again = rerun(seed, store, options);
  if (report.problems.length > 0) process.stdout.write(`\nchaos seed ${seed} FAILED on ${store}; rerun it with:\n  ${again}\n\n${report.problems.join('\n')}\n`);
  expect(report.problems, `seed ${seed} on ${store}; rerun: ${again}`).toEqual([]);
  // The scenario really went through faults and kills (a scenario that injected nothing proves nothing).
  expect(report.requests.hang ?? 0).toBeGreaterThan(0);
  expect(report.requests.truncated ?? 0).toBeGreaterThan(0);
  expect(report.requests['429'] ?? 0).toBeGreaterThan(0);
  expect(report.requests['5xx'] ?? 0).toBeGreaterThan(0);
  expect(report.kills.some((k) => k.includes('SIGKILLed'))).toBe(true);
  expect(report.pagesCompared).toBeGreaterThan(0);
  expect(report.lateAcrossClose).toBeGreaterThan(0);
}

describe(`chaos scenario (${store}: ${store === 'postgresql' ? 'serve + 2 workers' : 'serve + CLI through the control socket'}, 20% faults)`, () => {
  for (const seed of seeds()) {
    it(`seed ${seed}: every open day equals the truth, closed months equal their transactions, totals equal, no run left open`, async () => {
      await scenario(seed, { sinceIntoClosedMonth: false });
    }, 600_000);
  }
  // A `--since` that reaches into a closed month re-reads closed days: what they already carried out into the
  // first open day (closed_day_carries) is not carried again. It runs for the first seed (every seed with
  // CHAOS_CLOSED_SINCE=1), so CI stays within its time.
  for (const [i, seed] of seeds().entries()) {
    it.skipIf(i > 0 && !process.env.CHAOS_CLOSED_SINCE)(
      `seed ${seed} with canopy collect --since into the closed month: closed days are not carried twice`,
      async () => {
        await scenario(seed, { sinceIntoClosedMonth: true });
      },
      600_000,
    );
  }
});
