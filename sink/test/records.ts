import { KAFKA_TOPICS, type Stream, type StreamRecords } from '@fleetlake/contracts';

/** Deterministic records of every stream for tests: device `car-NNNN`, seq per device, 1 s apart. */
const BASE = Date.parse('2026-11-27T10:00:00.000Z');
const DIRS = ['North', 'North-East', 'East', 'South-East', 'South', 'South-West', 'West', 'North-West'] as const;

const uuid = (stream: Stream, n: number) => `00000000-0000-4000-8${'vgtwe'.indexOf(stream[0]!)}00-${n.toString(16).padStart(12, '0')}`;

export function deviceOf(i: number, devices: number): string {
  return `car-${String(i % devices).padStart(4, '0')}`;
}

export function makeRecord<S extends Stream>(stream: S, i: number, devices = 10, baseMs = BASE): StreamRecords[S] {
  const seq = Math.floor(i / devices);
  const deviceId = deviceOf(i, devices);
  const base = {
    id: uuid(stream, i),
    deviceId,
    seq,
    timestamp: new Date(baseMs + seq * 1000).toISOString(),
    timeSource: 'gps' as const,
    latitude: 48 + (i % devices) * 0.01 + seq * 1e-4,
    longitude: 11 + seq * 1e-4,
  };
  const r: { [K in Stream]: StreamRecords[K] } = {
    gps: { ...base, speed: (i % 1200) / 10, direction: DIRS[i % 8]!, vehicleType: 'van', courseDeg: i % 360, altitudeM: 500.5, fixMode: '3d', fixQuality: 1, satellites: 5 + (i % 8), hdop: 0.9 },
    vehicle: { ...base, speed: (i % 1200) / 10, direction: DIRS[i % 8]!, make: 'VW', model: 'Crafter', year: 2022, fuelType: 'Diesel', engineRpm: 1800 + (i % 100) },
    traffic: { ...base, cameraId: 'cam-front', frameId: `f-${deviceId}-${seq}`, width: 64, height: 48, bytes: 100, contentType: 'image/jpeg' },
    weather: { ...base, temperature: 11.5, weatherCondition: 'Rain', precipitation: 2.5, windSpeed: 18, humidity: 88, airQualityIndex: 41 },
    emergency: { ...base, incidentId: uuid(stream, i), type: i % 2 ? 'Accident' : 'Fire', status: i % 3 ? 'Active' : 'Resolved', description: `incident ${i}` },
  };
  return r[stream];
}

export const topicOf = (stream: Stream): string => KAFKA_TOPICS[stream];

/** A tiny valid JPEG header followed by filler: enough for checkCameraFrame. */
export function fakeJpeg(n: number): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`frame ${n}`), Buffer.from([0xff, 0xd9])]);
}
