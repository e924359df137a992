// Helpers for LLM run tests: a run config pointing the LLM operator at a loopback server, temp folders.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunConfig } from '../../src/core/runstore';
import { nb201TestConfig } from './config';

export const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-llm-'));

export function llmConfig(
  baseURL: string,
  over: Partial<RunConfig> = {},
  options: Record<string, unknown> = {},
): RunConfig {
  return nb201TestConfig({
    id: 'llm-test',
    operator: 'llm',
    generations: 3,
    budget: 90,
    seed: 3,
    operatorOptions: {
      baseURL,
      model: 'loopback-model',
      temperature: 0.7,
      maxInflight: 6,
      timeoutMs: 5000,
      maxRetries: 1,
      priceIn: 0.15,
      priceOut: 0.6,
      apiKeyEnv: 'LLM_NAS_TEST_KEY',
      ...options,
    },
    ...over,
  });
}

/** Every file of a run folder, relative path → text. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const f = path.join(d, name);
      if (fs.statSync(f).isDirectory()) walk(f);
      else out.set(path.relative(dir, f), fs.readFileSync(f, 'utf8'));
    }
  };
  walk(dir);
  return out;
}
