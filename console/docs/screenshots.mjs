// Screenshots of a running console for the README: node console/docs/screenshots.mjs URL DEVICE [OUT_DIR]
// (Debian's chromium, requests off this machine refused, so map tiles do not load: a plain background).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/* global document */
import { chromium } from 'playwright-core';

const [url, device, out = new URL('.', import.meta.url).pathname] = process.argv.slice(2);
if (!url || !device) {
  console.error('usage: node console/docs/screenshots.mjs URL DEVICE [OUT_DIR]');
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), 'fleetlake-console-shots-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 800 },
});
try {
  await context.route('**/*', (route) => (/^(127\.|localhost)/.test(new URL(route.request().url()).hostname) || route.request().url().startsWith('blob:') ? route.continue() : route.abort()));
  const page = context.pages()[0] ?? (await context.newPage());
  for (const [name, path] of [['fleet-map', ''], ['vehicle-view', `vehicles/${device}`]]) {
    await page.goto(new URL(path, url).href);
    await page.waitForFunction(() => document.getElementById('view')?.dataset.ready !== undefined);
    await page.waitForTimeout(1500); // let thumbnails load and the map settle (a picture, not a test)
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(join(out, `${name}.png`));
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
