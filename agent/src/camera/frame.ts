/** A camera frame ready to publish: JPEG bytes that fit the MQTT payload budget. */
export interface Frame {
  /**
   * Set only by sources that name their own frames. Otherwise the capture names the frame with a
   * UUIDv7 of its event (GPS) time, from which the sink derives the frame's date partition.
   */
  frameId?: string;
  cameraId: string;
  jpeg: Buffer;
  width: number;
  height: number;
  /** When it was taken, ISO-8601 UTC (host clock; the publisher stamps GPS time/position). */
  capturedAt: string;
  /** Why it was taken: the regular interval, or an event (trigger(), e.g. an emergency). */
  reason?: 'interval' | 'event';
  /** JPEG quality it was encoded at (lowered step by step to fit the payload budget). */
  quality?: number;
}

/** Anything that yields frames: a capture command, a watched folder, the simulator. */
export interface FrameSource {
  on(event: 'frame', listener: (frame: Frame) => void): this;
  off(event: 'frame', listener: (frame: Frame) => void): this;
}
