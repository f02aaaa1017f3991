import { api } from '../api.js';
import { h } from '../dom.js';
import { gantt } from '../gantt.js';
import { bytes, count, duration, stateBadge, time } from '../format.js';

export const load = ({ id }) => api.worker(id);

export const wants = (ev) => ev.type === 'attempt';

export const isLive = (data) => data.attempts.some((a) => a.attempt.state === 'RUNNING');

export function view({ worker, attempts }, { id }) {
  const bars = attempts.map((w) => ({ ...w.attempt, task: w.task, label: `${w.jobId} ${w.task}` }));
  const out = attempts.some(({ attempt: a }) => a.outputRecords != null || a.outputBytes != null);
  return h('div', { class: 'worker', 'data-worker': id },
    h('h1', {}, `Worker ${id}`),
    worker ? h('dl', { class: 'facts' },
      fact('Address', worker.address), fact('Slots', `${worker.busySlots} busy of ${worker.slots}`),
      worker.lastHeartbeat != null ? fact('Last heartbeat', time(worker.lastHeartbeat)) : null,
      fact('Attempts run', count(worker.tasksRun)), fact('Failed', count(worker.tasksFailed)))
      : h('p', { class: 'muted' }, 'This worker is not in the cluster now; its past attempts follow.'),
    h('section', {}, h('h2', {}, 'Slots'), gantt(bars)),
    h('section', {}, h('h2', {}, `Attempts (${attempts.length})`),
      h('table', { class: 'table', id: 'worker-attempts' },
        h('thead', {}, h('tr', {}, ['Attempt', 'Job', 'State', 'Started', 'Duration',
          'In records', 'In bytes', ...(out ? ['Out records', 'Out bytes'] : [])]
          .map((c) => h('th', { class: ['Duration', 'In records', 'In bytes', 'Out records',
            'Out bytes'].includes(c) ? 'num' : null }, c)))),
        h('tbody', {}, attempts.map(({ jobId, jobName, attempt: a }) => h('tr', { 'data-attempt': a.id },
          h('td', {}, a.id),
          h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(jobId)}` }, jobName)),
          h('td', {}, stateBadge(a.state)),
          h('td', {}, time(a.startTime)),
          h('td', { class: 'num' }, duration(a.startTime ? (a.endTime ?? Date.now()) - a.startTime : null)),
          h('td', { class: 'num' }, count(a.inputRecords)),
          h('td', { class: 'num' }, bytes(a.inputBytes)),
          out ? h('td', { class: 'num' }, count(a.outputRecords)) : null,
          out ? h('td', { class: 'num' }, bytes(a.outputBytes)) : null))))));
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}
