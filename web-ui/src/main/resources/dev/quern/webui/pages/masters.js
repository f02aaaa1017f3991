// The masters of a cluster: each one's Raft state as it reports it, and the leaders it has seen.
// Any master serves the whole list (it asks the others), so this page is the same on a follower.
import { ApiError, api } from '../api.js';
import { h } from '../dom.js';
import { bytes, count, time } from '../format.js';

export async function load() {
  try {
    return await api.masters();
  } catch (e) {
    // A local cluster or a history server has no group of masters to show.
    if (e instanceof ApiError && e.status === 404) return { servedBy: null, masters: [] };
    throw e;
  }
}

export const wants = () => false;

// Raft state moves without job events: refresh on the page's tick.
export const isLive = (data) => data.masters.length > 0;

export function view({ servedBy, masters }) {
  if (masters.length === 0) {
    return h('div', { class: 'masters' }, h('h1', {}, 'Masters'),
      h('p', { class: 'muted', id: 'no-masters' },
        'This UI does not run on a cluster of masters (local mode or history).'));
  }
  return h('div', { class: 'masters' },
    h('h1', {}, 'Masters'),
    h('p', { class: 'muted' }, `As each master reports itself, asked by ${servedBy}.`),
    h('section', {},
      h('table', { class: 'table', id: 'masters' },
        h('thead', {}, h('tr', {}, ['Master', 'Role', 'Term', 'Leader', 'Commit', 'Applied',
          'Log entries', 'WAL', 'Snapshot at', 'Snapshot'].map((c) =>
          h('th', { class: ['Master', 'Role', 'Leader'].includes(c) ? null : 'num' }, c)))),
        h('tbody', {}, masters.map(row)))),
    masters.filter((m) => m.reachable).map(history));
}

function row(m) {
  const s = m.status;
  if (!m.reachable) {
    return h('tr', { 'data-master': m.id, 'data-reachable': 'false' },
      h('td', {}, m.id, h('div', { class: 'muted' }, m.http || m.raft)),
      h('td', { colspan: 9, class: 'error-message' }, m.error));
  }
  return h('tr', { 'data-master': m.id, 'data-role': s.role },
    h('td', {}, m.id, h('div', { class: 'muted' }, m.http)),
    h('td', {}, h('span', { class: `badge role-${s.role.toLowerCase()}` }, s.role)),
    h('td', { class: 'num' }, count(s.term)),
    h('td', {}, s.leaderId || '–'),
    h('td', { class: 'num' }, count(s.commitIndex)),
    h('td', { class: 'num' }, count(s.appliedIndex)),
    h('td', { class: 'num' }, count(s.logEntries)),
    h('td', { class: 'num' }, `${bytes(s.walBytes)} (${s.walSegments} file${s.walSegments === 1 ? '' : 's'})`),
    h('td', { class: 'num' }, s.snapshotIndex ? count(s.snapshotIndex) : 'none'),
    h('td', { class: 'num' }, s.snapshotIndex ? bytes(s.snapshotBytes) : '–'));
}

function history(m) {
  const changes = [...m.status.leaderChanges].reverse(); // the latest first
  return h('section', { 'data-history': m.id },
    h('h2', {}, `Leaders seen by ${m.id}`),
    changes.length === 0 ? h('p', { class: 'muted' }, 'None since it started.')
      : h('table', { class: 'table leader-changes' },
        h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'Term'), h('th', {}, 'Leader'),
          h('th', {}, 'How'), h('th', {}, 'Heard at'))),
        h('tbody', {}, changes.map((c) => h('tr', {},
          h('td', { class: 'num' }, count(c.term)),
          h('td', {}, c.leaderId),
          h('td', {}, c.transfer ? 'handed over (transfer)' : 'elected'),
          h('td', {}, time(Date.parse(c.at))))))));
}
