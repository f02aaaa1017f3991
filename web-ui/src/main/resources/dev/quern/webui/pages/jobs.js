import { api } from '../api.js';
import { h } from '../dom.js';
import { duration, jobDuration, progressBar, progressNote, stateBadge, time, isFinal } from '../format.js';

const STATES = ['ACCEPTED', 'RUNNING', 'COMMITTING', 'SUCCEEDED', 'FAILED', 'KILLED'];

// Kept across refreshes, so a live update does not undo the user's choices.
const ui = { filter: 'ALL', sortKey: 'submitted', ascending: false };

const COLUMNS = [
  { key: 'state', title: 'State', value: (j) => STATES.indexOf(j.state) },
  { key: 'id', title: 'Job', value: (j) => j.id },
  { key: 'name', title: 'Name', value: (j) => j.name.toLowerCase() },
  { key: 'user', title: 'User', value: (j) => j.user || '' },
  { key: 'submitted', title: 'Submitted', value: (j) => j.submitTime || 0 },
  { key: 'duration', title: 'Duration', value: (j) => jobDuration(j) ?? -1 },
  { key: 'map', title: 'Map', value: (j) => j.map.fraction },
  { key: 'reduce', title: 'Reduce', value: (j) => j.reduce.fraction },
];

export const load = () => api.jobs();

function sortBy(key, app) {
  if (ui.sortKey === key) ui.ascending = !ui.ascending;
  else { ui.sortKey = key; ui.ascending = true; }
  app.refresh();
}

export const wants = (ev) => ev.type !== 'task';

export const isLive = (jobs) => jobs.some((j) => !isFinal(j.state));

export function view(jobs, params, app) {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  jobs.forEach((j) => { counts[j.state] = (counts[j.state] || 0) + 1; });
  const shown = jobs.filter((j) => ui.filter === 'ALL' || j.state === ui.filter);
  const col = COLUMNS.find((c) => c.key === ui.sortKey) || COLUMNS[4];
  shown.sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return ui.ascending ? c : -c;
  });
  // Every running job of a master carries the same note (it is the master's, not the job's).
  const note = jobs.find((j) => j.progressNote)?.progressNote;
  return h('div', { class: 'jobs' },
    h('h1', {}, 'Jobs'),
    progressNote(note, 'progress-note'),
    h('div', { class: 'filters', role: 'group', 'aria-label': 'Filter by state' },
      ['ALL', ...STATES].map((s) => h('button', {
        class: `chip${ui.filter === s ? ' selected' : ''}`,
        'data-filter': s,
        'aria-pressed': ui.filter === s ? 'true' : 'false',
        onclick: () => { ui.filter = s; app.refresh(); },
      }, s === 'ALL' ? `All (${jobs.length})` : `${s.toLowerCase()} (${counts[s] || 0})`))),
    h('table', { class: 'table jobs-table', id: 'jobs-table' },
      h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', {
        class: c.key === 'duration' ? 'sortable num' : 'sortable', 'data-sort': c.key,
        'aria-sort': c.key === ui.sortKey ? (ui.ascending ? 'ascending' : 'descending') : 'none',
        tabindex: 0,
        onclick: () => sortBy(c.key, app),
        onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(c.key, app); } },
      }, c.title, c.key === ui.sortKey ? (ui.ascending ? ' ▲' : ' ▼') : '')))),
      h('tbody', {}, shown.length === 0
        ? h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'muted' }, 'No jobs.'))
        : shown.map((j) => h('tr', { 'data-job': j.id, 'data-state': j.state,
          'data-progress-note': j.progressNote ? 'true' : null },
          h('td', {}, stateBadge(j.state)),
          h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(j.id)}` }, j.id)),
          h('td', {}, j.name),
          h('td', {}, j.user || ''),
          h('td', {}, time(j.submitTime)),
          h('td', { class: 'num' }, duration(jobDuration(j))),
          h('td', { class: 'bar-cell' }, progressBar(j.map, 'map'),
            j.progressNote ? h('div', { class: 'note-mark', title: j.progressNote },
              '⚠ not the leader\'s progress') : null),
          h('td', { class: 'bar-cell' }, progressBar(j.reduce, 'reduce')))))));
}
