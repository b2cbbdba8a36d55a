// One process owns an embedded (PGlite) data directory at a time; this lock file records which.
import fs from 'node:fs';
import path from 'node:path';

export class DataDirBusy extends Error {
  readonly pid: number;
  constructor(pid: number, dir: string) {
    super(`the data directory ${dir} is in use by process ${pid}`);
    this.pid = pid;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockPath(dataDir: string): string {
  return path.join(dataDir, 'canopy.pid');
}

/** The pid holding the lock, or null when the directory is free (a stale lock is cleared). */
export function lockHolder(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(lockPath(dataDir), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) return pid;
    return null;
  } catch {
    return null;
  }
}

export function acquireDataDirLock(dataDir: string): { release(): void } {
  fs.mkdirSync(dataDir, { recursive: true });
  const holder = lockHolder(dataDir);
  if (holder !== null) throw new DataDirBusy(holder, dataDir);
  fs.writeFileSync(lockPath(dataDir), `${process.pid}\n`);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        if (fs.readFileSync(lockPath(dataDir), 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockPath(dataDir));
      } catch {
        // already gone
      }
    },
  };
}
