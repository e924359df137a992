// Events a search emits, and everything else a run appends to its events.jsonl (its lifecycle, notices, job
// progress). The run store appends them; the CLI and the dashboard render them.

import type { JobEvent, JobSummary } from './batch/contract.js';
import type { Evaluation } from './evaluator.js';
import type { KbNotice } from './knowledge.js';
import type { RunConfig } from './runstore.js';
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

/** A run's lifecycle, appended by the run itself (the search emits none of these). */
export type RunLifecycleEvent =
  | { type: 'run/started'; config: RunConfig }
  | { type: 'run/paused' | 'run/resumed' }
  | { type: 'run/resumed-from-folder'; evaluations: number }
  | { type: 'run/stopped'; reason: string }
  | { type: 'run/failed'; error: string };

/** Something the user should see that is not a search event: knowledge-base edits, LLM problems, budget. */
export type RunNotice =
  | KbNotice
  | { type: 'llm/problem'; niche: number; generation: number; stage: string; message: string }
  | { type: 'llm/budget'; message: string }
  /** Resume repaired the run folder (or found it complete): what it did, and the file concerned. */
  | { type: 'run/repaired'; file: string; message: string }
  | { type: 'kb/seed'; message: string };

/**
 * One line of a run folder's events.jsonl. The store adds `seq` (the line's number) and, to most, `t` (when it
 * was appended); an evaluation whose event resume rebuilt from its spec file carries `repaired: true`.
 */
export type RunLogEvent = SearchEvent | RunLifecycleEvent | RunNotice | JobEvent | JobSummary;
