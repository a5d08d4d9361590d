// The demo: pick an avatar, Start (asynchronous start with live progress from its event stream),
// talk through the official React SDK, End. docs/browser.md explains each choice.
import { useCallback, useEffect, useRef, useState } from 'react';
import { AvatarCall, AvatarVideo, ControlBar, UserVideo, useAvatarSession } from '@runwayml/avatars-react';
import {
  authHeaders,
  cancelledMessage,
  humanDuration,
  loadConfig,
  messageFor,
  newIdempotencyKey,
  openEvents,
  readEvents,
  requestJson,
  text,
} from '../shared/gateway.js';
import { ApiKeyField, AvatarPicker, ErrorBox, SimulatedBanner, errorView } from '../shared/ui.jsx';

/** The steps of a start, in order, as the progress list shows them. */
const STEPS = [
  ['created', 'Session created at Runway (from here it costs money)'],
  ['ready', 'Session ready'],
  ['credentials', 'Call credentials received'],
];

/**
 * Notes on the call's owner whether LiveKit ever connected: the SDK reports a connection that
 * failed as an end (onEnd, LiveKit's Disconnected) before, or instead of, its error.
 */
function CallState({ owner }) {
  const { state } = useAvatarSession();
  useEffect(() => {
    if (state === 'active') owner.connected = true;
  }, [owner, state]);
  return null;
}

export function App() {
  const [config, setConfig] = useState(null);
  const [error, setError] = useState(null);
  const [avatars, setAvatars] = useState(null);
  const [avatarId, setAvatarId] = useState('');
  const [phase, setPhase] = useState('idle');
  const [queue, setQueue] = useState(null);
  // How far the current (or last) start got, kept after it ended so the list still tells.
  const [reached, setReached] = useState(new Set());
  const [notice, setNotice] = useState(null);
  const [call, setCall] = useState(null);
  // The session being started or in a call: {id, ended}. A ref, because the SDK's callbacks and
  // the event stream's reader must see the current one, not the one of their render.
  const session = useRef(null);
  const stream = useRef(null);

  useEffect(() => {
    let alive = true;
    (async () => {
      let loaded;
      try {
        loaded = await loadConfig();
      } catch (e) {
        if (alive) setError({ ...errorView(e), message: `${text('client', 'configUnavailable')} ${e.message}` });
        return;
      }
      if (!alive) return;
      setConfig(loaded);
      try {
        const answer = await requestJson(loaded, 'GET', loaded.paths.presets);
        if (!alive) return;
        setAvatars(answer.avatars);
        setAvatarId((current) => current || answer.avatars[0]?.id || '');
      } catch (e) {
        if (alive) setError({ ...errorView(e), message: `${text('client', 'presetsUnavailable')} ${e.message}` });
      }
    })();
    return () => {
      alive = false;
    };
  }, []);

  // Leaving the page during a call: after the hand-over the gateway cannot see the tab close, and
  // the session would run (and cost) until Runway ends it. keepalive lets the DELETE outlive the
  // page. Before the hand-over nothing is sent: the gateway sees the event stream close and
  // cancels the start after sessions.readerGrace.
  useEffect(() => {
    const leave = () => {
      const current = session.current;
      if (!config || !current || current.ended || !current.handedOver) return;
      current.ended = true;
      fetch(`${config.paths.sessions}/${encodeURIComponent(current.id)}`, {
        method: 'DELETE',
        keepalive: true,
        headers: authHeaders(config),
      });
    };
    window.addEventListener('pagehide', leave);
    return () => window.removeEventListener('pagehide', leave);
  }, [config]);

  /** Ends the current session upstream (once), and takes the call off the page. */
  const end = useCallback(
    async (why) => {
      stream.current?.abort();
      stream.current = null;
      setCall(null);
      const current = session.current;
      if (!current || current.ended) return;
      current.ended = true;
      try {
        await requestJson(config, 'DELETE', `${config.paths.sessions}/${encodeURIComponent(current.id)}`);
      } catch (e) {
        // Nothing to end is what End wants: the gateway no longer knows the session (its record
        // expired), so nothing of it is left running.
        if (e?.code !== 'not_found') {
          setError(errorView(e));
          return;
        }
      }
      if (why === 'end') {
        setPhase('ended');
        setNotice(text('sdk', 'callEnded'));
      }
    },
    [config],
  );

  const start = useCallback(async () => {
    stream.current?.abort();
    const controller = new AbortController();
    stream.current = controller;
    session.current = null;
    setError(null);
    setNotice(null);
    setQueue(null);
    setReached(new Set());
    setCall(null);
    setPhase('starting');
    let terminal = false;
    // The start's request id: what the gateway's logs name this start by, when it fails later.
    let requestId = null;
    try {
      const started = await requestJson(config, 'POST', config.paths.sessions, {
        body: { avatarId },
        headers: { 'Idempotency-Key': newIdempotencyKey() },
        signal: controller.signal,
        onRequestId: (id) => {
          requestId = id;
        },
      });
      const current = { id: started.id, ended: false };
      session.current = current;
      const events = started.events ?? `${config.paths.sessions}/${encodeURIComponent(started.id)}/events`;
      const response = await openEvents(config, events, controller.signal);
      await readEvents(response, ({ event, data }) => {
        switch (event) {
          case 'queued':
            setPhase('queued');
            setQueue(data);
            break;
          case 'created':
          case 'ready':
            setPhase(event);
            setReached((steps) => new Set(steps).add(event));
            break;
          case 'credentials':
            terminal = true;
            current.handedOver = true;
            setPhase('credentials');
            setReached((steps) => new Set(steps).add(event));
            setCall({ key: current.id, credentials: data, owner: current });
            break;
          case 'failed':
            terminal = true;
            current.ended = true;
            setPhase('failed');
            setError({
              message: messageFor(data.code, { retryAfterSeconds: data.retryAfterSeconds }),
              code: data.code,
              failureCode: data.failureCode,
              detail: data.error,
              requestId,
            });
            break;
          case 'cancelled':
            terminal = true;
            current.ended = true;
            setPhase('cancelled');
            setError({ message: cancelledMessage(data.reason), code: data.reason, requestId });
            break;
          case 'state':
            terminal = true;
            setPhase('failed');
            setError({ message: text('client', 'stateInstead'), code: data.state });
            break;
          default:
            break;
        }
      });
      if (!terminal && !controller.signal.aborted) {
        setPhase('failed');
        setError({ message: text('client', 'streamEnded') });
        await end('lost');
      }
    } catch (e) {
      if (e?.name === 'AbortError') return;
      setPhase('failed');
      setError(errorView(e));
    }
  }, [avatarId, config, end]);

  const onCallError = useCallback(
    (owner, e) => {
      // Unmounting a call that is still connecting (End) makes LiveKit report the aborted
      // connect: an error of a call this page already ended is no news.
      if (owner.ended || session.current !== owner) return;
      const message = config?.simulated ? text('sdk', 'simulatedNoMedia') : text('sdk', 'connectionFailed');
      setPhase('failed');
      setError({ message, code: 'sdk_error', detail: e?.message ?? String(e) });
      end('sdk-error');
    },
    [config, end],
  );

  const onCallEnd = useCallback(
    (owner) => {
      if (owner.ended || session.current !== owner) return;
      if (!owner.connected) {
        onCallError(owner, new Error('The call ended before it connected.'));
        return;
      }
      setNotice(text('sdk', 'callEnded'));
      setPhase('ended');
      end('sdk-end');
    },
    [end, onCallError],
  );

  const busy = ['starting', 'queued', 'created', 'ready', 'credentials'].includes(phase);

  return (
    <main>
      <h1>Avatar Gateway demo</h1>
      <nav>
        <a href="./core.html">Core package (session key)</a>
        <a href="./connect-url.html">React connectUrl</a>
      </nav>
      <SimulatedBanner config={config} />
      <ApiKeyField config={config} />
      <div className="controls">
        <AvatarPicker avatars={avatars} value={avatarId} onChange={setAvatarId} disabled={!avatars || busy} />
        <button type="button" data-testid="start" disabled={!avatarId || busy} onClick={start}>
          Start
        </button>
        <button type="button" data-testid="end" disabled={!busy} onClick={() => end('end')}>
          End
        </button>
      </div>
      {avatars && avatars.length === 0 && <p>{text('client', 'noAvatars')}</p>}
      <section aria-label="Progress">
        <ol className="progress" aria-live="polite" data-testid="progress" data-phase={phase}>
          {phase === 'starting' && <li data-testid="progress-starting">Starting…</li>}
          {phase === 'queued' && (
            <li data-testid="progress-queued">
              Waiting for a free avatar: place{' '}
              <span data-testid="queue-position">{queue?.position ?? 'unknown'}</span>
              {queue?.etaSeconds != null && (
                <>
                  , about <span data-testid="queue-eta">{humanDuration(queue.etaSeconds)}</span>
                </>
              )}
            </li>
          )}
          {STEPS.filter(([step]) => reached.has(step)).map(([step, label]) => (
            <li key={step} data-testid={`progress-${step}`} data-done="true">
              {label}
            </li>
          ))}
        </ol>
      </section>
      {notice && (
        <p className="notice" role="status" data-testid="notice">
          {notice}
        </p>
      )}
      <ErrorBox error={error} />
      {call && (
        <AvatarCall
          key={call.key}
          className="call"
          data-testid="call"
          avatarId={avatarId}
          credentials={call.credentials}
          onEnd={() => onCallEnd(call.owner)}
          onError={(e) => onCallError(call.owner, e)}
        >
          <AvatarVideo />
          <UserVideo />
          <ControlBar />
          <CallState owner={call.owner} />
        </AvatarCall>
      )}
    </main>
  );
}
