import { h } from './dom.js';

export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function time(epochMs) {
  if (epochMs === null || epochMs === undefined) return '–';
  const d = new Date(epochMs);
  const today = new Date();
  const t = d.toLocaleTimeString([], { hour12: false });
  return d.toDateString() === today.toDateString() ? t : `${d.toLocaleDateString()} ${t}`;
}

export function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function count(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en-US');
}

export function percent(fraction) {
  return `${Math.round((fraction || 0) * 100)}%`;
}

// Every state is shown as text as well as colour.
export function stateBadge(state) {
  return h('span', { class: `badge state-${String(state).toLowerCase()}`, 'data-state': state },
    state);
}

export function progressBar(progress, label) {
  const pct = Math.round((progress?.fraction || 0) * 100);
  const text = progress && progress.tasks > 0
    ? `${progress.done}/${progress.tasks}` : 'none';
  return h('div', { class: 'progress', role: 'progressbar', 'aria-label': label,
    'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 },
  h('div', { class: 'progress-fill', style: `width:${pct}%` }),
  h('span', { class: 'progress-text' }, `${label} ${pct}% · ${text}`));
}

// A master that does not lead shows the leader's progress of running attempts; while it has not
// heard the leader (none known, or silent for seconds) the API's job document carries a
// progressNote instead and the bars are the replicated book's state (0 for running attempts).
// Said in words, so no one takes those bars for the job's progress.
export function progressNote(note, id) {
  if (!note) return null;
  return h('p', { class: 'notice', id, role: 'status' },
    h('strong', {}, 'Progress is not the leader\'s. '), note);
}

export function jobDuration(job) {
  if (job.durationMillis !== null && job.durationMillis !== undefined) return job.durationMillis;
  if (job.startTime) return (job.endTime || Date.now()) - job.startTime;
  return null;
}

export const FINAL_STATES = ['SUCCEEDED', 'FAILED', 'KILLED'];

export function isFinal(state) {
  return FINAL_STATES.includes(state);
}
