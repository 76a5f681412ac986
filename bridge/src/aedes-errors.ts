/**
 * Why aedes closed a connection, as a refusal reason for /metrics.
 *
 * aedes 1.2.0 (pinned in package.json) reports protocol violations — a PUBLISH to a wildcard or empty
 * topic, a malformed packet (mqtt-packet's parser), a client that floods packets before its CONNACK —
 * only through its `clientError` / `connectionError` events, with an Error whose message is the only
 * information (no code). This file is the one place that reads those messages. If an aedes upgrade
 * changes them, the front-door integration test (test/front-door.int.test.ts) fails on the counts.
 *
 * Errors that carry a string `code` are not protocol violations: system errors of the socket
 * (ECONNRESET, EPIPE, ERR_STREAM_PREMATURE_CLOSE) and the bridge's own refusals (counted where they
 * are made) both have one.
 */
export type ProtocolRefusal =
  | 'wildcard_topic'
  | 'empty_topic'
  | 'too_many_levels'
  | 'bad_topic_filter'
  | 'queue_limit'
  | 'qos2_inflight'
  | 'slow_reader'
  | 'keepalive_timeout'
  | 'connect_timeout'
  | 'protocol_error';

const RULES: [RegExp, ProtocolRefusal | undefined][] = [
  [/^[#+] is not allowed in PUBLISH$/, 'wildcard_topic'],
  [/^empty topic not allowed in PUBLISH$/, 'empty_topic'],
  [/^impossible to \w+ to an empty topic$/, 'empty_topic'],
  [/^topic has too many levels$/, 'too_many_levels'],
  [/^[#+] is only allowed in \w+ /, 'bad_topic_filter'],
  [/^Client queue limit reached$/, 'queue_limit'],
  [/^maxInflightInbound exceeded/, 'qos2_inflight'],
  [/^drain timeout$/, 'slow_reader'],
  [/^keep alive timeout$/, 'keepalive_timeout'],
  [/^connect did not arrive in time$/, 'connect_timeout'],
  // A CONNACK refusal aedes made after the bridge's own checks (counted there), and a write to a closed connection.
  [/^unacceptable protocol version$/, undefined],
  [/^connection closed$/, undefined],
];

/** The refusal reason of an aedes client error, or undefined when it is none (or counted elsewhere). */
export function protocolRefusal(err: Error): ProtocolRefusal | undefined {
  if (typeof (err as { code?: unknown }).code === 'string') return undefined;
  for (const [re, reason] of RULES) if (re.test(err.message)) return reason;
  // Anything else comes from mqtt-packet's parser ("Invalid header flag bits ...", "Packet too short", ...).
  return 'protocol_error';
}
