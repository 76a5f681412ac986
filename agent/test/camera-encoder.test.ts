import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { DEFAULT_MQTT_PAYLOAD_BUDGET } from '@fleetlake/contracts';
import { DEFAULT_ENCODER_OPTIONS, EncodeError, encodeFrame } from '../src/camera/encoder.js';

/** Gaussian noise barely compresses: the worst case for a JPEG budget. */
function noise(width: number, height: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 70 } } });
  return (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toBuffer();
}

function gradient(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set([(x * 255) / width, (y * 255) / height, 128], (y * width + x) * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe('encodeFrame', () => {
  test('a smooth 1080p picture is resized to the box at the first quality', async () => {
    const out = await encodeFrame(await gradient(1920, 1080));
    expect(out).toMatchObject({ width: 1280, height: 720, quality: 80, attempts: 1 });
    expect(out.jpeg.length).toBeLessThanOrEqual(DEFAULT_MQTT_PAYLOAD_BUDGET);
    const meta = await sharp(out.jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 1280, height: 720 });
  });

  test('a noisy 1080p picture fits the 128 KiB budget by lowering the quality step by step', async () => {
    const input = await noise(1920, 1080);
    expect(input.length).toBeGreaterThan(DEFAULT_MQTT_PAYLOAD_BUDGET * 4);
    const out = await encodeFrame(input);
    expect(out.jpeg.length).toBeLessThanOrEqual(DEFAULT_MQTT_PAYLOAD_BUDGET);
    expect(out.attempts).toBeGreaterThan(1);
    expect(out.quality).toBeLessThan(80);
  });

  test('a budget too small for the lowest quality shrinks the picture, and fails clearly when even that is not enough', async () => {
    const input = await noise(640, 480, 'png');
    const small = await encodeFrame(input, { ...DEFAULT_ENCODER_OPTIONS, budgetBytes: 12 * 1024 });
    expect(small.jpeg.length).toBeLessThanOrEqual(12 * 1024);
    expect(small.width).toBeLessThan(640);
    expect(small.quality).toBe(DEFAULT_ENCODER_OPTIONS.minQuality);
    await expect(encodeFrame(input, { ...DEFAULT_ENCODER_OPTIONS, budgetBytes: 200 })).rejects.toMatchObject({ reason: 'too_large' });
  });

  test('never enlarges a small picture; reads PNG input', async () => {
    const out = await encodeFrame(await gradient(320, 200));
    expect(out).toMatchObject({ width: 320, height: 200 });
  });

  test('bytes that are not an image are refused with a reason', async () => {
    const err = await encodeFrame(Buffer.from('definitely not a jpeg')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EncodeError);
    expect((err as EncodeError).reason).toBe('invalid_image');
    const truncated = (await gradient(64, 64)).subarray(0, 40);
    await expect(encodeFrame(truncated)).rejects.toMatchObject({ reason: 'invalid_image' });
  });

  test('memory stays flat over thousands of frames', async () => {
    const input = await noise(160, 120);
    const encodeMany = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const out = await encodeFrame(input);
        expect(out.jpeg.length).toBeGreaterThan(0);
      }
    };
    await encodeMany(300); // warm up allocators and sharp's thread pool
    global.gc?.();
    const before = process.memoryUsage().rss;
    await encodeMany(2000);
    global.gc?.();
    const growthMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    expect(growthMb).toBeLessThan(40);
  }, 120_000);
});
