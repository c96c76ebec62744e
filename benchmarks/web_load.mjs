#!/usr/bin/env node
// Load on `musicagent serve` over real WebSockets (ws from web/node_modules), on loopback only.
//   node benchmarks/web_load.mjs turns --url ws://127.0.0.1:PORT/ws --sessions 1000 [--pid PID]
//     every session connects, sends one user message and waits for turn_end: turn latency
//     (send to turn_end) p50/p90/p99/max, connect time, errors.
//   node benchmarks/web_load.mjs steady --url ... --sessions 1000 --turns 3 --think-ms 20000
//     every session stays connected and sends --turns messages, each after a random pause of
//     up to --think-ms (people reading answers): latency at a sustained rate, not a burst.
//   node benchmarks/web_load.mjs idle --url ws://127.0.0.1:PORT/ws --sessions 10000 --pid PID
//     opens that many sockets, holds them, and reads the server's RSS from /proc/PID/status.
// Bounded: every phase has a deadline and the script exits by itself. Prints one JSON object.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'web', 'package.json'));
const WebSocket = require('ws');

const args = process.argv.slice(2);
const mode = args[0];
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const url = option('url', 'ws://127.0.0.1:8080/ws');
const sessions = Number(option('sessions', 100));
const pid = option('pid', '');
const connectConcurrency = Number(option('connect-concurrency', 200));
const deadlineMs = Number(option('deadline-ms', 300000));
const holdMs = Number(option('hold-ms', 3000));
const turnsPerSession = Number(option('turns', 3));
const thinkMs = Number(option('think-ms', 20000));
const messages = ['some upbeat jazz', 'some energetic rock', 'some sad piano', 'some chill house',
  'tell me about Radiohead', 'songs like Creep by Radiohead', 'some happy pop', 'some acoustic folk'];

if (!['turns', 'steady', 'idle'].includes(mode)) {
  console.error('usage: web_load.mjs turns|idle --url ws://HOST:PORT/ws --sessions N [--pid PID]');
  process.exit(2);
}
const u = new URL(url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
  console.error('web_load only targets this machine (127.0.0.1, localhost, [::1])');
  process.exit(2);
}

function rssMiB() {
  if (!pid) return null;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : null;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function open() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve({ ws, connectMs: performance.now() - started }));
    ws.once('error', reject);
  });
}

async function pool(n, concurrency, task) {
  const results = new Array(n);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      try {
        results[i] = await task(i);
      } catch (e) {
        results[i] = { error: String(e && e.message ? e.message : e) };
      }
    }
  });
  await Promise.all(workers);
  return results;
}

function turn(ws, text) {
  return new Promise((resolve) => {
    const started = performance.now();
    let errors = 0;
    const onMessage = (data) => {
      const event = JSON.parse(data.toString());
      if (event.type === 'error') errors += 1;
      if (event.type === 'turn_end') {
        ws.off('message', onMessage);
        resolve({ ms: performance.now() - started, stop: event.stop_reason, errors });
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'user_message', text }));
  });
}

const timer = setTimeout(() => {
  console.error(`deadline of ${deadlineMs} ms passed`);
  process.exit(1);
}, deadlineMs);

const rssBefore = rssMiB();
const started = performance.now();
if (mode === 'turns') {
  // Connect every session first, then all of them send at once: that many turns in flight.
  const sockets = await pool(sessions, connectConcurrency, () => open());
  const connected = sockets.filter((s) => s && s.ws);
  const sendAt = performance.now();
  const turns = await Promise.all(connected.map((s, i) => turn(s.ws, messages[i % messages.length])));
  const wall = performance.now() - sendAt;
  const rssPeak = rssMiB();
  for (const s of connected) s.ws.close();
  const ms = turns.map((t) => t.ms).sort((a, b) => a - b);
  const connects = connected.map((s) => s.connectMs).sort((a, b) => a - b);
  console.log(JSON.stringify({
    mode, sessions, connected: connected.length,
    connect_errors: sessions - connected.length,
    answered: turns.filter((t) => t.stop === 'answered').length,
    error_events: turns.reduce((a, t) => a + t.errors, 0),
    turn_ms: { p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), max: ms[ms.length - 1] },
    connect_ms: { p50: percentile(connects, 50), p99: percentile(connects, 99) },
    turns_per_second: connected.length / (wall / 1000),
    rss_mib: { before: rssBefore, after_turns: rssPeak },
  }));
} else if (mode === 'steady') {
  const sockets = await pool(sessions, connectConcurrency, () => open());
  const connected = sockets.filter((s) => s && s.ws);
  const sendAt = performance.now();
  const all = [];
  await Promise.all(connected.map(async (s, i) => {
    for (let t = 0; t < turnsPerSession; t += 1) {
      await new Promise((r) => setTimeout(r, Math.random() * thinkMs));
      all.push(await turn(s.ws, messages[(i + t) % messages.length]));
    }
  }));
  const wall = performance.now() - sendAt;
  const rssPeak = rssMiB();
  for (const s of connected) s.ws.close();
  const ms = all.map((t) => t.ms).sort((a, b) => a - b);
  console.log(JSON.stringify({
    mode, sessions, connected: connected.length, turns_per_session: turnsPerSession, think_ms: thinkMs,
    turns: all.length, answered: all.filter((t) => t.stop === 'answered').length,
    error_events: all.reduce((a, t) => a + t.errors, 0),
    turn_ms: { p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), max: ms[ms.length - 1] },
    turns_per_second: all.length / (wall / 1000),
    rss_mib: { before: rssBefore, after_turns: rssPeak },
  }));
} else {
  const sockets = await pool(sessions, connectConcurrency, () => open());
  const connected = sockets.filter((s) => s && s.ws);
  await new Promise((r) => setTimeout(r, holdMs));
  const rss = rssMiB();
  const alive = connected.filter((s) => s.ws.readyState === WebSocket.OPEN).length;
  for (const s of connected) s.ws.terminate();
  console.log(JSON.stringify({
    mode, sessions, connected: connected.length, still_open_after_hold: alive,
    connect_errors: sessions - connected.length,
    connect_seconds: (performance.now() - started - holdMs) / 1000,
    rss_mib: { before: rssBefore, with_all_open: rss },
    rss_per_connection_kib: rss && rssBefore ? ((rss - rssBefore) * 1024) / Math.max(1, connected.length) : null,
  }));
}
clearTimeout(timer);
process.exit(0);
