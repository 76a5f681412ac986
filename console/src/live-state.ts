import { deviceStatusValidator, KAFKA_TOPICS, parseRecord, STREAMS, utf8Text, type Stream } from '@fleetlake/contracts';
import { MARKER_HEADER } from '@fleetlake/sink';
import type { FeedRecord } from './kafka-feed.js';

/** A vehicle's latest position as the map shows it. */
export interface Position {
  deviceId: string;
  timestamp: string;
  seq: number;
  latitude: number;
  longitude: number;
  speed?: number | undefined;
  direction?: string | undefined;
  courseDeg?: number | undefined;
  vehicleType?: string | undefined;
}

export interface Status {
  status: 'online' | 'offline';
  timestamp: string;
  reason?: string | undefined;
}

export interface Incident {
  incidentId: string;
  deviceId: string;
  type: string;
  status: 'Active' | 'Resolved';
  timestamp: string;
  latitude: number;
  longitude: number;
  description: string;
}

export interface DeviceState {
  deviceId: string;
  position?: Position | undefined;
  status?: Status | undefined;
  /** Event time of the newest record of any stream. */
  lastSeen?: string | undefined;
}

/** What the live stream sends to the page. */
export type LiveEvent =
  | { type: 'position'; position: Position }
  | { type: 'status'; deviceId: string; status: Status }
  | { type: 'incident'; incident: Incident };

export type RejectReason = 'not_json' | 'schema' | 'payload_too_large' | 'device_mismatch' | 'too_many_devices' | 'unknown_topic';

const later = (a: string | undefined, b: string) => a === undefined || Date.parse(b) >= Date.parse(a);

/**
 * The live picture from Kafka: per device the newest position (older records — an outbox replayed
 * after a network cut — never move a vehicle back), status and last-seen time, in a map bounded to
 * `maxDevices`. Every record that cannot be read is counted by reason and dropped.
 */
export class LiveState {
  private readonly devices = new Map<string, DeviceState>();
  private readonly streamOf = new Map<string, Stream>();
  readonly rejected: Record<RejectReason, number> = { not_json: 0, schema: 0, payload_too_large: 0, device_mismatch: 0, too_many_devices: 0, unknown_topic: 0 };
  records = 0;
  /** The sink's flush markers and empty values (tombstones of the compacted status topic): not records, skipped. */
  skipped = 0;

  constructor(
    private readonly options: { topicPrefix: string; statusTopic: string; maxDevices: number },
    private readonly emit: (event: LiveEvent) => void,
  ) {
    for (const s of STREAMS) this.streamOf.set(options.topicPrefix + KAFKA_TOPICS[s], s);
  }

  /** The topics to read: the stream topics from now on, the status topic from its beginning. */
  topics(): Array<{ topic: string; fromBeginning: boolean }> {
    return [...[...this.streamOf.keys()].map((topic) => ({ topic, fromBeginning: false })), { topic: this.options.statusTopic, fromBeginning: true }];
  }

  snapshot(): DeviceState[] {
    return [...this.devices.values()];
  }

  get(deviceId: string): DeviceState | undefined {
    return this.devices.get(deviceId);
  }

  private device(deviceId: string): DeviceState | undefined {
    let d = this.devices.get(deviceId);
    if (!d) {
      if (this.devices.size >= this.options.maxDevices) {
        this.rejected.too_many_devices++;
        return undefined;
      }
      d = { deviceId };
      this.devices.set(deviceId, d);
    }
    return d;
  }

  accept(records: readonly FeedRecord[]): void {
    for (const r of records) {
      this.records++;
      if (r.value === null || r.headers[MARKER_HEADER] !== undefined) {
        this.skipped++;
        continue;
      }
      if (r.topic === this.options.statusTopic) this.acceptStatus(r);
      else this.acceptStream(r);
    }
  }

  private acceptStatus(r: FeedRecord): void {
    const text = r.value ? utf8Text(r.value) : undefined;
    let value: unknown;
    try {
      value = text === undefined ? undefined : JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (value === undefined) {
      this.rejected.not_json++;
      return;
    }
    const result = deviceStatusValidator.validate(value);
    if (!result.ok) {
      this.rejected.schema++;
      return;
    }
    const s = result.value;
    if (r.key !== null && r.key !== s.deviceId) {
      this.rejected.device_mismatch++;
      return;
    }
    const d = this.device(s.deviceId);
    if (!d) return;
    // A device's status records are in one partition (keyed by deviceId): the last one read is the newest.
    d.status = { status: s.status, timestamp: s.timestamp, ...(s.reason ? { reason: s.reason } : {}) };
    this.emit({ type: 'status', deviceId: s.deviceId, status: d.status });
  }

  private acceptStream(r: FeedRecord): void {
    const stream = this.streamOf.get(r.topic);
    if (!stream) {
      this.rejected.unknown_topic++;
      return;
    }
    const parsed = parseRecord(stream, r.value ?? Buffer.alloc(0), r.key ?? undefined);
    if (!parsed.ok) {
      this.rejected[parsed.reason === 'payload_too_large' || parsed.reason === 'device_mismatch' || parsed.reason === 'schema' ? parsed.reason : 'not_json']++;
      return;
    }
    const rec = parsed.value;
    const d = this.device(rec.deviceId);
    if (!d) return;
    if (later(d.lastSeen, rec.timestamp)) d.lastSeen = rec.timestamp;
    if (stream === 'gps' && 'fixMode' in rec) {
      if (d.position && !later(d.position.timestamp, rec.timestamp)) return;
      d.position = {
        deviceId: rec.deviceId, timestamp: rec.timestamp, seq: rec.seq, latitude: rec.latitude, longitude: rec.longitude,
        speed: rec.speed, direction: rec.direction, courseDeg: rec.courseDeg, vehicleType: rec.vehicleType,
      };
      this.emit({ type: 'position', position: d.position });
    } else if (stream === 'emergency' && 'incidentId' in rec && rec.type !== 'None') {
      this.emit({
        type: 'incident',
        incident: { incidentId: rec.incidentId, deviceId: rec.deviceId, type: rec.type, status: rec.status, timestamp: rec.timestamp, latitude: rec.latitude, longitude: rec.longitude, description: rec.description },
      });
    }
  }
}
