// The login page: static, so it asks for Spring Security's CSRF token (GET /api/csrf) and puts it
// in the form before the form can be sent.
const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

const query = new URLSearchParams(window.location.search);
byTestId('login-error').hidden = !query.has('error');
byTestId('logged-out').hidden = !query.has('logout');

fetch('api/csrf', { headers: { Accept: 'application/json' } })
  .then((response) => {
    if (!response.ok) throw new Error(`GET /api/csrf: ${response.status}`);
    return response.json();
  })
  .then((csrf) => {
    const field = byTestId('login-csrf');
    field.name = csrf.parameterName;
    field.value = csrf.token;
    byTestId('login').disabled = false;
  })
  .catch((error) => {
    const element = byTestId('login-error');
    element.textContent = `The login cannot be sent: ${error.message}`;
    element.hidden = false;
  });
