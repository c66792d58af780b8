import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, beside the code) and `cluster` (real control plane and other
// real services, started once per run by the global setup and shared; tests isolate by namespace).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/cluster/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
