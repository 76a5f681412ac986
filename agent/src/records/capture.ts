import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { formatIssues, silentLogger, type Logger, type ValidationIssue } from '@fleetlake/core';
import { cameraMqttTopic, checkCameraFrame, newFrameId, streamMqttTopic, validateRecord, type Stream, type StreamRecord, type StreamRecords } from '@fleetlake/contracts';
import type { Frame } from '../camera/frame.js';
import type { Outbox } from '../outbox/outbox.js';
import { Counters } from './counters.js';
import type { EventClock, Stamp } from './event-clock.js';
import { SeqAllocator, seqKey } from './seq.js';

/** Stream-specific fields of a record: everything but what the agent stamps. */
export type RecordFields<S extends Stream> = Omit<StreamRecords[S], 'id' | 'deviceId' | 'seq' | 'timestamp' | 'timeSource' | 'latitude' | 'longitude'> & {
  latitude?: number;
  longitude?: number;
};

export interface CaptureOptions {
  deviceId: string;
  outbox: Outbox;
  clock: EventClock;
  /** Largest camera frame accepted (the MQTT payload budget). */
  payloadBudget: number;
  logger?: Logger;
}

export type CaptureResult = { ok: true; record: StreamRecord } | { ok: false; reason: string; issues?: ValidationIssue[] };

/**
 * Turns readings into records and captures them: stamps id, deviceId, seq, event time (GPS time,
 * host clock as labelled fallback) and position, validates against the contracts and appends to the
 * durable outbox. A record counts as captured only once the outbox has it on disk.
 * Rejections are counted by reason (`rejected`), never thrown.
 */
export class Capture extends EventEmitter {
  readonly rejected = new Counters();
  readonly captured = new Counters();
  /** Last seq given to each stream in this run (see SeqAllocator: seqs of a stream are contiguous). */
  private readonly lastSeqs = new Map<Stream, number>();
  private readonly seqs: SeqAllocator;
  private readonly log: Logger;

  constructor(private readonly opts: CaptureOptions) {
    super();
    this.seqs = new SeqAllocator(opts.outbox);
    this.log = opts.logger ?? silentLogger();
  }

  private reject(reason: string, issues?: ValidationIssue[]): CaptureResult & { ok: false } {
    this.rejected.add(reason);
    this.log.debug({ reason, issues: issues && formatIssues(issues) }, 'record rejected');
    return { ok: false, reason, ...(issues ? { issues } : {}) };
  }

  /**
   * Stamps and validates a record, then gives it the next seq (so rejected readings use none).
   * Position: the recent fix's; else the one the reading carries; else rejected.
   */
  private stamp<S extends Stream>(stream: S, fields: RecordFields<S>, stamp: Stamp): CaptureResult {
    const position =
      stamp.position ?? (typeof fields.latitude === 'number' && typeof fields.longitude === 'number' ? { latitude: fields.latitude, longitude: fields.longitude } : undefined);
    if (!position) return this.reject('no_position');
    const { deviceId } = this.opts;
    const checked = validateRecord(stream, { ...fields, id: randomUUID(), deviceId, seq: 0, timestamp: stamp.timestamp, timeSource: stamp.timeSource, ...position });
    if (!checked.ok) return this.reject('schema', checked.issues);
    const record: StreamRecord = checked.value;
    record.seq = this.seqs.take(deviceId, stream);
    this.lastSeqs.set(stream, record.seq);
    return { ok: true, record };
  }

  /** The last seq assigned per stream in this run, e.g. { gps: 41, weather: 3 } (streams without records are absent). */
  lastSeq(): Record<string, number> {
    return Object.fromEntries([...this.lastSeqs].sort(([a], [b]) => a.localeCompare(b)));
  }

  private async append(stream: Stream, record: StreamRecord): Promise<CaptureResult> {
    const { deviceId } = this.opts;
    try {
      await this.opts.outbox.append({ topic: streamMqttTopic(deviceId, stream), payload: Buffer.from(JSON.stringify(record)), key: seqKey(deviceId, stream), seq: record.seq });
    } catch (err) {
      this.log.error({ err, stream, seq: record.seq }, 'record not captured: outbox append failed');
      return this.reject('outbox_error');
    }
    this.captured.add(stream);
    this.log.debug({ stream, seq: record.seq, id: record.id }, 'captured');
    this.emit('captured', stream, record);
    return { ok: true, record };
  }

  /**
   * Stamps, validates and captures one record. `stamp` overrides the clock (gps_data uses its fix's
   * own time and position). Resolves once the record is on disk, or with the reason it was rejected.
   */
  async record<S extends Stream>(stream: S, fields: RecordFields<S>, stamp: Stamp = this.opts.clock.now()): Promise<CaptureResult> {
    const stamped = this.stamp(stream, fields, stamp);
    return stamped.ok ? this.append(stream, stamped.record) : stamped;
  }

  /** Captures a camera frame: the raw JPEG on the camera topic, then its traffic_data record. */
  async frame(frame: Frame): Promise<CaptureResult> {
    const check = checkCameraFrame(frame.jpeg, this.opts.payloadBudget);
    if (!check.ok) return this.reject(`frame_${check.reason}`, check.issues);
    const at = this.opts.clock.now();
    // A UUIDv7 of the event time: the sink files the JPEG and the row's snapshotUri under its date.
    const frameId = frame.frameId ?? newFrameId(Date.parse(at.timestamp));
    let topic: string;
    try {
      topic = cameraMqttTopic(this.opts.deviceId, frameId);
    } catch (err) {
      return this.reject('frame_bad_id', [{ path: '/frameId', message: (err as Error).message }]);
    }
    const fields: RecordFields<'traffic'> = { cameraId: frame.cameraId, frameId, width: frame.width, height: frame.height, bytes: frame.jpeg.length, contentType: 'image/jpeg' };
    const stamped = this.stamp('traffic', fields, at);
    if (!stamped.ok) return stamped;
    // Appended back to back, so the JPEG always precedes (and is sent before) the record that describes it.
    const jpeg = this.opts.outbox.append({ topic, payload: frame.jpeg });
    const result = this.append('traffic', stamped.record);
    try {
      await jpeg;
    } catch (err) {
      this.log.error({ err, frameId }, 'frame not captured: outbox append failed');
      this.rejected.add('outbox_error');
    }
    return result;
  }
}
