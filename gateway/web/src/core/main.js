// The core package's own quick start, against the gateway: fetch a session key from the
// gateway's session-key path and pass the answer to streamTo, which consumes it in the browser at
// credentials.baseUrl (cross-origin: Runway, or the simulator, answers CORS there).
import { streamTo } from '@runwayml/avatars';
import '../shared/style.css';
import {
  loadConfig,
  newIdempotencyKey,
  requestJson,
  storeApiKey,
  storedApiKey,
  text,
} from '../shared/gateway.js';

const $ = (id) => document.getElementById(id);
const picker = $('avatar');
const startButton = $('start');
const endButton = $('end');

let config;
let avatarSession = null;
// Runway's id of the session the gateway handed out, to end it at the gateway.
let handedOut = null;

function status(state, message) {
  $('status').dataset.state = state;
  $('status').textContent = message;
}

function showError(e, message = e?.message ?? String(e)) {
  $('error').hidden = false;
  $('error').dataset.code = e?.code ?? '';
  $('error-message').textContent = message;
  const parts = [];
  if (e?.code) parts.push(`Code ${e.code}`);
  if (e?.requestId) parts.push(`request id ${e.requestId}`);
  if (e?.detail) parts.push(e.detail);
  $('error-detail').textContent = parts.join(', ');
}

function clearError() {
  $('error').hidden = true;
}

/**
 * Ends the handed-out session at the gateway, which takes the answer's id (Runway's) as well as its
 * own. Already ended (or no longer known) is what End wants.
 */
async function endAtGateway(runwayId) {
  try {
    await requestJson(config, 'DELETE', `${config.paths.sessions}/${encodeURIComponent(runwayId)}`);
  } catch (e) {
    if (e?.code !== 'not_found') throw e;
  }
}

async function end(why) {
  endButton.disabled = true;
  const current = avatarSession;
  const runwayId = handedOut;
  avatarSession = null;
  handedOut = null;
  try {
    await current?.end();
  } catch {
    // Leaving a call that never connected: nothing to say goodbye to.
  }
  try {
    if (runwayId) await endAtGateway(runwayId);
    if (why === 'end') status('ended', text('sdk', 'callEnded'));
  } catch (e) {
    showError(e);
  }
  startButton.disabled = false;
}

async function start() {
  clearError();
  startButton.disabled = true;
  endButton.disabled = false;
  status('starting', 'Asking the gateway for a session key…');
  let credentials;
  try {
    credentials = await requestJson(config, 'POST', config.paths.sessionKey, {
      body: { avatarId: picker.value },
      headers: { 'Idempotency-Key': newIdempotencyKey() },
    });
  } catch (e) {
    status('failed', 'Could not start.');
    showError(e);
    startButton.disabled = false;
    endButton.disabled = true;
    return;
  }
  handedOut = credentials.sessionId;
  status('connecting', 'Session key received; the SDK consumes it and joins the call…');
  try {
    const session = await streamTo({ credentials, target: $('avatar-video') });
    if (handedOut !== credentials.sessionId) {
      // Ended while it connected: leave the call the page no longer shows.
      await session.end().catch(() => {});
      return;
    }
    avatarSession = session;
    status('active', 'In the call.');
    session.on('stateChanged', (state) => {
      if (state === 'ended' && avatarSession === session) end('sdk-end');
    });
  } catch (e) {
    if (handedOut !== credentials.sessionId) return; // ended meanwhile
    status('failed', 'The call could not start.');
    // A consume the browser could not even send (no CORS answer, network) is a TypeError.
    const consume = e?.code === 'CONSUME_FAILED' || e instanceof TypeError;
    const message = consume
      ? text('sdk', 'consumeFailed')
      : config.simulated
        ? text('sdk', 'simulatedNoMedia')
        : text('sdk', 'connectionFailed');
    showError({ code: e?.code ?? 'sdk_error', detail: e?.message }, message);
    await end('sdk-error');
  }
}

async function main() {
  try {
    config = await loadConfig();
  } catch (e) {
    showError(e, `${text('client', 'configUnavailable')} ${e.message}`);
    return;
  }
  document.querySelector('[data-testid=simulated]').hidden = !config.simulated;
  if (config.auth !== 'none') {
    $('api-key-field').hidden = false;
    $('api-key').value = storedApiKey();
    $('api-key').addEventListener('input', (e) => storeApiKey(e.target.value.trim()));
  }
  try {
    const { avatars } = await requestJson(config, 'GET', config.paths.presets);
    for (const avatar of avatars) {
      picker.append(new Option(avatar.name, avatar.id));
    }
    picker.disabled = avatars.length === 0;
    startButton.disabled = avatars.length === 0;
  } catch (e) {
    showError(e, `${text('client', 'presetsUnavailable')} ${e.message}`);
  }
  startButton.addEventListener('click', start);
  endButton.addEventListener('click', () => end('end'));
}

main();
