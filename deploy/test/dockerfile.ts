import { readRepoFile } from './repo.js';

/** Just enough of a Dockerfile reader for static checks: instructions with continuation lines joined. */

export interface Instruction {
  keyword: string;
  args: string;
  /** Index of the build stage (0 = first FROM). */
  stage: number;
}

export function parseDockerfile(text = readRepoFile('Dockerfile')): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  const logical = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of logical) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, keyword, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!keyword) throw new Error(`cannot read Dockerfile line: ${line}`);
    if (keyword.toUpperCase() === 'FROM') stage++;
    out.push({ keyword: keyword.toUpperCase(), args: args!.trim(), stage });
  }
  return out;
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
  stage: number;
}

export function copies(instructions: Instruction[]): Copy[] {
  return instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)!, stage: i.stage };
    });
}

/** The exec-form JSON array of ENTRYPOINT/CMD (the last one of the final stage). */
export function execForm(instructions: Instruction[], keyword: 'ENTRYPOINT' | 'CMD'): string[] {
  const last = instructions.filter((i) => i.keyword === keyword).at(-1);
  if (!last) throw new Error(`no ${keyword}`);
  return JSON.parse(last.args) as string[];
}

/** The image's entrypoint: `/usr/local/bin/fleetlake`, the copy of deploy/docker-entrypoint.sh. */
export function imageEntrypoint(): string {
  return execForm(parseDockerfile(), 'ENTRYPOINT')[0]!;
}

/**
 * The CLIs the entrypoint script runs: `fleetlake-bridge | bridge) shift; exec node /app/bridge/dist/cli.js "$@"`,
 * node flags before the file allowed (`exec node --single-threaded-gc /app/sink/dist/cli.js "$@"`).
 */
export function entrypointMappings(script = readRepoFile('deploy/docker-entrypoint.sh')): Array<{ bin: string; alias: string; file: string; nodeArgs: string[] }> {
  return [...script.matchAll(/^\s*([\w-]+) \| ([\w-]+)\) shift; exec node ((?:--[\w-]+(?:=\S+)? )*)(\S+) "\$@" ;;$/gm)].map((m) => ({
    bin: m[1]!,
    alias: m[2]!,
    file: m[4]!,
    nodeArgs: m[3]!.split(' ').filter(Boolean),
  }));
}
