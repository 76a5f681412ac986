import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface StaticFile {
  type: string;
  body: Buffer;
}

/** Files of a folder (one level), by name, with the content types above; others are left out. */
function folder(dir: string, prefix: string, into: Map<string, StaticFile>): void {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (name.isDirectory()) {
      folder(join(dir, name.name), `${prefix}${name.name}/`, into);
      continue;
    }
    const type = TYPES[extname(name.name)];
    if (type) into.set(`${prefix}${name.name}`, { type, body: readFileSync(join(dir, name.name)) });
  }
}

/** The page (console/web) and the map library (Leaflet's dist from npm), read once into memory. */
export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  folder(fileURLToPath(new URL('../web/', import.meta.url)), '/assets/', files);
  const leaflet = dirname(createRequire(import.meta.url).resolve('leaflet/dist/leaflet.js'));
  for (const f of ['leaflet.js', 'leaflet.css']) files.set(`/vendor/leaflet/${f}`, { type: TYPES[extname(f)]!, body: readFileSync(join(leaflet, f)) });
  folder(join(leaflet, 'images'), '/vendor/leaflet/images/', files);
  return files;
}
