// `canopy serve`: the API server, dashboard, job worker and schedules in one process.
import { processClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { DataDirBusy } from '../db/data-dir-lock.ts';
import { startServer } from '../server.ts';

export async function run(_args: string[]): Promise<void> {
  const config = loadConfig();
  let server;
  try {
    server = await startServer(config, { clock: processClock(config) });
  } catch (error) {
    if (error instanceof DataDirBusy) {
      process.stderr.write(
        `canopy: ${error.message}. Another Canopy server is running on it; stop it first, or start this one with another CANOPY_DATA_DIR.\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const where = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
  process.stdout.write(`Canopy listening on ${server.url} (store: ${where}; docs: ${server.url}/docs)\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
