import type { Writable } from 'node:stream';

/** What a PUBACK needs of a connection: its byte stream and whether it is still open. */
export interface AckTarget {
  readonly conn: Writable;
  readonly closed: boolean;
  readonly connected: boolean;
}

/**
 * Writes PUBACKs, one write per connection for all the acknowledgements that arrive in the same tick.
 *
 * A Kafka acknowledgement releases a whole batch of messages at once; a device that had several of
 * them in it gets its PUBACKs in one socket write instead of one each. A PUBACK without properties is
 * four bytes, 0x40 0x02 and the packet id (MQTT 3.1.1 §3.4; MQTT 5 §3.4.2.1 allows the same short form
 * for success), so it is written as bytes: going through a packet generator cost more than the rest of
 * the acknowledgement path put together at 10,000 messages/s from 1,000 devices.
 */
export class PubackWriter {
  private pending = new Map<AckTarget, number[]>();
  private scheduled = false;

  /** @param onWritten called with how many PUBACKs went out (not those for closed connections). */
  constructor(private readonly onWritten: (count: number) => void) {}

  /** Queues a PUBACK; it is written at the end of the current tick. */
  ack(target: AckTarget, messageId: number): void {
    const ids = this.pending.get(target);
    if (ids) ids.push(messageId);
    else this.pending.set(target, [messageId]);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    let written = 0;
    for (const [target, ids] of pending) {
      // A device that went away resends these messages when it reconnects (they were not acknowledged).
      if (target.closed || !target.connected || target.conn.destroyed) continue;
      target.conn.write(encodePubacks(ids));
      written += ids.length;
    }
    if (written > 0) this.onWritten(written);
  }
}

/** PUBACK packets for the given packet ids, back to back. */
export function encodePubacks(ids: readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(4 * ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    buf[4 * i] = 0x40;
    buf[4 * i + 1] = 2;
    buf[4 * i + 2] = id >>> 8;
    buf[4 * i + 3] = id & 0xff;
  }
  return buf;
}
