// The dashboard in a real browser (Debian's Chromium driven by playwright-core): the built
// `lifeline dashboard` command on a real SQLite file whose runs a real Lifeline worker made.
// Every page loads without console errors; retrying a failed run and signalling a waiting run
// from the page change what the page shows; rewinding a completed run from a step row runs that
// step again and lists the set-aside result; markup in a step output is text; forms are labelled
// and work from the keyboard; a POST without the CSRF token is refused. Screenshots go to
// test-output/screenshots/ (ignored by git).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakerConfig } from '../../src/breakers/config.js';
import { assertFreshBuild } from '../dist-build.js';
import { approval, fragile, markup, quick, XSS_OUTPUT } from '../fixtures/dashboard-workflows.js';
import { startEngine, tempDir, waitForEvent, type TestEngine } from '../helpers.js';
import { startDashboardProcess, type DashboardProcess } from './dashboard-process.js';

// LIFELINE_TEST_CHROMIUM points elsewhere (e.g. to check what happens where Chromium is missing).
const CHROMIUM = process.env.LIFELINE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const SHOTS = resolve(import.meta.dirname, '../../test-output/screenshots');

if (!hasChromium && !inCi) {
  process.stderr.write(`SKIPPED: the dashboard browser tests need Chromium at ${CHROMIUM} (apt-get install chromium); CI=true makes its absence a failure\n`);
}

describe.runIf(!hasChromium && inCi)('dashboard in a browser (CI)', () => {
  it('has Chromium to test with', () => {
    expect.fail(`Chromium is missing at ${CHROMIUM}: .ci/run installs it with apt-get (apt-get install chromium)`);
  });
});

describe.runIf(hasChromium)('dashboard in a real browser', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: TestEngine;
  let dashboard: DashboardProcess;
  let browser: Browser;
  let context: BrowserContext;
  const ids = { failed: 'run-failed', waiting: 'run-waiting', markup: 'run-markup', quick: 'run-quick', csrf: 'run-csrf' };
  const fixFile = () => join(tmp.dir, 'fixed');

  beforeAll(async () => {
    assertFreshBuild();
    tmp = tempDir('lifeline-dashboard-');
    mkdirSync(SHOTS, { recursive: true });
    engine = await startEngine({ db: join(tmp.dir, 'dash.db') });
    const { lifeline } = engine;
    await lifeline.start(fragile, { fixFile: fixFile() }, { runId: ids.failed });
    await lifeline.start(approval, undefined, { runId: ids.waiting });
    await lifeline.start(markup, undefined, { runId: ids.markup });
    await lifeline.start(quick, { n: 21 }, { runId: ids.quick });
    await lifeline.start(approval, undefined, { runId: ids.csrf });
    await Promise.all([
      waitForEvent(engine, (e) => e.runId === ids.failed && e.type === 'run.failed'),
      waitForEvent(engine, (e) => e.runId === ids.waiting && e.type === 'run.waiting'),
      waitForEvent(engine, (e) => e.runId === ids.markup && e.type === 'run.completed'),
      waitForEvent(engine, (e) => e.runId === ids.quick && e.type === 'run.completed'),
      waitForEvent(engine, (e) => e.runId === ids.csrf && e.type === 'run.waiting'),
    ]);
    const now = Date.now();
    const call = { runId: ids.quick, workflow: 'dash.quick', stepId: 'double#0', attempt: 1, now };
    await lifeline.store.recordCost({
      ...call,
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputTokens: 1200,
      cachedInputTokens: 0,
      outputTokens: 300,
      costMicros: 360,
    });
    await lifeline.store.recordCost({
      ...call,
      provider: 'anthropic',
      model: 'claude-haiku',
      inputTokens: 800,
      cachedInputTokens: 200,
      outputTokens: 150,
      costMicros: 1450,
    });
    const config = breakerConfig({ windowSize: 10, minimumCalls: 4, coolDownMs: 3_600_000 }, 'test');
    const fail = { outcome: { kind: 'failure' as const, durationMs: 1 } };
    await lifeline.store.updateBreaker({ key: 'openai:gpt-4o', config, now, outcomes: [fail, fail, fail, fail] });
    // Two holders ask for the one call a minute of key "openai": the second is throttled.
    for (const holder of ['h1', 'h2']) {
      const limits = [{ key: 'openai', intervalMs: 60_000, calls: 1 }];
      await lifeline.store.acquireLimits({ holder, now, leaseMs: 60_000, limits, estimatedTokens: 0, retry: false });
    }
    dashboard = await startDashboardProcess(engine.db);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await dashboard?.stop();
    await engine?.close();
    tmp?.cleanup();
  });

  /** A page that records console errors, uncaught exceptions and dialogs (none may happen). */
  async function open(path: string): Promise<{ page: Page; problems: string[]; dialogs: string[] }> {
    const page = await context.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const response = await page.goto(new URL(path, dashboard.url).href);
    expect(response?.status(), path).toBe(200);
    await page.locator('#live-state').waitFor();
    return { page, problems, dialogs };
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  it('loads every page without console errors', async () => {
    for (const [path, name] of [
      ['/runs', 'runs'],
      [`/runs/${ids.failed}`, 'run-failed'],
      [`/runs/${ids.quick}`, 'run-completed'],
      ['/workers', 'workers'],
      ['/breakers', 'breakers'],
      ['/costs', 'costs'],
      ['/insight', 'insight'],
    ] as const) {
      const { page, problems } = await open(path);
      await page.locator('body[data-live-ready]').waitFor();
      await shot(page, name);
      expect(problems, path).toEqual([]);
      await page.close();
    }
  });

  it('shows the runs with their status, filters them and finds one by id', async () => {
    const { page } = await open('/runs');
    const rows = page.locator('#runs-table tbody tr');
    expect(await rows.count()).toBe(5);
    await page.selectOption('#f-status', 'failed');
    await page.click('button:has-text("Filter")');
    await page.waitForURL(/status=failed/);
    expect(await page.locator('#runs-table tbody tr').allInnerTexts()).toEqual([expect.stringContaining(ids.failed)]);
    await page.goto(new URL(`/runs?errorClass=configuration`, dashboard.url).href);
    expect(await page.locator('#runs-table tbody tr td:first-child').allInnerTexts()).toEqual([ids.failed]);
    await page.goto(new URL(`/runs?q=${ids.markup}`, dashboard.url).href);
    expect(await page.locator('#runs-table tbody tr td:first-child').allInnerTexts()).toEqual([ids.markup]);
    await page.close();
  });

  it('adds a new run to the open runs page live, without a reload', async () => {
    const { page } = await open('/runs');
    await page.locator('body[data-live-ready]').waitFor();
    await page.evaluate('window.notReloaded = true');
    await engine.lifeline.start(quick, { n: 1 }, { runId: 'run-live' });
    await page.locator('#runs-table a:text-is("run-live")').waitFor();
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await page.close();
  });

  it('retries a failed run from its page and the page shows it completed', async () => {
    const { page } = await open(`/runs/${ids.failed}`);
    await expectStatus(page, 'failed');
    expect(await page.locator('#run-steps').innerText()).toContain('the report service refused the upload');
    writeFileSync(fixFile(), 'ok');
    await page.click('button:text-is("Retry")');
    await page.locator('.flash:has-text("Retried from its failed step")').waitFor();
    await expectStatus(page, 'completed');
    await shot(page, 'run-retried');
    expect((await engine.lifeline.getRun(ids.failed))?.status).toBe('completed');
    await page.close();
  });

  it('rewinds a completed run from a step row: the step runs again and its earlier result is listed', async () => {
    const { page, problems } = await open(`/runs/${ids.quick}`);
    await expectStatus(page, 'completed');
    expect(await page.locator('#run-generations').innerText()).toBe('');
    await page.getByRole('button', { name: 'Rewind to this step (double#0)' }).click();
    await page.locator('.flash:has-text("Rewound to double#0: generation 2, 1 step result set aside")').waitFor();
    await expectStatus(page, 'completed');
    expect(await page.locator('#run-generations tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^1\s+double#0\s+completed\s/)]);
    expect(await page.locator('#run-summary').innerText()).toContain('2 (rewound 1 time)');
    await shot(page, 'run-rewound');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sends a signal to a waiting run from the keyboard (Tab to the button, Enter) and it finishes', async () => {
    const { page, problems } = await open(`/runs/${ids.waiting}`);
    await expectStatus(page, 'waiting');
    await page.locator('body[data-live-ready]').waitFor();
    await shot(page, 'run-waiting');
    await page.focus('#signal-name');
    await page.keyboard.type('approve');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('signal-payload');
    await page.keyboard.type('{"ok": true}');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Send signal');
    await page.keyboard.press('Enter');
    await page.locator('.flash:has-text(\'Signal "approve" sent.\')').waitFor();
    await expectStatus(page, 'completed');
    expect(await page.locator('#run-summary').innerText()).toContain('"approved"');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows markup in a step output as text and never runs it', async () => {
    const { page, dialogs, problems } = await open(`/runs/${ids.markup}`);
    const output = page.locator('#run-steps pre.data').first();
    expect(await output.textContent()).toBe(JSON.stringify(XSS_OUTPUT));
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(await page.evaluate('document.scripts.length')).toBe(1); // the dashboard's own live.js
    await shot(page, 'run-markup');
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('labels every form field', async () => {
    for (const path of ['/runs', `/runs/${ids.csrf}`]) {
      const { page } = await open(path);
      const unlabelled = await page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((el) => el.labels.length === 0).map((el) => el.outerHTML)",
      );
      expect(unlabelled, path).toEqual([]);
      await page.close();
    }
    const { page } = await open(`/runs/${ids.csrf}`);
    expect(await page.getByLabel('Signal name').count()).toBe(1);
    expect(await page.getByLabel('Payload (JSON, optional)').count()).toBe(1);
    expect(await page.getByLabel('Run id').count()).toBe(0);
    await page.close();
  });

  it('refuses a POST without the CSRF token (403), from the page and from elsewhere', async () => {
    const { page } = await open(`/runs/${ids.csrf}`);
    const fromPage = await page.evaluate(
      "fetch(location.pathname + '/cancel', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' }).then((r) => r.status)",
    );
    expect(fromPage).toBe(403);
    const elsewhere = await fetch(new URL(`/runs/${ids.csrf}/cancel`, dashboard.url), {
      method: 'POST',
      body: new URLSearchParams({ csrf: 'guess' }),
      redirect: 'manual',
    });
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.text()).toBe('403 Forbidden: the form has no valid CSRF token (reload the page and try again)');
    expect((await engine.lifeline.getRun(ids.csrf))?.status).toBe('waiting');
    await page.click('button:text-is("Cancel")');
    await expectStatus(page, 'cancelled');
    await page.close();
  });

  it('shows open breakers, throttled keys and the cost meter', async () => {
    const { page } = await open('/breakers');
    expect(await page.locator('#breakers-table tbody tr').first().innerText()).toMatch(/^openai:gpt-4o\s+open/);
    expect(await page.locator('#limits-table tbody tr').first().innerText()).toMatch(/^openai\s+1 times/);
    await page.goto(new URL('/costs', dashboard.url).href);
    expect(await page.locator('#cost-total').innerText()).toBe('$0.001810');
    expect(await page.locator('#costs table').nth(1).innerText()).toContain('anthropic/claude-haiku');
    await page.close();
  });
});

async function expectStatus(page: Page, status: string): Promise<void> {
  await page.locator(`#run-summary dd .badge:text-is("${status}")`).first().waitFor({ timeout: 20_000 });
}
