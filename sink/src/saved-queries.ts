/** Operator queries over the dedup views; parameters are bound, never spliced into the SQL. */
export interface SavedQuery {
  description: string;
  /** Parameters it binds, from --device, --from and --to. */
  params: ('device' | 'from' | 'to')[];
  sql: string;
}

const WINDOW = `deviceid = $device AND "timestamp" >= CAST($from AS TIMESTAMPTZ) AND "timestamp" < CAST($to AS TIMESTAMPTZ)`;

export const SAVED_QUERIES: Record<string, SavedQuery> = {
  'latest-positions': {
    description: 'latest position, speed and heading of every vehicle',
    params: [],
    sql: `SELECT deviceid, "timestamp", latitude, longitude, speed, direction, vehicletype
FROM (SELECT *, row_number() OVER (PARTITION BY deviceid ORDER BY "timestamp" DESC, seq DESC) AS rn FROM fleetlake.gps_data_dedup)
WHERE rn = 1 ORDER BY deviceid`,
  },
  'trip-summary': {
    description: 'distance (haversine, km), duration and average speed of one vehicle in a time window',
    params: ['device', 'from', 'to'],
    sql: `WITH p AS (
  SELECT deviceid, "timestamp", latitude, longitude, speed,
    lag(latitude) OVER w AS plat, lag(longitude) OVER w AS plon
  FROM fleetlake.gps_data_dedup WHERE ${WINDOW}
  WINDOW w AS (ORDER BY "timestamp", seq)
), d AS (
  SELECT *, CASE WHEN plat IS NULL THEN 0 ELSE 2 * 6371.0088 * asin(sqrt(
    pow(sin(radians(latitude - plat) / 2), 2) + cos(radians(plat)) * cos(radians(latitude)) * pow(sin(radians(longitude - plon) / 2), 2))) END AS km
  FROM p
)
SELECT $device AS deviceid, min("timestamp") AS started, max("timestamp") AS ended, count(*) AS points,
  round(sum(km), 3) AS distance_km,
  epoch(max("timestamp")) - epoch(min("timestamp")) AS duration_s,
  round(CASE WHEN epoch(max("timestamp")) > epoch(min("timestamp")) THEN sum(km) / ((epoch(max("timestamp")) - epoch(min("timestamp"))) / 3600) END, 2) AS avg_speed_kmh,
  round(avg(speed), 2) AS avg_reported_speed_kmh
FROM d`,
  },
  track: {
    description: 'positions of one vehicle in a time window, in order (its track)',
    params: ['device', 'from', 'to'],
    sql: `SELECT "timestamp", seq, latitude, longitude, speed, direction, coursedeg
FROM fleetlake.gps_data_dedup WHERE ${WINDOW} ORDER BY "timestamp", seq`,
  },
  incidents: {
    description: 'every incident at its latest report, the active ones first, then the newest',
    params: [],
    sql: `SELECT incidentid, type, status, deviceid, "timestamp", latitude, longitude, description
FROM (SELECT *, row_number() OVER (PARTITION BY incidentid ORDER BY "timestamp" DESC, seq DESC) AS rn FROM fleetlake.emergency_data_dedup)
WHERE rn = 1 AND type <> 'None' ORDER BY CASE WHEN status = 'Active' THEN 0 ELSE 1 END, "timestamp" DESC, incidentid`,
  },
  'incidents-along-trip': {
    description: 'incidents one vehicle reported in a time window, each at its latest report in the window',
    params: ['device', 'from', 'to'],
    sql: `SELECT incidentid, type, status, "timestamp", latitude, longitude, description
FROM (SELECT *, row_number() OVER (PARTITION BY incidentid ORDER BY "timestamp" DESC, seq DESC) AS rn FROM fleetlake.emergency_data_dedup WHERE ${WINDOW})
WHERE rn = 1 AND type <> 'None' ORDER BY "timestamp", incidentid`,
  },
  'active-incidents': {
    description: 'incidents whose latest report is Active',
    params: [],
    sql: `SELECT incidentid, type, status, deviceid, "timestamp", latitude, longitude, description
FROM (SELECT *, row_number() OVER (PARTITION BY incidentid ORDER BY "timestamp" DESC, seq DESC) AS rn FROM fleetlake.emergency_data_dedup)
WHERE rn = 1 AND status = 'Active' AND type <> 'None' ORDER BY "timestamp" DESC`,
  },
  'weather-along-trip': {
    description: 'weather reported by one vehicle along its trip in a time window',
    params: ['device', 'from', 'to'],
    sql: `SELECT "timestamp", latitude, longitude, temperature, weathercondition, precipitation, windspeed, humidity, airqualityindex
FROM fleetlake.weather_data_dedup WHERE ${WINDOW} ORDER BY "timestamp", seq`,
  },
  frames: {
    description: 'camera frames (snapshot URIs) of one vehicle in a time window',
    params: ['device', 'from', 'to'],
    sql: `SELECT "timestamp", cameraid, frameid, width, height, bytes, snapshoturi
FROM fleetlake.traffic_data_dedup WHERE ${WINDOW} ORDER BY "timestamp", seq`,
  },
};
