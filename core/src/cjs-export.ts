import { createRequire } from 'node:module';

/**
 * Replaces a CommonJS module's export in Node's require cache, for the modules that will take it when
 * they load. This is how the bridge and the sink put faster encoders and decoders into kafkajs 2.2.4
 * (its internal files take each other's exports once, at load time).
 *
 * `from` is the caller's `import.meta.url` (module names resolve from there); `takenBy` are the modules
 * that take the export: when one of them is already loaded it keeps the original, so nothing is
 * changed and the result is false. The module itself is loaded first if it was not yet. Calling it again
 * with the same replacement returns true.
 */
export function replaceCjsExport(from: string, module: string, replacement: unknown, takenBy: readonly string[]): boolean {
  const require = createRequire(from);
  const path = require.resolve(module);
  if (require.cache[path]?.exports === replacement) return true;
  if (takenBy.some((m) => require.cache[require.resolve(m)])) return false;
  require(module);
  require.cache[path]!.exports = replacement;
  return true;
}
