import { join } from 'node:path';
import { once, type Logger } from '@fleetlake/core';
import type { CameraCounters } from './camera/camera.js';
import type { Frame } from './camera/frame.js';
import type { AgentConfig } from './config.js';
import { defaultFactories, type CameraInput, type FixInput, type InputFactories } from './factories.js';
import type { GpsCounters } from './gps/counters.js';
import { StatusServer } from './http/status-server.js';
import type { LineSource } from './inputs/line-source.js';
import { createLineSource, parseSourceUrl } from './inputs/source-url.js';
import { Outbox, type OutboxStats } from './outbox/outbox.js';
import { MqttPublisher, type PublisherStats } from './publish/publisher.js';
import { Capture } from './records/capture.js';
import { EventClock } from './records/event-clock.js';
import { GpsRecorder } from './records/gps-records.js';
import { LineIngest, type LineStream } from './records/line-ingest.js';

export interface AgentStats {
  /** Records captured (on disk in the outbox) in this run, by stream. */
  captured: Record<string, number>;
  /** Last seq assigned in this run, by stream; a fresh dataDir starts each stream at 0 (agent/README.md, "seq"). */
  lastSeq: Record<string, number>;
  rejected: Record<string, number>;
  inputs: Record<string, Record<string, number>>;
  outbox: OutboxStats;
  mqtt: PublisherStats;
  /** The GPS reader's and camera's own counters, when they run (and keep them). */
  gps?: Readonly<GpsCounters> | undefined;
  camera?: Readonly<CameraCounters> | undefined;
}

/** /healthz: ok while the outbox is open (records are being captured). */
export interface AgentHealth {
  ok: boolean;
  outboxOpen: boolean;
  mqttConnected: boolean;
}

/** Back-pressure marks: records being stamped and written to the outbox at once. */
const INFLIGHT_HIGH = 2000;
const INFLIGHT_LOW = 500;

/**
 * The running agent: GPS reader + camera + JSON-lines inputs -> capture (stamp, validate, outbox)
 * -> MQTT publisher. create() checks everything and opens the outbox; start() starts the parts;
 * stop() stops input first, waits for captures in progress, drains the publisher, closes the outbox.
 */
export class Agent {
  private readonly inflight = new Set<Promise<unknown>>();
  /** The status endpoint (http.port >= 0); it reports on this agent. */
  private http: StatusServer | undefined;
  private statsTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly config: Readonly<AgentConfig>,
    private readonly log: Logger,
    readonly outbox: Outbox,
    readonly capture: Capture,
    readonly publisher: MqttPublisher,
    private readonly inputs: Array<{ source: LineSource; stream: LineStream | undefined }>,
    private readonly ingest: LineIngest,
    private readonly fixes: FixInput | undefined,
    private readonly gpsRecorder: GpsRecorder | undefined,
    private readonly camera: CameraInput | undefined,
  ) {}

  static async create(config: Readonly<AgentConfig>, log: Logger, factories: InputFactories = defaultFactories, agentVersion?: string): Promise<Agent> {
    const specs = config.inputs.sources.map((url) => ({ url, spec: parseSourceUrl(url) }));
    const outbox = await Outbox.open({ dir: join(config.dataDir, 'outbox'), ...config.outbox, logger: log.child({ part: 'outbox' }) });
    try {
      const clock = new EventClock({ maxFixAgeMs: config.gps.maxFixAgeMs, maxPositionAgeMs: config.gps.maxPositionAgeMs });
      const capture = new Capture({ deviceId: config.deviceId, outbox, clock, payloadBudget: config.mqtt.payloadBudgetBytes, logger: log.child({ part: 'capture' }) });
      const publisher = await MqttPublisher.create({
        ...config.mqtt,
        outbox,
        deviceId: config.deviceId,
        ratePerSecond: config.mqtt.replayRatePerSecond,
        agentVersion,
        logger: log.child({ part: 'mqtt' }),
      });
      const fixes = await factories.createFixSource(config, log.child({ part: 'gps' }));
      const camera = await factories.createCamera(config, log.child({ part: 'camera' }));
      const gpsRecorder = fixes && new GpsRecorder(fixes, { capture, clock, intervalMs: config.gps.recordIntervalMs, vehicleType: config.vehicleType });
      const ingest = new LineIngest({ capture, onActiveEmergency: camera?.trigger?.bind(camera), logger: log.child({ part: 'inputs' }) });
      const sources = specs.map(({ url, spec }) => ({
        source: createLineSource(url, spec, { maxLineBytes: config.inputs.maxLineBytes, reconnect: config.inputs.reconnect, logger: log.child({ part: 'inputs' }) }),
        stream: spec.stream,
      }));
      const agent = new Agent(config, log, outbox, capture, publisher, sources, ingest, fixes, gpsRecorder, camera);
      if (config.http.port >= 0) agent.http = new StatusServer({ host: config.http.host, port: config.http.port, provider: agent, logger: log.child({ part: 'http' }) });
      return agent;
    } catch (err) {
      await outbox.close();
      throw err;
    }
  }

  /** Captures in progress; above the high mark the inputs stop reading until it falls to the low mark. */
  private track<T>(p: Promise<T>): void {
    this.inflight.add(p);
    if (this.inflight.size >= INFLIGHT_HIGH) for (const { source } of this.inputs) source.setPaused(true);
    void p.finally(() => {
      this.inflight.delete(p);
      if (this.inflight.size <= INFLIGHT_LOW) for (const { source } of this.inputs) source.setPaused(false);
    });
  }

  private readonly onFrame = (frame: Frame) => this.track(this.capture.frame(frame));

  /** The status endpoint's address once started (http.port 0 picks a free port). */
  httpAddress(): { host: string; port: number } | undefined {
    const a = this.http?.address();
    return a && { host: a.address, port: a.port };
  }

  async start(): Promise<void> {
    // First, so that a port already in use stops the start before anything else runs.
    await this.http?.start();
    await this.publisher.start();
    await this.gpsRecorder?.start();
    await this.fixes?.start();
    this.camera?.on('frame', this.onFrame);
    await this.camera?.start();
    for (const { source, stream } of this.inputs) {
      source.on('line', (line) => this.track(this.ingest.handle(line, source.name, stream)));
      await source.start();
    }
    if (this.config.statsIntervalMs > 0) {
      this.statsTimer = setInterval(() => this.log.info(this.stats(), 'agent stats'), this.config.statsIntervalMs);
      this.statsTimer.unref();
    }
    this.log.info({ deviceId: this.config.deviceId, inputs: this.config.inputs.sources, gps: Boolean(this.fixes), camera: Boolean(this.camera) }, 'agent started');
  }

  stats(): AgentStats {
    return {
      captured: this.capture.captured.snapshot(),
      lastSeq: this.capture.lastSeq(),
      rejected: this.capture.rejected.snapshot(),
      inputs: Object.fromEntries(this.inputs.map(({ source }) => [source.name, source.counters.snapshot()])),
      outbox: this.outbox.stats(),
      mqtt: this.publisher.stats(),
      gps: this.fixes?.counters,
      camera: this.camera?.counters,
    };
  }

  health(): AgentHealth {
    const outboxOpen = this.outbox.isOpen;
    return { ok: outboxOpen, outboxOpen, mqttConnected: this.publisher.stats().connected };
  }

  readonly stop = once(async () => {
    clearInterval(this.statsTimer);
    for (const { source } of this.inputs) await source.stop();
    await this.camera?.stop();
    this.camera?.off('frame', this.onFrame);
    await this.fixes?.stop();
    await this.gpsRecorder?.stop();
    await Promise.allSettled([...this.inflight]);
    await this.publisher.stop();
    await this.outbox.close();
    await this.http?.stop();
    this.log.info(this.stats(), 'agent stopped');
  });
}
