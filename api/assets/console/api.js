// The console is a client of the public GraphQL API only. Tokens live in sessionStorage (one tab,
// gone with it); the refresh token rotates on every use, and one refresh runs at a time because a
// reused refresh token revokes the whole session family.
import { lang } from './i18n.js';

const STORE = 'tongxin.console.session';

export class ApiError extends Error {
  constructor(code, message, field) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

export function session() {
  try { return JSON.parse(sessionStorage.getItem(STORE)); } catch { return null; }
}

function keep(auth) {
  if (auth) sessionStorage.setItem(STORE, JSON.stringify(auth));
  else sessionStorage.removeItem(STORE);
}

async function post(query, variables, token) {
  const headers = { 'content-type': 'application/json', 'accept-language': lang() };
  if (token) headers.authorization = `Bearer ${token}`;
  let resp;
  try {
    resp = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError('UNAVAILABLE', lang() === 'en' ? 'The server cannot be reached.' : '无法连接服务器。');
  }
  const body = await resp.json().catch(() => ({ errors: [{ message: resp.statusText, extensions: { code: 'INTERNAL' } }] }));
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(e.extensions?.code ?? 'INTERNAL', e.message, e.extensions?.field);
  }
  return body.data;
}

const AUTH = 'accessToken refreshToken expiresAt';

export async function login(email, password) {
  const d = await post(`mutation($e: String!, $p: String!){ login(email: $e, password: $p){ ${AUTH} } }`, { e: email, p: password });
  keep(d.login);
}

let refreshing = null;
/** Trades the refresh token for a new pair; null when the session is over. */
function refresh() {
  const s = session();
  if (!s?.refreshToken) return Promise.resolve(null);
  refreshing ??= post(`mutation($t: String!){ refreshSession(refreshToken: $t){ ${AUTH} } }`, { t: s.refreshToken })
    .then((d) => { keep(d.refreshSession); return d.refreshSession; })
    .catch(() => { keep(null); return null; })
    .finally(() => { refreshing = null; });
  return refreshing;
}

/** A fresh access token (refreshed a minute before it expires), or null. */
export async function accessToken() {
  const s = session();
  if (!s) return null;
  if (new Date(s.expiresAt).getTime() - Date.now() < 60_000) return (await refresh())?.accessToken ?? null;
  return s.accessToken;
}

/** Called when the session is over: the app sends the user to sign-in and back. */
let onExpired = () => {};
export function whenExpired(f) { onExpired = f; }

/** Runs an operation as the signed-in user; an expired access token is refreshed once. */
export async function gql(query, variables = {}) {
  const token = await accessToken();
  if (!token) { onExpired(); throw new ApiError('UNAUTHENTICATED', ''); }
  try {
    return await post(query, variables, token);
  } catch (e) {
    if (e.code !== 'UNAUTHENTICATED') throw e;
    const again = await refresh();
    if (!again) { onExpired(); throw e; }
    return post(query, variables, again.accessToken);
  }
}

export async function logout() {
  const token = session()?.accessToken;
  keep(null);
  if (token) await post('mutation { logout }', {}, token).catch(() => {});
}
