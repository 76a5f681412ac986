import { fileURLToPath } from 'node:url';

/** The repository root (this file is demo/src/repo.ts or demo/dist/repo.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Workspace = 'agent' | 'bridge' | 'sink' | 'simulators' | 'console' | 'demo';

/** The built CLI of a workspace (`npm run build` / scripts/setup builds it). */
export function cliPath(workspace: Workspace): string {
  return fileURLToPath(new URL(`../../${workspace}/dist/cli.js`, import.meta.url));
}
