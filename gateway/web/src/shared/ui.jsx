// The pieces every demo page shows: the API key field (when the gateway wants one) and an error
// with its request id.
import { useState } from 'react';
import { storeApiKey, storedApiKey } from './gateway.js';

/** A field for the caller's API key (or JWT), kept in this tab's sessionStorage only. */
export function ApiKeyField({ config }) {
  const [key, setKey] = useState(storedApiKey);
  if (!config || config.auth === 'none') return null;
  const label = config.auth === 'jwt' ? 'Your token (JWT)' : 'Your API key';
  return (
    <p className="field">
      <label htmlFor="api-key">{label}</label>
      <input
        id="api-key"
        data-testid="api-key"
        type="password"
        autoComplete="off"
        spellCheck="false"
        value={key}
        onChange={(e) => {
          setKey(e.target.value);
          storeApiKey(e.target.value.trim());
        }}
      />
      <small>Sent as Authorization: Bearer to this gateway only; kept in this tab until it closes.</small>
    </p>
  );
}

/** An error as the user reads it, with what the gateway said and its request id. */
export function ErrorBox({ error }) {
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid="error" data-code={error.code ?? ''}>
      <p data-testid="error-message">{error.message}</p>
      {error.failureCode && (
        <p>
          Runway's failure code: <code data-testid="error-failure-code">{error.failureCode}</code>
        </p>
      )}
      {error.code && (
        <p className="detail">
          Code <code data-testid="error-code">{error.code}</code>
          {error.requestId && (
            <>
              , request id <code data-testid="error-request-id">{error.requestId}</code>
            </>
          )}
          {error.detail && <>. {error.detail}</>}
        </p>
      )}
    </div>
  );
}

/** A caught exception as ErrorBox shows it. */
export function errorView(e) {
  return {
    message: e?.message ?? String(e),
    code: e?.code ?? null,
    requestId: e?.requestId ?? null,
    detail: e?.detail ?? null,
  };
}

/** Says that the upstream is the simulator: nothing costs money, and the media server is fake. */
export function SimulatedBanner({ config }) {
  if (!config?.simulated) {
    return null;
  }
  return (
    <p className="banner" data-testid="simulated">
      Simulated Runway: no credits are used, and the call's media server is fake.
    </p>
  );
}

/** The gateway's allowed avatars (GET /api/avatar/presets), one to choose. */
export function AvatarPicker({ avatars, value, onChange, disabled }) {
  return (
    <p className="field">
      <label htmlFor="avatar">Avatar</label>
      <select
        id="avatar"
        data-testid="avatar-picker"
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      >
        {(avatars ?? []).map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
    </p>
  );
}
