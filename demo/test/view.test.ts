import { describe, expect, it } from 'vitest';
import { drained, type StatusSnapshot } from '../src/status.js';
import { renderPlain, renderStatus } from '../src/view.js';

const snap = (atMs: number, captured: number, over: Partial<StatusSnapshot> = {}): StatusSnapshot => ({
  atMs,
  trip: { km: 46, lengthKm: 183.9, simTime: '2026-11-27T10:31:12.000Z', done: false },
  agent: { captured, published: captured - 5, pending: 5, connected: true, capturedByStream: { gps: captured }, lastSeqByStream: { gps: captured - 1 } },
  bridge: { received: captured - 5, produced: captured - 5, buffered: 0, deadLetters: 0, kafkaUp: true, clients: 1 },
  kafka: { sinkLag: 40 },
  sink: { records: captured - 45, buffered: 40, parquetFiles: 7, frames: 2, deadLetters: 0 },
  network: { cut: false },
  ...over,
});

describe('status view', () => {
  it('shows each stage with its rate, total and backlog', () => {
    const lines = renderStatus(snap(2000, 300), snap(0, 100), 65);
    expect(lines[0]).toContain('01:05');
    expect(lines[0]).toContain('trip 25% (46.0 of 183.9 km, 10:31:12 simulated)');
    const agent = lines.find((l) => l.trimStart().startsWith('agent'))!;
    expect(agent).toContain('100.0');
    expect(agent).toContain('outbox 5 unacknowledged');
    expect(lines.find((l) => l.includes('kafka') && l.includes('sink lag 40'))).toBeDefined();
    expect(lines.find((l) => l.trimStart().startsWith('sink'))).toContain('7 Parquet files, 2 JPEG frames');
  });

  it('marks a stage that does not answer and a cut network, and never shows a negative rate after a restart', () => {
    const lines = renderStatus(snap(2000, 300, { bridge: undefined, network: { cut: true } }), snap(0, 500), 3);
    expect(lines[0]).toContain('[network cut]');
    expect(lines.find((l) => l.trimStart().startsWith('bridge'))).toContain('not answering');
    expect(lines.find((l) => l.trimStart().startsWith('agent'))).toMatch(/agent\s+-\s/);
  });

  it('has a one-line form for --plain', () => {
    expect(renderPlain(snap(0, 300), 12.4)).toBe(
      '[12s] | trip 46.0/183.9 km | agent captured 300, outbox 5 | bridge to Kafka 295, waiting 0 | kafka sink lag 40 | sink stored 255, open 40, 7 parquet, 2 jpeg',
    );
  });
});

describe('drained', () => {
  const empty = snap(0, 300, {
    agent: { captured: 300, published: 300, pending: 0, connected: true, capturedByStream: {}, lastSeqByStream: {} },
    kafka: { sinkLag: 0 },
    sink: { records: 300, buffered: 0, parquetFiles: 7, frames: 2, deadLetters: 0 },
  });

  it('is true only when no stage holds anything', () => {
    expect(drained(empty)).toBe(true);
    expect(drained({ ...empty, kafka: { sinkLag: 1 } })).toBe(false);
    expect(drained({ ...empty, sink: { ...empty.sink!, buffered: 3 } })).toBe(false);
    expect(drained({ ...empty, bridge: undefined })).toBe(false);
    expect(drained({ ...empty, agent: { ...empty.agent!, connected: false } })).toBe(false);
  });
});
