// What the numbers in a prompt mean: the unit of each cost, what the predicted accuracy is (the evaluator's
// own description of its scale), and the space's notes on isomorphism and how its hardware cost is measured
// (prompts/spaces/<space>.md, overridable like the templates). The model derived wrong cost rules when none
// of this was stated.

import fs from 'node:fs';
import path from 'node:path';
import type { PredictorInfo } from '../evaluator.js';
import { unitOf } from './memory.js';
import { resourceDir } from './prompts.js';

/** The space's notes file: prompts/spaces/<id>.md, or the one of its family (autoformer-t → autoformer.md). */
export function spaceNotes(spaceId: string, overrideDir?: string): string {
  const names = [`${spaceId}.md`, `${spaceId.replace(/-.*$/, '')}.md`];
  const dirs = [
    ...(overrideDir ? [path.join(overrideDir, 'spaces')] : []),
    path.join(resourceDir(), 'spaces'),
  ];
  for (const d of dirs)
    for (const n of names) {
      const f = path.join(d, n);
      if (fs.existsSync(f)) return fs.readFileSync(f, 'utf8').trim();
    }
  return 'Two architectures are the same when their canonical notation is equal.';
}

/** The "What the numbers mean" section. */
export function signalsText(objectives: readonly string[], predictor: PredictorInfo | undefined): string {
  const costs = objectives.slice(1);
  const acc = predictor
    ? `acc = predicted accuracy: ${predictor.unit}; higher is better; one scale for the whole space (comparable across niches), not a test accuracy.`
    : 'acc = predicted accuracy: the evaluator’s zero-cost estimate; higher is better; not a test accuracy.';
  const lines = [
    `- ${acc}`,
    ...costs.map((c) => `- ${c}${unitOf(c) ? ` in ${unitOf(c)}` : ''}; lower is better.`),
    '- by: llm = yours; fill-in = the built-in operator’s, when answers fell short (data, not your idea); ' +
      'initial = generation-0 sample.',
  ];
  return lines.join('\n');
}
