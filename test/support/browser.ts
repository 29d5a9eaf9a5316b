// Debian's Chromium driven by playwright-core for the web app's tests and benchmark (no browser
// download: scripts/install-browser.sh installs the chromium package). Each test saves a
// screenshot under test-output/web/ (git-ignored).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ROOT = join(__dirname, '..', '..');
export const SCREENSHOT_DIR = join(ROOT, 'test-output', 'web');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** The flags a sandboxed, offline, root-run Chromium needs (no first-run or update traffic). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: run scripts/install-browser.sh (npm test does), or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
}

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
  return browser.newContext({ viewport, locale: 'en-US', acceptDownloads: opts.acceptDownloads });
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
