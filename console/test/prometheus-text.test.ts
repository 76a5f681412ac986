import { describe, expect, it } from 'vitest';
import { byLabel, parsePrometheusText, total } from '../src/prometheus-text.js';

const TEXT = `# HELP fleetlake_sink_objects_written_total Objects stored, by kind
# TYPE fleetlake_sink_objects_written_total counter
fleetlake_sink_objects_written_total{kind="parquet"} 14
fleetlake_sink_objects_written_total{kind="jpeg"} 3
fleetlake_bridge_buffered_records 0
fleetlake_x{a="q\\"uote",b="2"} 1.5e3
fleetlake_bad_value{kind="x"} not-a-number
`;

describe('parsePrometheusText', () => {
  const m = parsePrometheusText(TEXT);

  it('reads samples with and without labels', () => {
    expect(total(m, 'fleetlake_sink_objects_written_total')).toBe(17);
    expect(total(m, 'fleetlake_sink_objects_written_total', { kind: 'jpeg' })).toBe(3);
    expect(byLabel(m, 'fleetlake_sink_objects_written_total', 'kind')).toEqual({ parquet: 14, jpeg: 3 });
    expect(m.get('fleetlake_bridge_buffered_records')).toEqual([{ labels: {}, value: 0 }]);
  });

  it('unescapes label values and reads exponents', () => {
    expect(m.get('fleetlake_x')).toEqual([{ labels: { a: 'q"uote', b: '2' }, value: 1500 }]);
  });

  it('skips comments and unreadable values, and a missing metric totals 0', () => {
    expect(m.has('fleetlake_bad_value')).toBe(false);
    expect(total(m, 'nope')).toBe(0);
    expect(total(undefined, 'nope')).toBe(0);
  });
});
