import { once, type Logger } from '@fleetlake/core';
import { SinkTopics } from '@fleetlake/sink';
import type { KafkaFeed } from './kafka-feed.js';
import { groupLag, rate, readAgentStage, readBridgeStage, readSinkStage, scrapeMetrics, type AgentStage, type BridgeStage, type SinkStage } from './stages.js';

export interface HealthOptions {
  agent: readonly string[];
  bridge: readonly string[];
  sink: readonly string[];
  sinkGroup: string;
  topicPrefix: string;
  intervalMs: number;
  logger: Logger;
}

/** One stage in the health view: what answered, totals, backlog and rates. */
export interface StageHealth<T> {
  /** Instances configured and instances that answered. */
  instances: number;
  up: number;
  /** Summed over the instances that answered (undefined: none did). */
  values?: T | undefined;
  ratePerS?: number | undefined;
}

export interface HealthSnapshot {
  atMs: number;
  agent: StageHealth<AgentStage>;
  bridge: StageHealth<BridgeStage>;
  kafka: { sinkLag?: number | undefined; sinkGroup: string };
  sink: StageHealth<SinkStage>;
}

/** Numbers add, booleans hold when all hold, records add per key. */
function sum<T extends object>(items: T[]): T | undefined {
  if (items.length === 0) return undefined;
  const add = (a: unknown, b: unknown): unknown => {
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (typeof a === 'boolean' && typeof b === 'boolean') return a && b;
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = k in out ? add(out[k], v) : v;
      return out;
    }
    return a;
  };
  return items.reduce((acc, x) => add(acc, x) as T);
}

/**
 * Polls each stage's /metrics (and the sink group's lag in Kafka) every `intervalMs`, the readings the
 * demo's status view makes, and keeps the latest snapshot with rates against the one before.
 */
export class HealthMonitor {
  private last: HealthSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: HealthOptions,
    private readonly kafka: KafkaFeed | undefined,
  ) {}

  get snapshot(): HealthSnapshot | undefined {
    return this.last;
  }

  private async stage<T extends object>(urls: readonly string[], read: (m: NonNullable<Awaited<ReturnType<typeof scrapeMetrics>>>) => T): Promise<StageHealth<T>> {
    const metrics = await Promise.all(urls.map((u) => scrapeMetrics(u)));
    const answered = metrics.filter((m) => m !== undefined);
    return { instances: urls.length, up: answered.length, values: sum(answered.map(read)) };
  }

  async poll(): Promise<HealthSnapshot> {
    const o = this.options;
    const topics = new SinkTopics(o.topicPrefix).all;
    const [agent, bridge, sink, sinkLag] = await Promise.all([
      this.stage(o.agent, readAgentStage),
      this.stage(o.bridge, readBridgeStage),
      this.stage(o.sink, readSinkStage),
      this.kafka ? this.kafka.offsets(o.sinkGroup, topics).then(groupLag, (err: unknown) => {
        o.logger.debug({ err: (err as Error).message }, 'sink lag not available');
        return undefined;
      }) : undefined,
    ]);
    const prev = this.last;
    const now = Date.now();
    const seconds = prev ? (now - prev.atMs) / 1000 : 0;
    // An instance that stopped answering makes the totals drop: rate() gives no rate then.
    agent.ratePerS = rate(agent.values?.captured, prev?.agent.values?.captured, seconds);
    bridge.ratePerS = rate(bridge.values?.produced, prev?.bridge.values?.produced, seconds);
    sink.ratePerS = rate(sink.values?.records, prev?.sink.values?.records, seconds);
    this.last = { atMs: now, agent, bridge, kafka: { sinkLag, sinkGroup: o.sinkGroup }, sink };
    return this.last;
  }

  start(): void {
    const loop = async () => {
      await this.poll().catch((err: unknown) => this.options.logger.warn({ err: (err as Error).message }, 'health poll failed'));
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.intervalMs);
    };
    void loop();
  }

  readonly stop = once(async () => {
    this.stopped = true;
    clearTimeout(this.timer);
  });
}
