// Starts Canopy: store, migrations, first-start bootstrap, HTTP server, job queue and control socket.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { buildApp } from './app.ts';
import { loggerOptions } from './http/logging.ts';
import { startMetricsListener } from './http/metrics.ts';
import { bootstrap } from './bootstrap.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { acquireDataDirLock } from './db/data-dir-lock.ts';
import { migrate } from './db/migrate.ts';
import { controlSocketPath, startControlServer } from './cli/control.ts';
import { storeCommands } from './cli/store-commands.ts';
import { jobDefinitions } from './jobs/definitions.ts';
import { startJobs, type JobQueue } from './jobs/queue.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  url: string;
  rootAccountId: string;
  close(): Promise<void>;
}

export function pgliteDir(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}

export async function startServer(
  config: Config,
  options: { clock?: () => Date; out?: (line: string) => void; logStream?: DestinationStream } = {},
): Promise<RunningServer> {
  const clock = options.clock ?? (() => new Date());
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir);
  const closers: Array<() => Promise<void>> = [];
  try {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: pgliteDir(config.dataDir) });
    closers.unshift(() => db.close());
    await migrate(db, (line) => out(line));
    const boot = await bootstrap(db, config, clock());
    if (boot.generatedKey) {
      // Printed once on the terminal, never logged: the only plain-text copy the operator gets.
      out(`Root admin account ${boot.rootAccountId} created.`);
      out(`Its API key (shown once, store it now): ${boot.generatedKey}`);
    }
    const https = config.tlsCert && config.tlsKey
      ? { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey) }
      : null;
    const app = await buildApp({
      db, config, clock, https,
      logger: loggerOptions(config.logLevel, options.logStream),
    });
    closers.unshift(() => app.close());
    let jobs: JobQueue | null = null;
    if (config.jobs) {
      jobs = await startJobs(db, jobDefinitions({ db, config, clock, collection: app.collection }), {
        work: true, schedule: true, log: (line) => app.log.info(line),
      });
      const running = jobs;
      closers.unshift(() => running.stop());
      app.collection.attachQueue(jobs);
    }
    closers.unshift(() => app.collection.idle());
    // A run a killed process left open goes on, from the feeds it had not committed.
    await app.collection.resumeOpenRuns(db.kind === 'pglite');
    // Runs whose process died (another serve or worker) are joined within about two lease periods.
    const stopSweep = app.collection.startSweep();
    closers.unshift(async () => stopSweep());
    if (db.kind === 'pglite') {
      const control = await startControlServer(controlSocketPath(config.dataDir), { db, config, clock, collection: app.collection }, storeCommands);
      closers.unshift(() => control.close());
    }
    if (config.edge.metricsPort !== null) {
      const metricsListener = await startMetricsListener(config.edge.metricsPort, config.edge.metricsHost);
      closers.unshift(() => metricsListener.close());
      app.log.info(`metrics at ${metricsListener.url}`);
    }
    const address = await app.listen({ port: config.port, host: config.host });
    const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
    return {
      app, db, url, rootAccountId: boot.rootAccountId,
      async close() {
        for (const close of closers.splice(0)) await close().catch(() => {});
        lock?.release();
      },
    };
  } catch (error) {
    for (const close of closers.splice(0)) await close().catch(() => {});
    lock?.release();
    throw error;
  }
}
