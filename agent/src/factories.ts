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

/** Shape the GPS reader module (agent/src/gps/reader.ts, built on the agent-gps branch) is asked to export. */
interface GpsReaderModule {
  GpsReader: { create(opts: Record<string, unknown>): Promise<FixInput> | FixInput };
}

/**
 * The real GPS reader. TODO(lead, on merging agent-gps): replace the dynamic import with
 * `import { GpsReader } from './gps/reader.js'` and check the option names passed to
 * GpsReader.create() below against the reader's. Until then the reader is loaded when present.
 */
export async function createGpsReader(config: AgentConfig['gps'], logger: Logger): Promise<FixInput | undefined> {
  if (!config.source) return undefined;
  const file = new URL('./gps/reader.js', import.meta.url);
  if (!existsSync(fileURLToPath(file))) {
    logger.warn({ source: config.source }, 'gps.source is configured but this build has no GPS reader (agent/src/gps/reader.ts); running without GPS');
    return undefined;
  }
  const mod = (await import(file.href)) as GpsReaderModule;
  const { source, baudRate, ...rest } = config;
  return mod.GpsReader.create({ ...rest, device: source, baudRate, logger });
}

/**
 * The camera. TODO(lead, on merging the camera encoder from agent-gps): create the camera source
 * from `config` here (it must emit 'frame' with a Frame, and may offer trigger() for emergencies).
 */
export async function createCameraSource(config: AgentConfig['camera'], logger: Logger): Promise<CameraInput | undefined> {
  if (config.enabled) logger.warn('camera.enabled is set but this build has no camera source (agent/src/camera/); running without camera');
  return undefined;
}

export const defaultFactories: InputFactories = { createFixSource: createGpsReader, createCamera: createCameraSource };
