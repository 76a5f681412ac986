/** One Kafka record after decoding: what it becomes in the lake. */
export type Item =
  /**
   * A valid stream record: one Parquet row in `dt`'s file. Its JSON text on one line, without the
   * newline, is `json[start, end)` — usually the Kafka value in place in the fetch buffer, not a copy;
   * the file adds the newline.
   */
  | { kind: 'row'; offset: bigint; dt: string; eventMs: number; json: Buffer; start: number; end: number }
  /** A camera frame: one JPEG object. */
  | { kind: 'frame'; offset: bigint; key: string; eventMs: number; body: Buffer }
  /** A record that failed validation: one line of `dt`'s dead-letter object (a DeadLetter envelope). */
  | { kind: 'dead'; offset: bigint; dt: string; reason: string; line: Buffer }
  /** A flush marker: closes the open file at this offset (see marker.ts). */
  | { kind: 'marker'; offset: bigint };

export function itemBytes(item: Item): number {
  switch (item.kind) {
    case 'row':
      // + the newline it takes in the file: the same count as when rows carried it, so roll.maxBytes
      // cuts the same segments as before (a replay after an upgrade must cut the same files).
      return item.end - item.start + 1;
    case 'dead':
      return item.line.byteLength;
    case 'frame':
      return item.body.byteLength;
    case 'marker':
      return 0;
  }
}
