import { FleetlakeError } from '@fleetlake/core';

/** An error a request gets as an HTTP status with a JSON body `{ error, code }` (and the page shows it). */
export class HttpError extends FleetlakeError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
    this.name = 'HttpError';
  }
}

export const badParameter = (name: string, why: string) => new HttpError(400, 'BAD_PARAMETER', `bad parameter "${name}": ${why}`);
/** No position of the vehicle in the lake's recent days (nor in the window asked for, if any) and none arrived live. */
export const unknownVehicle = (deviceId: string, w?: { from: string; to: string }) =>
  new HttpError(404, 'UNKNOWN_VEHICLE', `unknown vehicle "${deviceId}": it has no position in the lake's recent days${w ? ` nor between ${w.from} and ${w.to}` : ''} and none arrived live`);
export const notFound = (what: string) => new HttpError(404, 'NOT_FOUND', what);
