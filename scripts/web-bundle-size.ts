// The JavaScript and CSS the web app's first page costs, gzipped, from the build's manifest: the
// entry chunk (the shell and the sign-in form) with its static imports, plus the overview page
// (where a signed-in marketer lands) with everything it imports, the lazily loaded chart library
// included. Sizes are of the .gz files the API sends. `npm run build` runs this and fails over
// the budget (250 KB); `npm run bench` measures the same page in Chromium.
//
//   node dist/scripts/web-bundle-size.js [dist/web]
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const FIRST_PAGE_BUDGET_BYTES = 250 * 1024;
const ENTRY = 'index.html';
const FIRST_PAGE = 'src/pages/overview/OverviewPage.tsx';

interface ManifestChunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export interface BundleSize {
  /** The entry alone: what a visitor who is not signed in loads. */
  entryBytes: number;
  /** The entry and the overview page with all it loads. */
  firstPageBytes: number;
  files: Array<{ file: string; gzipBytes: number }>;
}

function gzipSize(dir: string, file: string): number {
  const gz = join(dir, `${file}.gz`);
  if (!existsSync(gz)) {
    throw new Error(`${gz} is missing: the build writes a .gz beside every asset`);
  }
  return statSync(gz).size;
}

export function measureBundle(dir: string): BundleSize {
  const manifest = JSON.parse(readFileSync(join(dir, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const collect = (start: string, followDynamic: boolean): Set<string> => {
    const seen = new Set<string>();
    const visit = (key: string): void => {
      const chunk = manifest[key];
      if (!chunk || seen.has(key)) {
        return;
      }
      seen.add(key);
      chunk.imports?.forEach(visit);
      // The entry's dynamic imports are the other pages: not part of this one.
      if (followDynamic && key !== ENTRY) {
        chunk.dynamicImports?.forEach(visit);
      }
    };
    visit(start);
    return seen;
  };
  const filesOf = (keys: Set<string>): string[] => [
    ...new Set([...keys].flatMap((k) => [manifest[k]!.file, ...(manifest[k]!.css ?? [])])),
  ];
  const entryFiles = filesOf(collect(ENTRY, false));
  const pageFiles = filesOf(new Set([...collect(ENTRY, false), ...collect(FIRST_PAGE, true)]));
  const sum = (files: string[]) => files.reduce((n, f) => n + gzipSize(dir, f), 0);
  return {
    entryBytes: sum(entryFiles),
    firstPageBytes: sum(pageFiles),
    files: pageFiles.map((file) => ({ file, gzipBytes: gzipSize(dir, file) })),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

if (require.main === module) {
  const dir = process.argv[2] ?? join(__dirname, '..', '..', 'dist', 'web');
  const size = measureBundle(dir);
  for (const f of size.files.sort((a, b) => b.gzipBytes - a.gzipBytes)) {
    process.stdout.write(`  ${kb(f.gzipBytes).padStart(9)}  ${f.file}\n`);
  }
  process.stdout.write(
    `web app, first page (overview): ${kb(size.firstPageBytes)} gzipped JS+CSS ` +
      `(entry alone ${kb(size.entryBytes)}); budget ${kb(FIRST_PAGE_BUDGET_BYTES)}\n`,
  );
  if (size.firstPageBytes > FIRST_PAGE_BUDGET_BYTES) {
    process.stderr.write('the first page is over its budget\n');
    process.exit(1);
  }
}
