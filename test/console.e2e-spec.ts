/// <reference lib="dom" />
import type { Socket } from 'node:net';
import request from 'supertest';
import type { Browser, Page } from 'puppeteer-core';
import { EventStore } from '@cave/event-store';
import { ProjectionRegistry } from '@cave/projections';
import { startTestApp, TestApp, waitFor } from '@cave/testing';
import { createReadModelTable, tallyProjection } from '../libs/projections/test/projection.fixture';
import { createApp } from '../apps/cave-daemon/src/bootstrap/create-app';
import { CONSOLE_DIST, ensureConsoleBuilt, launchBrowser, PageProblems, screenshot, waitForText, watchPage } from './support/browser';

jest.setTimeout(120_000);

const ADMIN = 'cave_sk_' + 'c'.repeat(40);
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/**
 * The built console (apps/cave-console/dist) in headless Chromium against the listening daemon on a
 * real database: every view is driven as a user would, through the public API only.
 */
describe('admin console in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let memberA: string;
  let memberB: string;
  let sandboxA: string;
  let sandboxB: string;
  const tcp = new Set<Socket>();
  const api = () => request(t.url);

  const createSandbox = async (key: string, name: string): Promise<string> =>
    (await api().post('/api/v1/sandboxes').set(bearer(key)).send({ name, runtime: 'javascript', mode: 'quick' }).expect(201)).body.id;

  const signIn = async (p: Page, key: string) => {
    await p.goto(`${t.url}/console/`, { waitUntil: 'networkidle0' });
    await p.type('#api-key', key);
    await p.click('form[aria-label="Sign in"] button[type=submit]');
    await p.waitForSelector('nav[aria-label="Main"]');
  };
  const go = async (p: Page, hash: string) => {
    await p.evaluate((h) => (location.hash = h), hash);
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startTestApp(createApp, { CAVE_BOOTSTRAP_ADMIN_KEY: ADMIN, CAVE_CONSOLE_DIR: CONSOLE_DIST });
    t.app.getHttpServer().on('connection', (s: Socket) => {
      tcp.add(s);
      s.on('close', () => tcp.delete(s));
    });
    memberA = (await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'team-a', name: 'a', role: 'member' }).expect(201)).body.key;
    memberB = (await api().post('/api/v1/auth/keys').set(bearer(ADMIN)).send({ namespace: 'team-b', name: 'b', role: 'member' }).expect(201)).body.key;
    sandboxA = await createSandbox(memberA, 'alpha');
    await api().post(`/api/v1/sandboxes/${sandboxA}/start`).set(bearer(memberA)).expect(200);
    await api().post(`/api/v1/sandboxes/${sandboxA}/stop`).set(bearer(memberA)).expect(200);
    sandboxB = await createSandbox(memberB, 'bravo');
    browser = await launchBrowser();
    page = await browser.newPage();
    problems = watchPage(page);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the console at /console/ with a strict CSP and no inline script, without an API key', async () => {
    await api().get('/console').expect(301).expect('location', '/console/');
    const res = await api().get('/console/').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(res.text)![1];
    const js = await api().get(asset).expect(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-security-policy']).toBe(csp);
    const scripts = res.text.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\ssrc="\/console\/assets\//);
    expect(res.text).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    expect(res.text).not.toMatch(/https?:\/\//); // no CDN
  });

  it('signs in with an admin key kept in sessionStorage, never in the URL', async () => {
    await page.goto(`${t.url}/console/`, { waitUntil: 'networkidle0' });
    await screenshot(page, '01-sign-in');
    await signIn(page, ADMIN);
    const nav = await page.$eval('nav[aria-label="Main"]', (el) => (el as HTMLElement).innerText);
    expect(nav).toContain('Projections');
    expect(await page.evaluate(() => sessionStorage.getItem('cave.console.apiKey'))).toBe(ADMIN);
    expect(await page.evaluate(() => localStorage.length === 0 || !JSON.stringify(localStorage).includes('cave_sk_'))).toBe(true);
    expect(page.url()).not.toContain('cave_sk_');
  });

  it('filters the event explorer and shows an event with its metadata and related-event links', async () => {
    await go(page, '#/events');
    await page.waitForSelector('table[aria-label="Events"] tbody tr');
    await page.type('#f-namespace', 'team-a');
    await page.type('#f-type', 'sandbox_started');
    await page.click('form[aria-label="Event filters"] button[type=submit]');
    const rows = await waitFor(
      async () => {
        const r = await page.$$eval('table[aria-label="Events"] tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).innerText));
        return r.length === 1 ? r : undefined;
      },
      10_000,
      'one filtered row',
    );
    expect(rows[0]).toContain('team-a');
    expect(rows[0]).toContain('sandbox_started');
    expect(rows[0]).toContain(`sandbox-${sandboxA}`);
    await page.click('table[aria-label="Events"] tbody tr button');
    const detail = await waitForText(page, 'aside[aria-label="Event detail"]', (s) => s.includes('correlationId'));
    expect(detail).toContain('sandbox_started');
    expect(detail).toContain('actor');
    await screenshot(page, '02-events');

    // The correlation link narrows the log to that request's events.
    await page.click('aside[aria-label="Event detail"] ul[aria-label="Related events"] li button');
    await waitForText(page, 'table[aria-label="Events"] tbody', (s) => s.includes('sandbox_started') && !s.includes('sandbox_created'));
  });

  it('opens a stream and the time-travel slider changes the folded state; the diff names the change', async () => {
    await go(page, `#/streams/sandbox-${sandboxA}`);
    await waitForText(page, 'pre[aria-label="Folded state"]', (s) => s.includes('"stopped"'));
    await page.focus('#version-slider');
    await page.keyboard.press('Home');
    const first = await waitForText(page, 'pre[aria-label="Folded state"]', (s) => s.includes('"created"'));
    expect(first).not.toContain('"stopped"');
    await page.keyboard.press('ArrowRight');
    await waitForText(page, 'pre[aria-label="Folded state"]', (s) => s.includes('"running"'));
    await waitForText(page, 'label[for="version-slider"]', (s) => s.startsWith('Version 2 of 3'));
    // Compare slider sits at version 2 (of 3) initially; move it to 1: running vs created.
    await page.focus('#compare-slider');
    await page.keyboard.press('Home');
    const diff = await waitForText(page, 'table[aria-label^="Changes from version 1 to version 2"] tbody', (s) => s.includes('running'));
    expect(diff).toContain('created');
    await screenshot(page, '03-stream-time-travel');
  });

  it('live tail: an event POSTed by the test appears; pause holds, resume shows; a dropped connection resumes from the last cursor', async () => {
    await go(page, '#/live');
    await waitForText(page, 'p[role=status][data-status]', (s) => s.startsWith('Live'));
    const live1 = await createSandbox(memberA, 'live-one');
    await waitForText(page, 'table[aria-label="Live events"] tbody', (s) => s.includes(`sandbox-${live1}`));

    await page.click('button[aria-pressed]');
    const held = await createSandbox(memberA, 'held');
    await waitForText(page, 'button[aria-pressed="true"]', (s) => s.includes('1 held'));
    expect(await page.$eval('table[aria-label="Live events"] tbody', (el) => (el as HTMLElement).innerText)).not.toContain(held);
    await page.click('button[aria-pressed]');
    await waitForText(page, 'table[aria-label="Live events"] tbody', (s) => s.includes(`sandbox-${held}`));

    // Cut every TCP connection (the websocket included) under the page: the console says so, reconnects
    // and subscribes again after its last cursor; an event written while it was away arrives once.
    for (const s of tcp) s.destroy();
    await waitForText(page, 'p[role=status][data-status]', (s) => /Connection lost|Connection resumed/.test(s));
    const whileAway = await createSandbox(memberA, 'while-away');
    await waitForText(page, 'p[role=status][data-status]', (s) => s.startsWith('Connection resumed'), 20_000);
    const tbody = await waitForText(page, 'table[aria-label="Live events"] tbody', (s) => s.includes(`sandbox-${whileAway}`));
    expect(tbody.split(`sandbox-${whileAway}`).length - 1).toBe(1);
    expect(tbody.split(`sandbox-${held}`).length - 1).toBe(1);
    await screenshot(page, '04-live-tail');
  });

  it('rebuilds a projection after confirmation and the progress bar reaches 100%', async () => {
    await go(page, '#/projections');
    await page.waitForSelector('tr[data-projection="sandboxes"]');
    const [rebuild] = await page.$$('xpath/.//button[starts-with(normalize-space(.), "Rebuild sandboxes")]');
    await rebuild.click();
    await page.waitForSelector('dialog[open]');
    // Cancel first: nothing happens.
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog:not([open])');
    await rebuild.click();
    const yes = await page.waitForSelector('xpath/.//dialog[@open]//button[normalize-space(.)="Yes, rebuild"]');
    await yes!.click();
    await waitFor(
      async () => ((await page.$eval('#progress-sandboxes', (el) => (el as HTMLProgressElement).value).catch(() => 0)) === 100 ? true : undefined),
      30_000,
      'rebuild progress 100',
    );
    expect(await page.$eval('label[for="progress-sandboxes"]', (el) => (el as HTMLElement).innerText)).toContain('done');
    const state = await api().get('/api/v1/admin/projections/sandboxes').set(bearer(ADMIN)).expect(200);
    expect(state.body.rebuild.status).toBe('done');
    await screenshot(page, '05-projections');
  });

  it('shows a projector stopped at a poison event and skips it after confirmation', async () => {
    await createReadModelTable(t.database.ownerUrl, 'console_poison');
    t.app.get(ProjectionRegistry).register(
      tallyProjection({
        name: 'console-poison',
        table: 'console_poison',
        before: (e) => {
          if ((e.data as { poison?: boolean }).poison) throw new Error('cannot project this one');
        },
      }),
    );
    const bad = (await t.app.get(EventStore).append('tick-poison', 'any', [{ type: 'tick', data: { poison: true } }], { namespace: 'team-a', streamType: 'tick' })).globalPositions[0];
    await go(page, '#/projections');
    const row = 'tr[data-projection="console-poison"]';
    await waitForText(page, row, (s) => s.includes('failed') && s.includes(`stopped at #${bad}`), 20_000);
    const skip = await page.waitForSelector(`xpath/.//tr[@data-projection="console-poison"]//button[normalize-space(.)="Skip event"]`);
    await skip!.click();
    await waitForText(page, 'dialog[open]', (s) => s.includes(`Skip event #${bad}`));
    const yes = await page.waitForSelector('xpath/.//dialog[@open]//button[normalize-space(.)="Yes, skip"]');
    await yes!.click();
    await waitForText(page, row, (s) => s.includes('running') && !s.includes('stopped at'), 20_000);
    const decisions = await t.app.get(EventStore).readStream('projection-console-poison', { namespace: 'system' });
    expect(decisions.map((e) => e.type)).toEqual(['projection_event_skipped']);
  });

  it('audit: verifies the log, checks the checkpoint signature and an inclusion proof in the browser', async () => {
    const events = await api().get('/api/v1/admin/events').query({ streamId: `sandbox-${sandboxA}` }).set(bearer(ADMIN)).expect(200);
    const eventId = events.body.items[1].eventId;
    await waitFor(async () => ((await api().get(`/api/v1/audit/entries/${eventId}/proof`).set(bearer(memberA))).status === 200 ? true : undefined), 15_000, 'audited');
    await go(page, `#/audit/${eventId}`);
    await waitForText(page, 'div[aria-label="Proof verdict"]', (s) => s.includes('Inclusion verified in the browser'));
    const verdict = await page.$eval('div[aria-label="Proof verdict"]', (el) => (el as HTMLElement).innerText);
    expect(verdict).toMatch(/✓ inclusion proof/);
    expect(verdict).toMatch(/✓ checkpoint signature/);
    await waitForText(page, 'section[aria-labelledby="checkpoint-title"]', (s) => s.includes('Ed25519 signature valid'));
    await page.click('section[aria-labelledby="verify-title"] button');
    await waitForText(page, 'div[aria-label="Verification result"]', (s) => s.includes('Audit log intact'));
    await screenshot(page, '06-audit');
  });

  it('sandboxes: list, detail and a lifecycle action', async () => {
    await go(page, '#/sandboxes');
    // Admin keys live in their own namespace: the list is that namespace's; create one there.
    await page.type('#sb-name', 'console-made');
    await page.click('form[aria-label="Create a sandbox"] button[type=submit]');
    await waitForText(page, 'table[aria-label="Sandboxes"] tbody', (s) => s.includes('console-made'));
    const [link] = await page.$$('xpath/.//table[@aria-label="Sandboxes"]//a[normalize-space(.)="console-made"]');
    await link.click();
    await waitForText(page, 'span[aria-label="State"]', (s) => s === 'created');
    const [start] = await page.$$('xpath/.//div[@aria-label="Lifecycle actions"]//button[normalize-space(.)="Start"]');
    await start.click();
    await waitForText(page, 'span[aria-label="State"]', (s) => s === 'running');
    await screenshot(page, '07-sandbox-detail');
  });

  it('reads in the dark theme too', async () => {
    await page.click('xpath/.//button[starts-with(@aria-label, "Switch to dark")]');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await go(page, '#/events');
    await page.waitForSelector('table[aria-label="Events"] tbody tr');
    await screenshot(page, '08-events-dark');
    await page.click('xpath/.//button[starts-with(@aria-label, "Switch to light")]');
  });

  it('a member key sees its namespace only and no admin views', async () => {
    const ctx = await browser.createBrowserContext();
    const p = await ctx.newPage();
    // The test provokes exactly these: another namespace's audit proof is a 404 like a missing one.
    const mp = watchPage(p, [new RegExp(`/api/v1/audit/entries/[^/]+/proof$`)]);
    try {
      await signIn(p, memberA);
      const nav = await p.$eval('nav[aria-label="Main"]', (el) => (el as HTMLElement).innerText);
      expect(nav).not.toContain('Projections');
      await go(p, '#/events');
      await p.waitForSelector('table[aria-label="Events"] tbody tr');
      const text = await p.$eval('table[aria-label="Events"] tbody', (el) => (el as HTMLElement).innerText);
      expect(text).toContain(`sandbox-${sandboxA}`);
      expect(text).not.toContain(`sandbox-${sandboxB}`);
      expect(await p.$('#f-namespace')).toBeNull();

      await go(p, `#/streams/sandbox-${sandboxB}`);
      await waitForText(p, 'p[role=alert]', (s) => s.includes('No such stream'));
      await go(p, `#/streams/sandbox-${sandboxA}`);
      await waitForText(p, 'pre[aria-label="Folded state"]', (s) => s.includes('"stopped"'));

      await go(p, '#/projections');
      await waitForText(p, 'main p[role=alert]', (s) => s.includes('for admin keys'));

      const bEvent = (await api().get('/api/v1/events').query({ streamId: `sandbox-${sandboxB}` }).set(bearer(memberB)).expect(200)).body.items[0].eventId;
      await go(p, `#/audit/${bEvent}`);
      await waitForText(p, 'section[aria-labelledby="proof-title"] p[role=alert]', (s) => s.includes('AUDIT'));
      await screenshot(p, '09-member-isolation');
      // And it cannot reach the admin API directly either (what the console would have to call).
      await api().get('/api/v1/admin/events').set(bearer(memberA)).expect(403);
      expect(mp.consoleErrors).toEqual([]);
      expect(mp.failedRequests).toEqual([]);
      expect(mp.expected.length).toBeGreaterThan(0);
    } finally {
      await ctx.close();
    }
  });

  it('produced no console errors and no failed requests on the admin page', () => {
    expect(problems.consoleErrors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
  });
});
