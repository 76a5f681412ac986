import type { Outbox } from '../outbox/outbox.js';

/** Outbox key under which a (device, stream)'s seq is stored and recovered. */
export const seqKey = (deviceId: string, stream: string) => `${deviceId}/${stream}`;

/**
 * `seq` per (device, stream): strictly increasing and continuing after a restart from the highest
 * seq the outbox ever stored (every captured record passed through it).
 */
export class SeqAllocator {
  private readonly next = new Map<string, number>();

  constructor(private readonly outbox: Pick<Outbox, 'maxSeq'>) {}

  take(deviceId: string, stream: string): number {
    const key = seqKey(deviceId, stream);
    const n = this.next.get(key) ?? (this.outbox.maxSeq(key) ?? -1) + 1;
    this.next.set(key, n + 1);
    return n;
  }
}
