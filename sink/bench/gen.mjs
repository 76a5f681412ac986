// Deterministic gps_data records for benchmarks and tests (no randomness: a seeded LCG).
const DIRS = ['North', 'North-East', 'East', 'South-East', 'South', 'South-West', 'West', 'North-West'];
const BASE = Date.parse('2026-11-27T00:00:00.000Z');

function uuidFrom(n) {
  const h = n.toString(16).padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8000-${h}`;
}

/** The i-th gps record of `devices` devices; 1 s apart per device, so event time spans hours for 1M rows. */
export function gpsRecord(i, devices = 100) {
  const dev = i % devices;
  const seq = Math.floor(i / devices);
  const r = ((i * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return {
    id: uuidFrom(i),
    deviceId: `car-${String(dev).padStart(4, '0')}`,
    seq,
    timestamp: new Date(BASE + seq * 1000).toISOString(),
    timeSource: 'gps',
    latitude: 48.1 + dev * 0.001 + seq * 1e-5,
    longitude: 11.5 + r * 0.01,
    speed: Math.round(r * 1200) / 10,
    direction: DIRS[i % 8],
    vehicleType: 'van',
    courseDeg: r * 360,
    altitudeM: 500 + r * 20,
    fixMode: '3d',
    fixQuality: 1,
    satellites: 5 + (i % 8),
    hdop: 0.8 + r,
  };
}
