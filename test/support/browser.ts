// The web app's browser tests: Debian's Chromium through playwright-core (scripts/chromium.ts),
// fresh profiles at desktop or phone size, and screenshots under test-output/web/ (git-ignored).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..');
export const SCREENSHOT_DIR = join(ROOT, 'test-output', 'web');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export { launchChromium as launchBrowser } from '../../scripts/chromium';

/** The web app must have been built (npm test builds it); the API serves it from dist/web. */
export function assertWebAppBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'web', 'index.html'))) {
    throw new Error('dist/web/index.html is missing: run `npm run build` first');
  }
}

/** A fresh browser profile (cookies, storage, cache) of the given size, locale en-US. */
export async function newContext(
  browser: Browser,
  viewport = DESKTOP,
  opts: { acceptDownloads?: boolean } = {},
): Promise<BrowserContext> {
  // Reduced motion: charts draw without animating, which keeps the tests' CPU use down.
  return browser.newContext({
    viewport,
    locale: 'en-US',
    reducedMotion: 'reduce',
    acceptDownloads: opts.acceptDownloads,
  });
}

/** Signs the tab in without the form (tests of other pages): the key the app would keep. */
export async function presetApiKey(context: BrowserContext, apiKey: string): Promise<void> {
  // Runs in the page before its scripts (a string: this file is compiled without DOM types).
  await context.addInitScript({
    content: `if (!sessionStorage.getItem('mmlite.apiKey')) sessionStorage.setItem('mmlite.apiKey', ${JSON.stringify(apiKey)});`,
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
