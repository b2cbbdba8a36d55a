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
  help [command]              this text, or a command's options and an example

Every command answers --help. Configuration is read from environment variables; see README.md.
While \`canopy serve\` (or \`npm run demo\`) runs on CANOPY_DATA_DIR, commands run inside it.`;

/** The long-running commands' --help (they do not take options of their own). */
const SERVER_HELP: Record<string, string> = {
  serve: `Usage: canopy serve

The API, the dashboard, the job worker and the schedules in one process (npm start). No options:
everything is set by environment variables (PORT, CANOPY_DATA_DIR, DATABASE_URL, …; see README.md).

Example
  PORT=8080 CANOPY_DATA_DIR=/var/lib/canopy canopy serve`,
  worker: `Usage: canopy worker

An extra job worker beside canopy serve on the same PostgreSQL: it joins collection runs and month
closes. Needs DATABASE_URL (the embedded store admits one process). No options.

Example
  DATABASE_URL=postgres://canopy@db/canopy canopy worker`,
};

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

/** A command's --help text: its own, else its usage line. */
function commandHelp(name: string): string | null {
  if (SERVER_HELP[name]) return SERVER_HELP[name];
  const command = storeCommands.get(name);
  return command ? command.help ?? `Usage: canopy ${command.usage}` : null;
}

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
    if (remote === 2) process.stderr.write(`(canopy ${command.name} --help shows its options and an example)\n`);
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
    const topic = name === 'help' && args[0] ? commandHelp(args[0]) : null;
    if (name === 'help' && args[0] && topic === null) throw new UsageError(`no command "${args[0]}"; canopy help lists them`);
    process.stdout.write(`${topic ?? HELP}\n`);
    return 0;
  }
  if (name !== 'sandbox' && wantsHelp(args)) {
    const topic = commandHelp(name);
    if (topic !== null) {
      process.stdout.write(`${topic}\n`);
      return 0;
    }
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
      const name = process.argv[2];
      const hint = error instanceof UsageError && name && commandHelp(name) ? `\n(canopy ${name} --help shows its options and an example)` : '';
      process.stderr.write(`canopy: ${error.message}${hint}\n`);
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
