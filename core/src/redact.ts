/**
 * Secrets out of every log line, error message and status page. One function, `redact(text)`, used by
 * the logger (on each finished line), the CLI's error output and whatever a part serves about itself:
 *
 * - the password of a URL's user info (`mqtt://user:secret@host` → `mqtt://user:[redacted]@host`);
 * - the value of a JSON field or a query parameter whose name says it is a secret (`"password":"…"`,
 *   `passphrase`, `secretAccessKey`, `sessionToken`, `?password=…`);
 * - every value registered with `registerSecret` — `loadConfig` registers the secret fields of each
 *   process's configuration and the AWS keys in its environment — wherever it appears, also inside
 *   error messages of libraries that never knew it was secret.
 *
 * Values shorter than MIN_SECRET_LENGTH are not searched for as text (a two-letter password would
 * blank out every occurrence of those letters); the field and URL rules still cover them.
 */
export const REDACTED = '[redacted]';
export const MIN_SECRET_LENGTH = 4;

/** Field names that hold secrets, as configuration keys and in JSON. */
const SECRET_NAME = /^(?:password|passphrase|secret|token|secretAccessKey|sessionToken|awsSecretAccessKey|awsSessionToken|privateKey)$/i;
const SECRET_JSON_FIELD = /"((?:[A-Za-z0-9_]*?)(?:password|passphrase|secret|token|SecretAccessKey|SessionToken))":"(?:[^"\\]|\\.)*"/gi;
/** scheme://user:password@ — the password runs to the last @ before the path. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"'\\]*):[^\s/?#"'\\]*@/gi;
const SECRET_QUERY = /([?&](?:password|passphrase|secret|token|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&\s"'#]*/gi;
/** Environment variables that hold AWS credentials (the SDK's default chain reads them). */
const SECRET_ENV = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ACCESS_KEY_ID'];

const secrets = new Set<string>();
let secretPattern: RegExp | undefined;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Remembers a secret of this process: `redact` replaces it (and its JSON- and URL-escaped forms) from now on. */
export function registerSecret(value: unknown): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) secrets.add(form);
  secretPattern = undefined;
}

/**
 * Registers the secrets in a loaded configuration: values of secret-named fields (password,
 * passphrase, ...), passwords inside URLs, and the AWS keys of the environment.
 */
export function registerConfigSecrets(config: unknown, env: NodeJS.ProcessEnv = process.env): void {
  const walk = (value: unknown, key: string | undefined): void => {
    if (typeof value === 'string') {
      if (key !== undefined && SECRET_NAME.test(key)) registerSecret(value);
      for (const m of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:([^\s/?#]*)@/gi)) {
        registerSecret(m[1]);
        registerSecret(safeDecode(m[1]!));
      }
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v, key);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(config, undefined);
  for (const name of SECRET_ENV) registerSecret(env[name]);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function pattern(): RegExp | undefined {
  if (secretPattern === undefined && secrets.size > 0) {
    // Longest first, so that a secret containing another is replaced whole.
    secretPattern = new RegExp([...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  }
  return secretPattern;
}

/** `text` with every secret it holds replaced by [redacted]. */
export function redact(text: string): string {
  let out = text;
  const registered = pattern();
  if (registered) out = out.replace(registered, REDACTED);
  if (out.includes('://')) out = out.replace(URL_PASSWORD, `$1:${REDACTED}@`);
  if (out.includes('"')) out = out.replace(SECRET_JSON_FIELD, `"$1":"${REDACTED}"`);
  if (out.includes('=')) out = out.replace(SECRET_QUERY, `$1${REDACTED}`);
  return out;
}

/** An error's message (and its cause's), redacted: for errors shown to users or kept in a status page. */
export function redactedMessage(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
}
