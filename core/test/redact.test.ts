import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Type } from '@sinclair/typebox';
import { createLogger, loadConfig, redact, redactedMessage, registerSecret, REDACTED } from '../src/index.js';

describe('redact', () => {
  it('hides the password of a URL and keeps the rest', () => {
    expect(redact('connecting to mqtt://van-7:hunter2@broker.example:1883/x')).toBe(`connecting to mqtt://van-7:${REDACTED}@broker.example:1883/x`);
    expect(redact('{"url":"mqtts://u:p%40ss@h:8883"}')).toBe(`{"url":"mqtts://u:${REDACTED}@h:8883"}`);
    // a raw @ in the password: up to the last @ before the host
    expect(redact('wss://u:a@b@host/mqtt')).toBe(`wss://u:${REDACTED}@host/mqtt`);
    expect(redact('http://127.0.0.1:9464/metrics and mqtt://user@host')).toBe('http://127.0.0.1:9464/metrics and mqtt://user@host');
  });

  it('hides secret-named JSON fields and query parameters', () => {
    expect(redact('{"sasl":{"username":"bridge","password":"s3cr\\"et"},"n":1}')).toBe(`{"sasl":{"username":"bridge","password":"${REDACTED}"},"n":1}`);
    expect(redact('{"secretAccessKey":"abc","sessionToken":"def","passphrase":"ghi"}')).toBe(
      `{"secretAccessKey":"${REDACTED}","sessionToken":"${REDACTED}","passphrase":"${REDACTED}"}`,
    );
    expect(redact('GET /x?user=a&password=b&X-Amz-Signature=c#f')).toBe(`GET /x?user=a&password=${REDACTED}&X-Amz-Signature=${REDACTED}#f`);
  });

  it('hides registered values anywhere, also JSON-escaped', () => {
    registerSecret('Sasl"Pass-01');
    expect(redact('SASL authentication failed for Sasl"Pass-01 (and {"x":"Sasl\\"Pass-01"})')).toBe(`SASL authentication failed for ${REDACTED} (and {"x":"${REDACTED}"})`);
    registerSecret('ab'); // too short to search for as text
    expect(redact('abc')).toBe('abc');
    expect(redactedMessage(new Error('failed with Sasl"Pass-01'))).toBe(`failed with ${REDACTED}`);
  });

  it('loadConfig registers the secret fields, URL passwords and AWS keys of a configuration', () => {
    const schema = Type.Object({ url: Type.String(), kafka: Type.Object({ sasl: Type.Object({ password: Type.String() }) }) });
    loadConfig({ schema, flags: { url: 'mqtt://u:Url-Pass-42@h', kafka: { sasl: { password: 'Kafka-Pass-42' } } }, env: { AWS_SECRET_ACCESS_KEY: 'Aws/Secret+Key42' } });
    expect(redact('Url-Pass-42 Kafka-Pass-42 Aws/Secret+Key42 Aws%2FSecret%2BKey42')).toBe(Array(4).fill(REDACTED).join(' '));
  });

  it('is applied to every line of createLogger', async () => {
    registerSecret('Logged-Secret-9');
    const file = join(mkdtempSync(join(tmpdir(), 'redact-')), 'log.jsonl');
    const log = createLogger('redact-test', { destination: file });
    log.warn({ url: 'mqtt://a:b@c', err: new Error('no: Logged-Secret-9') }, 'connect failed');
    // The destination opens asynchronously: wait for the line to be written.
    const text = await vi.waitFor(() => {
      const t = existsSync(file) ? readFileSync(file, 'utf8') : '';
      expect(t).toContain('connect failed');
      return t;
    });
    expect(text).not.toContain('Logged-Secret-9');
    expect(text).toContain(`mqtt://a:${REDACTED}@c`);
  });
});
