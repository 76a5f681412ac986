// Each stage of the pipeline: rate, total and backlog from the parts' /metrics, as the demo's status view shows them.

import { getJson } from './api.js';
import { count, esc, fixed, time } from './format.js';

const down = (s) => (s.instances === 0 ? 'not configured' : `not answering (0 of ${s.instances})`);

function rows(h) {
  const { agent: a, bridge: b, sink: k, kafka } = h.snapshot;
  const up = (s) => (s.instances > 1 ? ` (${s.up} of ${s.instances} answering)` : '');
  return [
    ['agent', a, a.values && `outbox ${count(a.values.pending)} unacknowledged, mqtt ${a.values.connected ? 'connected' : 'DISCONNECTED'}${up(a)}`, a.values?.captured, 'captured'],
    ['bridge', b, b.values && `${count(b.values.buffered)} waiting for Kafka, kafka ${b.values.kafkaUp ? 'up' : 'DOWN'}, ${count(b.values.clients)} device(s), ${count(b.values.deadLetters)} dead letters${up(b)}`, b.values?.produced, 'to Kafka'],
    ['kafka', { instances: 1, up: kafka.sinkLag === undefined ? 0 : 1 }, kafka.sinkLag === undefined ? undefined : `sink lag ${count(kafka.sinkLag)} records (group ${esc(kafka.sinkGroup)})`, undefined, ''],
    ['sink', k, k.values && `${count(k.values.buffered)} in open files; ${count(k.values.parquetFiles)} Parquet files, ${count(k.values.frames)} JPEG frames stored${up(k)}`, k.values?.records, 'stored'],
  ].map(([name, s, backlog, total, what]) => `<tr data-stage="${name}" data-up="${backlog ? 'yes' : 'no'}">
    <th>${name}</th><td class="num">${s.ratePerS === undefined ? '–' : fixed(s.ratePerS, 1)}</td><td class="num" data-total="${total ?? ''}">${total === undefined ? '–' : count(total)}</td>
    <td>${esc(what)}</td><td>${backlog ?? (name === 'kafka' ? 'not available' : down(s))}</td></tr>`).join('');
}

export async function healthView(root) {
  root.innerHTML = `<section class="health-page"><h1>Pipeline health</h1>
    <table class="stages"><thead><tr><th>stage</th><th>rate/s</th><th>total</th><th></th><th>backlog</th></tr></thead><tbody></tbody></table>
    <p class="hint" id="health-note"></p></section>`;
  let timer;
  let stopped = false;
  const draw = async () => {
    const h = await getJson('/api/health');
    if (stopped) return;
    root.querySelector('tbody').innerHTML = rows(h);
    const f = h.feed;
    root.querySelector('#health-note').textContent = `Read at ${time(new Date(h.snapshot.atMs).toISOString())}. ` +
      (h.configured ? '' : 'No /metrics endpoints configured (health.agent, health.bridge, health.sink). ') +
      `Live feed: ${f.enabled ? (f.connected ? 'connected' : 'not connected') : 'off'}, ${count(f.records)} records read, ${count(Object.values(f.rejected ?? {}).reduce((x, y) => x + y, 0))} rejected; ${h.liveClients} live page(s).`;
  };
  await draw();
  const loop = () => (timer = setTimeout(() => draw().catch(() => undefined).finally(() => !stopped && loop()), 2000));
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
