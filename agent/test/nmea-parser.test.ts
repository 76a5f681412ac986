import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { Fix } from '../src/gps/fix.js';
import { LineCap } from '../src/gps/line-cap.js';
import { NmeaParser } from '../src/gps/nmea-parser.js';
import { feedLines } from '../src/gps/pipeline.js';
import { withChecksum } from '../src/gps/sentence.js';

const HOST = new Date('2031-05-05T05:05:05.000Z');

/** One 1 Hz epoch as many receivers send it: RMC, VTG, GGA, GSA, GSV, GLL. */
function epoch(hhmmss: string, opts: { talker?: string; lat?: string; date?: string; sats?: string } = {}): string[] {
  const t = opts.talker ?? 'GP';
  const lat = opts.lat ?? '4807.0380';
  const date = opts.date ?? '230324';
  return [
    withChecksum(`${t}RMC,${hhmmss},A,${lat},N,01131.0000,E,022.4,084.4,${date},003.1,W`),
    withChecksum(`${t}VTG,084.4,T,,M,022.4,N,041.5,K,A`),
    withChecksum(`${t}GGA,${hhmmss},${lat},N,01131.0000,E,1,${opts.sats ?? '08'},0.9,545.4,M,46.9,M,,`),
    withChecksum(`${t}GSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1`),
    withChecksum(`${t}GSV,1,1,04,04,40,083,46,05,17,308,41,09,30,052,42,12,07,344,39`),
    withChecksum(`${t}GLL,${lat},N,01131.0000,E,${hhmmss},A,A`),
  ];
}

function parse(lines: string[], options = {}): { fixes: Fix[]; parser: NmeaParser } {
  const fixes: Fix[] = [];
  const parser = new NmeaParser((f) => fixes.push(f), { now: () => HOST, ...options });
  for (const l of lines) parser.line(l);
  parser.flush();
  return { fixes, parser };
}

describe('NmeaParser', () => {
  test('one fix per epoch, with the date from RMC and every field the sentences carry', () => {
    const { fixes, parser } = parse([...epoch('123519'), ...epoch('123520'), ...epoch('123521')]);
    expect(fixes.map((f) => f.time)).toEqual(['2024-03-23T12:35:19.000Z', '2024-03-23T12:35:20.000Z', '2024-03-23T12:35:21.000Z']);
    expect(fixes[1]).toMatchObject({ lat: 48.1173, lon: 11.516666666666667, mode: 3, altMSL: 545.4, satellites: 8, hdop: 0.9, courseDeg: 84.4, timeSource: 'gps' });
    expect(fixes[1]!.speedKmh).toBeCloseTo(41.5, 6);
    expect(parser.counters.accepted).toBe(18);
    expect(parser.counters.sentencesRead).toBe(18);
  });

  test('every talker is used: GN, GL, GA, GB, BD, GQ', () => {
    for (const talker of ['GN', 'GL', 'GA', 'GB', 'BD', 'GQ']) {
      const { fixes } = parse([...epoch('000001', { talker }), ...epoch('000002', { talker })]);
      expect(fixes, talker).toHaveLength(2);
    }
  });

  test('ZDA gives the date (4-digit year) when there is no RMC', () => {
    const lines = ['000010', '000011'].flatMap((t) => [
      withChecksum(`GPZDA,${t}.50,31,12,2024,00,00`),
      withChecksum(`GPGGA,${t}.50,4807.0380,N,01131.0000,E,1,08,0.9,545.4,M,46.9,M,,`),
    ]);
    const { fixes } = parse(lines);
    expect(fixes.map((f) => f.time)).toEqual(['2024-12-31T00:00:10.500Z', '2024-12-31T00:00:11.500Z']);
  });

  test('the date moves on at midnight', () => {
    const lines = [
      withChecksum('GPZDA,235959.00,31,12,2024,00,00'),
      withChecksum('GPGGA,235959.00,4807.0380,N,01131.0000,E,1,08,0.9,545.4,M,46.9,M,,'),
      withChecksum('GPGGA,000000.00,4807.0380,N,01131.0000,E,1,08,0.9,545.4,M,46.9,M,,'),
      withChecksum('GPGGA,000001.00,4807.0380,N,01131.0000,E,1,08,0.9,545.4,M,46.9,M,,'),
    ];
    expect(parse(lines).fixes.map((f) => f.time)).toEqual(['2024-12-31T23:59:59.000Z', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:01.000Z']);
  });

  test('GPS week rollover: a date before 2017 moves on 1024 weeks when "today" is later (as gpsd does)', () => {
    const lines = [...epoch('120000', { date: '230399' }), ...epoch('120001', { date: '230399' })];
    expect(parse(lines).fixes[0]!.time).toBe('2018-11-06T12:00:00.000Z');
    expect(parse(['# Date: 1999-03-23', ...lines], { skipComments: true }).fixes[0]!.time).toBe('1999-03-23T12:00:00.000Z');
  });

  test('an epoch ended by a quiet gap is not reported twice when a straggler of it arrives', () => {
    const fixes: Fix[] = [];
    const parser = new NmeaParser((f) => fixes.push(f), { now: () => HOST });
    const [first, second, third] = [epoch('120000'), epoch('120001'), epoch('120002')];
    for (const l of [...first, ...second]) parser.line(l);
    parser.flush(); // the line went quiet after 120001's GLL...
    parser.line(second[5]!); // ...and a sentence of that epoch comes (again) late
    for (const l of third) parser.line(l);
    parser.flush();
    expect(fixes.map((f) => f.time.slice(11, 19))).toEqual(['12:00:00', '12:00:01', '12:00:02']);
    expect(parser.counters.lateSentences).toBe(1);
  });

  test('before any date: host clock, labelled, with the receiver time of day', () => {
    const lines = ['101010', '101011'].map((t) => withChecksum(`GPGGA,${t},4807.0380,N,01131.0000,E,1,08,0.9,545.4,M,46.9,M,,`));
    const { fixes, parser } = parse(lines);
    expect(fixes[0]).toMatchObject({ time: HOST.toISOString(), timeSource: 'host', gpsTimeOfDay: '10:10:10.000' });
    expect(parser.counters.hostTimeFixes).toBe(fixes.length);
  });

  test('no fix: RMC status V, GGA quality 0, GSA mode 1 epochs are not reported', () => {
    const lines = ['000001', '000002', '000003'].flatMap((t) => [
      withChecksum(`GPRMC,${t},V,,,,,,,230324,,`),
      withChecksum(`GPGGA,${t},,,,,0,00,99.99,,,,,,`),
      withChecksum('GPGSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99'),
    ]);
    const { fixes, parser } = parse(lines);
    expect(fixes).toEqual([]);
    expect(parser.counters.epochsWithoutFix).toBe(3);
    expect(parser.counters.accepted).toBe(9);
  });

  test('garbage before $, binary UBX/RTCM between sentences, long lines, bad checksums, missing fields, truncated last line', () => {
    const good = [...epoch('120000'), ...epoch('120001'), ...epoch('120002')];
    const ubx = String.fromCharCode(0xb5, 0x62, 0x01, 0x07, 0x5c, 0x00, 0x24, 0x0d, 0xff, 0x00, 0x24);
    const lines = [
      `\x00\x13garbage${good[0]}`,
      ...good.slice(1, 6),
      `${ubx}${ubx}`, // binary frame between sentences, holding "$" bytes
      `\xd3\x00\x13\x3e\xd0\x00\x03${good[6]}`, // RTCM3 preamble glued in front of a sentence
      ...good.slice(7, 12),
      withChecksum(`GPTXT,01,01,02,${'X'.repeat(140)}`), // over the length limit
      good[12]!.replace(/\*..$/, '*00'), // bad checksum
      good[13]!.replace(/\*..$/, ''), // checksum missing
      withChecksum('GPGGA,120002,4807.0380,N,01131.0000,E,1,08,,,M,,M,,'), // missing fields: still a fix
      withChecksum('GPGGA,12x002,4807.0380,N,01131.0000,E,1,08,0.9,545.4,M,46.9,M,,'), // malformed time
      withChecksum('GPRMC,120002,A,48O7.0380,N,01131.0000,E,022.4,084.4,230324,003.1,W'), // malformed latitude
      ...good.slice(14, 18),
      epoch('120003')[0]!.slice(0, 20), // truncated last line
    ];
    const { fixes, parser } = parse(lines);
    expect(fixes.map((f) => f.time)).toEqual(['2024-03-23T12:00:00.000Z', '2024-03-23T12:00:01.000Z', '2024-03-23T12:00:02.000Z']);
    expect(fixes.every((f) => f.lat === 48.1173)).toBe(true);
    expect(parser.counters.rejected).toEqual({ too_long: 1, bad_chars: 0, no_checksum: 2, bad_checksum: 1, bad_field: 2, parse_error: 0 });
    expect(parser.counters.noiseBytes).toBeGreaterThanOrEqual(9 + 22 + 7);
  });

  test('control bytes inside a sentence are rejected, not decoded', () => {
    const { parser } = parse([withChecksum('GPGGA,120002,4807.0380,N,01131.0000,E,1,08,0.9,545.4,M,46.9,M,,').replace('4807', '48\x0107')]);
    expect(parser.counters.rejected.bad_chars).toBe(1);
  });

  test('unused sentence types are accepted and counted by type', () => {
    const { parser } = parse([withChecksum('GPGBS,143445.28,25.475,25.404,80.249,,,,'), withChecksum('PUBX,00,foo'), withChecksum('GNTXT,01,01,02,hello')]);
    expect(parser.counters.ignoredByType).toEqual({ GBS: 1, PUBX: 1, TXT: 1 });
    expect(parser.counters.accepted).toBe(3);
    const many = parse(Array.from({ length: 500 }, (_, i) => withChecksum(`PX${i},1`)));
    expect(Object.keys(many.parser.counters.ignoredByType)).toHaveLength(33);
    expect(many.parser.counters.ignoredByType.other).toBe(500 - 32);
  });
});

describe('LineCap and the line pipeline', () => {
  test('memory stays bounded on megabytes without a newline; NMEA resumes after it', async () => {
    const source = new PassThrough();
    const fixes: Fix[] = [];
    const parser = new NmeaParser((f) => fixes.push(f), { now: () => HOST });
    const seen: number[] = [];
    parser.line = ((orig) => (line: string) => {
      seen.push(line.length);
      orig.call(parser, line);
    })(parser.line.bind(parser));
    const feed = feedLines(source, parser, 256);
    const junk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 64; i++) source.write(junk); // 4 MiB, no newline, no "$"
    for (const l of [...epoch('010101'), ...epoch('010102'), ...epoch('010103')]) source.write(`${l}\r\n`);
    source.end();
    expect(await feed.done).toBeUndefined();
    parser.flush();
    expect(Math.max(...seen)).toBeLessThanOrEqual(256);
    expect(fixes).toHaveLength(3);
    expect(parser.counters.noiseBytes).toBeGreaterThan(4 * 1024 * 1024 - 1024);
  });

  test('a cut line resynchronises on the next "$"', () => {
    const cap = new LineCap(16);
    const out: Buffer[] = [];
    cap.on('data', (b: Buffer) => out.push(b));
    cap.write(Buffer.from(`${'x'.repeat(40)}$GPGGA,1\n$ok\n`));
    expect(Buffer.concat(out).toString()).toBe(`${'x'.repeat(15)}\n$GPGGA,1\n$ok\n`);
  });
});
