import { api } from '../api.js';
import { h } from '../dom.js';
import { duration, jobDuration, progressBar, stateBadge, time, isFinal } from '../format.js';

const RECENT = 10;

export async function load() {
  const [cluster, jobs] = await Promise.all([api.cluster(), api.jobs()]);
  return { cluster, jobs };
}

export const wants = (ev) => ev.type !== 'task';

export const isLive = (data) => data.jobs.some((j) => !isFinal(j.state));

export function view({ cluster, jobs }) {
  const t = cluster.totals;
  const running = jobs.filter((j) => !isFinal(j.state));
  const recent = jobs.filter((j) => isFinal(j.state))
    .slice(0, cluster.mode === 'history' ? 50 : RECENT);
  return h('div', { class: 'overview' },
    h('h1', {}, 'Overview',
      cluster.mode === 'history' ? h('span', { class: 'tag' }, 'history') : null),
    cluster.mode === 'history' ? h('div', { class: 'cards' },
      card('Source', 'history', 'jobs saved by earlier runs; nothing runs here'),
      card('Jobs', jobs.length, stateSummary(t))) : h('div', { class: 'cards' },
      card('Masters', cluster.masters.length,
        cluster.masters.map((m) => `${m.role} · term ${m.term} · ${m.address}`).join('\n')
          || 'none (history server)'),
      card('Workers', cluster.workers.length, `${t.slots} slots`),
      card('Slots in use', `${t.busySlots} / ${t.slots}`,
        t.slots ? `${Math.round((t.busySlots / t.slots) * 100)}% busy` : ''),
      card('Jobs', jobs.length, stateSummary(t))),
    cluster.mode === 'history' ? null : h('section', {},
      h('h2', {}, `Running jobs (${running.length})`),
      running.length === 0
        ? h('p', { class: 'muted', id: 'no-running' }, 'No job is running.')
        : h('div', { class: 'running-jobs' }, running.map(runningJob))),
    cluster.workers.length ? workersTable(cluster.workers) : null,
    h('section', {},
      h('h2', {}, cluster.mode === 'history' ? 'Saved jobs' : 'Recent jobs'),
      recent.length === 0 ? h('p', { class: 'muted' }, 'No finished job yet.')
        : jobsTable(recent)));
}

function stateSummary(totals) {
  return Object.entries(totals.jobsByState).filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.toLowerCase()}`).join(' · ') || 'none yet';
}

function card(title, value, detail) {
  return h('div', { class: 'card' },
    h('div', { class: 'card-title' }, title),
    h('div', { class: 'card-value' }, String(value)),
    h('div', { class: 'card-detail' }, detail));
}

function runningJob(j) {
  return h('div', { class: 'running-job', 'data-job': j.id, 'data-state': j.state },
    h('div', { class: 'running-head' },
      stateBadge(j.state),
      h('a', { href: `#/jobs/${encodeURIComponent(j.id)}`, class: 'job-link' }, j.name),
      h('span', { class: 'muted' }, ` ${j.id} · ${j.user || ''} · ${duration(jobDuration(j))}`)),
    h('div', { class: 'bars' }, progressBar(j.map, 'map'), progressBar(j.reduce, 'reduce')));
}

function workersTable(workers) {
  // A local cluster's workers send no heartbeats; the column shows only when some did.
  const beats = workers.some((w) => w.lastHeartbeat != null);
  return h('section', {},
    h('h2', {}, 'Workers'),
    h('table', { class: 'table', id: 'workers' },
      h('thead', {}, h('tr', {},
        ['Worker', 'Address', 'Slots busy', ...(beats ? ['Last heartbeat'] : []), 'Attempts run',
          'Failed'].map((c) => h('th', { class: ['Attempts run', 'Failed'].includes(c) ? 'num' : null }, c)))),
      h('tbody', {}, workers.map((w) => h('tr', { 'data-worker': w.id },
        h('td', {}, h('a', { href: `#/workers/${encodeURIComponent(w.id)}` }, w.id)),
        h('td', {}, w.address),
        h('td', {}, `${w.busySlots} / ${w.slots}`),
        beats ? h('td', {}, time(w.lastHeartbeat)) : null,
        h('td', { class: 'num' }, w.tasksRun),
        h('td', { class: 'num' }, w.tasksFailed))))));
}

export function jobsTable(jobs) {
  return h('table', { class: 'table jobs-table' },
    h('thead', {}, h('tr', {},
      ['State', 'Job', 'Name', 'Submitted', 'Duration'].map((c) =>
        h('th', { class: c === 'Duration' ? 'num' : null }, c)))),
    h('tbody', {}, jobs.map((j) => h('tr', { 'data-job': j.id, 'data-state': j.state },
      h('td', {}, stateBadge(j.state)),
      h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(j.id)}` }, j.id)),
      h('td', {}, j.name),
      h('td', {}, time(j.submitTime)),
      h('td', { class: 'num' }, duration(jobDuration(j)))))));
}
