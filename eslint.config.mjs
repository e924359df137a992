// Lint config: typescript-eslint with type information so no-floating-promises can run.
import tseslint from 'typescript-eslint';

const SPACES = ['nb201', 'fbnet', 'vit', 'userspace'];
const CORE_ROOM = {
  group: ['**/extension/**', '**/cli/**', '**/webview/**'],
  message: 'src/core never imports the extension, the CLI or the webview.',
};
const NO_VSCODE = { name: 'vscode', message: 'src/core is free of vscode: pass what it needs in.' };
const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { paths: [NO_VSCODE], patterns: [CORE_ROOM, ...patterns] }],
});

/** The lint blocks of src/core: its rooms, the shared layer, and each space folder. */
function coreRooms() {
  return [
    {
      files: ['src/core/**/*.ts'],
      ignores: SPACES.map((s) => `src/core/${s}/**`),
      rules: restrict([
        {
          group: SPACES.map((s) => `**/${s}/**`),
          message:
            'the shared layer never imports a space folder: take what you need as a parameter (the composition root, src/core/compose.ts, wires the spaces).',
        },
      ]),
    },
    // the composition roots name every space
    {
      files: ['src/core/compose.ts', 'src/core/worker-main.ts'],
      rules: restrict([]),
    },
    ...SPACES.map((space) => ({
      files: [`src/core/${space}/**/*.ts`],
      rules: restrict([
        {
          group: SPACES.filter((o) => o !== space).map((o) => `../${o}/**`),
          message: `a space folder never imports another space: move what both need into the shared layer (src/core/*.ts, src/core/engine/).`,
        },
      ]),
    })),
  ];
}

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
  // the three rooms: core is pure TypeScript (no vscode, no DOM, no extension/CLI/webview code); the CLI never
  // reaches into the extension; the webview talks to the host only through src/protocol.ts. Inside core, the
  // shared layer (contracts, engine, adapters, modelexport/) never imports a space folder, and a space folder
  // never imports another: only the composition roots (compose.ts, worker-main.ts) name the spaces (each space
  // contributes its exporter through its provider).
  ...coreRooms(),
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
