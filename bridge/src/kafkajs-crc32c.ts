import { createRequire } from 'node:module';
import { replaceCjsExport } from '@fleetlake/core';

/**
 * CRC-32C (Castagnoli) for kafkajs' record batches, 8 bytes per step ("slicing-by-8") instead of
 * kafkajs' one byte per step.
 *
 * Why: every record batch is checksummed whole; with the bridge's ~450-byte records kafkajs' CRC was
 * ~2% of the bridge's CPU in bench:bridge and ~16% of encoding a batch (bench/encode-bench.mjs).
 * Node 20 has no built-in CRC-32C. `installFastCrc32c()` replaces kafkajs'
 * `protocol/recordBatch/crc32C` export in the require cache before `recordBatch/v0` (which takes it
 * when loaded, at the first produce request) loads; test/kafkajs-crc32c.test.ts checks it against
 * kafkajs' implementation.
 */

const require = createRequire(import.meta.url);
const CRC_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
const RECORD_BATCH_MODULE = 'kafkajs/src/protocol/recordBatch/v0/index.js';

/** kafkajs' own CRC-32C (kept for tests). */
export const kafkajsCrc32c = require(CRC_MODULE) as (buf: Buffer) => number;

/** T[k][b]: CRC of byte b followed by k zero bytes (reflected polynomial 0x82F63B78). */
const T = Array.from({ length: 8 }, () => new Int32Array(256));
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  T[0]![b] = c;
}
for (let b = 0; b < 256; b++) for (let k = 1; k < 8; k++) T[k]![b] = (T[k - 1]![b]! >>> 8) ^ T[0]![T[k - 1]![b]! & 0xff]!;
const [T0, T1, T2, T3, T4, T5, T6, T7] = T as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];

/** CRC-32C of `buf` as an unsigned 32-bit number (what kafkajs' crc32C returns). */
export function crc32c(buf: Uint8Array): number {
  let crc = -1;
  let i = 0;
  const end8 = buf.length - (buf.length % 8);
  for (; i < end8; i += 8) {
    const lo = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      T7[lo & 0xff]! ^ T6[(lo >>> 8) & 0xff]! ^ T5[(lo >>> 16) & 0xff]! ^ T4[lo >>> 24]! ^
      T3[buf[i + 4]!]! ^ T2[buf[i + 5]!]! ^ T1[buf[i + 6]!]! ^ T0[buf[i + 7]!]!;
  }
  for (; i < buf.length; i++) crc = T0[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * Makes kafkajs' record batches use `crc32c`. Returns false (and changes nothing) when kafkajs
 * already loaded its record batch encoder, which then keeps its own CRC.
 */
export function installFastCrc32c(): boolean {
  return replaceCjsExport(import.meta.url, CRC_MODULE, crc32c, [RECORD_BATCH_MODULE]);
}
