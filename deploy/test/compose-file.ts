import { parse as parseYaml } from 'yaml';
import { readRepoFile } from './repo.js';

/** Reading docker-compose.yml the way `docker compose` does: YAML with merge keys, then ${VAR} interpolation. */

export type Env = Record<string, string | undefined>;

export interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target: number; published?: string | number }>;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  profiles?: string[];
}

export interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The YAML document as written (anchors and `<<` merge keys resolved, nothing interpolated). */
export function parseComposeYaml(text: string): unknown {
  return parseYaml(text, { merge: true });
}

/**
 * Compose interpolation of one string: `$$` is a literal `$`; `${VAR}`, `$VAR`, `${VAR:-default}`
 * (default when unset or empty) and `${VAR-default}` (default when unset). A variable that is unset
 * and has no default is an error here: the file must work without a .env file.
 */
export function interpolate(value: string, env: Env): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, op: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const v = env[name];
      if (op === ':-') return v ? v : fallback!;
      if (op === '-') return v ?? fallback!;
      if (v === undefined) throw new Error(`\${${name}} is not set and has no default`);
      return v;
    },
  );
}

function interpolateDeep(node: unknown, env: Env): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((n) => interpolateDeep(n, env));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, env)]));
  return node;
}

export function loadCompose(env: Env = {}, text = readRepoFile('docker-compose.yml')): ComposeFile {
  return interpolateDeep(parseComposeYaml(text), env) as ComposeFile;
}

/** A service's environment as strings (list or map form); `KEY` without a value (taken from the shell) is left out. */
export function serviceEnv(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  const entries = Array.isArray(env)
    ? env.filter((e) => e.includes('=')).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const)
    : Object.entries(env).filter(([, v]) => v !== null).map(([k, v]) => [k, String(v)] as const);
  return Object.fromEntries(entries);
}

/** Published ports as { host, container } (short syntax "8080:80", "127.0.0.1:8080:80", "80", or long syntax). */
export function publishedPorts(service: Service): Array<{ host: number | undefined; container: number }> {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return { host: p.published === undefined ? undefined : Number(p.published), container: Number(p.target) };
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    const container = Number(parts.at(-1));
    return { host: parts.length > 1 ? Number(parts.at(-2)) : undefined, container };
  });
}

/** Named volumes a service mounts (bind mounts — sources starting with . / ~ — are left out). */
export function namedVolumeMounts(service: Service): Array<{ name: string; target: string }> {
  return (service.volumes ?? []).flatMap((v) => {
    const [source, target] = typeof v === 'string' ? v.split(':') : [v.type === 'bind' ? undefined : v.source, v.target];
    return source && target && !/^[./~]/.test(source) ? [{ name: source, target }] : [];
  });
}

export function dependsOn(service: Service): Record<string, string> {
  const d = service.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, 'service_started'])) : Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v.condition ?? 'service_started']));
}

export function healthcheckText(service: Service): string | undefined {
  const test = service.healthcheck?.test;
  if (!test || service.healthcheck?.disable) return undefined;
  return Array.isArray(test) ? test.join(' ') : test;
}
