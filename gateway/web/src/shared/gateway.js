// What every demo page needs from the gateway: its /demo/config.json, the caller's API key, JSON
// requests with the gateway's error answers turned into readable messages, and the Server-Sent
// Events of an asynchronous start read with fetch() (EventSource cannot send an Authorization
// header).
import messages from './messages.json';

/** Where the pages keep the key the user typed: this tab only, gone when it closes. */
const API_KEY_STORAGE = 'avatar-gateway.apiKey';

/** The gateway's documented paths, used only when /demo/config.json cannot be read. */
const DEFAULT_PATHS = {
  connect: '/api/avatar/connect',
  credentials: '/api/avatar/credentials',
  sessionKey: '/api/avatar/session-key',
  sessions: '/api/avatar/sessions',
  presets: '/api/avatar/presets',
};

/** The page's configuration from the gateway (docs/browser.md, "config.json"). */
export async function loadConfig() {
  const response = await fetch('/demo/config.json', { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    throw await GatewayError.from(response);
  }
  const config = await response.json();
  return {
    simulated: config.simulated === true,
    auth: config.auth ?? 'none',
    paths: { ...DEFAULT_PATHS, ...config.paths },
  };
}

export function storedApiKey() {
  return sessionStorage.getItem(API_KEY_STORAGE) ?? '';
}

export function storeApiKey(key) {
  if (key) {
    sessionStorage.setItem(API_KEY_STORAGE, key);
  } else {
    sessionStorage.removeItem(API_KEY_STORAGE);
  }
}

/** The Authorization header for the gateway, when it wants one and the user gave a key. */
export function authHeaders(config) {
  const key = storedApiKey().trim();
  return config.auth !== 'none' && key ? { Authorization: `Bearer ${key}` } : {};
}

/** A fresh Idempotency-Key: one per click, so a retried request never starts a second session. */
export function newIdempotencyKey() {
  // crypto.randomUUID exists only in secure contexts; a gateway opened over plain http on a LAN
  // address is not one, while getRandomValues works everywhere.
  if (typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A refused or failed request, with the sentence a user can act on. */
export class GatewayError extends Error {
  constructor({ code, status, detail, requestId, retryAfterSeconds }) {
    super(messageFor(code, { status, retryAfterSeconds }));
    this.name = 'GatewayError';
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.requestId = requestId;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The gateway's JSON error answer ({error, code, requestId}), or whatever else came back. */
  static async from(response) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      // Not JSON: a proxy's page, or an empty answer; the status still says something.
    }
    const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    return new GatewayError({
      code: typeof body?.code === 'string' ? body.code : `http_${response.status}`,
      status: response.status,
      detail: typeof body?.error === 'string' ? body.error : null,
      requestId: body?.requestId ?? response.headers.get('X-Request-Id'),
      retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : null,
    });
  }

  static network(cause) {
    const error = new GatewayError({ code: 'network', status: 0, detail: String(cause?.message ?? cause) });
    error.cause = cause;
    return error;
  }
}

/** The sentence for an error code of the gateway (messages.json), with when to try again. */
export function messageFor(code, { status, retryAfterSeconds } = {}) {
  let text = messages.errors[code] ?? messages.client[code];
  if (!text) {
    text = messages.client.unknown.replace('{status}', status ? String(status) : '?').replace('{code}', code);
  }
  if (retryAfterSeconds) {
    text += ' ' + messages.client.retryAfter.replace('{duration}', humanDuration(retryAfterSeconds));
  }
  return text;
}

/** A wait as people say it: "40 s", "3 min", "7 h 6 min". */
export function humanDuration(seconds) {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}

/**
 * The React SDK's own connect failure (connectUrl: `Error("Failed to connect: <status> <body>")`)
 * as the gateway's error it carries, or null when it is something else.
 */
export function fromSdkConnectError(e) {
  const match = /^Failed to connect: (\d+) ([\s\S]*)$/.exec(e?.message ?? '');
  if (!match) return null;
  const status = Number(match[1]);
  let body = null;
  try {
    body = JSON.parse(match[2]);
  } catch {
    // Not the gateway's JSON: a proxy's page.
  }
  return new GatewayError({
    code: typeof body?.code === 'string' ? body.code : `http_${status}`,
    status,
    detail: typeof body?.error === 'string' ? body.error : null,
    requestId: body?.requestId ?? null,
    retryAfterSeconds: null,
  });
}

/** The sentence for a `cancelled` event's reason. */
export function cancelledMessage(reason) {
  return messages.cancelled[reason] ?? messages.cancelled.unknown.replace('{reason}', String(reason));
}

/** A user-facing text from the messages file (the "client" and "sdk" sections). */
export function text(section, key) {
  return messages[section][key];
}

/**
 * Sends a JSON request to the gateway; answers the parsed body, or throws a GatewayError. With
 * onRequestId, tells the request id the gateway gave its answer (to name it in later messages).
 */
export async function requestJson(config, method, path, { body, headers = {}, signal, onRequestId } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...authHeaders(config),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw GatewayError.network(e);
  }
  if (!response.ok) {
    throw await GatewayError.from(response);
  }
  onRequestId?.(response.headers.get('X-Request-Id'));
  const textBody = await response.text();
  return textBody ? JSON.parse(textBody) : null;
}

/**
 * Reads a text/event-stream answer and calls onEvent({event, data, id}) for each event, data
 * parsed as JSON. Answers when the stream ends (or the signal aborts it).
 */
export async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { event: 'message', data: [], id: null };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    // The SSE format (WHATWG HTML §9.2.6): lines end with CRLF, LF or CR; a blank line dispatches.
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop();
    for (const line of lines) {
      if (line === '') {
        if (event.data.length > 0) {
          const raw = event.data.join('\n');
          let data;
          try {
            data = JSON.parse(raw);
          } catch {
            data = raw;
          }
          onEvent({ event: event.event, data, id: event.id });
        }
        event = { event: 'message', data: [], id: null };
        continue;
      }
      if (line.startsWith(':')) continue; // a comment, e.g. the gateway's keep-alive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let fieldValue = colon < 0 ? '' : line.slice(colon + 1);
      if (fieldValue.startsWith(' ')) fieldValue = fieldValue.slice(1);
      if (field === 'event') event.event = fieldValue;
      else if (field === 'data') event.data.push(fieldValue);
      else if (field === 'id') event.id = fieldValue;
    }
  }
}

/** Opens the event stream of an asynchronous start (with the caller's credentials). */
export async function openEvents(config, path, signal) {
  let response;
  try {
    response = await fetch(path, {
      signal,
      headers: { Accept: 'text/event-stream', ...authHeaders(config) },
      cache: 'no-store',
    });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw GatewayError.network(e);
  }
  if (!response.ok) {
    throw await GatewayError.from(response);
  }
  return response;
}
