import { STREAMS } from '@fleetlake/contracts';
import type { AgentStats } from '../agent.js';
import type { MetricFamily, Sample } from './prometheus-text.js';

const byLabel = (label: string, counts: Readonly<Record<string, number>>): Sample[] => Object.entries(counts).map(([value, n]) => ({ labels: { [label]: value }, value: n }));

/** Every stream, with 0 for those that captured nothing yet (so rate() works from the first scrape). */
const perStream = (counts: Readonly<Record<string, number>>): Sample[] => byLabel('stream', { ...Object.fromEntries(STREAMS.map((s) => [s, 0])), ...counts });

const one = (value: number): Sample[] => [{ value }];

/** The agent's counters as Prometheus metric families (names: agent/README.md, "Status endpoint"). */
export function agentMetrics(stats: AgentStats): MetricFamily[] {
  const families: MetricFamily[] = [
    { name: 'fleetlake_agent_captured_total', type: 'counter', help: 'Records captured (on disk in the outbox), by stream', samples: perStream(stats.captured) },
    { name: 'fleetlake_agent_rejected_total', type: 'counter', help: 'Readings and input lines not captured, by reason', samples: byLabel('reason', stats.rejected) },
    { name: 'fleetlake_agent_last_seq', type: 'gauge', help: 'Last seq assigned in this run, by stream (seq is per device and stream)', samples: byLabel('stream', stats.lastSeq) },
    { name: 'fleetlake_agent_published_total', type: 'counter', help: 'Outbox entries (records and camera frames) acknowledged by the broker (PUBACK)', samples: one(stats.mqtt.acked) },
    { name: 'fleetlake_agent_mqtt_refused_total', type: 'counter', help: 'Outbox entries the broker refused for good, by MQTT 5 reason code', samples: byLabel('code', stats.mqtt.rejected) },
    { name: 'fleetlake_agent_mqtt_connected', type: 'gauge', help: '1 while connected to the MQTT broker', samples: one(stats.mqtt.connected ? 1 : 0) },
    { name: 'fleetlake_agent_mqtt_connects_total', type: 'counter', help: 'Successful MQTT connections', samples: one(stats.mqtt.connects) },
    { name: 'fleetlake_agent_outbox_pending_records', type: 'gauge', help: 'Outbox entries (records and camera frames) not yet acknowledged', samples: one(stats.outbox.pending) },
    { name: 'fleetlake_agent_outbox_pending_bytes', type: 'gauge', help: 'Bytes on disk of the outbox entries not yet acknowledged', samples: one(stats.outbox.pendingBytes) },
    { name: 'fleetlake_agent_outbox_disk_bytes', type: 'gauge', help: 'Bytes of the outbox segment files', samples: one(stats.outbox.diskBytes) },
    { name: 'fleetlake_agent_outbox_dropped_total', type: 'counter', help: 'Outbox entries dropped unsent because the outbox reached outbox.maxBytes (persisted)', samples: one(stats.outbox.dropped) },
    { name: 'fleetlake_agent_input_lines_total', type: 'counter', help: 'JSON lines read, by input source', samples: Object.entries(stats.inputs).map(([source, c]) => ({ labels: { source }, value: c.lines ?? 0 })) },
  ];
  const gps = stats.gps;
  if (gps) {
    families.push(
      { name: 'fleetlake_agent_gps_sentences_read_total', type: 'counter', help: 'NMEA candidate sentences read', samples: one(gps.sentencesRead) },
      { name: 'fleetlake_agent_gps_sentences_accepted_total', type: 'counter', help: 'NMEA sentences with a good checksum, decoded', samples: one(gps.accepted) },
      { name: 'fleetlake_agent_gps_sentences_rejected_total', type: 'counter', help: 'NMEA sentences rejected, by reason', samples: byLabel('reason', gps.rejected) },
      { name: 'fleetlake_agent_gps_fixes_total', type: 'counter', help: 'Position fixes assembled (one per receiver epoch with a fix)', samples: one(gps.fixes) },
      { name: 'fleetlake_agent_gps_reconnects_total', type: 'counter', help: 'GPS device reopened (gone, or silent past silenceTimeoutMs)', samples: one(gps.reconnects + gps.watchdogReopens) },
    );
  }
  const camera = stats.camera;
  if (camera) {
    families.push(
      { name: 'fleetlake_agent_camera_frames_total', type: 'counter', help: 'Camera frames encoded within the payload budget', samples: one(camera.frames) },
      { name: 'fleetlake_agent_camera_failed_total', type: 'counter', help: 'Camera captures that failed, by reason', samples: byLabel('reason', camera.failed) },
    );
  }
  return families;
}
