// The JSON API and the event stream.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path) {
  const res = await fetch(`/api/v1${path}`, { method, headers: { Accept: 'application/json' } });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  // The session ended (expired, logged out elsewhere): the login page, then back here.
  if (res.status === 401) location.assign('/login');
  if (!res.ok) throw new ApiError(res.status, body?.error || `${res.status} ${res.statusText}`);
  return body;
}

export const api = {
  cluster: () => call('GET', '/cluster'),
  jobs: () => call('GET', '/jobs'),
  job: (id) => call('GET', `/jobs/${encodeURIComponent(id)}`),
  tasks: (id) => call('GET', `/jobs/${encodeURIComponent(id)}/tasks`),
  worker: (id) => call('GET', `/workers/${encodeURIComponent(id)}`),
  masters: () => call('GET', '/masters'),
  clusterWorkers: () => call('GET', '/cluster/workers'),
  kill: (id) => call('POST', `/jobs/${encodeURIComponent(id)}/kill`),
  session: () => call('GET', '/session'),
};

// Calls onEvent for every state change; onStatus('live' | 'history' | 'reconnecting' | 'offline').
export function connectEvents(onEvent, onStatus) {
  const source = new EventSource('/api/v1/events');
  source.addEventListener('hello', (e) => {
    let mode = 'live';
    try { mode = JSON.parse(e.data).mode || 'live'; } catch { /* an older server */ }
    onStatus(mode === 'history' ? 'history' : 'live');
  });
  source.addEventListener('state', (e) => onEvent(JSON.parse(e.data)));
  source.onerror = () => onStatus(source.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting');
  return source;
}
