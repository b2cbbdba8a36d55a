// Request counting per simulated API: counts by route template and outcome (status, `reset`, `hang` or `truncated`).

export interface StatsSnapshot {
  since: string;
  total: number;
  /** `"GET /v1/entity/:id/meter": {"200": 12, "429": 1}` */
  routes: Record<string, Record<string, number>>;
}

export class RequestStats {
  private since: number;
  private total = 0;
  private routes = new Map<string, Map<string, number>>();
  private readonly clock: () => number;

  constructor(clock: () => number) {
    this.clock = clock;
    this.since = clock();
  }

  record(route: string, outcome: number | 'reset' | 'hang' | 'truncated'): void {
    this.total++;
    let byOutcome = this.routes.get(route);
    if (!byOutcome) this.routes.set(route, (byOutcome = new Map()));
    const key = String(outcome);
    byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
  }

  snapshot(): StatsSnapshot {
    const routes: Record<string, Record<string, number>> = {};
    for (const [route, m] of [...this.routes].sort(([a], [b]) => a.localeCompare(b))) {
      routes[route] = Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
    }
    return { since: new Date(this.since).toISOString(), total: this.total, routes };
  }

  reset(): StatsSnapshot {
    const before = this.snapshot();
    this.total = 0;
    this.routes.clear();
    this.since = this.clock();
    return before;
  }
}
