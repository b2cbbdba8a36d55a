// `canopy migrate`: applies pending SQL migrations (the server also does this on start).
import { migrate } from '../db/migrate.ts';
import { parseOptions, type StoreCommand } from './command.ts';

export const migrateCommand: StoreCommand = {
  name: 'migrate',
  usage: 'migrate',
  help: `Usage: canopy migrate

Applies the pending SQL migrations to the store (canopy serve also does it on start). No options.

Example
  DATABASE_URL=postgres://canopy@db/canopy canopy migrate`,
  async execute({ db, out }, argv) {
    parseOptions('migrate', argv, {});
    const applied = await migrate(db, out);
    out(applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s)`);
    return 0;
  },
};
