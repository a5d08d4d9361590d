// The demo page: who is logged in, a Start button that asks the starter for a session as that
// user, and the user's sessions from the gateway's ledger, each of which can be ended.
//
// Every call is same-origin with the login session's cookie. Spring Security wants its CSRF token
// on each POST and DELETE: GET /api/me hands it over (a static page cannot have it rendered in).

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

let csrf = null;

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers[csrf.headerName] = csrf.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    // The login session ended (logged out elsewhere, or expired): log in again.
    window.location.assign('login');
    throw new Error('Not logged in');
  }
  const text = await response.text();
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON (a proxy's error page, say): the status says enough.
  }
  if (!response.ok) {
    // The gateway's errors are {error, code, requestId}; Spring's own (403 CSRF) are not.
    const detail = json.code ? `${json.error} (${json.code}, request ${json.requestId})` : `${response.status} ${json.error ?? ''}`;
    throw new Error(detail);
  }
  return json;
}

function showError(error) {
  const element = byTestId('error');
  element.textContent = error ? String(error.message ?? error) : '';
  element.hidden = !error;
}

function cell(row, text) {
  const td = row.insertCell();
  td.textContent = text ?? '';
  return td;
}

async function refreshSessions() {
  const { sessions } = await call('GET', 'api/avatar/sessions');
  const body = byTestId('sessions');
  body.replaceChildren();
  for (const session of sessions) {
    const row = body.insertRow();
    row.dataset.sessionId = session.sessionId ?? '';
    cell(row, session.sessionId ?? session.id);
    cell(row, session.avatarId);
    cell(row, session.state).dataset.testid = 'row-state';
    cell(row, session.acceptedAt);
    const end = document.createElement('button');
    end.type = 'button';
    end.textContent = 'End';
    end.dataset.testid = 'end';
    end.disabled = session.endedAt !== null;
    end.addEventListener('click', () => endSession(session.id));
    row.insertCell().append(end);
  }
  return sessions;
}

async function endSession(id) {
  showError(null);
  try {
    await call('DELETE', `api/avatar/sessions/${encodeURIComponent(id)}`);
    await refreshSessions();
  } catch (error) {
    showError(error);
  }
}

async function start() {
  showError(null);
  const button = byTestId('start');
  button.disabled = true;
  try {
    // Waits until Runway's session is READY and consumed: a few seconds.
    const answer = await call('POST', 'api/avatar/credentials', { avatarId: byTestId('avatar').value });
    byTestId('session-id').textContent = answer.sessionId;
    byTestId('room').textContent = answer.roomName;
    byTestId('server-url').textContent = answer.serverUrl;
    byTestId('result').hidden = false;
    const sessions = await refreshSessions();
    const row = sessions.find((s) => s.sessionId === answer.sessionId);
    byTestId('session-state').textContent = row ? row.state : 'unknown';
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

async function load() {
  try {
    const me = await call('GET', 'api/me');
    csrf = me.csrf;
    byTestId('user').textContent = me.user;
    byTestId('logout-csrf').name = csrf.parameterName;
    byTestId('logout-csrf').value = csrf.token;
    const { avatars } = await call('GET', 'api/avatar/presets');
    const select = byTestId('avatar');
    for (const avatar of avatars) {
      select.add(new Option(avatar.name ?? avatar.id, avatar.id));
    }
    byTestId('start').disabled = avatars.length === 0;
    await refreshSessions();
  } catch (error) {
    showError(error);
  }
}

byTestId('start').addEventListener('click', start);
byTestId('refresh').addEventListener('click', () => refreshSessions().catch(showError));
load();
