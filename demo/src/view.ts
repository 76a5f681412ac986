import { rate as perSecond } from '@fleetlake/console';
import type { StatusSnapshot } from './status.js';

const num = (n: number | undefined) => (n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

function rate(now: number | undefined, before: number | undefined, seconds: number): string {
  // A restarted process starts its counters again at zero: no rate then.
  return perSecond(now, before, seconds)?.toFixed(1) ?? '-';
}

/** The status view: one row per stage with its rate, total and backlog. */
export function renderStatus(s: StatusSnapshot, prev: StatusSnapshot | undefined, elapsedS: number): string[] {
  const dt = prev ? (s.atMs - prev.atMs) / 1000 : 0;
  const mm = String(Math.floor(elapsedS / 60)).padStart(2, '0');
  const ss = String(Math.floor(elapsedS % 60)).padStart(2, '0');
  const trip = s.trip
    ? `trip ${((100 * s.trip.km) / s.trip.lengthKm).toFixed(0)}% (${s.trip.km.toFixed(1)} of ${s.trip.lengthKm.toFixed(1)} km, ${s.trip.simTime.slice(11, 19)} simulated)${s.trip.done ? ' — arrived' : ''}`
    : 'trip starting';
  const down = 'not answering';
  const row = (stage: string, r: string, totalText: string, backlog: string) => `  ${pad(stage, 8)}${lpad(r, 9)}${lpad(totalText, 10)}   ${backlog}`;
  const a = s.agent;
  const b = s.bridge;
  const k = s.sink;
  return [
    `fleetlake demo  ${mm}:${ss}  ${trip}${s.network?.cut ? '  [network cut]' : ''}`,
    `  ${pad('stage', 8)}${lpad('rate/s', 9)}${lpad('total', 10)}   backlog`,
    a ? row('agent', rate(a.captured, prev?.agent?.captured, dt), num(a.captured), `outbox ${num(a.pending)} unacknowledged, mqtt ${a.connected ? 'connected' : 'DISCONNECTED'}`) : row('agent', '-', '-', down),
    b ? row('bridge', rate(b.produced, prev?.bridge?.produced, dt), num(b.produced), `${num(b.buffered)} waiting for Kafka, kafka ${b.kafkaUp ? 'up' : 'DOWN'}, ${num(b.clients)} device(s)`) : row('bridge', '-', '-', down),
    s.kafka ? row('kafka', '', '', `sink lag ${num(s.kafka.sinkLag)} records`) : row('kafka', '-', '-', down),
    k ? row('sink', rate(k.records, prev?.sink?.records, dt), num(k.records), `${num(k.buffered)} in open files; ${num(k.parquetFiles)} Parquet files, ${num(k.frames)} JPEG frames stored`) : row('sink', '-', '-', down),
  ];
}

/** One progress line (for --plain, CI and scripts). */
export function renderPlain(s: StatusSnapshot, elapsedS: number): string {
  const parts = [
    `[${Math.round(elapsedS)}s]`,
    s.trip ? `trip ${s.trip.km.toFixed(1)}/${s.trip.lengthKm.toFixed(1)} km${s.trip.done ? ' arrived' : ''}` : 'trip starting',
    s.agent ? `agent captured ${s.agent.captured}, outbox ${s.agent.pending}${s.agent.connected ? '' : ' (mqtt disconnected)'}` : 'agent not answering',
    s.bridge ? `bridge to Kafka ${s.bridge.produced}, waiting ${s.bridge.buffered}` : 'bridge not answering',
    s.kafka ? `kafka sink lag ${s.kafka.sinkLag}` : 'kafka not answering',
    s.sink ? `sink stored ${s.sink.records}, open ${s.sink.buffered}, ${s.sink.parquetFiles} parquet, ${s.sink.frames} jpeg` : 'sink not answering',
  ];
  if (s.network?.cut) parts.push('NETWORK CUT');
  return parts.join(' | ');
}
