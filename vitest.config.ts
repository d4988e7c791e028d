import { configDefaults, defineConfig } from 'vitest/config'

// One project per kind of environment, so each can be run alone: `npx vitest run --project unit`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'fixtures/**/*.test.ts', 'test/*.test.ts'],
          exclude: [...configDefaults.exclude, 'packages/*/test/redis/**', 'packages/*/test/workerd/**', 'packages/*/test/next/**', 'packages/*/test/browser/**'],
          setupFiles: ['test/no-unhandled-rejections.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'workerd',
          include: ['packages/*/test/workerd/**/*.test.ts'],
          setupFiles: ['test/no-unhandled-rejections.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['examples/*/test/**/*.test.ts', 'frameworks/*/test/**/*.test.ts', 'packages/*/test/next/**/*.test.ts', 'packages/*/test/browser/**/*.test.ts'],
          setupFiles: ['test/no-unhandled-rejections.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'redis',
          include: ['packages/*/test/redis/**/*.test.ts'],
          setupFiles: ['test/no-unhandled-rejections.ts'],
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
})
