import { CAMERA_FRAMES_TOPIC, KAFKA_TOPICS, STREAMS, streamForTopic, type Stream } from '@fleetlake/contracts';

/**
 * The Kafka topics the sink reads: the five stream topics and camera_frames, optionally behind a
 * prefix (`staging.gps_data`) for clusters shared by several environments. Tables keep their names.
 */
export class SinkTopics {
  constructor(readonly prefix = '') {}

  get all(): string[] {
    return [...STREAMS.map((s) => this.prefix + KAFKA_TOPICS[s]), this.prefix + CAMERA_FRAMES_TOPIC];
  }

  private base(topic: string): string | undefined {
    return topic.startsWith(this.prefix) ? topic.slice(this.prefix.length) : undefined;
  }

  streamOf(topic: string): Stream | undefined {
    const base = this.base(topic);
    return base === undefined ? undefined : streamForTopic(base);
  }

  isFrames(topic: string): boolean {
    return this.base(topic) === CAMERA_FRAMES_TOPIC;
  }
}
