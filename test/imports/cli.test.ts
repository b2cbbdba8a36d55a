// `canopy import --feed <id> <file>`: the guessed mapping, progress, a summary, exit 1 on refused rows, and a resume.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCommand } from '../../src/cli/import.ts';
import { UsageError } from '../../src/cli/command.ts';
import { createTestApp, storeName, TestClock, type TestApp } from '../helpers/harness.ts';
import { depositsByDay, sorted } from '../collection/helpers.ts';
import { importFeed } from './helpers.ts';

describe(`canopy import (${storeName})`, () => {
  let t: TestApp;
  let dir: string;
  let customer: { id: string; key: string };
  let feedId: string;
  const run = async (...args: string[]) => {
    const lines: string[] = [];
    const bars: number[] = [];
    const code = await importCommand.execute({ db: t.db, config: t.config, clock: t.clock.read, out: (l) => lines.push(l), progress: (p) => bars.push(p.done / p.total) }, args);
    return { code, lines, bars };
  };
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  beforeAll(async () => {
    t = await createTestApp({ clock: new TestClock('2025-04-15T12:00:00Z') });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-import-'));
    customer = await t.account('CLI customer');
    feedId = await importFeed(t, customer.id, t.rootKey, { activated_at: '2025-04-01' });
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('imports a file with a title line and European dates, prints the mapping and a summary, exit 0', async () => {
    const file = write('fleet.csv', 'Meter export, FleetTool 9\r\nSerial;Scan date;Total counter\r\nS1;01.04.2025 09:00;500\r\nS1;02.04.2025 09:00;640\r\nS1;13.04.2025 09:00;700\r\n');
    const { code, lines, bars } = await run('--feed', feedId, file, '--zone', 'Europe/Berlin');
    expect(code).toBe(0);
    expect(lines[0]).toContain('counters, utf-8, delimiter ";", header on line 2, dates DD/MM/YYYY in Europe/Berlin');
    expect(lines[1]).toContain('device_id ← "Serial", timestamp ← "Scan date", lifetime_total ← "Total counter"');
    expect(lines.at(-1)).toContain('3 rows, 3 accepted, 0 duplicates, 0 conflicts, 0 refused; deposits changed on 2 day(s)');
    expect(bars.at(-1)).toBe(1);
    expect(sorted(await depositsByDay(t, customer.id))).toEqual({ '2025-04-02': 140, '2025-04-13': 60 });
  });

  it('exits 1 and names the rows it refused', async () => {
    const file = write('bad.csv', 'Serial;Scan date;Total counter\r\nS1;14.04.2025 09:00;N/A\r\nS1;14.04.2025 10:00;720\r\n');
    const { code, lines } = await run('--feed', feedId, file);
    expect(code).toBe(1);
    expect(lines).toContain('  row 1, lifetime_total: is "N/A", not a number');
    expect(sorted(await depositsByDay(t, customer.id))).toEqual({ '2025-04-02': 140, '2025-04-13': 60, '2025-04-14': 20 });
  });

  it('refuses what it cannot run with a usage error', async () => {
    await expect(run('--feed', 'nope', 'x.csv')).rejects.toThrow(UsageError);
    await expect(run('--feed', feedId, path.join(dir, 'missing.csv'))).rejects.toThrow('no file');
    const empty = write('empty.csv', '');
    expect((await run('--feed', feedId, empty)).lines.at(-1)).toContain('file is empty');
  });
});
