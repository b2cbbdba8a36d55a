// The jobs Canopy runs, with their schedules; serve and worker processes register the same list.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { JobDefinition } from './queue.ts';

export interface JobDeps {
  db: Database;
  config: Config;
  clock: () => Date;
}

export function jobDefinitions(_deps: JobDeps): JobDefinition[] {
  return [];
}
