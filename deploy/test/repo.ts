import { readFileSync } from 'node:fs';

/** Files of this repository, wherever it is checked out. */
export const repoFile = (path: string) => new URL(`../../${path}`, import.meta.url);
export const readRepoFile = (path: string) => readFileSync(repoFile(path), 'utf8');
