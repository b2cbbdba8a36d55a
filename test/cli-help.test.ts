// The CLI as a person meets it: --help on every command, account and user listings, usage errors that say what
// to type, and no progress bar where output is not a terminal.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeCommands } from '../src/cli/store-commands.ts';
import { accountsCommand } from '../src/cli/accounts.ts';
import type { StoreCommand } from '../src/cli/command.ts';
import { usersCommand } from '../src/cli/users.ts';
import { createTestApp, storeName, type TestApp } from './helpers/harness.ts';
import { progressReporter } from '../src/cli/progress.ts';

const MAIN = path.resolve('src/cli/main.ts');

describe('canopy CLI help, listings and errors', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-cli-help-'));
  const cli = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CANOPY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    delete env.TEST_DATABASE_URL;
    const r = spawnSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('answers --help on every command with its options and an example, without touching the store', () => {
    const names = ['serve', 'worker', 'sandbox', ...storeCommands.keys()];
    expect(names).toEqual(expect.arrayContaining(['keys', 'users', 'collect', 'close-month', 'migrate', 'accounts']));
    for (const name of names) {
      const r = cli(name, '--help');
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^Usage: canopy ${name}`));
      if (name !== 'sandbox') expect(r.stdout, name).toMatch(/\nExample\n {2}.*canopy /);
      expect(r.stderr, name).toBe('');
    }
    expect(cli('users', 'invite', '--help').stdout).toContain('--email <email>');
    expect(cli('keys', 'create', '--help').stdout).toContain('--label <text>');
    expect(cli('help', 'collect').stdout).toContain('--since YYYY-MM-DD');
  }, 180_000);

  it('turns an unknown option into a usage error naming the options and the --help to read', () => {
    const r = cli('collect', '--feeds', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --feeds (options: --feed, --account, --since)');
    expect(r.stderr).toContain('canopy collect --help');
    expect(r.stderr).not.toContain('To specify a positional argument');
  }, 60_000);

});

describe(`canopy accounts list and users list (${storeName})`, () => {
  let t: TestApp;
  const run = async (command: StoreCommand, ...args: string[]) => {
    const lines: string[] = [];
    const code = await command.execute({ db: t.db, config: t.config, clock: t.clock.read, out: (l) => lines.push(l) }, args);
    return { code, lines };
  };
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('lists accounts with id, name, role and status, children below their parent, and users with their account', async () => {
    const dealer = await t.account('Zeta Dealer');
    const customer = await t.account('Acme Printing', { key: dealer.key });
    const other = await t.account('Alpha Dealer');
    const tree = await run(accountsCommand, 'list', '--tree');
    expect(tree.code).toBe(0);
    expect(tree.lines[0]).toMatch(/^ID\s+NAME\s+ROLE\s+STATUS$/);
    const row = (id: string) => tree.lines.find((l) => l.startsWith(id)) ?? '';
    expect(row(customer.id)).toMatch(new RegExp(`^${customer.id}\\s+ {4}Acme Printing\\s+customer\\s+active$`));
    expect(row(dealer.id)).toMatch(/^\S+\s+ {2}Zeta Dealer\s+channel\s+active$/);
    // Siblings by name, each followed by its children.
    const order = [other.id, dealer.id, customer.id].map((id) => tree.lines.findIndex((l) => l.startsWith(id)));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const below = await run(accountsCommand, 'list', '--account', dealer.id);
    expect(below.lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([dealer.id, customer.id]);
    expect(below.lines[2]).toMatch(/^\S+\s+Acme Printing/);
    await expect(run(accountsCommand, 'show')).rejects.toThrow(/use list/);

    await run(usersCommand, 'invite', '--account', customer.id, '--email', 'pat@acme.example', '--name', 'Pat');
    const users = await run(usersCommand, 'list', '--account', dealer.id);
    expect(users.lines[0]).toMatch(/^EMAIL\s+NAME\s+ACCOUNT\s+ACCOUNT ID\s+PASSWORD$/);
    expect(users.lines[1]).toMatch(new RegExp(`^pat@acme\\.example\\s+Pat\\s+Acme Printing\\s+${customer.id}\\s+not set`));
    expect((await run(usersCommand, 'list', '--account', other.id)).lines).toEqual([expect.stringMatching(/^no users yet/)]);
  });
});

describe('progress where output is not a terminal', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    const stream = { isTTY, columns: 80, write: (c: string) => chunks.push(c) } as unknown as NodeJS.WriteStream;
    return { stream, text: () => chunks.join('') };
  };

  it('draws a bar on a terminal and never on a pipe or a file', () => {
    const tty = sink(true);
    const pipe = sink(false);
    for (const out of [tty, pipe]) {
      const bar = progressReporter(out.stream);
      for (let done = 0; done <= 5; done++) bar.update({ done, total: 5, detail: 'feeds · 0 error(s)' });
      bar.end();
    }
    expect(tty.text()).toContain('\r[');
    expect(tty.text()).toContain('#');
    expect(pipe.text()).not.toMatch(/[\r#[]/);
    // One plain line at the start, none at the end (the summary says it): no repeated noise in a log.
    expect(pipe.text()).toBe('progress: 0/5 feeds · 0 error(s)\n');
  });
});
