// A timeline of task attempts: one row per worker slot, one bar per attempt.
import { h, s } from './dom.js';
import { duration, time } from './format.js';

const ROW = 22;
const BAR = 16;
const LABEL_W = 150;
const AXIS_H = 22;
const WIDTH = 1000;

// Packs each worker's attempts into as few rows as slots allow: an attempt takes the first row
// of its worker that is free when it starts.
export function lanes(attempts, now) {
  const byWorker = new Map();
  for (const a of attempts) {
    const w = a.worker || '?';
    if (!byWorker.has(w)) byWorker.set(w, []);
    byWorker.get(w).push(a);
  }
  const rows = [];
  for (const w of [...byWorker.keys()].sort()) {
    const mine = byWorker.get(w).slice()
      .sort((x, y) => (x.startTime ?? 0) - (y.startTime ?? 0));
    const ends = [];
    const first = rows.length;
    for (const a of mine) {
      const start = a.startTime ?? now;
      let lane = ends.findIndex((end) => end <= start);
      if (lane < 0) { lane = ends.length; ends.push(0); rows.push({ worker: w, slot: lane, bars: [] }); }
      ends[lane] = a.endTime ?? now;
      rows[first + lane].bars.push(a);
    }
  }
  return rows;
}

// attempts: [{ id, task, worker, startTime, endTime, state, attempt, label? }]
export function gantt(attempts, onPick) {
  const now = Date.now();
  if (attempts.length === 0) {
    return h('p', { class: 'muted', id: 'timeline-empty' }, 'No task attempt has started yet.');
  }
  const rows = lanes(attempts, now);
  const t0 = Math.min(...attempts.map((a) => a.startTime ?? now));
  const t1 = Math.max(...attempts.map((a) => a.endTime ?? now), t0 + 1);
  const plotW = WIDTH - LABEL_W - 10;
  const x = (t) => LABEL_W + ((t - t0) / (t1 - t0)) * plotW;
  const height = AXIS_H + rows.length * ROW + 4;
  const svg = s('svg', {
    class: 'gantt', id: 'timeline', viewBox: `0 0 ${WIDTH} ${height}`, width: '100%',
    role: 'img', 'aria-label': `Timeline of ${attempts.length} task attempts`,
  });
  for (const tick of ticks(t1 - t0)) {
    const tx = x(t0 + tick);
    svg.append(s('line', { class: 'tick', x1: tx, x2: tx, y1: AXIS_H - 4, y2: height }),
      s('text', { class: 'tick-label', x: tx, y: AXIS_H - 8, 'text-anchor': 'middle' },
        duration(tick)));
  }
  rows.forEach((row, i) => {
    const y = AXIS_H + i * ROW;
    if (i % 2 === 0) {
      svg.append(s('rect', { class: 'row-bg', x: 0, y, width: WIDTH, height: ROW }));
    }
    svg.append(s('text', { class: 'row-label', x: 6, y: y + ROW / 2 + 4 },
      `${row.worker} · slot ${row.slot + 1}`));
    for (const a of row.bars) {
      const bx = x(a.startTime ?? now);
      const bw = Math.max(2, x(a.endTime ?? now) - bx);
      const bar = s('rect', {
        class: `bar state-${a.state.toLowerCase()}`, 'data-attempt': a.id, 'data-state': a.state,
        x: bx, y: y + (ROW - BAR) / 2, width: bw, height: BAR, rx: 3,
      }, s('title', {}, `${a.id} · ${a.state} · ${a.worker}\n${time(a.startTime)} → `
        + `${a.endTime ? time(a.endTime) : 'running'} (${duration((a.endTime ?? now) - (a.startTime ?? now))})`));
      if (onPick) bar.addEventListener('click', () => onPick(a));
      svg.append(bar);
      if (bw > 60) {
        svg.append(s('text', { class: 'bar-label', x: bx + 4, y: y + ROW / 2 + 4 },
          a.label || `${a.task}${a.attempt > 1 ? ` #${a.attempt}` : ''}`));
      }
    }
  });
  return h('div', { class: 'gantt-wrap' }, svg,
    h('div', { class: 'legend' }, ['RUNNING', 'SUCCEEDED', 'FAILED', 'KILLED', 'OUTPUT_LOST']
      .map((st) => h('span', { class: 'legend-item' },
        h('span', { class: `swatch state-${st.toLowerCase()}` }), st.toLowerCase()))));
}

function ticks(span) {
  const steps = [100, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000,
    600000, 1800000, 3600000];
  const step = steps.find((st) => span / st <= 8) || 3600000;
  const out = [];
  for (let t = 0; t <= span; t += step) out.push(t);
  return out;
}
