import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FleetlakeError } from './errors.js';
import { redact } from './redact.js';

/** Version from the package.json next to a package's dist/ or src/ folder. */
export function packageVersion(moduleUrl: string): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', moduleUrl), 'utf8')) as { version: string };
  return pkg.version;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /** One line shown in the command list. */
  summary: string;
  /** Full help text: usage, options, examples. */
  help: string;
  options?: Options;
  /** Runs the command; resolves to the process exit code. */
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

export interface CliSpec {
  name: string;
  version: string;
  description: string;
  commands: Record<string, Command>;
}

export function usage(spec: CliSpec): string {
  const width = Math.max(...Object.keys(spec.commands).map((c) => c.length), 4);
  const lines = Object.entries(spec.commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `${spec.name} ${spec.version} - ${spec.description}`,
    '',
    `Usage: ${spec.name} <command> [options]`,
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show help (also after a command)',
    '  -V, --version  print the version',
    '',
  ].join('\n');
}

/** Dispatches argv to a command; --help and --version work everywhere. Returns the exit code. */
export async function runCli(spec: CliSpec, argv: string[] = process.argv.slice(2)): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const target = first === 'help' ? rest[0] : undefined;
    const cmd = target ? spec.commands[target] : undefined;
    process.stdout.write(cmd ? `${cmd.help.trimEnd()}\n` : usage(spec));
    return first === undefined ? 1 : 0;
  }
  if (first === '-V' || first === '--version') {
    process.stdout.write(`${spec.version}\n`);
    return 0;
  }
  const command = spec.commands[first];
  if (!command) {
    process.stderr.write(`${spec.name}: unknown command "${first}"\n\n${usage(spec)}`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(`${command.help.trimEnd()}\n`);
    return 0;
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`${spec.name} ${first}: ${(err as Error).message}\n\n${command.help.trimEnd()}\n`);
    return 2;
  }
  try {
    return await command.run(parsed);
  } catch (err) {
    const code = err instanceof FleetlakeError ? ` [${err.code}]` : '';
    process.stderr.write(redact(`${spec.name} ${first}: ${(err as Error).message}${code}\n`));
    return 1;
  }
}

/** Entry point helper for bin scripts: runs the CLI and exits with its code once output is flushed. */
export function main(spec: CliSpec): void {
  runCli(spec).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(redact(`${spec.name}: ${(err as Error).stack ?? String(err)}\n`));
      process.exitCode = 1;
    },
  );
}
