// peer.js -- the flash-sale job (spec flash-sale-payment.md FS-1…FS-6) done by a peer queue, for
// bench/run_flash_bench.sh: BullMQ (the maintained successor of kue) or kue (what the seed ran), on the same Redis and
// MariaDB as orderfleet, behind the same kind of HTTP entry point, with the same 8 order lines.
//
//   node peer.js bullmq|kue front  --port P     POST /api/order/job {user_id, batch_id, num, present_info} → {jobId};
//                                               GET /api/order/job/:id/state → {state, result|reason}
//   node peer.js bullmq|kue worker [--lines 8]  one worker per order line (concurrency 1 each), creating the order
//
// A competent implementation, as the issue asks: each job is one MariaDB transaction that locks the batch row (no
// oversell with any number of workers), checks the window and the buyer's unpaid limit, inserts the order (its job id
// unique: a job run twice never makes two orders) and the job's final record in fs_job (the same table orderfleet
// writes, so the benchmark reads every system's completion times the same way). Jobs: 3 attempts, exponential
// backoff from 1 s; kue jobs also TTL 5 s (FS-2). A refusal (sold out, limit, window) completes the job with its
// reason and the front answers it as failed, so neither queue retries a refusal.
// Connection settings from the OF_* environment of the stack (OF_MYSQL_*, OF_REDIS_*).
'use strict';
const http = require('http');
const mysql = require('mysql2/promise');

const [, , kind, role, ...rest] = process.argv;
const opt = (n, d) => { const i = rest.indexOf(n); return i >= 0 ? rest[i + 1] : d; };
if (!['bullmq', 'kue'].includes(kind) || !['front', 'worker'].includes(role)) {
  console.error('usage: node peer.js bullmq|kue front --port P | worker [--lines N]');
  process.exit(2);
}
const LINES = Number(opt('--lines', 8));
const redis = { host: process.env.OF_REDIS_HOST || '127.0.0.1', port: Number(process.env.OF_REDIS_PORT || 6379) };
const PREFIX = kind === 'bullmq' ? 'bull' : 'kue';

// ---------------------------------------------------------------- the order (FS-6), one transaction a job
let pool = null;
function db() {
  if (!pool)
    pool = mysql.createPool({
      host: process.env.OF_MYSQL_HOST || '127.0.0.1', port: Number(process.env.OF_MYSQL_PORT || 3306),
      user: process.env.OF_MYSQL_USER || 'orderfleet', password: process.env.OF_MYSQL_PASSWORD || '',
      database: process.env.OF_MYSQL_DB || 'orderfleet', connectionLimit: LINES, decimalNumbers: false,
    });
  return pool;
}
let seq = 0;
async function createOrder(jobId, line, d, attempt) {
  const c = await db().getConnection();
  try {
    for (let tries = 0; ; tries++) {
      try {
        await c.beginTransaction();
        const [[old]] = await c.query('SELECT id FROM fs_order WHERE job_id = ?', [jobId]);
        if (old) { await c.commit(); return { orderId: old.id }; }
        const [[b]] = await c.query(
          'SELECT id, merchant_id, unit_price, total_num, sell_num, limit_unpaid_per_buyer, state, ' +
          'NOW(3) >= start_time AS started, NOW(3) >= end_time AS ended FROM fs_batch WHERE id = ? FOR UPDATE', [d.batch_id]);
        let why = null;
        if (!b) why = 'UNKNOWN_BATCH';
        else if (b.state === 3 || b.ended) why = 'CLOSED';
        else if (!b.started) why = 'NOT_STARTED';
        else {
          if (b.limit_unpaid_per_buyer > 0) {
            const [[u]] = await c.query('SELECT COUNT(*) AS n FROM fs_order WHERE batch_id = ? AND user_id = ? AND state = 1',
              [d.batch_id, d.user_id]);
            if (u.n >= b.limit_unpaid_per_buyer) why = 'UNPAID_LIMIT';
          }
          if (!why && (b.state === 2 || b.sell_num + d.num > b.total_num)) why = 'SOLD_OUT';
        }
        let orderId = null;
        if (!why) {
          const code = `${PREFIX.toUpperCase()}${process.pid}${Date.now()}${++seq}`;
          const [r] = await c.query(
            'INSERT INTO fs_order (order_code, job_id, user_id, merchant_id, batch_id, type, num, unit_price, amount, ' +
            'remain_pay, state, present_info) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ? * ?, ? * ?, 1, ?)',
            [code, jobId, d.user_id, b.merchant_id, b.id, d.num, b.unit_price, b.unit_price, d.num, b.unit_price, d.num,
              d.present_info == null ? null : JSON.stringify(d.present_info)]);
          orderId = r.insertId;
          await c.query('UPDATE fs_batch SET sell_num = sell_num + ?, state = IF(sell_num >= total_num, 2, state) WHERE id = ?',
            [d.num, b.id]);
        }
        await c.query(
          'INSERT INTO fs_job (job_id, line, user_id, batch_id, num, state, error, result_order_id, attempts_made, ' +
          'attempts_remaining, attempts_max, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3, NOW(3), NOW(3)) ' +
          'ON DUPLICATE KEY UPDATE state = VALUES(state), error = VALUES(error), result_order_id = VALUES(result_order_id), ' +
          'finished_at = VALUES(finished_at)',
          [jobId, line, d.user_id, d.batch_id, d.num, why ? 'failed' : 'complete', why || '', orderId, attempt,
            Math.max(0, 3 - attempt)]);
        await c.commit();
        return why ? { error: why } : { orderId };
      } catch (e) {
        await c.rollback().catch(() => {});
        if ((e.errno === 1213 || e.errno === 1205) && tries < 5) continue; // deadlock, lock wait: again
        throw e;
      }
    }
  } finally {
    c.release();
  }
}

// ---------------------------------------------------------------- the queues
function lineOf(userId) { return Number(userId) % LINES; }
let add, getState, startWorkers;
if (kind === 'bullmq') {
  const { Queue, Worker, Job } = require('bullmq');
  const conn = { ...redis, maxRetriesPerRequest: null };
  const queues = [];
  const q = (i) => (queues[i] = queues[i] || new Queue(`order-line-${i}`, { connection: conn, prefix: 'bqb' }));
  add = async (d) => {
    const line = lineOf(d.user_id);
    const job = await q(line).add('order', d, { attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
    return `bull-${line}-${job.id}`;
  };
  getState = async (id) => {
    const m = /^bull-(\d+)-(\d+)$/.exec(id);
    if (!m) return null;
    const job = await Job.fromId(q(Number(m[1])), m[2]);
    if (!job) return null;
    const st = await job.getState();
    if (st === 'completed') return job.returnvalue && job.returnvalue.error
      ? { state: 'failed', reason: job.returnvalue.error } : { state: 'complete', result: job.returnvalue };
    if (st === 'failed') return { state: 'failed', reason: job.failedReason };
    return { state: st === 'waiting' ? 'inactive' : st };
  };
  startWorkers = () => {
    for (let i = 0; i < LINES; i++)
      new Worker(`order-line-${i}`, (job) => createOrder(`bull-${i}-${job.id}`, i, job.data, job.attemptsMade + 1),
        { connection: conn, prefix: 'bqb', concurrency: 1 });
  };
} else {
  const kue = require('kue');
  const queue = kue.createQueue({ prefix: 'kueb', redis });
  add = (d) => new Promise((resolve, reject) => {
    const line = lineOf(d.user_id);
    const job = queue.create(`order/line-${line}`, d).attempts(3).backoff({ delay: 1000, type: 'exponential' })
      .ttl(5000).save((err) => (err ? reject(err) : resolve(`kue-${job.id}`)));
  });
  getState = (id) => new Promise((resolve) => {
    const m = /^kue-(\d+)$/.exec(id);
    if (!m) return resolve(null);
    kue.Job.get(Number(m[1]), (err, job) => {
      if (err || !job) return resolve(null);
      const st = job.state();
      if (st === 'complete') return resolve(job.result && job.result.error
        ? { state: 'failed', reason: job.result.error } : { state: 'complete', result: job.result });
      if (st === 'failed') return resolve({ state: 'failed', reason: job._error });
      resolve({ state: st });
    });
  });
  startWorkers = () => {
    for (let i = 0; i < LINES; i++)
      queue.process(`order/line-${i}`, 1, (job, done) => {
        createOrder(`kue-${job.id}`, i, job.data, job._attempts ? Number(job._attempts) + 1 : 1)
          .then((r) => done(null, r), (e) => done(e));
      });
  };
}

// ---------------------------------------------------------------- the HTTP front (as the seed's router)
function front(port) {
  const agentless = http.createServer((req, res) => {
    const send = (code, obj) => { const b = JSON.stringify(obj); res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(b) }); res.end(b); };
    let body = '';
    req.on('data', (c) => { body += c; if (body.length > 16384) req.destroy(); });
    req.on('end', async () => {
      try {
        if (req.method === 'POST' && req.url === '/api/order/job') {
          let d;
          try { d = JSON.parse(body); } catch (e) { return send(400, { error: 'BadRequest', message: 'malformed JSON' }); }
          if (!(d.user_id > 0) || !(d.batch_id > 0) || !(d.num >= 1 && d.num <= 10000))
            return send(400, { error: 'BadRequest', message: 'user_id, batch_id, num required' });
          const id = await add({ user_id: d.user_id, batch_id: d.batch_id, num: d.num, present_info: d.present_info });
          return send(200, { jobId: id });
        }
        const m = /^\/api\/order\/job\/([^/]+)\/state$/.exec(req.url);
        if (req.method === 'GET' && m) {
          const st = await getState(m[1]);
          return st ? send(200, { id: m[1], ...st }) : send(404, { error: 'NotFound' });
        }
        send(404, { error: 'NotFound' });
      } catch (e) {
        send(503, { error: 'CreateOrderFail', message: '下单失败，请重新下单' });
      }
    });
  });
  agentless.keepAliveTimeout = 30000;
  agentless.listen(port, '127.0.0.1', () => console.error(`${kind} front on ${port}`));
}

if (role === 'front') front(Number(opt('--port', 0)));
else { startWorkers(); console.error(`${kind} worker: ${LINES} lines`); }
process.on('SIGTERM', () => process.exit(0));
