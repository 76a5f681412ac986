import sharp from 'sharp';
import { createRandom } from './random.js';

/**
 * Dummy dash-camera photos: a road scene (sky, hills, carriageway with lane markings, verges, other
 * traffic) drawn as SVG, with sensor-like noise so that the JPEG weighs what a real frame does, and the
 * vehicle id, time and position burnt in as a caption.
 */
export interface CameraShot {
  vehicleId: string;
  timeMs: number;
  lat: number;
  lon: number;
  speedKmh?: number;
  courseDeg?: number;
  /** Varies the scene; the same seed draws the same scene. */
  seed?: number;
}

export interface CameraOptions {
  width?: number;
  height?: number;
  quality?: number;
  /** Standard deviation of the sensor noise (0 = a clean synthetic picture, much lighter JPEG). */
  noise?: number;
}

export const DEFAULT_CAMERA = { width: 1280, height: 720, quality: 80, noise: 8 } as const;

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sceneSvg(shot: CameraShot, width: number, height: number): string {
  const r = createRandom(shot.seed ?? Math.floor(shot.timeMs / 1000));
  const horizon = Math.round(height * r.uniform(0.42, 0.5));
  const vx = width * r.uniform(0.42, 0.58);
  const hills = Array.from({ length: 3 }, (_, layer) => {
    const pts: string[] = [`0,${horizon}`];
    for (let x = 0; x <= width; x += width / 16) pts.push(`${Math.round(x)},${Math.round(horizon - r.uniform(10, 70) / (layer + 1))}`);
    pts.push(`${width},${horizon}`);
    const g = 90 + layer * 30;
    return `<polygon points="${pts.join(' ')}" fill="rgb(${g - 40},${g + 20},${g - 50})"/>`;
  }).join('');
  const road = `<polygon points="${vx - 6},${horizon} ${vx + 6},${horizon} ${width * 0.98},${height} ${width * 0.02},${height}" fill="#55585c"/>`;
  const dashes = Array.from({ length: 9 }, (_, i) => {
    const f0 = (i + r.next()) / 9;
    const f1 = f0 + 0.04;
    const y0 = horizon + (height - horizon) * f0 ** 2;
    const y1 = horizon + (height - horizon) * f1 ** 2;
    const w0 = 1 + 10 * f0 ** 2;
    return `<polygon points="${vx - w0},${y0} ${vx + w0},${y0} ${vx + w0 * 1.2},${y1} ${vx - w0 * 1.2},${y1}" fill="#e8e8e0"/>`;
  }).join('');
  const cars = Array.from({ length: r.int(1, 4) }, () => {
    const f = r.uniform(0.05, 0.5);
    const y = horizon + (height - horizon) * f ** 2;
    const w = 30 + 500 * f ** 2;
    const x = vx + (r.chance(0.5) ? -1 : 1) * r.uniform(0.1, 0.6) * w - w / 2;
    const colour = r.pick(['#b22222', '#1f3b73', '#dddddd', '#222222', '#c0c0c0', '#2e6b30']);
    return `<rect x="${x.toFixed(1)}" y="${(y - w * 0.55).toFixed(1)}" width="${w.toFixed(1)}" height="${(w * 0.55).toFixed(1)}" rx="${(w * 0.08).toFixed(1)}" fill="${colour}"/><rect x="${(x + w * 0.1).toFixed(1)}" y="${(y - w * 0.45).toFixed(1)}" width="${(w * 0.8).toFixed(1)}" height="${(w * 0.18).toFixed(1)}" fill="#334"/>`;
  }).join('');
  const trees = Array.from({ length: 14 }, (_, i) => {
    const left = i % 2 === 0;
    const f = r.uniform(0.02, 0.6);
    const y = horizon + (height - horizon) * f ** 2;
    const s = 8 + 160 * f ** 2;
    const x = left ? vx - (vx + 40) * f * 1.6 - s : vx + (width - vx + 40) * f * 1.6 + s;
    return `<circle cx="${x.toFixed(1)}" cy="${(y - s).toFixed(1)}" r="${s.toFixed(1)}" fill="rgb(${r.int(20, 60)},${r.int(80, 120)},${r.int(20, 50)})"/>`;
  }).join('');
  const time = new Date(shot.timeMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const pos = `${Math.abs(shot.lat).toFixed(5)}°${shot.lat < 0 ? 'S' : 'N'} ${Math.abs(shot.lon).toFixed(5)}°${shot.lon < 0 ? 'W' : 'E'}`;
  const motion = shot.speedKmh === undefined ? '' : `  ${shot.speedKmh.toFixed(0)} km/h${shot.courseDeg === undefined ? '' : ` ${shot.courseDeg.toFixed(0)}°`}`;
  const fs = Math.round(height / 24);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#5d8fc9"/><stop offset="1" stop-color="#cfe0f0"/></linearGradient></defs>
<rect width="${width}" height="${horizon}" fill="url(#sky)"/>
<rect y="${horizon}" width="${width}" height="${height - horizon}" fill="#4f7a3a"/>
${hills}${road}${dashes}${trees}${cars}
<rect x="0" y="${height - fs * 2.9}" width="${width}" height="${fs * 2.9}" fill="black" fill-opacity="0.55"/>
<text x="${fs * 0.6}" y="${height - fs * 1.6}" font-family="DejaVu Sans Mono, monospace" font-size="${fs}" fill="#ffffff">${esc(shot.vehicleId)}  ${esc(time)}</text>
<text x="${fs * 0.6}" y="${height - fs * 0.4}" font-family="DejaVu Sans Mono, monospace" font-size="${fs}" fill="#ffd24a">${esc(pos + motion)}</text>
</svg>`;
}

/** Renders one JPEG frame. */
export async function renderFrame(shot: CameraShot, options: CameraOptions = {}): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const { width, height, quality, noise } = { ...DEFAULT_CAMERA, ...options };
  let image = sharp(Buffer.from(sceneSvg(shot, width, height)));
  if (noise > 0) {
    const grain = await sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: noise } } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    image = sharp(await image.composite([{ input: grain, blend: 'overlay' }]).png({ compressionLevel: 0 }).toBuffer());
  }
  const jpeg = await image.jpeg({ quality, mozjpeg: false }).toBuffer();
  return { jpeg, width, height };
}
