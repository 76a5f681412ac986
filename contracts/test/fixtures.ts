import type { StreamRecords } from '../src/index.js';

const base = {
  id: '0b8f6a4e-3c1d-4d2b-9a7e-5f4c3b2a1d0e',
  deviceId: 'pi-van-07',
  seq: 42,
  timestamp: '2026-11-27T10:15:30.250Z',
  timeSource: 'gps' as const,
  latitude: 51.5074,
  longitude: -0.1278,
};

export const validRecords: StreamRecords = {
  gps: { ...base, speed: 48.2, direction: 'North-West', vehicleType: 'private', courseDeg: 315.5, altitudeM: 31.2, fixMode: '3d', fixQuality: 1, satellites: 9, hdop: 0.9 },
  vehicle: { ...base, speed: 48.2, direction: 'North', make: 'BMW', model: 'C500', year: 2024, fuelType: 'Hybrid', engineRpm: 2100 },
  traffic: { ...base, cameraId: 'cam-front', frameId: 'f-000042', width: 1280, height: 720, bytes: 84211, contentType: 'image/jpeg' },
  weather: { ...base, temperature: 11.5, weatherCondition: 'Rain', precipitation: 2.5, windSpeed: 18, humidity: 88, airQualityIndex: 41 },
  emergency: { ...base, incidentId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', type: 'Accident', status: 'Active', description: 'two cars, lane 1 blocked' },
};
