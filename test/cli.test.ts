// The CLI against a running embedded server: commands go through its control socket, keys never hit the logs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = path.resolve('src/cli/main.ts');

function cleanEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CANOPY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  delete env.CANOPY_BOOTSTRAP_KEY;
  return env;
}

function cli(dataDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { env: cleanEnv(dataDir), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function startServe(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [MAIN, 'serve'], { env: cleanEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Canopy listening on (http:\/\/[^\s]+)/.exec(output);
      if (m) {
        clearInterval(timer);
        resolve(m[1]);
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`serve exited with ${code}: ${output}`));
    });
  });
  return { child, url, output: () => output };
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('canopy CLI with a running embedded server', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-cli-'));
  let server: Awaited<ReturnType<typeof startServe>>;
  let rootKey: string;
  let rootId: string;

  beforeAll(async () => {
    server = await startServe(dataDir);
    rootKey = /shown once, store it now\): (\S+)/.exec(server.output())![1];
    const res = await fetch(`${server.url}/v1/account`, { headers: { authorization: `Bearer ${rootKey}` } });
    rootId = ((await res.json()) as { id: string }).id;
  }, 90_000);

  afterAll(async () => {
    await stop(server.child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the first admin key once on first start and it works', async () => {
    expect(server.output().split(rootKey)).toHaveLength(2);
    const res = await fetch(`${server.url}/v1/account`, {
      headers: { authorization: `Basic ${Buffer.from(`${rootKey}:`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
  });

  it('creates and revokes keys through the running server, and the server never logs them', async () => {
    const created = cli(dataDir, 'keys', 'create', '--account', rootId, '--label', 'ops');
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim().split('\n').pop()!;
    expect(key).toMatch(/^[0-9a-f]{48}$/);
    expect((await fetch(`${server.url}/v1/account`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

    const listed = cli(dataDir, 'keys', 'list', '--account', rootId);
    expect(listed.stdout).toContain(`${key.slice(0, 8)}…  active`);

    const revoked = cli(dataDir, 'keys', 'revoke', key.slice(0, 8));
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await fetch(`${server.url}/v1/account`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);

    expect(server.output()).not.toContain(key);
    expect(server.output().toLowerCase()).not.toContain('bearer');
    // Requests were logged as structured JSON lines.
    expect(server.output()).toMatch(/"msg":"request completed"/);
  });

  it('reports a usage error with exit code 2', () => {
    const r = cli(dataDir, 'keys', 'create');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--account');
  });

  it('refuses a second server on the same data directory, saying why', () => {
    const r = spawnSync(process.execPath, [MAIN, 'serve'], { env: cleanEnv(dataDir), encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/in use by process \d+/);
  });

  it('opens the store directly once the server has stopped', async () => {
    await stop(server.child);
    const r = cli(dataDir, 'migrate');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('database is up to date');
    const listed = cli(dataDir, 'keys', 'list', '--account', rootId);
    expect(listed.stdout).toContain('revoked');
  });
});
