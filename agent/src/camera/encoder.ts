import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { FleetlakeError } from '@fleetlake/core';
import { DEFAULT_MQTT_PAYLOAD_BUDGET } from '@fleetlake/contracts';

// The agent encodes one frame at a time and never reuses an input: libvips' operation cache would only
// hold memory. One worker thread keeps a Raspberry Pi responsive for the GPS and MQTT work.
sharp.cache(false);
sharp.concurrency(1);

export interface EncoderOptions {
  /** Frames are resized to fit inside maxWidth x maxHeight (never enlarged). */
  maxWidth: number;
  maxHeight: number;
  /** Largest JPEG accepted, bytes (the MQTT payload budget; 128 KiB by default, AWS IoT Core's limit). */
  budgetBytes: number;
  /** First JPEG quality tried, then lowered by qualityStep down to minQuality. */
  startQuality: number;
  minQuality: number;
  qualityStep: number;
  /** Inputs larger than this many pixels are refused before decoding (decompression bombs). */
  maxInputPixels: number;
}

export const DEFAULT_ENCODER_OPTIONS: EncoderOptions = {
  maxWidth: 1280,
  maxHeight: 720,
  budgetBytes: DEFAULT_MQTT_PAYLOAD_BUDGET,
  startQuality: 80,
  minQuality: 30,
  qualityStep: 10,
  maxInputPixels: 50_000_000,
};

export interface Encoded {
  jpeg: Buffer;
  width: number;
  height: number;
  quality: number;
  /** Encoding attempts it took (1 = the first quality fitted). */
  attempts: number;
}

export type EncodeFailure = 'invalid_image' | 'too_large';

export class EncodeError extends FleetlakeError {
  constructor(
    readonly reason: EncodeFailure,
    message: string,
    cause?: unknown,
  ) {
    super(reason === 'invalid_image' ? 'CAMERA_INVALID_IMAGE' : 'CAMERA_FRAME_TOO_LARGE', message, { retriable: false, cause });
  }
}

/**
 * Resizes to the configured box and encodes JPEG, lowering the quality step by step until it fits the
 * budget; at the lowest quality it shrinks the picture by 3/4 per step (down to 160 px wide) before giving up.
 */
export async function encodeFrame(input: Buffer, options: EncoderOptions = DEFAULT_ENCODER_OPTIONS): Promise<Encoded> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: options.maxInputPixels }).metadata();
  } catch (err) {
    throw new EncodeError('invalid_image', `not a readable image: ${(err as Error).message}`, err);
  }
  if (!meta.width || !meta.height) throw new EncodeError('invalid_image', 'image without dimensions');
  let width = Math.min(options.maxWidth, meta.width);
  let height = Math.min(options.maxHeight, meta.height);
  let attempts = 0;
  for (;;) {
    for (let quality = options.startQuality; ; quality = Math.max(options.minQuality, quality - options.qualityStep)) {
      attempts++;
      let out: { data: Buffer; info: OutputInfo };
      try {
        out = await sharp(input, { limitInputPixels: options.maxInputPixels })
          .rotate() // honour EXIF orientation
          .resize({ width, height, fit: 'inside', withoutEnlargement: true })
          .jpeg({ quality, mozjpeg: false })
          .toBuffer({ resolveWithObject: true });
      } catch (err) {
        throw new EncodeError('invalid_image', `cannot decode image: ${(err as Error).message}`, err);
      }
      if (out.data.length <= options.budgetBytes) {
        return { jpeg: out.data, width: out.info.width, height: out.info.height, quality, attempts };
      }
      if (quality <= options.minQuality) break;
    }
    if (width <= 160) break;
    width = Math.max(160, Math.floor(width * 0.75));
    height = Math.max(90, Math.floor(height * 0.75));
  }
  throw new EncodeError('too_large', `cannot fit the frame into ${options.budgetBytes} bytes even at quality ${options.minQuality} and 160 px`);
}
