import type { Logger } from '@fleetlake/core';
import { Camera, type CameraCounters } from './camera/camera.js';
import type { FrameSource } from './camera/frame.js';
import { cameraEnabled, cameraInput, gpsReaderInput, type AgentConfig } from './config.js';
import type { GpsCounters } from './gps/counters.js';
import type { FixSource } from './gps/fix.js';
import { GpsReader } from './gps/reader.js';

/** Something the agent starts and stops (the GPS reader, the camera). */
export interface Startable {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** Counters are optional so that tests can plug in plain emitters. */
export type FixInput = FixSource & Startable & { readonly counters?: Readonly<GpsCounters> };
export type CameraInput = FrameSource & Startable & { trigger?: () => void; readonly counters?: Readonly<CameraCounters> };

/** How the agent obtains its GPS reader and camera; tests can plug their own in. */
export interface InputFactories {
  createFixSource(config: Readonly<AgentConfig>, logger: Logger): Promise<FixInput | undefined>;
  createCamera(config: Readonly<AgentConfig>, logger: Logger): Promise<CameraInput | undefined>;
}

/** The GPS reader (serial or tcp:// NMEA) when gps.device is set. */
export async function createGpsReader(config: Readonly<AgentConfig>, logger: Logger): Promise<FixInput | undefined> {
  if (config.gps.device === undefined) return undefined;
  return GpsReader.create(gpsReaderInput(config.gps), { logger });
}

/** The camera (a capture command or a watched folder, encoded with sharp to the payload budget) when enabled. */
export async function createCameraSource(config: Readonly<AgentConfig>, logger: Logger): Promise<CameraInput | undefined> {
  if (!cameraEnabled(config.camera)) return undefined;
  return Camera.create(cameraInput(config), { logger });
}

export const defaultFactories: InputFactories = { createFixSource: createGpsReader, createCamera: createCameraSource };
