// `canopy sandbox --json` through the real dispatcher: one line of JSON, live simulators, clean exit.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('canopy sandbox command', () => {
  it('starts all three simulators, prints their URLs and credentials as one JSON line, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [path.resolve('src/cli/main.ts'), 'sandbox', '--seed', '7', '--json', '--printtracker-port', '0', '--pharos-port', '0', '--printix-port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c));
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const nl = out.indexOf('\n');
        if (nl !== -1) {
          clearInterval(timer);
          resolve(out.slice(0, nl));
        }
      }, 50);
      child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
    });
    const info = JSON.parse(line);
    expect(Object.keys(info).sort()).toEqual(['pharos', 'printix', 'printtracker']);
    expect(info.printtracker).toMatchObject({ apiKey: expect.any(String), dealerEntityId: expect.stringMatching(/^[0-9a-f]{24}$/) });
    expect(info.printtracker.customerEntityIds.length).toBeGreaterThan(0);
    expect(info.pharos.tenants[0]).toMatchObject({ name: expect.any(String), key: expect.any(String) });
    expect(info.printix).toMatchObject({ partnerId: expect.any(String), clientId: expect.any(String), clientSecret: expect.any(String) });

    const entity = await fetch(`${info.printtracker.url}/v1/entity/${info.printtracker.dealerEntityId}`, {
      headers: { 'x-api-key': info.printtracker.apiKey },
    });
    expect(entity.status).toBe(200);
    expect(((await entity.json()) as { id: string }).id).toBe(info.printtracker.dealerEntityId);
    const denied = await fetch(`${info.printtracker.url}/v1/entity/${info.printtracker.dealerEntityId}`);
    expect(denied.status).toBe(401);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
