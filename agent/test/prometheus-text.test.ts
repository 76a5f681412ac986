import { describe, expect, it } from 'vitest';
import type { AgentStats } from '../src/agent.js';
import { newCounters } from '../src/gps/counters.js';
import { agentMetrics } from '../src/http/agent-metrics.js';
import { renderPrometheus } from '../src/http/prometheus-text.js';
import { seriesValue as value } from './support/prometheus.js';

describe('renderPrometheus', () => {
  it('writes HELP, TYPE and samples in the text format, escaping help text and label values', () => {
    const text = renderPrometheus([
      { name: 'x_total', type: 'counter', help: 'a \\ b\nc', samples: [{ labels: { reason: 'bad "quote"\\\n' }, value: 3 }, { labels: { reason: 'ok' }, value: 0 }] },
      { name: 'y', type: 'gauge', help: 'y', samples: [{ value: 1.5 }, { labels: { a: '1', b: '2' }, value: NaN }, { value: Infinity }] },
      { name: 'empty_total', type: 'counter', help: 'nothing yet', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP x_total a \\\\ b\\nc',
        '# TYPE x_total counter',
        'x_total{reason="bad \\"quote\\"\\\\\\n"} 3',
        'x_total{reason="ok"} 0',
        '# HELP y y',
        '# TYPE y gauge',
        'y 1.5',
        'y{a="1",b="2"} NaN',
        'y +Inf',
        '# HELP empty_total nothing yet',
        '# TYPE empty_total counter',
        '',
      ].join('\n'),
    );
    expect(renderPrometheus([])).toBe('');
  });

  it('refuses metric and label names Prometheus would not parse', () => {
    expect(() => renderPrometheus([{ name: 'bad-name', type: 'gauge', help: '', samples: [] }])).toThrow(/invalid metric name/);
    expect(() => renderPrometheus([{ name: 'ok', type: 'gauge', help: '', samples: [{ labels: { 'a-b': '1' }, value: 1 }] }])).toThrow(/invalid label name/);
    expect(() => renderPrometheus([{ name: 'ok', type: 'gauge', help: '', samples: [{ labels: { __name__: '1' }, value: 1 }] }])).toThrow(/invalid label name/);
  });
});

describe('agentMetrics', () => {
  const stats = (over: Partial<AgentStats> = {}): AgentStats => ({
    captured: { gps: 12, weather: 2 },
    lastSeq: { gps: 11, weather: 1 },
    rejected: { no_position: 3 },
    inputs: { 'serial:///dev/ttyUSB1': { lines: 7, opens: 1 } },
    outbox: { segments: 1, diskBytes: 9000, pending: 4, pendingBytes: 2048, appended: 20, acked: 16, dropped: 1, discardedBytes: 0, corrupt: 0, nextLsn: 20 },
    mqtt: { connected: true, connects: 1, connectFailures: 0, acked: 16, rejected: {}, inflight: 0 },
    ...over,
  });

  it('exposes captured per stream (every stream, 0 when none), published, outbox, rejected, mqtt and last seq', () => {
    const text = renderPrometheus(agentMetrics(stats()));
    expect(value(text, 'fleetlake_agent_captured_total{stream="gps"}')).toBe(12);
    expect(value(text, 'fleetlake_agent_captured_total{stream="vehicle"}')).toBe(0);
    expect(value(text, 'fleetlake_agent_last_seq{stream="weather"}')).toBe(1);
    expect(value(text, 'fleetlake_agent_published_total')).toBe(16);
    expect(value(text, 'fleetlake_agent_outbox_pending_records')).toBe(4);
    expect(value(text, 'fleetlake_agent_outbox_pending_bytes')).toBe(2048);
    expect(value(text, 'fleetlake_agent_outbox_dropped_total')).toBe(1);
    expect(value(text, 'fleetlake_agent_rejected_total{reason="no_position"}')).toBe(3);
    expect(value(text, 'fleetlake_agent_mqtt_connected')).toBe(1);
    expect(value(text, 'fleetlake_agent_input_lines_total{source="serial:///dev/ttyUSB1"}')).toBe(7);
    // No GPS or camera configured: none of their series.
    expect(text).not.toContain('fleetlake_agent_gps_');
    expect(text).not.toContain('fleetlake_agent_camera_');
    expect(value(renderPrometheus(agentMetrics(stats({ mqtt: { ...stats().mqtt, connected: false } }))), 'fleetlake_agent_mqtt_connected')).toBe(0);
  });

  it("exposes the GPS reader's sentence counters and the camera's frames when they run", () => {
    const gps = { ...newCounters(), sentencesRead: 50, accepted: 47, fixes: 9, reconnects: 1, watchdogReopens: 1 };
    gps.rejected.bad_checksum = 3;
    const camera = { captures: 3, frames: 2, bytes: 90_000, degraded: 0, skipped: 1, failed: { capture_failed: 0, capture_timeout: 0, invalid_image: 1, too_large: 0 } };
    const text = renderPrometheus(agentMetrics(stats({ gps, camera })));
    expect(value(text, 'fleetlake_agent_gps_sentences_read_total')).toBe(50);
    expect(value(text, 'fleetlake_agent_gps_sentences_accepted_total')).toBe(47);
    expect(value(text, 'fleetlake_agent_gps_sentences_rejected_total{reason="bad_checksum"}')).toBe(3);
    expect(value(text, 'fleetlake_agent_gps_sentences_rejected_total{reason="too_long"}')).toBe(0);
    expect(value(text, 'fleetlake_agent_gps_fixes_total')).toBe(9);
    expect(value(text, 'fleetlake_agent_gps_reconnects_total')).toBe(2);
    expect(value(text, 'fleetlake_agent_camera_frames_total')).toBe(2);
    expect(value(text, 'fleetlake_agent_camera_failed_total{reason="invalid_image"}')).toBe(1);
  });
});
