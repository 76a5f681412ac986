/**
 * Reads the samples of a Prometheus text exposition (what /metrics of the agent, bridge and sink
 * return) into name -> [{labels, value}]. Only what the status view needs: no HELP/TYPE, no
 * timestamps, no escaping beyond \" and \\ in label values.
 */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}
export type Metrics = Map<string, Sample[]>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string): Metrics {
  const metrics: Metrics = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) labels[k!] = v!.replace(/\\(.)/g, '$1');
    const value = Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') continue;
    let list = metrics.get(m[1]!);
    if (!list) metrics.set(m[1]!, (list = []));
    list.push({ labels, value });
  }
  return metrics;
}

/** Sum of a metric's samples whose labels include `where` (0 when absent). */
export function total(metrics: Metrics | undefined, name: string, where: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of metrics?.get(name) ?? []) {
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** The metric's samples summed per value of one label. */
export function byLabel(metrics: Metrics | undefined, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of metrics?.get(name) ?? []) {
    const key = s.labels[label] ?? '';
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}
