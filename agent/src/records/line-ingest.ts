import { silentLogger, type Logger } from '@fleetlake/core';
import { KAFKA_TOPICS, MAX_RECORD_BYTES, streamForTopic, type Stream } from '@fleetlake/contracts';
import type { Capture, CaptureResult, RecordFields } from './capture.js';

/** Streams that arrive as JSON lines; gps_data and traffic_data are made by the agent itself. */
export const LINE_STREAMS = ['vehicle', 'weather', 'emergency'] as const satisfies readonly Stream[];
export type LineStream = (typeof LINE_STREAMS)[number];

/** Fields the agent stamps; a reading's own values for them are ignored (position: see Capture). */
const STAMPED = ['id', 'deviceId', 'seq', 'timestamp', 'timeSource'] as const;

export function lineStreamOf(name: unknown): LineStream | undefined {
  if (typeof name !== 'string') return undefined;
  const stream = (LINE_STREAMS as readonly string[]).includes(name) ? (name as Stream) : streamForTopic(name);
  return stream && (LINE_STREAMS as readonly string[]).includes(stream) ? (stream as LineStream) : undefined;
}

export interface LineIngestOptions {
  capture: Capture;
  /** Called for an emergency record with an Active incident (the camera's trigger()). */
  onActiveEmergency?: (() => void) | undefined;
  logger?: Logger;
}

/**
 * One JSON line -> one captured record. The stream is the line's `stream` field (vehicle, weather,
 * emergency, or vehicle_data, ...) or the source's default. Bad lines are counted by reason in
 * `capture.rejected` (not_json, not_object, unknown_stream, too_long, schema, no_position), never fatal.
 */
export class LineIngest {
  private readonly log: Logger;

  constructor(private readonly opts: LineIngestOptions) {
    this.log = opts.logger ?? silentLogger();
  }

  private reject(reason: string, source: string, line: string): CaptureResult {
    this.opts.capture.rejected.add(reason);
    this.log.debug({ reason, source, sample: line.slice(0, 200) }, 'input line rejected');
    return { ok: false, reason };
  }

  async handle(line: string, source: string, defaultStream?: LineStream): Promise<CaptureResult | undefined> {
    const text = line.trim();
    if (text === '') return undefined;
    if (Buffer.byteLength(text) > MAX_RECORD_BYTES) return this.reject('too_long', source, text);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.reject('not_json', source, text);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.reject('not_object', source, text);
    const { stream: named, ...rest } = value as Record<string, unknown>;
    const stream = named === undefined ? defaultStream : lineStreamOf(named);
    if (!stream) return this.reject('unknown_stream', source, text);
    for (const key of STAMPED) delete rest[key];
    const result = await this.opts.capture.record(stream, rest as RecordFields<typeof stream>);
    if (result.ok && stream === 'emergency' && (result.record as { status?: string }).status === 'Active') this.opts.onActiveEmergency?.();
    return result;
  }
}

export const STREAM_NAMES_HELP = `${LINE_STREAMS.join(', ')} (or ${LINE_STREAMS.map((s) => KAFKA_TOPICS[s]).join(', ')})`;
