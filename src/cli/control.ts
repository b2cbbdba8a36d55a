// Local control socket: a running embedded server executes CLI commands on its own database handle,
// because PGlite admits one process per data directory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { UsageError, type CommandContext, type Progress, type StoreCommand } from './command.ts';

export function controlSocketPath(dataDir: string): string {
  const preferred = path.join(dataDir, 'canopy.sock');
  // Unix socket paths are limited to ~107 bytes; fall back to a short path derived from the directory.
  if (preferred.length < 100) return preferred;
  return path.join(os.tmpdir(), `canopy-${crypto.createHash('sha1').update(dataDir).digest('hex').slice(0, 12)}.sock`);
}

const EXIT_MARK = '\u0000exit:';
const ERROR_MARK = '\u0000err:';
const PROGRESS_MARK = '\u0000progress:';

export async function startControlServer(
  socketPath: string,
  context: Omit<CommandContext, 'out'>,
  commands: Map<string, StoreCommand>,
): Promise<{ close(): Promise<void> }> {
  try {
    fs.unlinkSync(socketPath);
  } catch {
    // no stale socket
  }
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      const out = (line: string) => res.write(`${line}\n`);
      const progress = (p: Progress) => res.write(`${PROGRESS_MARK}${JSON.stringify(p)}\n`);
      let code = 1;
      try {
        const { command, args } = JSON.parse(body) as { command: string; args: string[] };
        const found = commands.get(command);
        if (!found) throw new UsageError(`unknown command: ${command}`);
        code = await found.execute({ ...context, out, progress }, args);
      } catch (error) {
        res.write(`${ERROR_MARK}${(error as Error).message}\n`);
        code = error instanceof UsageError ? 2 : 1;
      }
      res.end(`${EXIT_MARK}${code}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        try {
          fs.unlinkSync(socketPath);
        } catch {
          // gone
        }
      }),
  };
}

/**
 * Runs a command inside the server listening on the socket; null when no server answers there. A server
 * that stops before the command's exit line (killed, crashed) is a failure (1), never a success: what it
 * started (a collection run) is resumed when a server starts again, and running it here too would repeat it.
 */
export function runRemote(
  socketPath: string,
  command: string,
  args: string[],
  out: (text: string) => void,
  err: (text: string) => void,
  progress?: (p: Progress) => void,
): Promise<number | null> {
  return new Promise((resolve) => {
    if (!fs.existsSync(socketPath)) return resolve(null);
    let answered = false;
    const req = http.request({ socketPath, path: '/run', method: 'POST' }, (res) => {
      answered = true;
      let pending = '';
      let code = 1;
      let exited = false;
      const cut = () => {
        if (exited) return;
        exited = true;
        err(`the server stopped before ${command} finished; a collection run it started goes on when the server starts again`);
        resolve(1);
      };
      res.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        let newline: number;
        while ((newline = pending.indexOf('\n')) !== -1) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.startsWith(EXIT_MARK)) {
            code = Number(line.slice(EXIT_MARK.length));
            exited = true;
          }
          else if (line.startsWith(ERROR_MARK)) err(line.slice(ERROR_MARK.length));
          else if (line.startsWith(PROGRESS_MARK)) progress?.(JSON.parse(line.slice(PROGRESS_MARK.length)) as Progress);
          else out(`${line}\n`);
        }
      });
      res.on('end', () => (exited ? resolve(code) : cut()));
      res.on('error', cut);
      res.on('close', cut);
    });
    // Nobody listening: run locally. After an answer began, an error is the server going away.
    req.on('error', () => (answered ? undefined : resolve(null)));
    req.end(JSON.stringify({ command, args }));
  });
}
