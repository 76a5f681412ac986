import { ConfigError, type PlainObject } from '@fleetlake/core';

/** `fleetlake-agent run` flags, as strings from the command line (numbers are checked by the schema). */
export interface ConfigFlags {
  config?: string | undefined;
  deviceId?: string | undefined;
  mqttUrl?: string | undefined;
  dataDir?: string | undefined;
  input?: string[] | undefined;
  logLevel?: string | undefined;
  gpsDevice?: string | undefined;
  baud?: string | undefined;
  cameraFolder?: string | undefined;
  cameraCommand?: string | undefined;
  httpPort?: string | undefined;
}

/** "9600" -> 9600; anything else is passed on as is, so that validation reports it at its key. */
function numeric(value: string | undefined): number | string | undefined {
  return value !== undefined && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
}

/**
 * Splits a command line the way a shell would for plain words and quotes (no variables, globs or
 * escapes beyond a backslash): `rpicam-still -n -o "-"` -> ["rpicam-still", "-n", "-o", "-"].
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]!;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i]!;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new ConfigError(`--camera-command: unterminated ${quote} in ${JSON.stringify(line)}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** Flags as a nested config object, the highest layer of loadAgentConfig. */
export function flagsToConfig(flags: ConfigFlags): PlainObject {
  const camera = {
    ...(flags.cameraFolder !== undefined ? { folder: flags.cameraFolder } : {}),
    ...(flags.cameraCommand !== undefined ? { command: splitCommandLine(flags.cameraCommand) } : {}),
  };
  const gps = { device: flags.gpsDevice, baudRate: numeric(flags.baud) };
  return {
    deviceId: flags.deviceId,
    dataDir: flags.dataDir,
    ...(flags.mqttUrl ? { mqtt: { url: flags.mqttUrl } } : {}),
    ...(flags.input?.length ? { inputs: { sources: flags.input } } : {}),
    ...(flags.logLevel ? { log: { level: flags.logLevel } } : {}),
    ...(gps.device !== undefined || gps.baudRate !== undefined ? { gps } : {}),
    ...(Object.keys(camera).length > 0 ? { camera: { ...camera, enabled: true } } : {}),
    ...(flags.httpPort !== undefined ? { http: { port: numeric(flags.httpPort) } } : {}),
  };
}
