// Builds the marketers' web app into dist/web, served by the API at /app (apps/api/src/http/web-app.ts).
// Each emitted file also gets a .gz beside it: the API sends those to browsers that accept gzip.
import { gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const OUT_DIR = join(import.meta.dirname, '../../dist/web');

function gzipAssets(): Plugin {
  return {
    name: 'gzip-assets',
    apply: 'build',
    writeBundle(_options, bundle) {
      for (const file of Object.keys(bundle)) {
        if (/\.(js|css|svg|json)$/.test(file)) {
          const path = join(OUT_DIR, file);
          writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
        }
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/app/',
  plugins: [gzipAssets()],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    // Read by scripts/web-bundle-size.ts: which chunks the first page loads.
    manifest: true,
    target: 'es2022',
    rolldownOptions: {
      onLog(level, log, handler) {
        // TanStack Query marks its modules "use client" for React Server Components; an SPA
        // bundle has no server components, so dropping the directive changes nothing.
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') {
          return;
        }
        handler(level, log);
      },
    },
  },
  // `npm run web:dev`: the app with live reload; /v1 goes to an API on port 3000 (npm run start:api).
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
