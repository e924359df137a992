// Events a search emits. The run store appends them to events.jsonl; the CLI and the dashboard render them.

import type { Evaluation } from './evaluator.js';
import type { RejectionKind } from './validator.js';

export type NicheState = 'waiting' | 'proposing' | 'evaluating' | 'paused' | 'done' | 'error';

export interface EvaluatedRecord {
  id: string;
  niche: number;
  generation: number;
  arch: string;
  spec: Record<string, unknown>;
  operator: string;
  parents: string[];
  rationale: string;
  evaluation: Evaluation;
}

export type SearchEvent =
  | { type: 'niche/state'; niche: number; generation: number; state: NicheState; message?: string }
  | ({ type: 'arch/evaluated' } & EvaluatedRecord)
  | { type: 'candidate/rejected'; niche: number; generation: number; kind: RejectionKind; message: string }
  | { type: 'operator/fallback'; niche: number; generation: number; filled: number; reason: string }
  | {
      type: 'generation/completed';
      niche: number;
      generation: number;
      population: string[];
      archive: string[];
      evaluations: number;
      exhausted: boolean;
    }
  | { type: 'generation/planned'; generation: number; children: number[] }
  | { type: 'niche/exhausted'; niche: number; generation: number; message: string }
  | { type: 'search/completed'; front: string[]; evaluations: number; wallMs: number };
