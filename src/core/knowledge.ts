// The living knowledge base: design heuristics the LLM operator reads every generation and rewrites in stage 1
// of the co-evolution. It is a human-editable Markdown file (knowledge-base.md in the run folder) with a fixed
// structure, parsed and validated here with line-numbered errors, formatted back deterministically, and kept
// per generation (kb/gen-NN.md) so users can diff how it evolved.
//
// Format:
//   # Knowledge base                 title (any level-1 heading), then free text (kept, not read by the loop)
//   ## Global                        rules for every niche
//   ### Positive                     what tends to work
//   - Rule text, one short line.
//     Evidence: what supports it (ids, numbers).
//   ### Negative                     what to avoid
//   ## N2 — exactly one nor_conv_3x3 one section per niche: "N<k>", an optional title after a dash
// Text between a "##" heading and its first "###" is the section's notes (kept, shown to the LLM).

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './fsutil.js';

export interface KbRule {
  text: string;
  evidence?: string;
}

export interface KbSection {
  /** Heading text after "N<k> —" (niches) or empty. */
  title: string;
  notes: string;
  positive: KbRule[];
  negative: KbRule[];
}

export interface KnowledgeBase {
  title: string;
  preamble: string;
  global: KbSection;
  /** Niche id → section, in ascending id order when formatted. */
  niches: Map<number, KbSection>;
}

/** Longest rule (or evidence) accepted: rules are meant to be short. */
export const MAX_RULE_CHARS = 300;

export interface KbIssue {
  line: number;
  message: string;
}

export class KbParseError extends Error {
  constructor(
    readonly file: string,
    readonly issues: KbIssue[],
  ) {
    super(issues.map((i) => `${file}:${i.line}: ${i.message}`).join('\n'));
    this.name = 'KbParseError';
  }

  /** The first problem, for one-line messages. */
  get first(): KbIssue {
    return this.issues[0]!;
  }
}

export function emptySection(title = ''): KbSection {
  return { title, notes: '', positive: [], negative: [] };
}

export function emptyKnowledgeBase(): KnowledgeBase {
  return { title: 'Knowledge base', preamble: '', global: emptySection(), niches: new Map() };
}

export interface ParseOptions {
  /** File name used in messages (default knowledge-base.md). */
  file?: string;
  /** Number of niches of the run: a section "N<k>" with k ≥ this is an error. */
  niches?: number;
}

const H1 = /^#\s+(.*)$/;
const H2 = /^##\s+(.*)$/;
const H3 = /^###\s+(.*)$/;
const BULLET = /^[-*](?:\s+(.*))?$/;
const NICHE_HEADING = /^N(\d+)(?:\s*(?:—|–|-|:)\s*(.*))?$/;
const EVIDENCE = /^evidence\s*:\s*(.*)$/i;

/** Parses knowledge-base Markdown; throws KbParseError listing every problem with its line. */
export function parseKnowledgeBase(text: string, opts: ParseOptions = {}): KnowledgeBase {
  const file = opts.file ?? 'knowledge-base.md';
  const kb = emptyKnowledgeBase();
  const issues: KbIssue[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let section: KbSection | undefined;
  let list: KbRule[] | undefined;
  let listName = '';
  let rule: KbRule | undefined;
  let sawGlobal = false;
  const seenLists = new Set<string>();
  const preamble: string[] = [];
  const notes: string[] = [];
  let sawTitle = false;
  const flushNotes = (): void => {
    if (section && notes.length) section.notes = notes.join('\n').trim();
    notes.length = 0;
  };
  const checkRule = (r: KbRule | undefined, line: number): void => {
    if (!r) return;
    if (r.text.length > MAX_RULE_CHARS)
      issues.push({
        line,
        message: `rule is ${r.text.length} characters; keep rules under ${MAX_RULE_CHARS}`,
      });
    if (r.evidence !== undefined && r.evidence.length > MAX_RULE_CHARS)
      issues.push({
        line,
        message: `evidence is ${r.evidence.length} characters; keep it under ${MAX_RULE_CHARS}`,
      });
  };
  let ruleLine = 0;

  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    const t = line.trim();
    let m: RegExpMatchArray | null;
    if ((m = H3.exec(t)) && !line.startsWith(' ')) {
      checkRule(rule, ruleLine);
      rule = undefined;
      const name = m[1]!.trim().toLowerCase();
      if (!section) {
        issues.push({ line: n, message: `"${t}" must be inside a "## Global" or "## N<k>" section` });
        return;
      }
      flushNotes();
      if (name !== 'positive' && name !== 'negative') {
        issues.push({ line: n, message: `unknown list "${t}"; expected "### Positive" or "### Negative"` });
        list = undefined;
        return;
      }
      const key = `${listName}/${name}`;
      if (seenLists.has(key))
        issues.push({ line: n, message: `second "### ${m[1]!.trim()}" in this section` });
      seenLists.add(key);
      list = name === 'positive' ? section.positive : section.negative;
      return;
    }
    if ((m = H2.exec(t)) && !line.startsWith(' ')) {
      checkRule(rule, ruleLine);
      rule = undefined;
      flushNotes();
      list = undefined;
      const h = m[1]!.trim();
      if (h.toLowerCase() === 'global') {
        if (sawGlobal) issues.push({ line: n, message: 'second "## Global" section' });
        sawGlobal = true;
        section = kb.global;
        listName = 'global';
        return;
      }
      const nm = NICHE_HEADING.exec(h);
      if (!nm) {
        issues.push({
          line: n,
          message: `unknown section "${t}"; expected "## Global" or "## N<k>" (e.g. "## N2")`,
        });
        section = undefined;
        return;
      }
      const id = Number(nm[1]);
      if (opts.niches !== undefined && id >= opts.niches)
        issues.push({ line: n, message: `this run has niches N0–N${opts.niches - 1}; there is no N${id}` });
      if (kb.niches.has(id)) issues.push({ line: n, message: `second section for niche N${id}` });
      section = emptySection((nm[2] ?? '').trim());
      kb.niches.set(id, section);
      listName = `N${id}`;
      return;
    }
    if ((m = H1.exec(t)) && !line.startsWith(' ')) {
      if (sawTitle || section) {
        issues.push({ line: n, message: 'only one "# title" line is allowed, at the top' });
        return;
      }
      sawTitle = true;
      kb.title = m[1]!.trim();
      return;
    }
    if (!section) {
      preamble.push(line);
      return;
    }
    if (!list) {
      if (BULLET.test(t) && t.length > 0)
        issues.push({ line: n, message: 'a rule must be under "### Positive" or "### Negative"' });
      else notes.push(line);
      return;
    }
    if (t === '') return;
    if ((m = BULLET.exec(line))) {
      checkRule(rule, ruleLine);
      const text = (m[1] ?? '').trim();
      if (!text) issues.push({ line: n, message: 'empty rule' });
      rule = { text };
      ruleLine = n;
      list.push(rule);
      return;
    }
    if (/^\s/.test(line) && rule) {
      const ev = EVIDENCE.exec(t);
      if (ev) {
        if (rule.evidence !== undefined)
          issues.push({ line: n, message: 'second "Evidence:" line for this rule' });
        rule.evidence = ev[1]!.trim();
      } else if (rule.evidence !== undefined) rule.evidence += ' ' + t;
      else rule.text += ' ' + t;
      return;
    }
    issues.push({
      line: n,
      message: `expected a rule ("- …") or an indented "Evidence: …" line, got "${t.slice(0, 60)}"`,
    });
  });
  checkRule(rule, ruleLine);
  flushNotes();
  kb.preamble = preamble.join('\n').trim();
  if (issues.length)
    throw new KbParseError(
      file,
      issues.sort((a, b) => a.line - b.line),
    );
  return kb;
}

function formatSection(heading: string, s: KbSection): string[] {
  const out = [heading, ''];
  if (s.notes) out.push(s.notes, '');
  for (const [name, rules] of [
    ['Positive', s.positive],
    ['Negative', s.negative],
  ] as const) {
    out.push(`### ${name}`);
    for (const r of rules) {
      out.push(`- ${r.text}`);
      if (r.evidence !== undefined) out.push(`  Evidence: ${r.evidence}`);
    }
    out.push('');
  }
  return out;
}

/** Deterministic Markdown for a knowledge base (parse(format(kb)) equals kb). */
export function formatKnowledgeBase(kb: KnowledgeBase, only?: number): string {
  const out = [`# ${kb.title}`, ''];
  if (kb.preamble && only === undefined) out.push(kb.preamble, '');
  out.push(...formatSection('## Global', kb.global));
  for (const id of [...kb.niches.keys()].sort((a, b) => a - b)) {
    if (only !== undefined && id !== only) continue;
    const s = kb.niches.get(id)!;
    out.push(...formatSection(`## N${id}${s.title ? ` — ${s.title}` : ''}`, s));
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

/** What the operator sees for one niche: the global section and that niche's section. */
export function nicheView(kb: KnowledgeBase, niche: number): string {
  return formatKnowledgeBase(kb, niche);
}

export function nicheSection(kb: KnowledgeBase, niche: number): KbSection {
  return kb.niches.get(niche) ?? emptySection();
}

/** A copy of `kb` with one niche's section replaced. */
export function withNicheSection(kb: KnowledgeBase, niche: number, s: KbSection): KnowledgeBase {
  const niches = new Map(kb.niches);
  niches.set(niche, s);
  return { ...kb, niches };
}

/** Collapses whitespace and checks one rule proposed by the LLM; returns a reason when it is unusable. */
export function cleanRule(text: unknown, evidence: unknown): KbRule | string {
  if (typeof text !== 'string' || !text.trim()) return 'empty rule';
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length > MAX_RULE_CHARS) return `rule longer than ${MAX_RULE_CHARS} characters`;
  const r: KbRule = { text: t };
  if (typeof evidence === 'string' && evidence.trim()) {
    const e = evidence.replace(/\s+/g, ' ').trim();
    r.evidence = e.length > MAX_RULE_CHARS ? e.slice(0, MAX_RULE_CHARS - 1) + '…' : e;
  }
  return r;
}

// ---- edits to the Global section (stage 1 may propose them, with evidence) ------------------------------------

/** One edit of a Global rule list proposed by stage 1. `rule` quotes the current rule for remove and reword. */
export interface GlobalEdit {
  action: 'add' | 'remove' | 'reword';
  list: 'positive' | 'negative';
  rule: string;
  /** The new text (reword only). */
  newRule?: string;
  evidence: string;
}

/** Most Global edits one niche may propose per generation. */
export const MAX_GLOBAL_EDITS = 3;

const sameText = (a: string, b: string): boolean =>
  a.replace(/\s+/g, ' ').trim().toLowerCase() === b.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * The Global section with the edits applied, or why they cannot be (all or nothing: one bad edit rejects the
 * proposal, and the Global rules in force stay). Caps: MAX_GLOBAL_EDITS edits, rule and evidence at most
 * MAX_RULE_CHARS, each Global list at most `maxRules` long after an add (or as long as it already was).
 */
export function applyGlobalEdits(
  global: KbSection,
  edits: readonly GlobalEdit[],
  maxRules: number,
): { section: KbSection } | { error: string } {
  if (edits.length > MAX_GLOBAL_EDITS)
    return { error: `${edits.length} Global edits proposed; at most ${MAX_GLOBAL_EDITS} per generation` };
  const lists = { positive: [...global.positive], negative: [...global.negative] };
  for (const [i, e] of edits.entries()) {
    const at = `global_edits[${i}] (${e.action} ${e.list})`;
    if (!e.evidence.trim()) return { error: `${at}: an edit needs its evidence` };
    if (e.evidence.length > MAX_RULE_CHARS)
      return { error: `${at}: evidence longer than ${MAX_RULE_CHARS} characters` };
    const list = lists[e.list];
    const found = list.findIndex((r) => sameText(r.text, e.rule));
    if (e.action === 'add') {
      const r = cleanRule(e.rule, e.evidence);
      if (typeof r === 'string') return { error: `${at}: ${r}` };
      if (found >= 0)
        return { error: `${at}: the Global ${e.list} rules already have "${r.text.slice(0, 80)}"` };
      if (list.length + 1 > Math.max(maxRules, global[e.list].length))
        return { error: `${at}: the Global ${e.list} list would have more than ${maxRules} rules` };
      list.push(r);
      continue;
    }
    if (found < 0)
      return {
        error: `${at}: no Global ${e.list} rule reads "${e.rule.replace(/\s+/g, ' ').slice(0, 80)}" (quote the rule's text exactly)`,
      };
    if (e.action === 'remove') list.splice(found, 1);
    else {
      const r = cleanRule(e.newRule, e.evidence);
      if (typeof r === 'string') return { error: `${at}: new_rule: ${r}` };
      list[found] = r;
    }
  }
  return { section: { ...global, positive: lists.positive, negative: lists.negative } };
}

/** One niche's proposal of Global edits in one generation. */
export interface GlobalProposal {
  niche: number;
  edits: GlobalEdit[];
  /** The operator's cap on rules per list, checked again when the proposal is applied. */
  maxRules: number;
  /** Why stage 1 rejected it already (kept so the niche's next prompt can say so; never applied). */
  rejected?: string;
}

/**
 * Applies at most one proposal per generation: the lowest-numbered niche whose edits are valid against the
 * Global rules in force (niches run concurrently, so "first" by niche order keeps a replay and a resume
 * identical); the others are reported, not applied.
 */
export function pickGlobalProposal(
  kb: KnowledgeBase,
  proposals: readonly GlobalProposal[],
): { kb: KnowledgeBase; applied?: GlobalProposal; skipped: { niche: number; why: string }[] } {
  const skipped: { niche: number; why: string }[] = [];
  let applied: GlobalProposal | undefined;
  let out = kb;
  for (const p of [...proposals].sort((a, b) => a.niche - b.niche)) {
    if (p.rejected !== undefined) continue;
    if (applied) {
      skipped.push({
        niche: p.niche,
        why: `N${applied.niche}'s Global edits were applied this generation (one proposal per generation)`,
      });
      continue;
    }
    const r = applyGlobalEdits(kb.global, p.edits, p.maxRules);
    if ('error' in r) skipped.push({ niche: p.niche, why: r.error });
    else {
      applied = p;
      out = { ...kb, global: r.section };
    }
  }
  return { kb: out, ...(applied ? { applied } : {}), skipped };
}

const describeEdit = (e: GlobalEdit): string =>
  e.action === 'reword'
    ? `reword ${e.list} "${e.rule.slice(0, 60)}" → "${(e.newRule ?? '').slice(0, 60)}"`
    : `${e.action} ${e.list} "${e.rule.slice(0, 60)}"`;

// ---- the knowledge base in force during a search ----------------------------------------------------------

/** Where the operator gets the knowledge base in force and where stage 1 puts its revisions. */
export interface KnowledgeHost {
  /** The knowledge base in force for a generation (read once, at the generation boundary). */
  inForce(generation: number): KnowledgeBase;
  /** Stage 1's revision of one niche's section during a generation. */
  revise(niche: number, generation: number, section: KbSection): void;
  /**
   * Stage 1's proposal of Global edits in a generation (already checked against the Global rules in force):
   * at the next generation boundary at most one proposal of the generation is applied (pickGlobalProposal).
   */
  proposeGlobal?(
    niche: number,
    generation: number,
    edits: GlobalEdit[],
    maxRules: number,
    rejected?: string,
  ): void;
  /** What became of a niche's Global edits of a generation, for its next stage-1 prompt (undefined: none). */
  globalOutcome?(niche: number, generation: number): string | undefined;
}

/** The prompt's line for a niche's Global proposal, once decided. */
function outcomeText(
  p: GlobalProposal | undefined,
  decided: { applied: number | null; inForceFrom: number; reasons?: Record<string, string> } | undefined,
): string | undefined {
  if (!p) return undefined;
  if (p.rejected !== undefined) return `rejected, nothing changed: ${p.rejected}`;
  if (!decided) return undefined;
  return decided.applied === p.niche
    ? `applied: the Global rules above include them (in force from generation ${decided.inForceFrom})`
    : `not applied: ${decided.reasons?.[String(p.niche)] ?? 'another proposal was applied'}`;
}

/** In-memory host (benchmarks, tests): revisions carry over to later generations. */
export class MemoryKnowledge implements KnowledgeHost {
  private boundary = -Infinity;
  private readonly proposals = new Map<number, GlobalProposal[]>();
  constructor(private kb: KnowledgeBase) {}
  inForce(generation = this.boundary): KnowledgeBase {
    if (generation > this.boundary) {
      this.boundary = generation;
      // last generation's Global proposals: one is applied, from this generation on
      const props = this.proposals.get(generation - 1);
      if (props) {
        const r = pickGlobalProposal(this.kb, props);
        this.kb = r.kb;
        this.decided.set(generation - 1, {
          applied: r.applied?.niche ?? null,
          inForceFrom: generation,
          reasons: Object.fromEntries(r.skipped.map((x) => [String(x.niche), x.why])),
        });
      }
      for (const g of [...this.proposals.keys()]) if (g < generation - 1) this.proposals.delete(g);
    }
    return this.kb;
  }
  private readonly decided = new Map<
    number,
    { applied: number | null; inForceFrom: number; reasons: Record<string, string> }
  >();
  globalOutcome(niche: number, generation: number): string | undefined {
    const p = this.proposals.get(generation)?.find((x) => x.niche === niche);
    return outcomeText(p, this.decided.get(generation));
  }
  proposeGlobal(
    niche: number,
    generation: number,
    edits: GlobalEdit[],
    maxRules = 8,
    rejected?: string,
  ): void {
    const list = (this.proposals.get(generation) ?? []).filter((p) => p.niche !== niche);
    const p: GlobalProposal = { niche, edits, maxRules, ...(rejected !== undefined ? { rejected } : {}) };
    this.proposals.set(generation, [...list, p]);
  }
  revise(niche: number, _generation: number, section: KbSection): void {
    this.kb = withNicheSection(this.kb, niche, section);
  }
}

export type KbNotice =
  | { type: 'kb/edited'; generation: number; file: string }
  | { type: 'kb/rejected'; generation: number; line: number; message: string; savedAs: string }
  | { type: 'kb/updated'; generation: number; niche: number; positive: number; negative: number }
  | { type: 'kb/deferred'; generation: number; niche: number; message: string }
  | {
      /** Stage 1's Global edits of `generation`: applied from `inForceFrom` (kept in `file`), or not, and why. */
      type: 'kb/global';
      generation: number;
      niche: number;
      applied: boolean;
      inForceFrom: number;
      edits: GlobalEdit[];
      message: string;
      file?: string;
    };

export function versionName(generation: number): string {
  return `gen-${String(generation).padStart(2, '0')}.md`;
}

/** Largest knowledge-base file read from a run folder. */
export const MAX_KB_FILE_BYTES = 256 * 1024;
/** Stability check before reading an edited file: two stats this far apart must agree … */
export const KB_SETTLE_MS = 150;
/** … within this long; a file still changing after it is not read this generation. */
export const KB_SETTLE_MAX_MS = 3000;

/** kb/global-gen-NN.json: a generation's Global proposals and, once taken at the next boundary, the decision. */
interface GlobalRecord {
  generation: number;
  proposals: GlobalProposal[];
  decided?: {
    applied: number | null;
    inForceFrom: number;
    userEdit: boolean;
    reasons?: Record<string, string>;
  };
}

/** What a read of the knowledge-base file gave: its text, or why it cannot be used (and whether it is there). */
type KbRead =
  | { ok: true; text: string }
  | { ok: false; why: string; keep: 'missing' | 'directory' | 'content' | 'unstable'; bytes?: Buffer };

interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

function stampOf(file: string): FileStamp | 'missing' | 'directory' {
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) return 'directory';
    return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
}

const sameStamp = (a: FileStamp | string | undefined, b: FileStamp | string | undefined): boolean =>
  typeof a === 'object' && typeof b === 'object'
    ? a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino
    : a === b;

/** Reads the file as text: valid UTF-8, no NUL, at most MAX_KB_FILE_BYTES, with a "## Global" section. */
function readKbFile(file: string): KbRead {
  try {
    return readKbFileOrThrow(file);
  } catch (e) {
    // e.g. EACCES: not fatal to the run, the version in force stays
    return {
      ok: false,
      keep: 'unstable',
      why: `${path.basename(file)} cannot be read (${(e as Error).message})`,
    };
  }
}

function readKbFileOrThrow(file: string): KbRead {
  const name = path.basename(file);
  const st = stampOf(file);
  if (st === 'missing') return { ok: false, keep: 'missing', why: `${name} is missing` };
  if (st === 'directory') return { ok: false, keep: 'directory', why: `${name} is a directory, not a file` };
  if (st.size > MAX_KB_FILE_BYTES)
    return {
      ok: false,
      keep: 'content',
      why: `${name} is ${Math.ceil(st.size / 1024)} KB; the knowledge base is capped at ${MAX_KB_FILE_BYTES / 1024} KB`,
    };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, keep: 'missing', why: `${name} is missing` };
    if (code === 'EISDIR') return { ok: false, keep: 'directory', why: `${name} is a directory, not a file` };
    return { ok: false, keep: 'unstable', why: `${name} cannot be read (${(e as Error).message})` };
  }
  if (bytes.length > MAX_KB_FILE_BYTES)
    return {
      ok: false,
      keep: 'content',
      why: `${name} is ${Math.ceil(bytes.length / 1024)} KB; the knowledge base is capped at ${MAX_KB_FILE_BYTES / 1024} KB`,
    };
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    return {
      ok: false,
      keep: 'content',
      bytes,
      why: `${name} holds a NUL byte at offset ${nul}: it is not text`,
    };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, keep: 'content', bytes, why: `${name} is not valid UTF-8 text` };
  }
  if (!/^##\s+global\s*$/im.test(text))
    return {
      ok: false,
      keep: 'content',
      bytes,
      why: `${name} has no "## Global" section (without it every global rule would be dropped; keep the heading, even empty)`,
    };
  return { ok: true, text };
}

/**
 * The run folder's knowledge base. At each generation boundary knowledge-base.md is read and validated: a
 * valid user edit takes effect (and is kept as kb/user-gen-NN.md so a replay can re-apply it); an invalid one
 * is set aside as kb/rejected-gen-NN.md, the file is restored to the version in force, and the message names
 * the line. Only valid UTF-8 text without NULs, at most MAX_KB_FILE_BYTES, is read, and (through `settle`) only
 * once it has stopped changing, so an editor's two-step save is never read half-way; a missing file gets the
 * version in force written back, a directory in its place is reported; neither stops the run. Stage-1
 * revisions are written back atomically — unless the user changed the file since, in which case their edit
 * wins at the next boundary and the revision stays in kb/gen-NN.md. Nothing is lost.
 */
export class KnowledgeFile implements KnowledgeHost {
  private current: KnowledgeBase | undefined;
  private lastWritten: string | undefined;
  private boundary = -1;
  /** The file's stamp when it was last read or written by us: unchanged → no need to wait for it to settle. */
  private lastStamp: FileStamp | string | undefined;
  private settled: { generation: number; read: KbRead } | undefined;
  private settling: { generation: number; promise: Promise<void> } | undefined;

  constructor(
    readonly dir: string,
    private readonly niches: number,
    private readonly notify: (n: KbNotice) => void = () => {},
    /** Replay: user edits recorded by the original run, applied at the same boundaries. */
    private readonly edits: Map<number, string> = new Map(),
    /** Stability check timing (tests shorten it). */
    private readonly settleMs = KB_SETTLE_MS,
    private readonly settleMaxMs = KB_SETTLE_MAX_MS,
  ) {}

  get file(): string {
    return path.join(this.dir, 'knowledge-base.md');
  }

  private versionFile(prefix: string, generation: number): string {
    return path.join(this.dir, 'kb', `${prefix}${versionName(generation)}`);
  }

  /**
   * Waits (at a generation boundary, before `inForce`) until the file has stopped changing — two stats
   * `settleMs` apart agree — and reads it; a file we wrote ourselves and nobody touched since is read at once.
   */
  settle(generation: number): Promise<void> {
    if (this.settled?.generation === generation || (this.current && generation === this.boundary))
      return Promise.resolve();
    if (this.settling?.generation === generation) return this.settling.promise;
    const promise = (async () => {
      try {
        await this.waitUntilStable(generation);
      } catch (e) {
        const why = `${path.basename(this.file)} cannot be read (${(e as Error).message})`;
        this.settled = { generation, read: { ok: false, keep: 'unstable', why } };
      }
    })();
    this.settling = { generation, promise };
    return promise;
  }

  private async waitUntilStable(generation: number): Promise<void> {
    const edit = this.edits.get(generation);
    if (edit !== undefined) return; // replay: inForce writes the recorded edit
    const t0 = Date.now();
    let a = stampOf(this.file);
    // unchanged since we last read or wrote it, or untouched for a while: nothing is being saved right now
    const quiet = typeof a === 'object' && Date.now() - a.mtimeMs > 2 * this.settleMs;
    if (!quiet && (this.current === undefined || !sameStamp(a, this.lastStamp))) {
      for (;;) {
        await new Promise((r) => setTimeout(r, this.settleMs));
        const b = stampOf(this.file);
        if (sameStamp(a, b)) break;
        a = b;
        if (Date.now() - t0 > this.settleMaxMs) {
          this.settled = {
            generation,
            read: {
              ok: false,
              keep: 'unstable',
              why: `${path.basename(this.file)} was still changing after ${this.settleMaxMs} ms`,
            },
          };
          return;
        }
      }
    }
    const read = readKbFile(this.file);
    // changed while being read: the next boundary reads it again
    if (read.ok && !sameStamp(stampOf(this.file), a))
      this.settled = {
        generation,
        read: { ok: false, keep: 'unstable', why: `${path.basename(this.file)} changed while it was read` },
      };
    else this.settled = { generation, read };
  }

  inForce(generation: number): KnowledgeBase {
    if (this.current && generation === this.boundary) return this.current;
    this.boundary = generation;
    const edit = this.edits.get(generation);
    if (edit !== undefined) writeFileAtomic(this.file, edit);
    const read =
      this.settled?.generation === generation && edit === undefined
        ? this.settled.read
        : readKbFile(this.file);
    this.settled = undefined;
    // the user's edit this boundary (valid, or still being saved): last generation's Global edits do not overwrite it
    let touched = false;
    if (!read.ok) {
      this.unusable(generation, read);
      touched = read.keep === 'unstable' || read.keep === 'directory';
    } else if (this.current === undefined || read.text !== this.lastWritten) {
      const text = read.text;
      try {
        const kb = parseKnowledgeBase(text, { niches: this.niches });
        if (this.current !== undefined) {
          touched = true;
          const saved = this.versionFile('user-', generation);
          writeFileAtomic(saved, text);
          this.notify({ type: 'kb/edited', generation, file: path.relative(this.dir, saved) });
        }
        this.current = kb;
        this.lastWritten = text;
        this.lastStamp = stampOf(this.file);
      } catch (e) {
        if (!(e instanceof KbParseError)) throw e;
        const saved = this.versionFile('rejected-', generation);
        writeFileAtomic(saved, text);
        // the version in force: the previous boundary's, or (resume) the newest kept version
        this.current ??= this.latestVersion() ?? emptyKnowledgeBase();
        this.write(formatKnowledgeBase(this.current));
        this.notify({
          type: 'kb/rejected',
          generation,
          line: e.first.line,
          message:
            `knowledge-base.md line ${e.first.line}: ${e.first.message} — the edit was not applied ` +
            `(kept as ${path.relative(this.dir, saved)}); the previous version stays in force`,
          savedAs: path.relative(this.dir, saved),
        });
      }
    }
    this.applyGlobal(generation, touched);
    writeFileAtomic(this.versionFile('', generation), formatKnowledgeBase(this.current!));
    return this.current!;
  }

  private globalFile(generation: number): string {
    return path.join(this.dir, 'kb', `global-${versionName(generation).replace(/\.md$/, '.json')}`);
  }

  private readGlobal(generation: number): GlobalRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.globalFile(generation), 'utf8')) as GlobalRecord;
    } catch {
      return undefined;
    }
  }

  /**
   * Stage 1's Global proposals are kept in kb/global-gen-NN.json (so a resumed run applies the same one) and
   * the decision is recorded there, so it is taken once.
   */
  proposeGlobal(
    niche: number,
    generation: number,
    edits: GlobalEdit[],
    maxRules: number,
    rejected?: string,
  ): void {
    const rec = this.readGlobal(generation) ?? { generation, proposals: [] };
    if (rec.decided) return;
    const p: GlobalProposal = { niche, edits, maxRules, ...(rejected !== undefined ? { rejected } : {}) };
    rec.proposals = [...rec.proposals.filter((x) => x.niche !== niche), p].sort((a, b) => a.niche - b.niche);
    fs.mkdirSync(path.dirname(this.globalFile(generation)), { recursive: true });
    writeFileAtomic(this.globalFile(generation), JSON.stringify(rec, null, 2) + '\n');
  }

  globalOutcome(niche: number, generation: number): string | undefined {
    const rec = this.readGlobal(generation);
    return outcomeText(
      rec?.proposals.find((p) => p.niche === niche),
      rec?.decided,
    );
  }

  /** At the boundary of `generation`: at most one of last generation's Global proposals takes effect. */
  private applyGlobal(generation: number, touched: boolean): void {
    const prev = generation - 1;
    const rec = this.readGlobal(prev);
    if (!rec || rec.decided || !rec.proposals.some((p) => p.rejected === undefined)) return;
    const version = `kb/${versionName(generation)}`;
    let applied: number | null = null;
    const reasons: Record<string, string> = {};
    const tell = (niche: number, ok: boolean, edits: GlobalEdit[], why: string): void =>
      this.notify({
        type: 'kb/global',
        generation: prev,
        niche,
        applied: ok,
        inForceFrom: generation,
        edits,
        message: ok
          ? `Global rules revised by N${niche}'s stage 1 of generation ${prev} (${edits.map(describeEdit).join('; ')}); in force from generation ${generation}, kept in ${version}`
          : `N${niche}'s Global edits of generation ${prev} were not applied: ${why}`,
        ...(ok ? { file: version } : {}),
      });
    if (touched)
      for (const p of rec.proposals.filter((x) => x.rejected === undefined)) {
        reasons[String(p.niche)] =
          `knowledge-base.md was edited during generation ${prev}; the user's edit wins`;
        tell(
          p.niche,
          false,
          p.edits,
          `knowledge-base.md was edited during generation ${prev}; your edit wins`,
        );
      }
    else {
      const r = pickGlobalProposal(this.current!, rec.proposals);
      if (r.applied) {
        this.current = r.kb;
        this.write(formatKnowledgeBase(this.current));
        applied = r.applied.niche;
        tell(r.applied.niche, true, r.applied.edits, '');
      }
      for (const s of r.skipped) {
        reasons[String(s.niche)] = s.why;
        tell(s.niche, false, rec.proposals.find((p) => p.niche === s.niche)!.edits, s.why);
      }
    }
    rec.decided = { applied, inForceFrom: generation, userEdit: touched, reasons };
    writeFileAtomic(this.globalFile(prev), JSON.stringify(rec, null, 2) + '\n');
  }

  /** The file cannot be used this generation: the version in force stays, and the user is told why. */
  private unusable(generation: number, read: Extract<KbRead, { ok: false }>): void {
    this.current ??= this.latestVersion() ?? emptyKnowledgeBase();
    let savedAs = '';
    let what = 'the previous version stays in force';
    if (read.keep === 'content') {
      // set the user's file aside (as it is, bytes and all), then put the version in force back in its place
      const saved = this.versionFile('rejected-', generation);
      fs.mkdirSync(path.dirname(saved), { recursive: true });
      if (read.bytes) writeFileAtomic(saved, read.bytes);
      else fs.copyFileSync(this.file, saved);
      savedAs = path.relative(this.dir, saved);
      this.write(formatKnowledgeBase(this.current));
      what = `the edit was not applied (kept as ${savedAs}); the previous version stays in force`;
    } else if (read.keep === 'missing') {
      this.write(formatKnowledgeBase(this.current));
      what = 'the version in force was written back';
    } else if (read.keep === 'unstable')
      what = 'it is read again at the next generation; the previous version stays in force';
    this.notify({ type: 'kb/rejected', generation, line: 0, message: `${read.why} — ${what}`, savedAs });
  }

  revise(niche: number, generation: number, section: KbSection): void {
    const base = this.current ?? this.inForce(generation);
    this.current = withNicheSection(base, niche, section);
    const text = formatKnowledgeBase(this.current);
    writeFileAtomic(this.versionFile('', generation), text);
    const onDisk = readKbFile(this.file);
    // untouched since we wrote it (or deleted: it is written back) → the revision goes into the file
    if ((onDisk.ok && onDisk.text === this.lastWritten) || (!onDisk.ok && onDisk.keep === 'missing'))
      this.write(text);
    else
      this.notify({
        type: 'kb/deferred',
        generation,
        niche,
        message:
          `knowledge-base.md was edited during generation ${generation}; your edit takes effect at the next ` +
          `generation and the LLM's revision of N${niche} is kept in kb/${versionName(generation)}`,
      });
    this.notify({
      type: 'kb/updated',
      generation,
      niche,
      positive: section.positive.length,
      negative: section.negative.length,
    });
  }

  private write(text: string): void {
    writeFileAtomic(this.file, text);
    this.lastWritten = text;
    this.lastStamp = stampOf(this.file);
  }

  private latestVersion(): KnowledgeBase | undefined {
    const dir = path.join(this.dir, 'kb');
    if (!fs.existsSync(dir)) return undefined;
    const names = fs
      .readdirSync(dir)
      .filter((f) => /^gen-\d+\.md$/.test(f))
      .sort((a, b) => Number(a.slice(4, -3)) - Number(b.slice(4, -3)));
    for (const name of names.reverse()) {
      try {
        return parseKnowledgeBase(fs.readFileSync(path.join(dir, name), 'utf8'), { niches: this.niches });
      } catch {
        // an older version may still be valid
      }
    }
    return undefined;
  }
}
