import { DeadLetter, DeviceStatus, STREAM_SCHEMAS } from './schemas.js';
import { STREAMS, KAFKA_TOPICS } from './streams.js';

/**
 * JSON Schema (draft 2020-12 compatible) documents for every contract, keyed by name. The TypeBox
 * schemas already are JSON Schema; this strips TypeBox's internal symbols by a JSON round trip.
 */
export function jsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const s of STREAMS) out[KAFKA_TOPICS[s]] = JSON.parse(JSON.stringify(STREAM_SCHEMAS[s])) as object;
  out.device_status = JSON.parse(JSON.stringify(DeviceStatus)) as object;
  out.dead_letter = JSON.parse(JSON.stringify(DeadLetter)) as object;
  out.camera_frames = {
    $id: 'https://fleetlake.dev/schemas/v1/camera_frames.json',
    title: 'camera_frames',
    description: 'Raw JPEG bytes (never base64), keyed by frameId, at most the MQTT payload budget (default 131072 bytes).',
    contentMediaType: 'image/jpeg',
  };
  return out;
}
