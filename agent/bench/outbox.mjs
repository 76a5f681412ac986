// Outbox throughput: records made durable (fdatasync'd) per second, one at a time and in concurrent
// bursts (group commit), plus the time to reopen (recover) a full outbox. Run: npm run bench:outbox
// (needs `npx tsc -b` first). Figures depend on the disk and on what else the machine is doing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Outbox } from '../dist/outbox/outbox.js';

const dir = await mkdtemp(join(tmpdir(), 'outbox-bench-'));
const record = (seq) => ({
  topic: 'fleetlake/v1/pi-bench/vehicle',
  payload: Buffer.from(JSON.stringify({ id: '0b8f6a4e-3c1d-4d2b-9a7e-5f4c3b2a1d0e', deviceId: 'pi-bench', seq, timestamp: new Date().toISOString(), latitude: 51.5, longitude: -0.12, speed: 48.2, direction: 'North', make: 'BMW', model: 'C500', year: 2024, fuelType: 'Hybrid' })),
  key: 'pi-bench/vehicle',
  seq,
});
try {
  const box = await Outbox.open({ dir, maxBytes: 256 << 20, segmentBytes: 4 << 20 });
  let seq = 0;
  const n1 = 500;
  let t = performance.now();
  for (let i = 0; i < n1; i++) await box.append(record(seq++));
  const sequential = n1 / ((performance.now() - t) / 1000);
  const bursts = 200;
  const burst = 100;
  t = performance.now();
  for (let b = 0; b < bursts; b++) await Promise.all(Array.from({ length: burst }, () => box.append(record(seq++))));
  const grouped = (bursts * burst) / ((performance.now() - t) / 1000);
  const { diskBytes, pending } = box.stats();
  await box.close();
  t = performance.now();
  const again = await Outbox.open({ dir, maxBytes: 256 << 20, segmentBytes: 4 << 20 });
  const reopenMs = performance.now() - t;
  await again.close();
  console.log(`outbox: ${Math.round(sequential)} records/s one at a time (fsync each), ${Math.round(grouped)} records/s in bursts of ${burst} (group commit), reopen of ${pending} records / ${(diskBytes / 1048576).toFixed(1)} MiB in ${Math.round(reopenMs)} ms`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
