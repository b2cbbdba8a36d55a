// `canopy migrate`: applies pending SQL migrations (the server also does this on start).
import { migrate } from '../db/migrate.ts';
import type { StoreCommand } from './command.ts';

export const migrateCommand: StoreCommand = {
  name: 'migrate',
  usage: 'migrate',
  async execute({ db, out }) {
    const applied = await migrate(db, out);
    out(applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s)`);
    return 0;
  },
};
