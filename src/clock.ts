// The process clock: real time, or — for tests of real processes only — a clock file many processes share.
import fs from 'node:fs';

/**
 * With `CANOPY_TEST_CLOCK_FILE` set (tests only: never in production), the time is the ISO instant the
 * file holds plus the real time elapsed since the file was written, so a test moves every process of a
 * scenario (serve, workers, CLI) to another day at once by rewriting one file. Otherwise the real time.
 */
export function processClock(config: { testClockFile: string | null }): () => Date {
  const file = config.testClockFile;
  if (file === null) return () => new Date();
  return () => {
    const writtenAt = fs.statSync(file).mtimeMs;
    const instant = Date.parse(fs.readFileSync(file, 'utf8').trim());
    if (Number.isNaN(instant)) throw new Error(`CANOPY_TEST_CLOCK_FILE ${file} does not hold an ISO instant`);
    return new Date(instant + Math.max(0, Date.now() - writtenAt));
  };
}

/** Writes a clock file for `processClock` (the writer side, used by tests). */
export function setClockFile(file: string, now: Date | string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, new Date(now).toISOString());
  fs.renameSync(tmp, file);
}
