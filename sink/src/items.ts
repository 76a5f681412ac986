/** One Kafka record after decoding: what it becomes in the lake. */
export type Item =
  /** A valid stream record: one Parquet row (its JSON line) in `dt`'s file. */
  | { kind: 'row'; offset: bigint; dt: string; eventMs: number; line: Buffer }
  /** A camera frame: one JPEG object. */
  | { kind: 'frame'; offset: bigint; key: string; eventMs: number; body: Buffer }
  /** A record that failed validation: one line of `dt`'s dead-letter object (a DeadLetter envelope). */
  | { kind: 'dead'; offset: bigint; dt: string; reason: string; line: Buffer }
  /** A flush marker: closes the open file at this offset (see marker.ts). */
  | { kind: 'marker'; offset: bigint };

export function itemBytes(item: Item): number {
  switch (item.kind) {
    case 'row':
    case 'dead':
      return item.line.byteLength;
    case 'frame':
      return item.body.byteLength;
    case 'marker':
      return 0;
  }
}
