// Drives one headless Chromium for a JUnit test (browser-test-support's BrowserDriver).
//
// Protocol: the test writes one JSON command per line on stdin ({"id": 1, "do": "open", ...});
// this script answers each with one JSON line on stdout ({"type": "result", "id": 1, ...}, or
// {"type": "result", "id": 1, "error": "..."}), and reports what the page does, as it happens, as
// more lines: "request" and "response" (every HTTP exchange of the page, with the SSE bodies of
// event streams), "websocket" (each WebSocket the page opens: caught and held, since no media
// server exists here), "console" and "pageerror". The test asserts on those lines; this script
// asserts nothing itself.
//
// Environment: GATEWAY_URL (the gateway's base URL), SCREENSHOT_DIR, CHROMIUM (default
// /usr/bin/chromium), HOLD_WEBSOCKETS (default true).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const gateway = process.env.GATEWAY_URL;
const screenshots = process.env.SCREENSHOT_DIR ?? 'screenshots';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// The closed network here refuses Chromium's own background connections (updates, sync, field
// trials), which would otherwise stall start-up; QUIC and the GPU are not available either. The
// fake media flags give getUserMedia a camera and microphone without asking.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

/** How long one command may wait for the page by default; a command may ask for another. */
const DEFAULT_TIMEOUT_MS = 20_000;

function report(type, fields = {}) {
  process.stdout.write(`${JSON.stringify({ type, ...fields })}\n`);
}

function testId(id) {
  return `[data-testid="${id}"]`;
}

// Playwright launches Chromium with a fresh, temporary profile (user data dir) every time.
const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
const context = await browser.newContext({
  baseURL: gateway,
  permissions: ['camera', 'microphone'],
  viewport: { width: 1100, height: 800 },
});
let page = null;

// Every WebSocket (LiveKit's signal connection) is caught and held open: Playwright opens it in
// the page without a server, so the SDK waits for a join answer that never comes. With
// HOLD_WEBSOCKETS=false they go out for real, and are only reported.
const holdWebSockets = process.env.HOLD_WEBSOCKETS !== 'false';
if (holdWebSockets) {
  await context.routeWebSocket(/.*/, (ws) => {
    report('websocket', { url: ws.url(), held: true });
    runArmed();
  });
}

// Commands to run the moment the next WebSocket opens (see "arm"): LiveKit gives up on a signal
// connection whose first message does not come within 5 s (JOIN_RESPONSE_TIMEOUT in
// livekit-client), too short to wait for a round trip to the test on a busy machine.
let armed = [];

async function runArmed() {
  const actions = armed;
  armed = [];
  for (const action of actions) {
    try {
      report('armed', { do: action.do, ...(await commands[action.do](action)) });
    } catch (e) {
      report('armed', { do: action.do, error: String(e?.message ?? e) });
    }
  }
}

function watch(p) {
  p.on('console', (m) => report('console', { level: m.type(), text: m.text() }));
  p.on('pageerror', (e) => report('pageerror', { message: e.message }));
  if (!holdWebSockets) {
    p.on('websocket', (ws) => report('websocket', { url: ws.url(), held: false }));
  }
  p.on('request', (r) => {
    report('request', {
      method: r.method(),
      url: r.url(),
      headers: r.headers(),
      body: r.postData() ?? null,
    });
  });
  p.on('response', async (r) => {
    const fields = { method: r.request().method(), url: r.url(), status: r.status(), headers: r.headers() };
    const type = r.headers()['content-type'] ?? '';
    // The event stream ends after its terminal event, so its body can be read whole; JSON
    // answers are small. Static assets are left out.
    if (type.startsWith('text/event-stream') || type.startsWith('application/json')) {
      try {
        fields.body = await r.text();
      } catch (e) {
        fields.bodyError = String(e?.message ?? e);
      }
    }
    report('response', fields);
  });
}

const commands = {
  async open({ path }) {
    if (!page || page.isClosed()) {
      page = await context.newPage();
      watch(page);
    }
    const response = await page.goto(path, { waitUntil: 'load' });
    return { status: response?.status() ?? null, url: page.url() };
  },
  async waitFor({ testid, state = 'visible', timeoutMs = DEFAULT_TIMEOUT_MS }) {
    await page.locator(testId(testid)).first().waitFor({ state, timeout: timeoutMs });
    return {};
  },
  async waitForEnabled({ testid, timeoutMs = DEFAULT_TIMEOUT_MS }) {
    await page.waitForFunction(
      (selector) => {
        const element = document.querySelector(selector);
        return element !== null && !element.disabled;
      },
      testId(testid),
      { timeout: timeoutMs },
    );
    return {};
  },
  async text({ testid }) {
    return { text: await page.locator(testId(testid)).first().innerText() };
  },
  async attribute({ testid, name }) {
    return { value: await page.locator(testId(testid)).first().getAttribute(name) };
  },
  async options({ testid }) {
    const options = await page
      .locator(`${testId(testid)} option`)
      .evaluateAll((all) => all.map((o) => ({ value: o.value, label: o.textContent })));
    return { options };
  },
  async select({ testid, value }) {
    await page.locator(testId(testid)).selectOption(value);
    return {};
  },
  async fill({ testid, value }) {
    await page.locator(testId(testid)).fill(value);
    return {};
  },
  async click({ testid, timeoutMs = DEFAULT_TIMEOUT_MS }) {
    await page.locator(testId(testid)).click({ timeout: timeoutMs });
    return {};
  },
  async screenshot({ name }) {
    mkdirSync(screenshots, { recursive: true });
    const path = join(screenshots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return { path };
  },
  /** Closes the tab, as a user does: the page's connections go with it. */
  async closePage() {
    await page.close({ runBeforeUnload: false });
    page = null;
    return {};
  },
  /**
   * From now on, fetches each event stream of an asynchronous start whole before the page gets it,
   * and reports its body as a "stream" line: Chromium keeps no copy of a body the page reads as a
   * stream, so its "response" line has none. Only for starts that end at once (READY at once),
   * since the page sees nothing until the stream ends.
   */
  async captureEventStreams() {
    await context.route(/\/api\/avatar\/sessions\/[^/]+\/events$/, async (route) => {
      const response = await route.fetch();
      const body = await response.text();
      report('stream', { url: route.request().url(), status: response.status(), body });
      await route.fulfill({ response, body });
    });
    return {};
  },
  /** Runs these commands (e.g. a screenshot, then a click on End) when the next WebSocket opens. */
  async arm({ actions }) {
    armed = actions;
    return {};
  },
  async quit() {
    await browser.close();
    return {};
  },
};

report('ready', { chromium: browser.version() });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let command;
  try {
    command = JSON.parse(line);
  } catch (e) {
    report('result', { id: null, error: `not JSON: ${line}` });
    continue;
  }
  const handler = commands[command.do];
  if (!handler) {
    report('result', { id: command.id, error: `unknown command ${command.do}` });
    continue;
  }
  try {
    report('result', { id: command.id, ...(await handler(command)) });
  } catch (e) {
    report('result', { id: command.id, error: String(e?.message ?? e) });
  }
  if (command.do === 'quit') break;
}
await browser.close().catch(() => {});
process.exit(0);
