// The React SDK's quick start, as is: <AvatarCall avatarId connectUrl="/api/avatar/connect" />.
// The SDK POSTs {avatarId} to connectUrl with only Content-Type (no Authorization: use the
// `connect` prop for that, docs/browser.md), and caches the answer per avatarId and connectUrl
// for the life of the page: a second call on this page would reuse consumed credentials, so each
// call here is a reload.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { AvatarCall } from '@runwayml/avatars-react';
import '@runwayml/avatars-react/styles.css';
import '../shared/style.css';
import { fromSdkConnectError, loadConfig, requestJson, text } from '../shared/gateway.js';
import { AvatarPicker, ErrorBox, SimulatedBanner, errorView } from '../shared/ui.jsx';

function App() {
  const [config, setConfig] = useState(null);
  const [avatars, setAvatars] = useState(null);
  const [avatarId, setAvatarId] = useState('');
  const [calling, setCalling] = useState(false);
  const [error, setError] = useState(null);
  const [ended, setEnded] = useState(false);

  useEffect(() => {
    (async () => {
      try {
        const loaded = await loadConfig();
        setConfig(loaded);
        const { avatars: list } = await requestJson(loaded, 'GET', loaded.paths.presets);
        setAvatars(list);
        setAvatarId(list[0]?.id ?? '');
      } catch (e) {
        setError(errorView(e));
      }
    })();
  }, []);

  return (
    <main>
      <h1>
        React SDK: <code>&lt;AvatarCall connectUrl&gt;</code>
      </h1>
      <nav>
        <a href="./">The demo</a>
        <a href="./core.html">Core package (session key)</a>
      </nav>
      <p>
        The official quick start: the SDK itself POSTs to <code>{config?.paths.connect ?? '…'}</code> and
        joins the call with the credentials it answers.
        {config && config.auth !== 'none' && (
          <> This gateway wants an API key, which connectUrl cannot send: use the demo instead.</>
        )}
      </p>
      <SimulatedBanner config={config} />
      <div className="controls">
        <AvatarPicker avatars={avatars} value={avatarId} onChange={setAvatarId} disabled={!avatars || calling} />
        <button type="button" data-testid="start" disabled={!avatarId || calling || ended} onClick={() => setCalling(true)}>
          Start
        </button>
        <button type="button" data-testid="end" disabled={!calling} onClick={() => { setCalling(false); setEnded(true); }}>
          End
        </button>
      </div>
      <p role="status" aria-live="polite" data-testid="status" data-state={calling ? 'calling' : ended ? 'ended' : 'idle'}>
        {calling ? 'Calling…' : ended ? 'Ended. Reload the page for another call.' : 'Idle.'}
      </p>
      <ErrorBox error={error} />
      {calling && (
        <AvatarCall
          className="call"
          data-testid="call"
          avatarId={avatarId}
          connectUrl={config.paths.connect}
          onEnd={() => {
            setCalling(false);
            setEnded(true);
          }}
          onError={(e) => {
            // The gateway refused the SDK's POST (its JSON error rides in the SDK's message), or
            // the call itself could not connect.
            const refused = fromSdkConnectError(e);
            // The SDK keeps this failure for these props, like an answer: reload to try again.
            setCalling(false);
            setEnded(true);
            setError(
              refused
                ? errorView(refused)
                : {
                    message: config.simulated ? text('sdk', 'simulatedNoMedia') : text('sdk', 'connectionFailed'),
                    code: 'sdk_error',
                    detail: e?.message ?? String(e),
                  },
            );
          }}
        />
      )}
    </main>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
