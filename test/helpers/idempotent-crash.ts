// Child process for the kill -9 test: sends one idempotent deposit and kills itself (SIGKILL) at a step.
// Env: CRASH_STEP, CRASH_DATA_DIR (PGlite) or CRASH_DATABASE_URL + CRASH_SCHEMA, CRASH_KEY, CRASH_IDEMPOTENCY_KEY.
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';

const env = process.env;
const db = await openDatabase({
  databaseUrl: env.CRASH_DATABASE_URL || null, schema: env.CRASH_SCHEMA || undefined, dataDir: env.CRASH_DATA_DIR || null, poolSize: 2,
});
const app = await buildApp({
  db, config: loadConfig({ CANOPY_DATA_DIR: '/nonexistent' }), clock: () => new Date('2021-03-08T14:52:33Z'),
  idempotencyFailpoint(step) {
    if (step === env.CRASH_STEP) process.kill(process.pid, 'SIGKILL');
  },
});
await app.inject({
  method: 'POST', url: '/v1/deposits', payload: { pages: 4242 },
  headers: { authorization: `Bearer ${env.CRASH_KEY}`, 'content-type': 'application/json', 'idempotency-key': env.CRASH_IDEMPOTENCY_KEY! },
});
process.stdout.write('survived\n');
process.exit(0);
