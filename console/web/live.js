// The live stream (Server-Sent Events from /api/live), read with fetch so that it can carry the token.
// Reconnects by itself; every (re)connection starts with a snapshot.

import { authHeaders } from './api.js';

const listeners = new Set();
let state = 'connecting';
const stateListeners = new Set();

function setState(s) {
  state = s;
  for (const fn of stateListeners) fn(s);
}

export function onLiveState(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

/** fn(type, data) for every event: snapshot, position, status, incident. Returns an unsubscribe. */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function dispatch(block) {
  let type = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return;
  const value = JSON.parse(data.join('\n'));
  const receivedAt = Date.now();
  for (const fn of listeners) fn(type, value, receivedAt);
}

async function connectOnce() {
  const res = await fetch('/api/live', { headers: { ...authHeaders(), accept: 'text/event-stream' } });
  if (!res.ok) throw new Error(`live stream: HTTP ${res.status}`);
  setState('live');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      dispatch(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

let started = false;

export function startLive() {
  if (started) return;
  started = true;
  let delay = 500;
  const loop = async () => {
    try {
      await connectOnce();
      delay = 500;
    } catch {
      delay = Math.min(delay * 2, 10000);
    }
    setState('reconnecting');
    setTimeout(loop, delay);
  };
  void loop();
}
