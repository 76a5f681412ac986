import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import type { Stream } from './streams.js';

/**
 * The message contracts — one definition per record. TypeScript types come from `Static<>`,
 * runtime validation from validators.ts, JSON Schema is the schema object itself, and the lake's
 * column types from the `column` annotations (columns.ts).
 *
 * Records are strict (no unknown properties), so a typo or a stray base64 blob is rejected at the
 * first boundary instead of silently vanishing from the lake.
 */

/** Parquet / Glue type of a column, attached to each property as `column`. */
export type ColumnType = 'string' | 'double' | 'int' | 'bigint' | 'timestamp' | 'boolean';

const col = (column: ColumnType) => ({ column });

export const DEVICE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
export const FRAME_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$';
const MAX_TEXT = 256;
const MAX_DESCRIPTION = 2000;

const Text = (maxLength = MAX_TEXT) => Type.String({ minLength: 1, maxLength, ...col('string') });
const Uuid = () => Type.String({ format: 'uuid', maxLength: 36, ...col('string') });
const DeviceId = () => Type.String({ pattern: DEVICE_ID_PATTERN, maxLength: 64, ...col('string') });
const Finite = (opts: { minimum?: number; maximum?: number } = {}) => Type.Number({ ...opts, ...col('double') });
const Int = (opts: { minimum?: number; maximum?: number } = {}) => Type.Integer({ ...opts, ...col('int') });

/** Compass points, as the tutorial's `direction` field. */
export const COMPASS_POINTS = [
  'North', 'North-East', 'East', 'South-East', 'South', 'South-West', 'West', 'North-West',
] as const;

/** Fields every record carries. */
export const RecordBase = {
  id: Uuid(),
  deviceId: DeviceId(),
  /** Per device and stream, strictly increasing, survives agent restarts. */
  seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...col('bigint') }),
  /** Event time, ISO-8601 UTC with Z. GPS time when the agent has a fix. */
  timestamp: Type.String({ format: 'date-time', maxLength: 40, ...col('timestamp') }),
  /** Where `timestamp` came from: the GPS fix, or the host clock as a labelled fallback. */
  timeSource: Type.Optional(Type.Union([Type.Literal('gps'), Type.Literal('host')], col('string'))),
  latitude: Finite({ minimum: -90, maximum: 90 }),
  longitude: Finite({ minimum: -180, maximum: 180 }),
} satisfies TProperties;

const record = <P extends TProperties>(title: string, props: P) =>
  Type.Object({ ...RecordBase, ...props }, { $id: `https://fleetlake.dev/schemas/v1/${title}.json`, title, additionalProperties: false });

const Direction = () => Type.Union(COMPASS_POINTS.map((p) => Type.Literal(p)), col('string'));
const Speed = () => Finite({ minimum: 0, maximum: 1000 });

export const GpsData = record('gps_data', {
  /** km/h */
  speed: Speed(),
  direction: Direction(),
  vehicleType: Text(64),
  courseDeg: Type.Optional(Finite({ minimum: 0, maximum: 360 })),
  altitudeM: Type.Optional(Finite({ minimum: -1000, maximum: 100000 })),
  fixMode: Type.Union([Type.Literal('none'), Type.Literal('2d'), Type.Literal('3d')], col('string')),
  fixQuality: Int({ minimum: 0, maximum: 9 }),
  satellites: Type.Optional(Int({ minimum: 0, maximum: 255 })),
  hdop: Type.Optional(Finite({ minimum: 0, maximum: 100 })),
});

export const FUEL_TYPES = ['Petrol', 'Diesel', 'Electric', 'Hybrid', 'LPG', 'Hydrogen'] as const;

export const VehicleData = record('vehicle_data', {
  speed: Speed(),
  direction: Direction(),
  make: Text(64),
  model: Text(64),
  year: Int({ minimum: 1886, maximum: 2100 }),
  fuelType: Type.Union(FUEL_TYPES.map((f) => Type.Literal(f)), col('string')),
  engineRpm: Type.Optional(Finite({ minimum: 0, maximum: 20000 })),
  engineTempC: Type.Optional(Finite({ minimum: -60, maximum: 200 })),
  fuelLevelPct: Type.Optional(Finite({ minimum: 0, maximum: 100 })),
  odometerKm: Type.Optional(Finite({ minimum: 0, maximum: 10_000_000 })),
});

export const TrafficData = record('traffic_data', {
  cameraId: Text(64),
  frameId: Type.String({ pattern: FRAME_ID_PATTERN, maxLength: 128, ...col('string') }),
  width: Int({ minimum: 1, maximum: 16384 }),
  height: Int({ minimum: 1, maximum: 16384 }),
  bytes: Int({ minimum: 1, maximum: 64 * 1024 * 1024 }),
  contentType: Type.Literal('image/jpeg', col('string')),
  /** Added by the sink: where the JPEG is stored. */
  snapshotUri: Type.Optional(Text(1024)),
});

export const WEATHER_CONDITIONS = ['Sunny', 'Cloudy', 'Rain', 'Snow', 'Fog', 'Storm'] as const;

export const WeatherData = record('weather_data', {
  /** °C */
  temperature: Finite({ minimum: -90, maximum: 70 }),
  weatherCondition: Type.Union(WEATHER_CONDITIONS.map((w) => Type.Literal(w)), col('string')),
  /** mm */
  precipitation: Finite({ minimum: 0, maximum: 1000 }),
  /** km/h */
  windSpeed: Finite({ minimum: 0, maximum: 500 }),
  /** % */
  humidity: Finite({ minimum: 0, maximum: 100 }),
  airQualityIndex: Finite({ minimum: 0, maximum: 1000 }),
});

export const INCIDENT_TYPES = ['Accident', 'Fire', 'Medical', 'Police', 'None'] as const;

export const EmergencyData = record('emergency_data', {
  incidentId: Uuid(),
  type: Type.Union(INCIDENT_TYPES.map((t) => Type.Literal(t)), col('string')),
  status: Type.Union([Type.Literal('Active'), Type.Literal('Resolved')], col('string')),
  description: Type.String({ maxLength: MAX_DESCRIPTION, ...col('string') }),
});

export type GpsData = Static<typeof GpsData>;
export type VehicleData = Static<typeof VehicleData>;
export type TrafficData = Static<typeof TrafficData>;
export type WeatherData = Static<typeof WeatherData>;
export type EmergencyData = Static<typeof EmergencyData>;

export const STREAM_SCHEMAS = {
  vehicle: VehicleData,
  gps: GpsData,
  traffic: TrafficData,
  weather: WeatherData,
  emergency: EmergencyData,
} as const satisfies Record<Stream, TObject>;

export interface StreamRecords {
  vehicle: VehicleData;
  gps: GpsData;
  traffic: TrafficData;
  weather: WeatherData;
  emergency: EmergencyData;
}
export type StreamRecord = StreamRecords[Stream];

/** Retained device status on `fleetlake/v1/{deviceId}/status` (also the MQTT will message). */
export const DeviceStatus = Type.Object(
  {
    deviceId: DeviceId(),
    status: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    timestamp: Type.String({ format: 'date-time', maxLength: 40 }),
    agentVersion: Type.Optional(Text(64)),
    reason: Type.Optional(Text(MAX_TEXT)),
  },
  { $id: 'https://fleetlake.dev/schemas/v1/device_status.json', title: 'device_status', additionalProperties: false },
);
export type DeviceStatus = Static<typeof DeviceStatus>;

/**
 * What the bridge (and the sink) write to `dead_letter`: why, where from, and the original bytes
 * (base64 inside this JSON envelope — the only place Fleetlake base64-encodes a payload), kept up to a
 * bound with the full size and a SHA-256 of the whole (dead-letter.ts).
 */
export const DeadLetter = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 64 }),
    issues: Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), { maxItems: 50 }),
    source: Type.Union([Type.Literal('bridge'), Type.Literal('sink')]),
    mqttTopic: Type.Optional(Type.String({ maxLength: 1024 })),
    kafkaTopic: Type.Optional(Type.String({ maxLength: 255 })),
    kafkaPartition: Type.Optional(Type.Integer({ minimum: 0 })),
    kafkaOffset: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
    deviceId: Type.Optional(Type.String({ maxLength: 256 })),
    receivedAt: Type.String({ format: 'date-time', maxLength: 40 }),
    /** The original bytes, or their first part when the payload was larger than the bridge keeps (see payloadBytes). */
    payloadBase64: Type.String(),
    /** Size of the whole original payload. */
    payloadBytes: Type.Integer({ minimum: 0 }),
    /** SHA-256 (hex) of the whole original payload. */
    payloadSha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { $id: 'https://fleetlake.dev/schemas/v1/dead_letter.json', title: 'dead_letter', additionalProperties: false },
);
export type DeadLetter = Static<typeof DeadLetter>;
