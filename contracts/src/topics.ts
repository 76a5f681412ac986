import { DEVICE_ID_PATTERN, FRAME_ID_PATTERN } from './schemas.js';
import { CAMERA_FRAMES_TOPIC, isStream, kafkaTopicFor, type Stream } from './streams.js';

/** MQTT topics: fleetlake/v1/{deviceId}/{stream|status} and fleetlake/v1/{deviceId}/camera/{frameId}. */
export const MQTT_TOPIC_ROOT = 'fleetlake/v1';

const deviceIdRe = new RegExp(DEVICE_ID_PATTERN);
const frameIdRe = new RegExp(FRAME_ID_PATTERN);

export function isDeviceId(value: string): boolean {
  return deviceIdRe.test(value);
}

export function isFrameId(value: string): boolean {
  return frameIdRe.test(value);
}

function assertSegment(kind: string, value: string, ok: boolean): void {
  if (!ok) throw new TypeError(`invalid ${kind} for an MQTT topic: ${JSON.stringify(value)}`);
}

export function streamMqttTopic(deviceId: string, stream: Stream): string {
  assertSegment('deviceId', deviceId, isDeviceId(deviceId));
  return `${MQTT_TOPIC_ROOT}/${deviceId}/${stream}`;
}

export function statusMqttTopic(deviceId: string): string {
  assertSegment('deviceId', deviceId, isDeviceId(deviceId));
  return `${MQTT_TOPIC_ROOT}/${deviceId}/status`;
}

export function cameraMqttTopic(deviceId: string, frameId: string): string {
  assertSegment('deviceId', deviceId, isDeviceId(deviceId));
  assertSegment('frameId', frameId, isFrameId(frameId));
  return `${MQTT_TOPIC_ROOT}/${deviceId}/camera/${frameId}`;
}

/** Subscription filter covering every device's topics (or one device's). */
export function deviceTopicFilter(deviceId = '+'): string {
  return `${MQTT_TOPIC_ROOT}/${deviceId}/#`;
}

export type ParsedTopic =
  | { kind: 'stream'; deviceId: string; stream: Stream; kafkaTopic: string }
  | { kind: 'camera'; deviceId: string; frameId: string; kafkaTopic: typeof CAMERA_FRAMES_TOPIC }
  | { kind: 'status'; deviceId: string };

export type TopicParseResult = { ok: true; topic: ParsedTopic } | { ok: false; error: string };

export function parseMqttTopic(topic: string): TopicParseResult {
  const parts = topic.split('/');
  if (parts.length < 4 || `${parts[0]}/${parts[1]}` !== MQTT_TOPIC_ROOT) {
    return { ok: false, error: `topic must start with ${MQTT_TOPIC_ROOT}/{deviceId}/` };
  }
  const deviceId = parts[2]!;
  if (!isDeviceId(deviceId)) return { ok: false, error: `invalid deviceId segment ${JSON.stringify(deviceId)}` };
  const kind = parts[3]!;
  if (parts.length === 4) {
    if (kind === 'status') return { ok: true, topic: { kind: 'status', deviceId } };
    if (isStream(kind)) return { ok: true, topic: { kind: 'stream', deviceId, stream: kind, kafkaTopic: kafkaTopicFor(kind) } };
    return { ok: false, error: `unknown stream ${JSON.stringify(kind)}` };
  }
  if (parts.length === 5 && kind === 'camera') {
    const frameId = parts[4]!;
    if (!isFrameId(frameId)) return { ok: false, error: `invalid frameId segment ${JSON.stringify(frameId)}` };
    return { ok: true, topic: { kind: 'camera', deviceId, frameId, kafkaTopic: CAMERA_FRAMES_TOPIC } };
  }
  return { ok: false, error: `unexpected topic shape ${JSON.stringify(topic)}` };
}
