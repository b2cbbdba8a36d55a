// `canopy worker`: an extra job worker on the same PostgreSQL as `canopy serve`, to scale out.
import { processClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { jobDefinitions } from '../jobs/definitions.ts';
import { startJobs } from '../jobs/queue.ts';
import { createCollectionRuntime } from '../collection/runtime.ts';
import { startMetricsListener } from '../http/metrics.ts';

export async function run(_args: string[]): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    process.stderr.write(
      'canopy worker needs DATABASE_URL: the embedded store admits one process, and `canopy serve` already runs every job on it.\n',
    );
    process.exit(2);
  }
  const db = await openDatabase({ databaseUrl: config.databaseUrl });
  await migrate(db);
  const clock = processClock(config);
  const log = (line: string) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: line })}\n`);
  const collection = createCollectionRuntime({ db, config, clock, log });
  const jobs = await startJobs(db, jobDefinitions({ db, config, clock, collection }), { work: true, schedule: false, log });
  collection.attachQueue(jobs);
  await collection.resumeOpenRuns(false);
  // A run whose process died is joined by a live one within about two lease periods, without a restart.
  const stopSweep = collection.startSweep();
  log(`worker ${collection.engine.workerId} started`);
  // A worker's own series (collection) are scraped from it: give each worker its own CANOPY_METRICS_PORT.
  const metricsListener = config.edge.metricsPort === null ? null : await startMetricsListener(config.edge.metricsPort, config.edge.metricsHost);
  if (metricsListener) log(`metrics at ${metricsListener.url}`);
  const stop = async () => {
    stopSweep();
    await metricsListener?.close();
    await jobs.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
