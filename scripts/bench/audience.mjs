// The audience benchmark's load generator (run by scripts/bench-audience).
//
// Opens VIEWERS WebSocket viewers on one studio, has SUBMITTERS of them send
// RATE questions a second in all for SECONDS, while one producer approves
// every question as soon as it is announced. Prints, as JSON on the last
// line:
//   submit → question.received latency (p50/p99),
//   approve sent → the approved question reached every viewer (p50/p99),
//   questions acknowledged, and how many viewers missed an update.
//
// Viewers do not parse every message (10,000 viewers receive hundreds of MB
// a minute): they scan the raw bytes for question ids, which is all the
// measurement needs. Submitters and the producer parse JSON.
import WebSocket from 'ws';

const env = process.env;
const URL_WS = env.YST_WS;
const TOKEN = env.YST_PRODUCER_TOKEN;
const VIEWERS = Number(env.VIEWERS || 10000);
const SUBMITTERS = Number(env.SUBMITTERS || 100);
const RATE = Number(env.RATE || 200);
const SECONDS = Number(env.SECONDS || 60);
const OPEN_PER_SECOND = Number(env.OPEN_PER_SECOND || 1500);

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[bench]', ...a);

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// --- what reached the viewers ---
const approveSentAt = new Map();  // question id → ms
const reach = new Map();          // question id → {count, last}
let viewerMessages = 0;
let viewerBytes = 0;
let viewersClosed = 0;
const ID_MARK = Buffer.from('"id":');

function scanIds(buf) {
  // Each questions.public message lists a question at most once in
  // "questions" and maybe again as "on_air": count each id once per message.
  const seen = new Set();
  let at = buf.indexOf(ID_MARK);
  while (at !== -1) {
    let i = at + ID_MARK.length;
    let id = 0;
    while (i < buf.length && buf[i] >= 48 && buf[i] <= 57) id = id * 10 + (buf[i++] - 48);
    seen.add(id);
    at = buf.indexOf(ID_MARK, i);
  }
  return seen;
}

function openViewer(index) {
  return new Promise((resolve) => {
    const ws = new WebSocket(URL_WS, { perMessageDeflate: false });
    let helloDone = false;
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'hello', role: 'viewer', viewer: `bench-viewer-${String(index).padStart(8, '0')}` }));
    });
    ws.on('message', (data, isBinary) => {
      if (!helloDone) {
        helloDone = true;
        resolve(ws);
        return;
      }
      viewerMessages++;
      viewerBytes += data.length;
      if (data.indexOf('"questions.public"') === -1) return;
      const t = now();
      for (const id of scanIds(data)) {
        if (!approveSentAt.has(id)) continue;
        const r = reach.get(id);
        if (r) {
          r.count++;
          r.last = t;
        } else {
          reach.set(id, { count: 1, last: t });
        }
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (!helloDone) resolve(null);
      else viewersClosed++;
    });
  });
}

// --- the producer ---
function openProducer() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(URL_WS, { perMessageDeflate: false });
    let next = 1;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', role: 'producer', token: TOKEN, name: 'bench' })));
    ws.on('message', (data) => {
      const m = JSON.parse(data);
      if (m.type === 'hello.ok') resolve(ws);
      else if (m.type === 'error' && !m.id) reject(new Error(`producer hello: ${m.message}`));
      else if (m.type === 'questions.changed' && m.action === 'received') {
        for (const q of m.questions) {
          approveSentAt.set(q.id, now());
          ws.send(JSON.stringify({ type: 'question.approve', question: q.id, id: next++ }));
        }
      } else if (m.type === 'error') {
        producerErrors.push(m);
      }
    });
    ws.on('error', reject);
    ws.on('close', () => log('producer connection closed'));
  });
}
const producerErrors = [];

// --- submitters (viewers that also ask) ---
const submitLatencies = [];
const submitErrors = {};
let acknowledged = 0;
let sent = 0;

function makeSubmitter(ws, index) {
  const pending = new Map();
  let next = 1;
  ws.on('message', (data) => {
    if (data.indexOf('"question.received"') === -1 && data.indexOf('"error"') === -1) return;
    const m = JSON.parse(data);
    if (m.id === undefined || !pending.has(m.id)) return;
    const t0 = pending.get(m.id);
    pending.delete(m.id);
    if (m.type === 'question.received') {
      acknowledged++;
      submitLatencies.push(now() - t0);
    } else {
      submitErrors[m.code] = (submitErrors[m.code] || 0) + 1;
    }
  });
  return () => {
    const id = next++;
    pending.set(id, now());
    sent++;
    ws.send(JSON.stringify({
      type: 'question.submit', id,
      text: `第${index}位网友的第${id}个问题：老城区停车难、公交晚点，医保异地备案怎么办？`,
      nickname: `网友${index}`, category: 'question',
    }));
  };
}

async function main() {
  const t0 = now();
  const viewers = [];
  for (let i = 0; i < VIEWERS; i += OPEN_PER_SECOND / 10) {
    const batch = [];
    for (let k = i; k < Math.min(VIEWERS, i + OPEN_PER_SECOND / 10); k++) batch.push(openViewer(k));
    const started = now();
    viewers.push(...(await Promise.all(batch)));
    await sleep(Math.max(0, 100 - (now() - started)));
  }
  const open = viewers.filter(Boolean);
  log(`${open.length}/${VIEWERS} viewers connected in ${((now() - t0) / 1000).toFixed(1)} s`);
  console.log(JSON.stringify({ phase: 'connected', viewers: open.length }));
  await sleep(2000);  // let the studio settle, for the RSS reading
  const producer = await openProducer();
  const submit = open.slice(0, SUBMITTERS).map((ws, i) => makeSubmitter(ws, i));

  console.log(JSON.stringify({ phase: 'flood' }));
  const start = now();
  let due = 0;
  while (now() - start < SECONDS * 1000) {
    const elapsed = (now() - start) / 1000;
    const target = Math.floor(elapsed * RATE);
    for (; due < target; due++) submit[due % submit.length]();
    await sleep(5);
  }
  console.log(JSON.stringify({ phase: 'drain' }));
  await sleep(3000);

  const broadcast = [];
  let incomplete = 0;
  for (const [id, sentAt] of approveSentAt) {
    const r = reach.get(id);
    if (!r || r.count < open.length - viewersClosed) incomplete++;
    else broadcast.push(r.last - sentAt);
  }
  const result = {
    phase: 'done',
    viewers: open.length,
    viewers_closed: viewersClosed,
    sent,
    acknowledged,
    submit_errors: submitErrors,
    producer_errors: producerErrors.length,
    received_p50_ms: percentile(submitLatencies, 50),
    received_p99_ms: percentile(submitLatencies, 99),
    approved: approveSentAt.size,
    broadcast_p50_ms: percentile(broadcast, 50),
    broadcast_p99_ms: percentile(broadcast, 99),
    broadcast_incomplete: incomplete,
    viewer_messages: viewerMessages,
    viewer_mbytes: viewerBytes / 1e6,
  };
  console.log(JSON.stringify(result));
  producer.close();
  for (const ws of open) ws.terminate();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
