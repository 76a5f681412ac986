import { readFileSync } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.js';
import { registerConfigSecrets } from './redact.js';
import { compileValidator, formatIssues } from './validate.js';

export type PlainObject = Record<string, unknown>;

function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where later sources win; arrays and scalars replace. */
export function mergeConfig(...sources: PlainObject[]): PlainObject {
  const out: PlainObject = {};
  for (const src of sources) {
    for (const [k, v] of Object.entries(src)) {
      if (v === undefined) continue;
      const prev = out[k];
      out[k] = isPlainObject(prev) && isPlainObject(v) ? mergeConfig(prev, v) : v;
    }
  }
  return out;
}

/**
 * Environment variables to nested config: with prefix FLEETLAKE_AGENT_, `FLEETLAKE_AGENT_MQTT__URL=x`
 * becomes `{ mqtt: { url: "x" } }` (double underscore nests, single underscore joins camelCase).
 * Values are parsed as YAML scalars so numbers and booleans come through typed.
 */
export function configFromEnv(prefix: string, env: NodeJS.ProcessEnv = process.env): PlainObject {
  const out: PlainObject = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(prefix) || raw === undefined) continue;
    const path = name
      .slice(prefix.length)
      .split('__')
      .map((part) => part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    let node = out;
    for (const key of path.slice(0, -1)) {
      if (!isPlainObject(node[key])) node[key] = {};
      node = node[key] as PlainObject;
    }
    node[path[path.length - 1]!] = parseYaml(raw) ?? raw;
  }
  return out;
}

export function readConfigFile(file: string): PlainObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, { file });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`, { file });
  }
  if (doc == null) return {};
  if (!isPlainObject(doc)) throw new ConfigError(`config file ${file} must hold a mapping at the top level`, { file });
  return doc;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export interface LoadConfigOptions<S extends TSchema> {
  schema: S;
  /** YAML file, lowest precedence after the schema defaults. */
  file?: string | undefined;
  envPrefix?: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line flags, highest precedence (already nested). */
  flags?: PlainObject;
}

/** Reads defaults < file < environment < flags, validates once and returns a frozen object. */
export function loadConfig<S extends TSchema>(options: LoadConfigOptions<S>): Readonly<Static<S>> {
  const merged = mergeConfig(
    options.file ? readConfigFile(options.file) : {},
    options.envPrefix ? configFromEnv(options.envPrefix, options.env) : {},
    options.flags ?? {},
  );
  // Work on a copy: freezing must never reach arrays or objects the caller passed in (flags, env).
  const withDefaults = Value.Default(options.schema, structuredClone(merged));
  // Its secrets (passwords, passphrases, AWS keys): from now on no log line, error message or status
  // page of this process shows them (redact.ts), also when the configuration turns out invalid.
  registerConfigSecrets(withDefaults, options.env ?? process.env);
  const result = compileValidator(options.schema).validate(withDefaults);
  if (!result.ok) {
    throw new ConfigError(`invalid configuration: ${formatIssues(result.issues)}`, { issues: result.issues });
  }
  return deepFreeze(result.value);
}
