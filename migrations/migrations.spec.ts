import { readdirSync } from 'node:fs';
import { MIGRATIONS } from './index';

describe('migrations index', () => {
  it('lists every migration file in timestamp order', () => {
    const files = readdirSync(__dirname)
      .filter((f) => /^\d{13}-[A-Za-z]+\.ts$/.test(f))
      .sort();
    const listed = MIGRATIONS.map((m) => {
      const name = new m().name ?? m.name;
      return name;
    });
    expect(listed).toEqual(
      files.map((f) => {
        const [ts, rest] = f.replace(/\.ts$/, '').split('-');
        return `${rest}${ts}`;
      }),
    );
  });
});
