// The workers page (cluster mode): each live worker's slots, running attempts, heartbeat age,
// exclusion, and its executor JVMs, from the leader (GET /api/v1/cluster/workers).
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';
import { duration, time } from '../format.js';

export async function load() {
  try {
    return await api.clusterWorkers();
  } catch (e) {
    // Local mode has no heartbeating workers and no such route.
    if (e instanceof ApiError && e.status === 404) return { workers: null };
    throw e;
  }
}

export const wants = (ev) => ev.type === 'attempt';

// Heartbeat ages keep moving.
export const isLive = (data) => Array.isArray(data.workers) && data.workers.length > 0;

export function view(data) {
  if (!Array.isArray(data.workers)) {
    return h('div', { class: 'workers' }, h('h1', {}, 'Workers'),
      h('p', { class: 'muted' }, 'Heartbeats and executors are shown in cluster mode; see the overview for this run\'s workers.'));
  }
  return h('div', { class: 'workers' },
    h('h1', {}, `Workers (${data.workers.length})`),
    h('p', { class: 'muted' }, `As leader ${data.leaderId} sees them in term ${data.term}.`),
    h('table', { class: 'table', id: 'cluster-workers' },
      h('thead', {}, h('tr', {}, ['Worker', 'Address', 'Slots free', 'Running attempts',
        'Heartbeat age', 'Excluded', 'Executors'].map((c) => h('th', {}, c)))),
      h('tbody', {}, data.workers.map((w) => h('tr', { 'data-worker': w.id },
        h('td', {}, h('a', { href: `#/workers/${encodeURIComponent(w.id)}` }, w.id)),
        h('td', {}, w.address),
        h('td', {}, `${w.freeSlots} of ${w.slots}`),
        h('td', {}, w.running.length ? h('ul', { class: 'paths' }, w.running.map((a) => h('li', {}, a))) : '–'),
        h('td', { 'data-age': w.heartbeatAgeMillis }, duration(w.heartbeatAgeMillis)),
        h('td', {}, w.excluded ? h('span', { class: 'badge', 'data-state': 'FAILED' }, 'excluded') : 'no'),
        h('td', {}, w.executors.length ? executors(w.executors) : h('span', { class: 'muted' }, 'none')))))));
}

function executors(list) {
  return h('table', { class: 'table executors' },
    h('thead', {}, h('tr', {}, ['Job', 'Pid', 'Heap', 'Started', 'Running', '#'].map((c) => h('th', {}, c)))),
    h('tbody', {}, list.map((e) => h('tr', { 'data-executor': e.pid },
      h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(e.jobId)}` }, e.jobId)),
      h('td', { class: 'num' }, String(e.pid)),
      h('td', {}, e.memory),
      h('td', {}, time(Date.parse(e.started))),
      h('td', { class: 'num' }, String(e.running)),
      h('td', { class: 'num', title: 'the job\'s executors started on this worker' }, String(e.generation))))));
}
