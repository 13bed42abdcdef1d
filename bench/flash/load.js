// load.js -- the flash-sale load of bench/run_flash_bench.sh, the same for every system: submits jobs over HTTP
// (keep-alive connections, a fixed number in flight, optionally paced), records when each was submitted, then polls
// every job until it is terminal.
//   node load.js --url U --token T --batch ID --jobs N --buyers B [--nums 1,2,3] [--concurrency C] [--rate R]
//                [--times OUT] [--poll-timeout S] [--user-base U]
// Buyer of job i: 1 + (i * 7919) % B (+ user-base); units: --nums in turn. --rate R: job i not before t0 + i/R s.
// Prints one JSON line: submitted, refused (by status), complete, failed, reasons, pending, submit_s, jobs_per_s
// (submitted per second), first_submit_ms, last_seen_ms. --times: "jobId<TAB>submit epoch ms" lines.
'use strict';
const http = require('http');
const fs = require('fs');

const a = process.argv.slice(2);
const opt = (n, d) => { const i = a.indexOf(n); return i >= 0 ? a[i + 1] : d; };
const url = new URL(opt('--url'));
const token = opt('--token', 'none');
const batch = Number(opt('--batch'));
const N = Number(opt('--jobs'));
const B = Number(opt('--buyers'));
const nums = opt('--nums', '1,2,3').split(',').map(Number);
const C = Number(opt('--concurrency', 32));
const RATE = Number(opt('--rate', 0));
const base = Number(opt('--user-base', 0));
const pollTimeout = Number(opt('--poll-timeout', 180)) * 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: C });

function call(method, path, body) {
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, agent,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      let d = '';
      res.on('data', (c) => (d += c));
      res.on('end', () => { let j = null; try { j = JSON.parse(d); } catch (e) { /* not JSON */ } resolve({ status: res.statusCode, body: j }); });
    });
    req.on('error', () => resolve({ status: 0, body: null }));
    if (body) req.write(body);
    req.end();
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const ids = new Array(N);
  const sent = new Array(N);
  const refused = {};
  let next = 0;
  const t0 = Date.now();
  async function submitter() {
    for (;;) {
      const i = next++;
      if (i >= N) return;
      if (RATE > 0) { const due = t0 + (i * 1000) / RATE; const w = due - Date.now(); if (w > 0) await sleep(w); }
      const body = JSON.stringify({ user_id: base + 1 + ((i * 7919) % B), batch_id: batch, num: nums[i % nums.length], present_info: { seq: i } });
      sent[i] = Date.now();
      const r = await call('POST', '/api/order/job', body);
      if (r.status === 200 && r.body && r.body.jobId) ids[i] = String(r.body.jobId);
      else refused[r.status] = (refused[r.status] || 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: C }, submitter));
  const t1 = Date.now();
  if (opt('--times')) fs.writeFileSync(opt('--times'), ids.map((id, i) => (id ? `${id}\t${sent[i]}` : null)).filter(Boolean).join('\n') + '\n');
  let pending = ids.filter(Boolean);
  let complete = 0, failed = 0, last = t1;
  const reasons = {};
  const deadline = Date.now() + pollTimeout;
  while (pending.length && Date.now() < deadline) {
    const still = [];
    let k = 0;
    async function poller() {
      for (;;) {
        const j = k++;
        if (j >= pending.length) return;
        const r = await call('GET', `/api/order/job/${pending[j]}/state`);
        const st = r.body && r.body.state;
        if (st === 'complete') { complete++; last = Date.now(); }
        else if (st === 'failed') { failed++; last = Date.now(); reasons[r.body.reason] = (reasons[r.body.reason] || 0) + 1; }
        else still.push(pending[j]);
      }
    }
    await Promise.all(Array.from({ length: C }, poller));
    pending = still;
    if (pending.length) await sleep(200);
  }
  console.log(JSON.stringify({ submitted: ids.filter(Boolean).length, refused, complete, failed, reasons, pending: pending.length,
    submit_s: (t1 - t0) / 1000, jobs_per_s: Math.round(ids.filter(Boolean).length / Math.max((t1 - t0) / 1000, 0.001)),
    first_submit_ms: t0, last_seen_ms: last }));
  agent.destroy();
})();
