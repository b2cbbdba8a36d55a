// Every CLI command that works on the store; the control socket and the terminal share this list.
import type { StoreCommand } from './command.ts';
import { accountsCommand } from './accounts.ts';
import { closeMonthCommand } from './close-month.ts';
import { collectCommand } from './collect.ts';
import { importCommand } from './import.ts';
import { keysCommand } from './keys.ts';
import { migrateCommand } from './migrate.ts';
import { usersCommand } from './users.ts';
import { outboxCommand } from './outbox.ts';

export const storeCommands = new Map<string, StoreCommand>([keysCommand, migrateCommand, closeMonthCommand, usersCommand, collectCommand, importCommand, outboxCommand, accountsCommand].map((c) => [c.name, c]));
