/**
 * Stream names, MQTT stream segments and Kafka topics. The five stream topics keep the names of the
 * original tutorial pipeline (vehicle_data, gps_data, traffic_data, weather_data, emergency_data).
 */
export const STREAMS = ['vehicle', 'gps', 'traffic', 'weather', 'emergency'] as const;
export type Stream = (typeof STREAMS)[number];

export const KAFKA_TOPICS = {
  vehicle: 'vehicle_data',
  gps: 'gps_data',
  traffic: 'traffic_data',
  weather: 'weather_data',
  emergency: 'emergency_data',
} as const satisfies Record<Stream, string>;
export type StreamTopic = (typeof KAFKA_TOPICS)[Stream];

export const CAMERA_FRAMES_TOPIC = 'camera_frames';
export const DEAD_LETTER_TOPIC = 'dead_letter';
/**
 * The topic device status goes to when the bridge is told to write it (`mqtt.statusKafkaTopic`): keyed by
 * deviceId, so a compacted topic keeps each device's latest status.
 */
export const DEVICE_STATUS_TOPIC = 'device_status';

/** Every Kafka topic Fleetlake writes, in a stable order. */
export const ALL_KAFKA_TOPICS = [...STREAMS.map((s) => KAFKA_TOPICS[s]), CAMERA_FRAMES_TOPIC, DEAD_LETTER_TOPIC] as const;

/** Version of the record schemas, carried in the Kafka header `fleetlake-schema-version`. */
export const SCHEMA_VERSION = 1;

export const KAFKA_HEADERS = {
  mqttTopic: 'fleetlake-mqtt-topic',
  receivedAt: 'fleetlake-received-at',
  schemaVersion: 'fleetlake-schema-version',
} as const;

/** AWS IoT Core's payload limit; a camera frame must fit. */
export const DEFAULT_MQTT_PAYLOAD_BUDGET = 128 * 1024;

export function isStream(value: string): value is Stream {
  return (STREAMS as readonly string[]).includes(value);
}

export function kafkaTopicFor(stream: Stream): StreamTopic {
  return KAFKA_TOPICS[stream];
}

export function streamForTopic(topic: string): Stream | undefined {
  return STREAMS.find((s) => KAFKA_TOPICS[s] === topic);
}
