import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '@fleetlake/testkit';
import { checkCameraFrame } from '@fleetlake/contracts';
import { Camera } from '../src/camera/camera.js';
import type { Frame } from '../src/camera/frame.js';

let dir: string;
let photo: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleetlake-camera-'));
  photo = join(dir, 'photo.jpg');
  // A 1080p picture with enough detail that it needs resizing and a lower quality to fit.
  const noisy = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#336699', noise: { type: 'gaussian', mean: 120, sigma: 50 } } })
    .jpeg({ quality: 92 })
    .toBuffer();
  writeFileSync(photo, noisy);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for `rpicam-still -o -`: a real process that writes a JPEG to stdout. */
const catPhoto = () => [process.execPath, '-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(photo)}))`];

async function frames(camera: Camera, n: number, what: string): Promise<Frame[]> {
  const got: Frame[] = [];
  camera.on('frame', (f: Frame) => got.push(f));
  await waitFor(() => got.length >= n, { timeoutMs: 30_000, what });
  return got;
}

describe('Camera', () => {
  test('from a command, every N seconds: frames fit the payload budget and pass the contract check', async () => {
    const camera = await Camera.create({ cameraId: 'front', command: catPhoto(), intervalSeconds: 0.3 });
    try {
      await camera.start();
      const got = await frames(camera, 2, 'two interval frames');
      for (const f of got) {
        expect(f).toMatchObject({ cameraId: 'front', width: 1280, height: 720, reason: 'interval' });
        expect(checkCameraFrame(f.jpeg).ok).toBe(true);
        expect(f.quality).toBeLessThan(80);
      }
      // Named by the capture from the event time (records.test.ts), not by the camera.
      expect(got.every((f) => f.frameId === undefined)).toBe(true);
    } finally {
      await camera.stop();
    }
  });

  test('trigger() takes a frame at once for an emergency, with no interval at all', async () => {
    const camera = await Camera.create({ command: catPhoto(), intervalSeconds: 0 });
    try {
      await camera.start();
      const got: Frame[] = [];
      camera.on('frame', (f: Frame) => got.push(f));
      await camera.trigger();
      expect(got).toHaveLength(1);
      expect(got[0]!.reason).toBe('event');
    } finally {
      await camera.stop();
    }
  });

  test('a failing, hanging or garbage-writing command is counted by reason and never stops the camera', async () => {
    const fail = await Camera.create({ command: [process.execPath, '-e', 'process.exit(3)'], intervalSeconds: 0 });
    const hang = await Camera.create({ command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'], intervalSeconds: 0, captureTimeoutMs: 300 });
    const junk = await Camera.create({ command: [process.execPath, '-e', 'process.stdout.write("not a picture")'], intervalSeconds: 0 });
    const missing = await Camera.create({ command: ['/nonexistent/rpicam-still', '-o', '-'], intervalSeconds: 0 });
    try {
      await Promise.all([fail.trigger(), hang.trigger(), junk.trigger(), missing.trigger()]);
      expect(fail.counters.failed.capture_failed).toBe(1);
      expect(hang.counters.failed.capture_timeout).toBe(1);
      expect(junk.counters.failed.invalid_image).toBe(1);
      expect(missing.counters.failed.capture_failed).toBe(1);
      expect(fail.counters.frames + hang.counters.frames + junk.counters.frames + missing.counters.frames).toBe(0);
    } finally {
      await Promise.all([fail.stop(), hang.stop(), junk.stop(), missing.stop()]);
    }
  });

  test('from a watched folder: the newest new picture becomes a frame, nothing new means no frame', async () => {
    const folder = mkdtempSync(join(dir, 'drop-'));
    const camera = await Camera.create({ folder, intervalSeconds: 0.2, cameraId: 'rear' });
    try {
      const got: Frame[] = [];
      camera.on('frame', (f: Frame) => got.push(f));
      await camera.start();
      await waitFor(() => camera.counters.skipped >= 2, { timeoutMs: 10_000, what: 'empty-folder ticks' });
      expect(got).toHaveLength(0);
      const small = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#aa3300' } }).png().toBuffer();
      writeFileSync(join(folder, 'a.png'), small);
      await waitFor(() => got.length >= 1, { timeoutMs: 10_000, what: 'a frame from the folder' });
      const skippedAfter = camera.counters.skipped;
      await waitFor(() => camera.counters.skipped >= skippedAfter + 2, { timeoutMs: 10_000, what: 'ticks with nothing new' });
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ cameraId: 'rear', width: 640, height: 480 });
    } finally {
      await camera.stop();
    }
  });

  test('options are validated once with clear messages', async () => {
    await expect(Camera.create({ intervalSeconds: 1 })).rejects.toThrow(/exactly one of "command" or "folder"/);
    await expect(Camera.create({ command: ['x'], budgetBytes: 10 })).rejects.toThrow(/budgetBytes/);
    await expect(Camera.create({ folder: join(dir, 'missing') })).rejects.toThrow(/cannot read folder/);
  });
});
