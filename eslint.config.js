// Lint: TypeScript rules plus the one architectural rule of STYLE.md: domain code
// (spec/, compile/, engine/) never imports a driver; only adapters do.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const drivers = ['dockerode', 'execa', 'chokidar', 'listr2', 'tar-fs', '@balena/dockerignore'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'fixtures/**', '.devpipe/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/spec/**/*.ts', 'src/compile/**/*.ts', 'src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: drivers.map((name) => ({ name, message: 'Domain code talks to ports only (STYLE.md); import drivers in adapters.' })),
        patterns: [{ group: ['node:fs', 'node:fs/*', 'node:child_process', 'fs', 'child_process'], message: 'Domain code does no I/O of its own (STYLE.md).' }],
      }],
    },
  },
  {
    // cli/: only the composition root (context.ts, adapters.ts) builds adapters or touches the disk;
    // commands parse, call the engine, render through ui/ (docs/architecture.md).
    files: ['src/cli/**/*.ts'],
    ignores: ['src/cli/context.ts', 'src/cli/adapters.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: drivers.map((name) => ({ name, message: 'Only the composition root (cli/context.ts, cli/adapters.ts) builds adapters.' })),
        patterns: [
          { group: ['node:fs', 'node:fs/*', 'node:child_process', 'fs', 'child_process'], message: 'Commands do no I/O of their own: ask the engine, through the ports the composition root builds.' },
          { group: ['../docker/*', '../compose/*', '../kube/*', '../watch/*', '../fs/*', '../process/*', '../host/*', '../secrets/*', '../../docker/*', '../../compose/*', '../../kube/*', '../../watch/*', '../../fs/*', '../../process/*', '../../host/*', '../../secrets/*'], message: 'Adapters are built in the composition root (cli/context.ts, cli/adapters.ts) only.' },
        ],
      }],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly' } },
  },
);
