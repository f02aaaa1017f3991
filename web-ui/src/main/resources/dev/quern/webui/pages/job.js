import { api } from '../api.js';
import { h } from '../dom.js';
import { gantt } from '../gantt.js';
import { bytes, count, duration, jobDuration, percent, progressBar, progressNote, stateBadge, time, isFinal } from '../format.js';

// Which job's kill confirmation is open; kept across live refreshes.
const ui = { confirmKill: null, killError: null, configOpen: false };

export async function load({ id }) {
  const [job, tasks] = await Promise.all([api.job(id), api.tasks(id)]);
  return { job, tasks };
}

export const wants = (ev, { id }) => ev.jobId === id;

export const isLive = ({ job }) => !isFinal(job.state);

export function view({ job, tasks }, params, app) {
  const attempts = tasks.flatMap((t) => t.attempts.map((a) => ({ ...a, task: t.id, kind: t.kind })));
  return h('div', { class: 'job', 'data-job': job.id, 'data-state': job.state },
    header(job, app),
    progressNote(job.progressNote, 'progress-note'),
    job.failure ? h('section', { class: 'failure', id: 'failure' },
      h('h2', {}, 'Failure'), h('pre', { class: 'stack' }, job.failure)) : null,
    h('section', { class: 'progress-section' },
      progressBar(job.map, 'map'), progressBar(job.reduce, 'reduce')),
    h('section', {},
      h('h2', {}, `Timeline (${attempts.length} attempt${attempts.length === 1 ? '' : 's'})`),
      gantt(attempts)),
    counters(job.counters),
    h('section', {}, h('h2', {}, `Tasks (${tasks.length})`), taskTable(tasks)),
    details(job));
}

function header(job, app) {
  const running = !isFinal(job.state);
  return h('section', { class: 'job-header' },
    h('div', { class: 'title-row' },
      h('h1', {}, job.name), stateBadge(job.state),
      running ? killControls(job, app) : null),
    ui.killError ? h('p', { class: 'error-message' }, ui.killError) : null,
    h('dl', { class: 'facts' },
      fact('Job', job.id), fact('User', job.user || '–'),
      fact('Submitted', time(job.submitTime)), fact('Started', time(job.startTime)),
      fact('Ended', time(job.endTime)), fact('Duration', duration(jobDuration(job)))));
}

function killControls(job, app) {
  if (ui.confirmKill !== job.id) {
    return h('button', { class: 'danger', id: 'kill', onclick: () => {
      ui.confirmKill = job.id; ui.killError = null; app.refresh();
    } }, 'Kill job…');
  }
  return h('span', { class: 'confirm', id: 'kill-confirm' },
    `Kill ${job.id}? Its output will be discarded. `,
    h('button', { class: 'danger', id: 'kill-yes', onclick: async (e) => {
      e.target.disabled = true;
      try {
        await api.kill(job.id);
      } catch (err) {
        ui.killError = `Kill failed: ${err.message}`;
      }
      ui.confirmKill = null;
      app.refresh();
    } }, 'Yes, kill it'),
    h('button', { id: 'kill-no', onclick: () => { ui.confirmKill = null; app.refresh(); } }, 'Cancel'));
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function counters(groups) {
  const names = Object.keys(groups || {}).sort((a, b) => (a === 'quern' ? -1 : b === 'quern' ? 1
    : a.localeCompare(b)));
  return h('section', { id: 'counters' },
    h('h2', {}, 'Counters'),
    names.length === 0 ? h('p', { class: 'muted' }, 'No counters yet.')
      : h('div', { class: 'counter-groups' }, names.map((g) => h('table', {
        class: 'table counters', 'data-group': g },
      h('caption', {}, g === 'quern' ? 'quern (built-in)' : g),
      h('tbody', {}, Object.entries(groups[g]).map(([n, v]) => h('tr', { 'data-counter': n },
        h('th', {}, n), h('td', { class: 'num' }, count(v)))))))));
}

function taskTable(tasks) {
  // Output sizes are shown only when the master reports them for some attempt.
  const out = tasks.some((t) => t.attempts.some((a) => a.outputRecords != null || a.outputBytes != null));
  const columns = ['Task', 'State', 'Attempt', 'Worker', 'Started', 'Duration', 'In records',
    'In bytes', ...(out ? ['Out records', 'Out bytes'] : []), 'Logs', 'Error'];
  return h('table', { class: 'table tasks', id: 'tasks' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: NUMERIC.includes(c) ? 'num' : null }, c)))),
    h('tbody', {}, tasks.flatMap((t) => (t.attempts.length ? t.attempts : [null]).map((a, i) =>
      h('tr', { 'data-task': t.id, 'data-attempt': a?.id, class: i === 0 ? 'task-first' : 'task-more' },
        i === 0 ? h('td', { rowspan: Math.max(1, t.attempts.length) },
          h('span', { class: 'task-name' }, t.id), ' ', stateBadge(t.state),
          t.input ? h('div', { class: 'task-input', title: t.input }, shortInput(t.input)) : null) : null,
        a ? [
          h('td', {}, stateBadge(a.state),
            a.state === 'RUNNING' ? h('span', { class: 'muted' }, ` ${percent(a.progress)}`) : null),
          h('td', { class: 'num' }, `#${a.attempt}`),
          h('td', {}, a.worker ? h('a', { href: `#/workers/${encodeURIComponent(a.worker)}` }, a.worker) : '–'),
          h('td', {}, time(a.startTime)),
          h('td', { class: 'num' }, duration(a.startTime ? (a.endTime ?? Date.now()) - a.startTime : null)),
          h('td', { class: 'num' }, count(a.inputRecords)),
          h('td', { class: 'num' }, bytes(a.inputBytes)),
          out ? h('td', { class: 'num' }, count(a.outputRecords)) : null,
          out ? h('td', { class: 'num' }, bytes(a.outputBytes)) : null,
          h('td', { class: 'logs-cell' }, logLinks(a)),
          h('td', { class: 'error-cell' }, errorCell(a.error)),
        ] : h('td', { colspan: columns.length - 1, class: 'muted' }, 'not started'))))));
}

// An attempt's stdout, stderr and log lines, the first MiB of each: in cluster mode as the worker
// that ran it kept them (the leader fetches them; a follower asks the leader), in local mode from
// the run's own files (HISTORY/logs), while the job runs and in the history.
function logLinks(a) {
  if (!a.worker) return '–';
  const [job, task, n] = a.id.split('/');
  const base = `/api/v1/jobs/${encodeURIComponent(job)}/attempts/${encodeURIComponent(`${task}_${n}`)}/logs`;
  return ['stdout', 'stderr', 'log'].flatMap((s, i) => [i ? ' · ' : null,
    h('a', { href: `${base}/${s}?length=1048576`, target: '_blank', rel: 'noopener', 'data-log': s }, s)]);
}

// A split names its whole path; the file name and range are what tell tasks apart.
function shortInput(input) {
  const slash = input.lastIndexOf('/');
  return slash >= 0 ? input.slice(slash + 1) : input;
}

const NUMERIC = ['Attempt', 'Duration', 'In records', 'In bytes', 'Out records', 'Out bytes'];

// One line shows as it is; a stack trace folds under its first line.
function errorCell(error) {
  if (!error) return '';
  const lines = error.split('\n');
  if (lines.length === 1) return h('span', { class: 'error-message' }, error);
  return h('details', {}, h('summary', {}, lines[0]), h('pre', { class: 'stack' }, error));
}

function details(job) {
  const conf = Object.entries(job.configuration || {}).sort(([a], [b]) => a.localeCompare(b));
  return h('section', { class: 'details' },
    h('h2', {}, 'Input and output'),
    h('dl', { class: 'facts' },
      fact('Input', (job.inputs || []).length
        ? h('ul', { class: 'paths' }, job.inputs.map((p) => h('li', {}, p))) : '–'),
      fact('Output', job.output ? h('span', { class: 'path' }, job.output) : '–')),
    h('details', { open: ui.configOpen, ontoggle: (e) => { ui.configOpen = e.target.open; } },
      h('summary', {}, `Configuration (${conf.length} entries)`),
      h('table', { class: 'table config' }, h('tbody', {}, conf.map(([k, v]) =>
        h('tr', {}, h('th', {}, k), h('td', {}, v)))))));
}
