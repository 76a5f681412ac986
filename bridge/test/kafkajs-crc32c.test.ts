import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32c, kafkajsCrc32c } from '../src/kafkajs-crc32c.js';

describe('crc32c', () => {
  it('matches the CRC-32C check value and kafkajs for every length up to 64 and for large buffers', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(kafkajsCrc32c(Buffer.alloc(0)));
    for (let n = 1; n <= 64; n++) {
      const b = randomBytes(n);
      expect(crc32c(b)).toBe(kafkajsCrc32c(b));
    }
    for (const n of [1000, 4093, 500_000]) {
      const b = randomBytes(n);
      expect(crc32c(b)).toBe(kafkajsCrc32c(b));
      expect(crc32c(b.subarray(3))).toBe(kafkajsCrc32c(b.subarray(3)));
    }
  });
});
