// The shape of a CLI command that works on the store, locally or inside a running embedded server.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { CollectionRuntime } from '../collection/runtime.ts';

/** Where a long command is, for a progress bar on the terminal. */
export interface Progress {
  done: number;
  total: number;
  /** what is counted and the running totals, e.g. "feeds · 8,400 readings · 0 errors" */
  detail: string;
}

export interface CommandContext {
  db: Database;
  config: Config;
  clock: () => Date;
  /** One line of output for the person at the terminal (progress, results). */
  out: (line: string) => void;
  /** Progress of long work: a bar on a terminal (through the control socket too), else a line now and then. */
  progress?: (p: Progress) => void;
  /** The running server's collection engine, when the command runs inside it. */
  collection?: CollectionRuntime;
}

export interface StoreCommand {
  name: string;
  usage: string;
  /** Returns the process exit code. */
  execute(context: CommandContext, args: string[]): Promise<number>;
}

export class UsageError extends Error {}
