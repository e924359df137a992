// Prompt templates as files: the defaults ship in the extension's prompts/ folder, and a workspace folder
// (e.g. .llm-nas/prompts) can override any of them. Templates use {{name}} placeholders; an unknown
// placeholder is an error naming the file and line, so a typo in a user's template fails at start, not mid-run.

import fs from 'node:fs';
import path from 'node:path';

export const TEMPLATE_NAMES = ['system', 'kb-update', 'evolve'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** Placeholders each template may use. */
export const TEMPLATE_VARS: Record<TemplateName, readonly string[]> = {
  system: [],
  'kb-update': [
    'niche',
    'grammar',
    'constraint',
    'objectives',
    'generation',
    'knowledge_base',
    'previous',
    'max_rules',
    'max_rule_chars',
    // added with the niche memory (older templates that do not use them still load)
    'space_notes',
    'niche_status',
    'signals',
    'memory',
    'last_generation',
    'not_evaluated',
    // added with the revisable Global section
    'max_global_edits',
    'next_generation',
    'global_outcome',
  ],
  evolve: [
    'niche',
    'grammar',
    'constraint',
    'objectives',
    'generation',
    'knowledge_base',
    'parents',
    'operation',
    'operation_instructions',
    'feedback',
    'recent',
    'count',
    'space_notes',
    'niche_status',
    'signals',
    'memory',
    'this_generation',
    'not_evaluated',
    'evaluate',
  ],
};

export class PromptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptError';
  }
}

/**
 * The shipped resources folder (prompts/ at the package root): found by walking up from this module, which
 * works from the source tree (tests), from dist/ (CLI bundle) and from the installed extension.
 */
export function resourceDir(name = 'prompts'): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = path.join(dir, name);
    if (fs.existsSync(path.join(p, 'evolve.md'))) return p;
    dir = path.dirname(dir);
  }
  throw new PromptError(`cannot find the default ${name}/ folder next to ${__dirname}`);
}

/** The default knowledge base for a space (prompts/knowledge-base/<space>.md), if one ships. */
export function defaultKnowledgeBase(space: string): string | undefined {
  const f = path.join(resourceDir(), 'knowledge-base', `${space}.md`);
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined;
}

export interface Templates {
  text: Record<TemplateName, string>;
  /** Where each template came from (for the log and the docs). */
  source: Record<TemplateName, string>;
}

function check(name: TemplateName, text: string, file: string): void {
  const allowed = new Set(TEMPLATE_VARS[name]);
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g))
      if (!allowed.has(m[1]!))
        throw new PromptError(
          `${file}:${i + 1}: unknown placeholder {{${m[1]}}}; ${name}.md may use ${[...allowed].map((v) => `{{${v}}}`).join(', ') || 'none'}`,
        );
  });
}

/** Loads the templates: each from `overrideDir` when it has one, else the shipped default. */
export function loadTemplates(overrideDir?: string): Templates {
  const defaults = resourceDir();
  const text = {} as Record<TemplateName, string>;
  const source = {} as Record<TemplateName, string>;
  for (const name of TEMPLATE_NAMES) {
    const own = overrideDir ? path.join(overrideDir, `${name}.md`) : undefined;
    const file = own && fs.existsSync(own) ? own : path.join(defaults, `${name}.md`);
    const t = fs.readFileSync(file, 'utf8');
    check(name, t, file);
    text[name] = t;
    source[name] = file;
  }
  return { text, source };
}

/** Fills {{name}} placeholders. */
export function render(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, k: string) => {
    const v = vars[k];
    if (v === undefined) throw new PromptError(`no value for placeholder {{${k}}}`);
    return String(v);
  });
}
