#!/usr/bin/env node
// The `canopy` command line: dispatches to one file per command.
import { loadConfig, ConfigError } from '../config.ts';
import { processClock } from '../clock.ts';
import { openDatabase } from '../db/database.ts';
import { DataDirBusy, acquireDataDirLock, lockHolder } from '../db/data-dir-lock.ts';
import { migrate } from '../db/migrate.ts';
import { pgliteDir } from '../server.ts';
import { UsageError, type StoreCommand } from './command.ts';
import { controlSocketPath, runRemote } from './control.ts';
import { storeCommands } from './store-commands.ts';
import { progressReporter } from './progress.ts';

const HELP = `Canopy — reforestation ledger for printed paper

Usage: canopy <command> [options]

  serve                       API server, dashboard, jobs and schedules (npm start)
  worker                      extra job worker on the same PostgreSQL (DATABASE_URL)
  sandbox [--seed N] [--json] simulators of Print Tracker, Pharos Cloud and Printix
${[...storeCommands.values()].map((c) => `  ${c.usage}`).join('\n')}
  help                        this text

Configuration is read from environment variables; see README.md.`;

/** Runs a store command: inside a running embedded server when there is one, else on the store directly. */
async function runStoreCommand(command: StoreCommand, args: string[]): Promise<number> {
  const config = loadConfig();
  const bar = progressReporter();
  const out = (line: string) => {
    bar.end();
    process.stdout.write(`${line}\n`);
  };
  if (!config.databaseUrl) {
    const remote = await runRemote(
      controlSocketPath(config.dataDir), command.name, args,
      (text) => {
        bar.end();
        process.stdout.write(text);
      },
      (message) => process.stderr.write(`canopy: ${message}\n`),
      (p) => bar.update(p),
    );
    if (remote !== null) return remote;
    const holder = lockHolder(config.dataDir);
    if (holder !== null) {
      throw new DataDirBusy(holder, config.dataDir);
    }
  }
  const lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: pgliteDir(config.dataDir) });
  try {
    if (command.name !== 'migrate') await migrate(db);
    return await command.execute({ db, config, clock: processClock(config), out, progress: (p) => bar.update(p) }, args);
  } finally {
    await db.close();
    lock?.release();
  }
}

async function main(argv: string[]): Promise<number> {
  const [name = 'help', ...args] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (name === 'serve' || name === 'worker' || name === 'sandbox') {
    const module = (await import(`./${name}.ts`)) as { run(args: string[]): Promise<void> };
    await module.run(args);
    return -1; // long-running: the command exits by itself
  }
  const command = storeCommands.get(name);
  if (!command) {
    process.stderr.write(`canopy: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  return runStoreCommand(command, args);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`canopy: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof DataDirBusy) {
      process.stderr.write(
        `canopy: ${error.message}, but its control socket does not answer. Stop that process (kill ${error.pid}) and retry, or run this command against PostgreSQL with DATABASE_URL.\n`,
      );
      process.exit(1);
    }
    process.stderr.write(`canopy: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
