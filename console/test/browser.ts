import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';

/** Debian's chromium (scripts/setup installs it); nothing downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Without the background-networking flags Chromium calls home (updates, sync, safe browsing) on a closed network. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Requests the page tried to send anywhere but this machine (aborted). */
  blocked: string[];
  /** Errors thrown in the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

const LOCAL = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/** Headless Chromium with a fresh profile; every request off loopback is aborted and recorded. */
export async function launchBrowser(options: { httpCredentials?: { username: string; password: string } } = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/setup installs Debian's chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'fleetlake-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 860 },
    ...(options.httpCredentials ? { httpCredentials: options.httpCredentials } : {}),
  });
  const blocked: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'blob:' || url.protocol === 'data:' || LOCAL.test(url.hostname)) return route.continue();
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return {
    context,
    page,
    blocked,
    pageErrors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a path of the app and waits until its view has rendered (or shown its error). */
export async function openView(page: Page, url: string): Promise<void> {
  await page.goto(url);
  const path = new URL(url).pathname;
  await page.waitForFunction((p) => document.getElementById('view')?.dataset.ready === p, path, { timeout: 30_000 });
}

/** Saves a screenshot and checks it is not blank: many colours, none covering nearly all of it. */
export async function screenshot(page: Page, file: string): Promise<{ colours: number; dominantShare: number }> {
  await page.screenshot({ path: file });
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i += info.channels) {
    const key = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const pixels = data.length / info.channels;
  return { colours: counts.size, dominantShare: Math.max(...counts.values()) / pixels };
}
