import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (ws: string) => fileURLToPath(new URL(`./${ws}/src/index.ts`, import.meta.url));

// Tests import workspaces from source, so a test run never sees stale build output.
const alias = {
  '@fleetlake/core': src('core'),
  '@fleetlake/contracts': src('contracts'),
  '@fleetlake/testkit/vitest': fileURLToPath(new URL('./testkit/src/vitest/services.ts', import.meta.url)),
  '@fleetlake/testkit': src('testkit'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    pool: 'forks',
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          // Unit tests first (fast feedback), then integration with its own worker limit.
          sequence: { groupOrder: 0 },
          include: ['*/test/**/*.test.ts'],
          exclude: ['*/test/**/*.int.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['*/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          // Starts real services on demand (Kafka, moto, Mosquitto) and stops them all at the end.
          globalSetup: ['testkit/src/vitest/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Integration files share the machine's two cores with the brokers they start.
          maxWorkers: 2,
        },
      },
    ],
  },
});
