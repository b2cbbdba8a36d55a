// Every CLI command that works on the store; the control socket and the terminal share this list.
import type { StoreCommand } from './command.ts';
import { keysCommand } from './keys.ts';
import { migrateCommand } from './migrate.ts';

export const storeCommands = new Map<string, StoreCommand>([keysCommand, migrateCommand].map((c) => [c.name, c]));
