// The shape of a CLI command that works on the store, locally or inside a running embedded server.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';

export interface CommandContext {
  db: Database;
  config: Config;
  clock: () => Date;
  /** One line of output for the person at the terminal (progress, results). */
  out: (line: string) => void;
}

export interface StoreCommand {
  name: string;
  usage: string;
  /** Returns the process exit code. */
  execute(context: CommandContext, args: string[]): Promise<number>;
}

export class UsageError extends Error {}
