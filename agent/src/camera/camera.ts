import { EventEmitter } from 'node:events';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError, compileValidator, formatIssues, once, silentLogger, type Logger } from '@fleetlake/core';
import { DEFAULT_MQTT_PAYLOAD_BUDGET } from '@fleetlake/contracts';
import { DEFAULT_ENCODER_OPTIONS, EncodeError, encodeFrame, type EncoderOptions } from './encoder.js';
import type { Frame, FrameSource } from './frame.js';
import { CaptureError, CommandSource, FolderSource, type ImageSource } from './sources.js';

/** Camera options, as a TypeBox schema so that the agent's config file can embed it. */
export const CameraOptionsSchema = Type.Object(
  {
    cameraId: Type.String({ minLength: 1, maxLength: 128, default: 'cam0' }),
    /** Take a frame from a command's stdout... */
    command: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    /** ...or the newest picture dropped into a folder. Exactly one of the two. */
    folder: Type.Optional(Type.String({ minLength: 1 })),
    folderExtensions: Type.Array(Type.String(), { default: ['.jpg', '.jpeg', '.png', '.webp'] }),
    /** One frame every N seconds (0 = only on trigger()). */
    intervalSeconds: Type.Number({ minimum: 0, default: 10 }),
    maxWidth: Type.Integer({ minimum: 160, maximum: 8192, default: DEFAULT_ENCODER_OPTIONS.maxWidth }),
    maxHeight: Type.Integer({ minimum: 90, maximum: 8192, default: DEFAULT_ENCODER_OPTIONS.maxHeight }),
    budgetBytes: Type.Integer({ minimum: 4096, default: DEFAULT_MQTT_PAYLOAD_BUDGET }),
    startQuality: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_ENCODER_OPTIONS.startQuality }),
    minQuality: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_ENCODER_OPTIONS.minQuality }),
    qualityStep: Type.Integer({ minimum: 1, maximum: 50, default: DEFAULT_ENCODER_OPTIONS.qualityStep }),
    captureTimeoutMs: Type.Integer({ minimum: 100, default: 15_000 }),
    maxCaptureBytes: Type.Integer({ minimum: 1024, default: 32 * 1024 * 1024 }),
  },
  { additionalProperties: false },
);
export type CameraOptions = Static<typeof CameraOptionsSchema>;
export type CameraInput = Partial<CameraOptions>;

const validator = compileValidator(CameraOptionsSchema);

export type FrameReason = 'interval' | 'event';

export interface CameraCounters {
  captures: number;
  frames: number;
  bytes: number;
  /** Frames that needed a lower quality or a smaller size to fit the budget. */
  degraded: number;
  /** Interval ticks skipped because a capture was still running, or the folder had nothing new. */
  skipped: number;
  failed: Record<'capture_failed' | 'capture_timeout' | 'invalid_image' | 'too_large', number>;
}

export function resolveCameraOptions(input: CameraInput): Readonly<CameraOptions> {
  const defaults = Object.fromEntries(
    Object.entries(CameraOptionsSchema.properties).flatMap(([k, s]) => ('default' in s ? [[k, (s as { default: unknown }).default]] : [])),
  );
  const merged = { ...defaults, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  const result = validator.validate(merged);
  if (!result.ok) throw new ConfigError(`invalid camera options: ${formatIssues(result.issues)}`, { issues: result.issues });
  const o = result.value;
  if ((o.command === undefined) === (o.folder === undefined)) throw new ConfigError('camera: set exactly one of "command" or "folder"');
  if (o.minQuality > o.startQuality) throw new ConfigError('camera: minQuality must be <= startQuality');
  return Object.freeze(o);
}

/**
 * Takes a frame every intervalSeconds and on trigger() (an emergency event), encodes it with sharp to fit
 * the MQTT payload budget and emits 'frame'. One capture at a time; a trigger during a capture is
 * queued once, interval ticks during a capture are skipped and counted.
 */
export class Camera extends EventEmitter implements FrameSource {
  readonly counters: CameraCounters = {
    captures: 0,
    frames: 0,
    bytes: 0,
    degraded: 0,
    skipped: 0,
    failed: { capture_failed: 0, capture_timeout: 0, invalid_image: 0, too_large: 0 },
  };
  private readonly encoder: EncoderOptions;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private pendingEvent = false;
  private stopped = false;

  private constructor(
    readonly options: Readonly<CameraOptions>,
    private readonly source: ImageSource,
    private readonly log: Logger,
  ) {
    super();
    this.encoder = {
      maxWidth: options.maxWidth,
      maxHeight: options.maxHeight,
      budgetBytes: options.budgetBytes,
      startQuality: options.startQuality,
      minQuality: options.minQuality,
      qualityStep: options.qualityStep,
      maxInputPixels: DEFAULT_ENCODER_OPTIONS.maxInputPixels,
    };
  }

  /** Validates the options; opens the folder watch when the source is a folder. */
  static async create(input: CameraInput, deps: { logger?: Logger } = {}): Promise<Camera> {
    const options = resolveCameraOptions(input);
    let source: ImageSource;
    if (options.command) {
      source = new CommandSource({ command: options.command, timeoutMs: options.captureTimeoutMs, maxBytes: options.maxCaptureBytes });
    } else {
      const folder = new FolderSource({ folder: options.folder!, extensions: options.folderExtensions });
      try {
        await folder.open();
      } catch (err) {
        throw new ConfigError(`camera: cannot read folder ${options.folder}: ${(err as Error).message}`);
      }
      source = folder;
    }
    return new Camera(options, source, deps.logger ?? silentLogger());
  }

  async start(): Promise<void> {
    if (this.timer || this.stopped || this.options.intervalSeconds === 0) return;
    this.timer = setInterval(() => this.tick('interval'), this.options.intervalSeconds * 1000);
  }

  /** Takes a frame now (an emergency event); resolves when that frame was emitted or failed. */
  async trigger(): Promise<void> {
    if (this.stopped) return;
    if (this.inFlight) {
      this.pendingEvent = true;
      await this.inFlight;
      if (this.inFlight) return this.inFlight;
    }
    return this.tick('event');
  }

  /** Stops the timer, waits for the capture in progress, closes the source. Idempotent. */
  readonly stop = once(async () => {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
    await this.source.close();
  });

  private tick(reason: FrameReason): Promise<void> {
    if (this.inFlight) {
      this.counters.skipped++;
      return this.inFlight;
    }
    const run = this.captureOne(reason).finally(() => {
      this.inFlight = undefined;
      if (this.pendingEvent && !this.stopped) {
        this.pendingEvent = false;
        void this.tick('event');
      }
    });
    this.inFlight = run;
    return run;
  }

  private async captureOne(reason: FrameReason): Promise<void> {
    const capturedAt = new Date().toISOString();
    this.counters.captures++;
    try {
      const raw = await this.source.capture();
      if (!raw) {
        this.counters.skipped++;
        return;
      }
      const encoded = await encodeFrame(raw, this.encoder);
      if (encoded.attempts > 1) this.counters.degraded++;
      const frame: Frame = {
        cameraId: this.options.cameraId,
        jpeg: encoded.jpeg,
        width: encoded.width,
        height: encoded.height,
        capturedAt,
        reason,
        quality: encoded.quality,
      };
      this.counters.frames++;
      this.counters.bytes += encoded.jpeg.length;
      this.emit('frame', frame);
    } catch (err) {
      const why = err instanceof EncodeError || err instanceof CaptureError ? err.reason : 'capture_failed';
      this.counters.failed[why]++;
      this.log.warn({ err: (err as Error).message, reason: why, source: this.source.description }, 'camera frame failed');
    }
  }
}
