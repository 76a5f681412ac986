import { describe, expect, it } from 'vitest';
import { captureOutput } from '@fleetlake/testkit/vitest';
import { FleetlakeError, runCli, type CliSpec } from '../src/index.js';


const ran: unknown[] = [];
const spec: CliSpec = {
  name: 'fleetlake-x',
  version: '1.2.3',
  description: 'test cli',
  commands: {
    echo: {
      summary: 'echo things',
      help: 'Usage: fleetlake-x echo [--loud] WORDS\n\nExample:\n  fleetlake-x echo hi',
      options: { loud: { type: 'boolean' } },
      run: async ({ values, positionals }) => {
        ran.push({ values, positionals });
        return 0;
      },
    },
    fail: { summary: 'fails', help: 'Usage: fail', run: async () => Promise.reject(new FleetlakeError('BROKEN', 'it broke')) },
  },
};

describe('runCli', () => {
  it('prints the version and the help', async () => {
    const c = captureOutput();
    expect(await runCli(spec, ['--version'])).toBe(0);
    expect(await runCli(spec, ['--help'])).toBe(0);
    expect(await runCli(spec, ['echo', '--help'])).toBe(0);
    c.restore();
    expect(c.out()).toContain('1.2.3\n');
    expect(c.out()).toContain('echo  echo things');
    expect(c.out()).toContain('Example:');
  });
  it('dispatches with parsed options', async () => {
    expect(await runCli(spec, ['echo', '--loud', 'a', 'b'])).toBe(0);
    expect(ran.at(-1)).toEqual({ values: { loud: true }, positionals: ['a', 'b'] });
  });
  it('rejects unknown commands and options with exit 2, and reports command errors with their code', async () => {
    const c = captureOutput();
    expect(await runCli(spec, ['nope'])).toBe(2);
    expect(await runCli(spec, ['echo', '--quiet'])).toBe(2);
    expect(await runCli(spec, ['fail'])).toBe(1);
    c.restore();
    expect(c.err()).toContain('unknown command "nope"');
    expect(c.err()).toContain("Unknown option '--quiet'");
    expect(c.err()).toContain('it broke [BROKEN]');
  });
});
