import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Maven Central, or a mirror in $FLEETLAKE_MAVEN_REPO (same layout). */
export function mavenRepo(): string {
  return (process.env.FLEETLAKE_MAVEN_REPO ?? 'https://repo1.maven.org/maven2').replace(/\/+$/, '');
}

/** URL of an artifact in a Maven repository: group io.trino, artifact trino-server, 476, tar.gz. */
export function mavenUrl(group: string, artifact: string, version: string, ext: string): string {
  return `${mavenRepo()}/${group.replace(/\./g, '/')}/${artifact}/${version}/${artifact}-${version}.${ext}`;
}

/**
 * Downloads `url` to `file`, checking it against the repository's published SHA-1 (`url.sha1`).
 * The bytes go to a temporary name beside `file`, renamed only once complete and checked, so a
 * concurrent reader never sees half a file and an interrupted download leaves nothing behind.
 */
export async function downloadVerified(url: string, file: string): Promise<void> {
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true });
  const sumRes = await fetch(`${url}.sha1`);
  if (!sumRes.ok) throw new Error(`GET ${url}.sha1: HTTP ${sumRes.status}`);
  const expected = (await sumRes.text()).trim().split(/\s+/)[0]!.toLowerCase();
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const tmp = `${file}.${process.pid}.tmp`;
  const hash = createHash('sha1');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), tap, createWriteStream(tmp));
    const got = hash.digest('hex');
    if (got !== expected) throw new Error(`${url}: SHA-1 ${got}, the repository publishes ${expected}`);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}
