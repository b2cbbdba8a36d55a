// Progress of long commands: a bar redrawn in place on a terminal; elsewhere (a pipe, a log file) a plain line now and then.
import type { Progress } from './command.ts';

const WIDTH = 28;

export function progressLine(p: Progress): string {
  const share = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(share * WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${p.done}/${p.total} ${p.detail}`;
}

/** A progress reporter writing to `stream` (stderr keeps stdout clean for summaries and scripts). */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { update(p: Progress): void; end(): void } {
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      if (stream.isTTY) {
        stream.write(`\r${progressLine(p).slice(0, (stream.columns ?? 100) - 1)}\u001b[K`);
        drawn = true;
      } else {
        // No bar and no carriage returns where nobody watches a terminal: one readable line every 10 s at most,
        // none at the end (the command's summary follows).
        if (p.done === p.total || Date.now() - last < 10_000) return;
        last = Date.now();
        stream.write(`progress: ${p.done}/${p.total} ${p.detail}\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
