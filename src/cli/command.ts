// The shape of a CLI command that works on the store, locally or inside a running embedded server.
import { parseArgs } from 'node:util';
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
  /** What `canopy <name> --help` prints: usage, every option, an example. */
  help?: string;
  /** Returns the process exit code. */
  execute(context: CommandContext, args: string[]): Promise<number>;
}

export class UsageError extends Error {}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * node:util's parseArgs, with its errors (an unknown option, a missing value) as usage errors that name the
 * command, so the person is told what to type instead of Node's own wording.
 */
export function parseOptions<O extends OptionSpec>(command: string, args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    const option = /'(-[^' ]+)/.exec((error as Error).message)?.[1];
    const known = Object.keys(options).map((o) => `--${o}`).join(', ') || 'none';
    const what = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `unknown option ${option ?? ''} (options: ${known})`
      : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? `${option ?? 'an option'} needs a value`
        : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? `unexpected argument ${/'([^']+)'/.exec((error as Error).message)?.[1] ?? ''}`
          : (error as Error).message;
    throw new UsageError(`${command}: ${what}`);
  }
}
