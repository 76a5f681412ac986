import { COMPASS_POINTS } from '@fleetlake/contracts';

export type CompassPoint = (typeof COMPASS_POINTS)[number];

/** Course over ground in degrees (0 = north, clockwise) to the nearest of the eight compass points. */
export function compassPoint(courseDeg: number): CompassPoint {
  const normalized = ((courseDeg % 360) + 360) % 360;
  return COMPASS_POINTS[Math.round(normalized / 45) % 8]!;
}
