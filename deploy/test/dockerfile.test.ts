import { existsSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shebangNodeArgs } from '@fleetlake/testkit';
import { readRepoFile, repoFile } from './repo.js';
import { copies, entrypointMappings, execForm, parseDockerfile } from './dockerfile.js';

/**
 * What can be checked about the Dockerfile without building it: every file it copies exists and is
 * not hidden by .dockerignore, the stages it copies from exist, the CLIs its entrypoint runs are the
 * workspaces' "bin" entries and are built and copied, npm runs no install scripts, and the native
 * packages load without them on the image's platforms.
 */

const instructions = parseDockerfile();
const finalStage = Math.max(...instructions.map((i) => i.stage));
const stageNames = instructions.filter((i) => i.keyword === 'FROM').map((i) => /\bAS\s+(\S+)/i.exec(i.args)?.[1]);
const json = <T>(path: string) => JSON.parse(readRepoFile(path)) as T;
const rootPackage = json<{ workspaces: string[] }>('package.json');

/** .dockerignore patterns as regular expressions on context-relative paths (`**` any folders, `*` within one). */
function ignoredBy(patterns: string[], path: string): string | undefined {
  const toRegExp = (p: string) => new RegExp(`^${p.split(/(\*\*\/|\*)/).map((part) => (part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('')}(?:/.*)?$`);
  return patterns.find((p) => toRegExp(p).test(path.replace(/\/$/, '')));
}
const dockerignore = readRepoFile('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

describe('Dockerfile', () => {
  it('builds on node:20-bookworm-slim in every stage', () => {
    for (const from of instructions.filter((i) => i.keyword === 'FROM')) {
      const image = from.args.split(/\s+/)[0]!;
      expect(image === 'node:20-bookworm-slim' || stageNames.includes(image), from.args).toBe(true);
    }
  });

  it('copies files that exist, and .dockerignore keeps every file the build needs in the context', () => {
    for (const c of copies(instructions)) {
      for (const source of c.sources) {
        // From the context, or from the source stage's copy of it under /src.
        const path = c.from === undefined ? source : c.from === 'source' && source.startsWith('/src/') ? source.slice('/src/'.length) : undefined;
        if (path !== undefined && path !== '.') expect(existsSync(repoFile(path)), `COPY ${c.from ?? ''} ${source}`).toBe(true);
      }
    }
    const built = ['core', 'contracts', 'bridge', 'sink', 'simulators', 'console'];
    const needed = [
      'package.json', 'package-lock.json', 'tsconfig.base.json', 'deploy/docker-entrypoint.sh', 'simulators/data/london-birmingham.geojson',
      ...rootPackage.workspaces.map((ws) => `${ws}/package.json`),
      ...built.flatMap((ws) => [`${ws}/tsconfig.json`, `${ws}/src/index.ts`]),
    ];
    for (const path of needed) {
      expect(existsSync(repoFile(path)), `${path} exists`).toBe(true);
      expect(ignoredBy(dockerignore, path), `${path} is not ignored`).toBeUndefined();
    }
  });

  it('the ignore matcher matches like Docker (the check above can fail)', () => {
    expect(ignoredBy(['**/dist'], 'bridge/dist')).toBe('**/dist');
    expect(ignoredBy(['**/dist'], 'bridge/dist/cli.js')).toBe('**/dist');
    expect(ignoredBy(['**/test'], 'deploy/test/compose.test.ts')).toBe('**/test');
    expect(ignoredBy(['lake'], 'lake/gps_data')).toBe('lake');
    expect(ignoredBy(['**/dist', 'lake'], 'bridge/src/cli.ts')).toBeUndefined();
  });

  it('copies from stages defined before it', () => {
    for (const c of copies(instructions).filter((x) => x.from !== undefined)) {
      expect(stageNames.slice(0, c.stage), `COPY --from=${c.from}`).toContain(c.from);
    }
  });

  it('gives npm ci every workspace manifest (the lockfile names them all) and never runs install scripts', () => {
    // The source stage gathers package.json, package-lock.json and */package.json into /manifests.
    const gather = instructions.find((i) => i.keyword === 'RUN' && i.args.includes('/manifests'));
    expect(gather?.args).toMatch(/for f in package\.json package-lock\.json \*\/package\.json;/);
    for (const ws of rootPackage.workspaces) expect(ws, 'a workspace one folder deep, so */package.json finds it').toMatch(/^[^/]+$/);
    const npmCi = instructions.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(npmCi).toHaveLength(2);
    for (const run of npmCi) {
      expect(run.args).toContain('--ignore-scripts');
      // npm ci runs on the manifests alone, so its layer stays cached while only sources change.
      const copiedBefore = instructions.slice(0, instructions.indexOf(run)).filter((i) => i.stage === run.stage && i.keyword === 'COPY');
      expect(copiedBefore.map((i) => i.args)).toEqual(['--from=source /manifests ./']);
    }
    expect(npmCi.some((r) => r.args.includes('--omit=dev'))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const user = instructions.filter((i) => i.keyword === 'USER' && i.stage === finalStage).at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
  });

  it('its entrypoint is deploy/docker-entrypoint.sh and runs the four CLIs that the workspaces declare as "bin"', () => {
    const [entrypoint] = execForm(instructions, 'ENTRYPOINT');
    const script = copies(instructions).find((c) => c.dest === entrypoint);
    expect(script?.sources).toEqual(['deploy/docker-entrypoint.sh']);
    expect(statSync(repoFile('deploy/docker-entrypoint.sh')).mode & 0o111, 'executable').not.toBe(0);
    const mappings = entrypointMappings();
    expect(mappings.map((m) => m.bin).sort()).toEqual(['fleetlake-bridge', 'fleetlake-console', 'fleetlake-sim', 'fleetlake-sink']);
    const built = instructions.find((i) => i.keyword === 'RUN' && i.args.startsWith('npx tsc -b'))!.args.split(/\s+/).slice(3);
    const copiedDist = copies(instructions).filter((c) => c.stage === finalStage && c.from === 'build').map((c) => c.dest);
    for (const { bin, file, nodeArgs } of mappings) {
      const [, ws, rel] = /^\/app\/([^/]+)\/(.+)$/.exec(file) ?? [];
      const pkg = json<{ bin?: Record<string, string>; dependencies?: Record<string, string> }>(`${ws}/package.json`);
      expect(pkg.bin?.[bin], `${ws}/package.json bin.${bin}`).toBe(rel);
      const source = repoFile(`${ws}/src/${rel!.replace(/^dist\//, '').replace(/\.js$/, '.ts')}`);
      expect(existsSync(source), `${ws}'s source of ${rel}`).toBe(true);
      // The image runs each CLI with the node flags of its bin's shebang (e.g. --single-threaded-gc).
      expect(nodeArgs, `node flags for ${bin} in the entrypoint`).toEqual(shebangNodeArgs(source));
      expect(built, `tsc -b builds ${ws}`).toContain(ws);
      // The workspace's dist and that of every workspace it references (core, contracts) are in the image.
      const refs = json<{ references?: Array<{ path: string }> }>(`${ws}/tsconfig.json`).references ?? [];
      for (const dep of [ws!, ...refs.map((r) => r.path.replace('../', ''))]) expect(copiedDist, `${dep}/dist copied`).toContain(`${dep}/dist`);
    }
  });

  it('brings the console’s page, which it serves from beside its dist', () => {
    expect(json<{ files: string[] }>('console/package.json').files).toContain('web');
    expect(existsSync(repoFile('console/web/index.html'))).toBe(true);
    expect(copies(instructions).some((c) => c.stage === finalStage && c.sources.includes('/src/console/web') && c.dest === 'console/web')).toBe(true);
  });

  it('brings the data files the simulators read at run time', () => {
    const files = json<{ files: string[] }>('simulators/package.json').files;
    expect(files).toContain('data');
    expect(copies(instructions).some((c) => c.stage === finalStage && c.sources.includes('/src/simulators/data'))).toBe(true);
  });
});

describe('native packages load without install scripts on linux x64 and arm64 (glibc)', () => {
  const lock = json<{ packages: Record<string, { hasInstallScript?: boolean; dev?: boolean }> }>('package-lock.json').packages;

  it('the only package with an install script is serialport’s binding, which ships prebuilds', () => {
    const withScripts = Object.entries(lock).filter(([, p]) => p.hasInstallScript && !p.dev).map(([k]) => k);
    expect(withScripts).toEqual(['node_modules/@serialport/bindings-cpp']);
    const prebuilds = readdirSync(repoFile('node_modules/@serialport/bindings-cpp/prebuilds'));
    expect(prebuilds).toEqual(expect.arrayContaining(['linux-x64', 'linux-arm64']));
  });

  it('sharp and DuckDB come as prebuilt platform packages in the lockfile', () => {
    for (const arch of ['x64', 'arm64']) {
      expect(lock[`node_modules/@img/sharp-linux-${arch}`], `sharp ${arch}`).toBeDefined();
      expect(lock[`node_modules/@img/sharp-libvips-linux-${arch}`], `libvips ${arch}`).toBeDefined();
      expect(lock[`node_modules/@duckdb/node-bindings-linux-${arch}`], `duckdb ${arch}`).toBeDefined();
    }
  });
});
