/** One sample of a metric: its labels (none for a plain value) and its value. */
export interface Sample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

/** A metric family in the Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, then samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: readonly Sample[];
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(name: string, labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  for (const [label] of entries) if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new Error(`metric ${name}: invalid label name ${JSON.stringify(label)}`);
  return `{${entries.map(([label, value]) => `${label}="${escapeLabel(value)}"`).join(',')}}`;
}

/**
 * Renders metric families as Prometheus text. Names are checked (a bad name is a programming
 * error, thrown); label values and help text are escaped, so any stream or reason name is safe.
 */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name ${JSON.stringify(family.name)}`);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(`${family.name}${formatLabels(family.name, sample.labels)} ${formatValue(sample.value)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
