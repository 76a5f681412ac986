import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@fleetlake/core';
import type { FrameSource } from './camera/frame.js';
import type { AgentConfig } from './config.js';
import type { FixSource } from './gps/fix.js';

/** Something the agent starts and stops (the GPS reader, the camera). */
export interface Startable {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export type FixInput = FixSource & Startable;
export type CameraInput = FrameSource & Startable & { trigger?: () => void };

/** How the agent obtains its GPS reader and camera; tests and the lead can plug their own in. */
export interface InputFactories {
  createFixSource(config: AgentConfig['gps'], logger: Logger): Promise<FixInput | undefined>;
  createCamera(config: AgentConfig['camera'], logger: Logger): Promise<CameraInput | undefined>;
}

/** Loads a module of the agent built on the agent-gps branch, when this build has it. */
async function loadOptional<M>(relative: string): Promise<M | undefined> {
  const file = new URL(relative, import.meta.url);
  if (!existsSync(fileURLToPath(file))) return undefined;
  return (await import(file.href)) as M;
}

/** What agent/src/gps/reader.ts (agent-gps branch) exports: GpsReader.create(input, deps). */
interface GpsReaderModule {
  GpsReader: { create(input: { device: string } & Record<string, unknown>, deps: { logger?: Logger }): Promise<FixInput> };
}

/** What agent/src/camera/camera.ts (agent-gps branch) exports: Camera.create(input, deps). */
interface CameraModule {
  Camera: { create(input: Record<string, unknown>, deps: { logger?: Logger }): Promise<CameraInput> };
}

/** The agent's own gps settings; everything else in the `gps` section goes to the reader. */
const AGENT_GPS_KEYS = ['recordIntervalMs', 'maxFixAgeMs', 'maxPositionAgeMs'] as const;

/**
 * The GPS reader (serial or tcp:// NMEA). TODO(lead, on merging agent-gps): replace the dynamic
 * import with `import { GpsReader } from './gps/reader.js'` and embed GpsReaderOptionsSchema in the
 * `gps` section of AgentConfig. Until then the reader is loaded when the build has it.
 */
export async function createGpsReader(config: AgentConfig['gps'], logger: Logger): Promise<FixInput | undefined> {
  if (!config.device) return undefined;
  const mod = await loadOptional<GpsReaderModule>('./gps/reader.js');
  if (!mod) {
    logger.warn({ device: config.device }, 'gps.device is configured but this build has no GPS reader (agent/src/gps/reader.ts); running without GPS');
    return undefined;
  }
  const input = Object.fromEntries(Object.entries(config).filter(([k]) => !(AGENT_GPS_KEYS as readonly string[]).includes(k)));
  return mod.GpsReader.create({ ...input, device: config.device }, { logger });
}

/**
 * The camera (a capture command or a watched folder, encoded with sharp to the payload budget).
 * TODO(lead, on merging agent-gps): import { Camera } from './camera/camera.js' statically and embed
 * CameraOptionsSchema in the `camera` section of AgentConfig.
 */
export async function createCameraSource(config: AgentConfig['camera'], logger: Logger): Promise<CameraInput | undefined> {
  if (!config.enabled) return undefined;
  const mod = await loadOptional<CameraModule>('./camera/camera.js');
  if (!mod) {
    logger.warn('camera.enabled is set but this build has no camera (agent/src/camera/camera.ts); running without camera');
    return undefined;
  }
  const { enabled: _enabled, ...input } = config;
  return mod.Camera.create(input, { logger });
}

export const defaultFactories: InputFactories = { createFixSource: createGpsReader, createCamera: createCameraSource };
