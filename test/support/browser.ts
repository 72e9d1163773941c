/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const ROOT = join(__dirname, '../..');
export const CONSOLE_DIST = join(ROOT, 'apps/cave-console/dist');
export const ARTIFACTS = join(ROOT, 'test-artifacts/console');

/** `npm test` builds the console in `pretest`; a direct `jest` run of one spec builds it here if needed. */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(CONSOLE_DIST, 'index.html'))) return;
  execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
}

/** @sparticuz/chromium is ESM only, which jest's module system cannot load: ask a plain node process. */
function chromiumPath(): string {
  const script = "import c from '@sparticuz/chromium'; process.stdout.write(await c.executablePath());";
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }).trim();
}

/**
 * Headless Chromium from @sparticuz/chromium (an npm package that ships the binary, so the suite needs
 * nothing installed by hand). The network here is closed: every background connection Chromium makes
 * on its own is switched off, and as root it needs --no-sandbox.
 */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--disable-extensions',
    ],
    defaultViewport: { width: 1366, height: 820 },
  });
}

/** Everything a clean page must not produce: console errors, uncaught exceptions, failed or 4xx/5xx requests. */
export interface PageProblems {
  consoleErrors: string[];
  failedRequests: string[];
  /** Responses with an error status the test expected (e.g. a 404 it provoked) are moved here. */
  expected: string[];
}

export function watchPage(page: Page, expectedErrors: RegExp[] = []): PageProblems {
  const problems: PageProblems = { consoleErrors: [], failedRequests: [], expected: [] };
  const expected = (s: string) => expectedErrors.some((r) => r.test(s));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = `${m.text()} ${m.location()?.url ?? ''}`;
    // Chromium reports every 4xx as a console error too; those are judged by their response below.
    if (/Failed to load resource/.test(text) && expected(m.location()?.url ?? '')) problems.expected.push(text);
    else problems.consoleErrors.push(text);
  });
  page.on('pageerror', (e) => problems.consoleErrors.push(`uncaught: ${e instanceof Error ? e.message : String(e)}`));
  page.on('requestfailed', (r) => problems.failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const line = `${r.request().method()} ${r.url()} -> ${r.status()}`;
    if (expected(r.url())) problems.expected.push(line);
    else problems.failedRequests.push(line);
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) as `${string}.png`, fullPage: false });
}

/** Text of the first element matching `selector` once `predicate` holds for it. */
export async function waitForText(page: Page, selector: string, predicate: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await page.$eval(selector, (el) => (el as HTMLElement).innerText).catch(() => '');
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting on ${selector}; last text: ${JSON.stringify(last.slice(0, 500))}`);
}
