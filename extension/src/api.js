// @ts-check
// The few Sidenote API calls the extension makes, with the stored token.

export class APIError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** @returns {Promise<{serverUrl: string, token: string}>} */
export async function loadConnection() {
  const { connection } = /** @type {{connection?: {serverUrl?: string, token?: string}}} */ (await chrome.storage.local.get('connection'));
  if (!connection?.serverUrl || !connection?.token) {
    throw new APIError('not_connected', 'Sign in to Sidenote first.', 0);
  }
  return /** @type {{serverUrl: string, token: string}} */ (connection);
}

export async function saveConnection(serverUrl, token) {
  const url = new URL(serverUrl); // throws on a malformed URL
  if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new APIError('bad_request', 'The Sidenote server must use https.', 0);
  }
  if (typeof token !== 'string') throw new APIError('bad_request', 'A token is required.', 0);
  // An empty token signs out: the server stays remembered, the token goes.
  await chrome.storage.local.set({ connection: token === '' ? { serverUrl: url.origin } : { serverUrl: url.origin, token } });
}

async function call(connection, method, path, body) {
  const res = await fetch(`${connection.serverUrl}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${connection.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'omit',
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    throw new APIError(data?.error?.code ?? 'http_error', data?.error?.message ?? `Server answered ${res.status}.`, res.status);
  }
  return data;
}

export const getNote = (connection, id) => call(connection, 'GET', `/notes/${encodeURIComponent(id)}`);

export const postInsertion = (connection, id, receipt) =>
  call(connection, 'POST', `/notes/${encodeURIComponent(id)}/insertions`, receipt);
