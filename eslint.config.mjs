// Lint config: typescript-eslint with type information so no-floating-promises can run.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.vscode-test/**',
      'out/**',
      'media/**',
      'scripts/**/*.mjs',
      'test/**/*.js',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json' } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // the three rooms: core is pure TypeScript (no vscode, no DOM, no extension/CLI/webview code); the CLI never
    // reaches into the extension; the webview talks to the host only through src/protocol.ts
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core is free of vscode: pass what it needs in.' }],
          patterns: [
            {
              group: ['**/extension/**', '**/cli/**', '**/webview/**'],
              message: 'src/core never imports the extension, the CLI or the webview.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'the CLI runs without VS Code.' }],
          patterns: [
            { group: ['**/extension/**', '**/webview/**'], message: 'the CLI goes through src/core only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'the webview has no vscode API: post a message.' }],
          patterns: [
            {
              group: ['**/src/core/**', '**/src/extension/**', '**/src/cli/**'],
              message: 'the webview imports only src/protocol.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.webview.json' } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
);
