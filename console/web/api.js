// Requests to the console's API, with the bearer token when the console uses one.

const TOKEN_KEY = 'fleetlake-console-token';

/** A token handed over in the URL (#token=...) is kept for this tab and taken out of the address bar. */
export function takeTokenFromUrl() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function request(path, { signal } = {}) {
  let res;
  try {
    res = await fetch(path, { headers: authHeaders(), signal });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'UNREACHABLE', `the console does not answer (${err.message})`);
  }
  if (!res.ok) {
    let body = {};
    try {
      body = await res.json();
    } catch {
      // not JSON: the status says enough
    }
    throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.error ?? `${res.status} ${res.statusText}`);
  }
  return res;
}

export async function getJson(path, options) {
  return (await request(path, options)).json();
}

/** An object URL for an image the API serves (an <img src> cannot send the token itself). */
export async function getBlobUrl(path, options) {
  return URL.createObjectURL(await (await request(path, options)).blob());
}
