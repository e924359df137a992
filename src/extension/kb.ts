// The knowledge base as the dashboard edits it: the core's KnowledgeBase (src/core/knowledge.ts: format,
// line-numbered validation, per-generation versions kb/gen-NN.md) turned into panel sections (Global and one
// per niche) of positive / negative rules and back, checks on rules typed in the panel, a three-way merge with
// an edit made to the file meanwhile, and an atomic save. The run applies the file at its next generation.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/fsutil.js';
import {
  emptyKnowledgeBase,
  emptySection,
  formatKnowledgeBase,
  KbParseError,
  MAX_RULE_CHARS,
  parseKnowledgeBase,
  type KnowledgeBase,
  type KbSection as CoreSection,
} from '../core/knowledge.js';
import type { KbRule, KbSection, KbState, KbVersion } from '../protocol.js';

export const KB_FILE = 'knowledge-base.md';

/** Invalid rules or an invalid file: every problem, one per line (with the file line where there is one). */
export class KbError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'KbError';
  }
}

export interface NicheRef {
  name: string;
  constraint: string;
}

const nicheId = (key: string): number => Number(key.slice(1));

function toPanel(key: string, title: string, s: CoreSection): KbSection {
  const rules: KbRule[] = [
    ...s.positive.map((r) => ({
      kind: 'positive' as const,
      text: r.text,
      ...(r.evidence !== undefined ? { evidence: r.evidence } : {}),
    })),
    ...s.negative.map((r) => ({
      kind: 'negative' as const,
      text: r.text,
      ...(r.evidence !== undefined ? { evidence: r.evidence } : {}),
    })),
  ];
  return { key, title, rules };
}

/** Panel sections for a knowledge base: Global first, then every niche of the run (empty when absent). */
export function sectionsOf(kb: KnowledgeBase, niches: readonly NicheRef[]): KbSection[] {
  return [
    toPanel('global', 'Global', kb.global),
    ...niches.map((n) => {
      const s = kb.niches.get(nicheId(n.name)) ?? emptySection();
      return toPanel(n.name, `${n.name} — ${s.title || n.constraint}`, s);
    }),
  ];
}

/** Rebuilds a knowledge base from panel sections, keeping the title, preamble, notes and niche titles of `base`. */
export function knowledgeBaseOf(sections: readonly KbSection[], base: KnowledgeBase): KnowledgeBase {
  const out: KnowledgeBase = {
    ...emptyKnowledgeBase(),
    title: base.title,
    preamble: base.preamble,
    niches: new Map(),
  };
  for (const s of sections) {
    const old = s.key === 'global' ? base.global : (base.niches.get(nicheId(s.key)) ?? emptySection());
    const rule = (r: KbRule): { text: string; evidence?: string } => ({
      text: r.text.trim(),
      ...(r.evidence?.trim() ? { evidence: r.evidence.trim() } : {}),
    });
    const sec: CoreSection = {
      title: old.title,
      notes: old.notes,
      positive: s.rules.filter((r) => r.kind === 'positive').map(rule),
      negative: s.rules.filter((r) => r.kind === 'negative').map(rule),
    };
    if (s.key === 'global') out.global = sec;
    else if (sec.positive.length || sec.negative.length || sec.notes || base.niches.has(nicheId(s.key)))
      out.niches.set(nicheId(s.key), sec);
  }
  return out;
}

/** Checks rules sent by the panel: known sections, one line each, not empty, not too long, no duplicates. */
export function validateSections(sections: readonly KbSection[], niches: readonly NicheRef[]): string[] {
  const names = niches.map((n) => n.name);
  const problems: string[] = [];
  const seenKeys = new Set<string>();
  for (const s of sections) {
    const label = s.key === 'global' ? 'Global' : s.key;
    if (s.key !== 'global' && !names.includes(s.key))
      problems.push(`${label}: no such niche in this run (niches: ${names.join(', ')})`);
    if (seenKeys.has(s.key)) problems.push(`${label}: section appears twice`);
    seenKeys.add(s.key);
    const seen = new Set<string>();
    s.rules.forEach((r, i) => {
      const where = `${label} rule ${i + 1}`;
      if (r.kind !== 'positive' && r.kind !== 'negative')
        problems.push(`${where}: kind must be positive or negative`);
      if (!r.text.trim()) problems.push(`${where}: empty rule`);
      if (/[\r\n]/.test(r.text)) problems.push(`${where}: a rule is one line`);
      if (r.text.trim().length > MAX_RULE_CHARS)
        problems.push(`${where}: ${r.text.trim().length} characters (at most ${MAX_RULE_CHARS})`);
      if (r.evidence !== undefined) {
        if (/[\r\n]/.test(r.evidence)) problems.push(`${where}: evidence is one line`);
        if (r.evidence.trim().length > MAX_RULE_CHARS)
          problems.push(
            `${where}: evidence has ${r.evidence.trim().length} characters (at most ${MAX_RULE_CHARS})`,
          );
      }
      const k = `${r.kind}\u0000${r.text.trim()}`;
      if (r.text.trim() && seen.has(k)) problems.push(`${where}: duplicate of an earlier ${r.kind} rule`);
      seen.add(k);
    });
  }
  return problems;
}

const ruleKey = (key: string, r: KbRule): string => `${key}\u0000${r.kind}\u0000${r.text.trim()}`;

/**
 * Three-way merge at rule level, so an edit of the file made while the panel was editing loses neither side:
 * start from the panel's rules, drop those the file deleted (present in base, gone from theirs), and append
 * the rules the file added (in theirs, not in base, not already in mine).
 */
export function mergeSections(base: KbSection[], mine: KbSection[], theirs: KbSection[]): KbSection[] {
  const inBase = new Set(base.flatMap((s) => s.rules.map((r) => ruleKey(s.key, r))));
  const inTheirs = new Set(theirs.flatMap((s) => s.rules.map((r) => ruleKey(s.key, r))));
  const keys = [...new Set([...mine.map((s) => s.key), ...theirs.map((s) => s.key)])];
  return keys.map((key) => {
    const m = mine.find((s) => s.key === key);
    const t = theirs.find((s) => s.key === key);
    const rules = (m?.rules ?? []).filter(
      (r) => !(inBase.has(ruleKey(key, r)) && !inTheirs.has(ruleKey(key, r))),
    );
    const have = new Set(rules.map((r) => ruleKey(key, r)));
    for (const r of t?.rules ?? []) {
      const k = ruleKey(key, r);
      if (!inBase.has(k) && !have.has(k)) {
        rules.push(r);
        have.add(k);
      }
    }
    return { key, title: (m ?? t)!.title, rules };
  });
}

export function hashText(text: string): string {
  return crypto.createHash('sha1').update(text).digest('hex').slice(0, 16);
}

const VERSION_FILE = /^gen-(\d+)\.md$/;

/** The versions the run kept, one per generation (kb/gen-NN.md), oldest first. */
export function kbVersions(dir: string): KbVersion[] {
  const kbDir = path.join(dir, 'kb');
  if (!fs.existsSync(kbDir)) return [];
  return fs
    .readdirSync(kbDir)
    .map((name) => ({ name, m: VERSION_FILE.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => !!x.m)
    .map(({ name, m }) => ({
      name,
      generation: Number(m[1]),
      text: fs.readFileSync(path.join(kbDir, name), 'utf8'),
    }))
    .sort((a, b) => a.generation - b.generation);
}

function problemsOf(e: unknown): string[] {
  if (e instanceof KbParseError) return e.issues.map((i) => `${KB_FILE} line ${i.line}: ${i.message}`);
  return [(e as Error)?.message ?? String(e)];
}

/**
 * The file says the same as the version in force: equal rules once parsed (blank lines, trailing spaces and
 * formatting do not count), or equal text apart from whitespace when either does not parse.
 */
export function sameKnowledge(a: string, b: string, niches: number): boolean {
  const squash = (t: string): string =>
    t
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l !== '')
      .join('\n');
  if (squash(a) === squash(b)) return true;
  try {
    return (
      formatKnowledgeBase(parseKnowledgeBase(a, { niches })) ===
      formatKnowledgeBase(parseKnowledgeBase(b, { niches }))
    );
  } catch {
    return false;
  }
}

export function readKbState(
  dir: string,
  niches: readonly NicheRef[],
): { state: KbState; problems: string[] } {
  const file = path.join(dir, KB_FILE);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const versions = kbVersions(dir);
  let kb = emptyKnowledgeBase();
  let problems: string[] = [];
  try {
    kb = parseKnowledgeBase(text, { niches: niches.length });
  } catch (e) {
    problems = problemsOf(e);
  }
  const last = versions[versions.length - 1];
  return {
    state: {
      file,
      text,
      hash: hashText(text),
      sections: sectionsOf(kb, niches),
      versions,
      pending: last !== undefined && !sameKnowledge(last.text, text, niches.length),
      ...(problems.length ? { problems } : {}),
    },
    problems,
  };
}

/**
 * Saves rules from the panel: validate, merge with the file when it changed since the panel loaded it
 * (`baseHash`, whose sections are `baseSections`), check the result with the core parser, write atomically.
 * Throws KbError with every problem when the rules are invalid; the file is then left alone.
 */
export function saveKb(
  dir: string,
  sections: KbSection[],
  baseHash: string,
  baseSections: KbSection[] | undefined,
  niches: readonly NicheRef[],
  /** false: only compute the text (the caller writes it, e.g. through an open editor). */
  write = true,
): { text: string; merged: boolean } {
  const problems = validateSections(sections, niches);
  if (problems.length) throw new KbError(problems);
  const file = path.join(dir, KB_FILE);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  let onDisk: KnowledgeBase | undefined;
  try {
    onDisk = parseKnowledgeBase(current, { niches: niches.length });
  } catch {
    // the file holds an invalid edit: the panel's rules replace it
  }
  let out = sections;
  let merged = false;
  if (hashText(current) !== baseHash && baseSections && onDisk) {
    out = mergeSections(baseSections, sections, sectionsOf(onDisk, niches));
    merged = true;
  }
  const text = formatKnowledgeBase(knowledgeBaseOf(out, onDisk ?? emptyKnowledgeBase()));
  try {
    parseKnowledgeBase(text, { niches: niches.length });
  } catch (e) {
    throw new KbError(problemsOf(e));
  }
  if (write) writeFileAtomic(file, text);
  return { text, merged };
}
