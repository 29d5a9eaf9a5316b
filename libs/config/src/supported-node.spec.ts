import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

const root = join(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

interface LockEntry {
  engines?: { node?: string } | string[];
}

const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
/** The oldest version of each supported line: `^20.19.0 || ^22.13.0 || ^24.0.0` → three floors. */
const floors = engines.split('||').map((r) => semver.minVersion(r.trim())?.version ?? r);

describe('the supported Node versions', () => {
  it('are the lines this suite runs on', () => {
    expect(floors.map((v) => semver.major(v))).toEqual([20, 22, 24]);
    expect(semver.satisfies(process.version, engines)).toBe(true);
  });

  it('are accepted by every installed package, down to the oldest of each line', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockEntry> };
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!path || !range) {
        continue;
      }
      for (const floor of floors) {
        if (!semver.satisfies(floor, range)) {
          refused.push(`${path.replace(/^.*node_modules\//, '')} needs ${range} (not ${floor})`);
        }
      }
    }
    expect(refused).toEqual([]);
  });

  it('include the Node of the Docker image', () => {
    const from = /^FROM node:(\d+)/m.exec(read('Dockerfile'));
    expect(from).not.toBeNull();
    expect(semver.satisfies(`${from?.[1]}.99.0`, engines)).toBe(true);
  });
});
