// package-lock.json as `npm install` writes it: its root entry repeats package.json, so a fresh clone's first
// `npm install` rewrites nothing (a missing `bin` there once left every new clone dirty).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('package-lock.json', () => {
  it('has the root package exactly as package.json declares it, bin and engines included', () => {
    const pkg = read('package.json');
    const lock = read('package-lock.json') as { name: string; version: string; packages: Record<string, Record<string, unknown>> };
    expect([lock.name, lock.version]).toEqual([pkg.name, pkg.version]);
    const root = lock.packages[''];
    for (const field of ['name', 'version', 'bin', 'dependencies', 'devDependencies', 'optionalDependencies', 'engines']) {
      expect(root[field], field).toEqual(pkg[field]);
    }
  });

  it('locks a version of every direct dependency (npm ci installs exactly these)', () => {
    const pkg = read('package.json') as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const lock = read('package-lock.json') as { packages: Record<string, { version?: string }> };
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
      expect(lock.packages[`node_modules/${name}`]?.version, name).toMatch(/^\d+\.\d+\.\d+/);
    }
  });
});
