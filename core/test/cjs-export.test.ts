import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceCjsExport } from '../src/cjs-export.js';

// Two CommonJS modules: `user` takes `dep`'s export when it loads, as kafkajs' files take each other's.
const dir = mkdtempSync(join(tmpdir(), 'cjs-export-'));
const from = pathToFileURL(join(dir, 'caller.mjs')).href;
const require = createRequire(from);
function modules(name: string): { dep: string; user: string } {
  writeFileSync(join(dir, `${name}-dep.cjs`), 'module.exports = () => "original";\n');
  writeFileSync(join(dir, `${name}-user.cjs`), `const dep = require('./${name}-dep.cjs');\nmodule.exports = () => dep();\n`);
  return { dep: `./${name}-dep.cjs`, user: `./${name}-user.cjs` };
}

describe('replaceCjsExport', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the replacement to modules that load afterwards (loading the module first if needed), once', () => {
    const { dep, user } = modules('a');
    const fast = () => 'replacement';
    expect(replaceCjsExport(from, dep, fast, [user])).toBe(true);
    expect((require(user) as () => string)()).toBe('replacement');
    expect(replaceCjsExport(from, dep, fast, [user])).toBe(true); // already in place
  });

  it('changes nothing when a module that takes the export already loaded', () => {
    const { dep, user } = modules('b');
    expect((require(user) as () => string)()).toBe('original');
    expect(replaceCjsExport(from, dep, () => 'replacement', [user])).toBe(false);
    expect((require(dep) as () => string)()).toBe('original');
  });
});
