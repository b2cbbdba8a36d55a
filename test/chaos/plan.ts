// What a chaos seed decides: a seeded random stream, the order of a phase's triggers, and where processes die.

/** mulberry32: a small, fast, seeded stream of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export interface KillPoint {
  phase: 1 | 2;
  /** Which `canopy worker` (PostgreSQL); on PGlite the one `canopy serve`. */
  worker: number;
  /** `run-job`: once the process has started `count` collect-run jobs; `deposits`: once `count` more deposits are stored than when the phase began. */
  event: 'run-job' | 'deposits';
  count: number;
  /** Start it again at once (PGlite: always, it is the only process). */
  restart: boolean;
  describe: string;
}

/** Two to four kills over the two phases, at events the seed picks. */
export function planKills(random: () => number, store: 'postgresql' | 'pglite'): KillPoint[] {
  const n = 2 + Math.floor(random() * 3);
  const kills: KillPoint[] = [];
  for (let i = 0; i < n; i++) {
    const phase = (i === 0 ? 1 : i === 1 ? 2 : 1 + Math.floor(random() * 2)) as 1 | 2;
    // The first kill waits for stored deposits, which every seed reaches: each seed kills at least once.
    const event = i > 0 && random() < 0.5 ? 'run-job' : 'deposits';
    const count = event === 'run-job' ? 1 + Math.floor(random() * 3) : 1 + Math.floor(random() * 20);
    const worker = store === 'postgresql' ? Math.floor(random() * 2) : 0;
    const restart = store === 'pglite' || random() < 0.6;
    kills.push({ phase, worker, event, count, restart, describe: event === 'run-job' ? `its collect-run job #${count}` : `${count} deposit(s) stored` });
  }
  return kills.sort((a, b) => a.phase - b.phase);
}
