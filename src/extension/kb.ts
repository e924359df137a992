// The knowledge base as the dashboard edits it: the run folder's knowledge-base.md parsed into sections (Global
// and one per niche) of positive / negative rules, validated, serialised back, merged with a concurrent edit of
// the file, and snapshotted per generation into kb/gen-NN.md (the version in force for that generation).
// Interim glue until the core knowledge-base module lands; the file format is the run store's template.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/fsutil.js';
import type { KbRule, KbSection, KbState, KbVersion, RuleKind } from '../protocol.js';

export const KB_FILE = 'knowledge-base.md';
export const MAX_RULE_LENGTH = 400;

export class KbError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'KbError';
  }
}

export interface ParsedKb {
  /** Text before the first section (title and intro), kept verbatim. */
  preamble: string;
  sections: KbSection[];
}

const SECTION = /^##\s+(.+?)\s*$/;
const KIND = /^###\s+(positive|negative)\b/i;
const BULLET = /^\s*[-*]\s+(.*)$/;

function sectionKey(title: string): string | undefined {
  if (/^global\b/i.test(title)) return 'global';
  const m = /^(N\d+)\b/.exec(title);
  return m?.[1];
}

/** Parses the Markdown file; problems carry 1-based line numbers. */
export function parseKb(text: string, nicheNames: readonly string[]): ParsedKb {
  const lines = text.split('\n');
  const problems: string[] = [];
  const sections: KbSection[] = [];
  const preamble: string[] = [];
  let cur: KbSection | undefined;
  let kind: RuleKind | undefined;
  lines.forEach((line, i) => {
    const sec = SECTION.exec(line);
    if (sec && !line.startsWith('###')) {
      const key = sectionKey(sec[1]!);
      if (!key) {
        problems.push(
          `line ${i + 1}: unknown section "${sec[1]}" (expected Global or one of ${nicheNames.join(', ')})`,
        );
        cur = undefined;
        return;
      }
      if (key !== 'global' && !nicheNames.includes(key)) {
        problems.push(`line ${i + 1}: no niche ${key} in this run (niches: ${nicheNames.join(', ')})`);
        cur = undefined;
        return;
      }
      if (sections.some((s) => s.key === key)) {
        problems.push(`line ${i + 1}: section ${key} appears twice`);
        cur = undefined;
        return;
      }
      cur = { key, title: sec[1]!, rules: [] };
      kind = undefined;
      sections.push(cur);
      return;
    }
    if (!cur) {
      if (sections.length === 0) preamble.push(line);
      return;
    }
    const k = KIND.exec(line);
    if (k) {
      kind = k[1]!.toLowerCase() as RuleKind;
      return;
    }
    const b = BULLET.exec(line);
    if (b) {
      if (!kind) {
        problems.push(`line ${i + 1}: rule outside a "### Positive" or "### Negative" heading`);
        return;
      }
      cur.rules.push({ kind, text: b[1]!.trim() });
    }
  });
  const p = validateSections(sections, nicheNames);
  problems.push(...p);
  if (problems.length) throw new KbError(problems);
  return { preamble: preamble.join('\n').replace(/\n+$/, ''), sections };
}

/** Checks rules sent by the panel: known sections, one line each, not empty, not too long, no duplicates. */
export function validateSections(sections: readonly KbSection[], nicheNames: readonly string[]): string[] {
  const problems: string[] = [];
  const seenKeys = new Set<string>();
  for (const s of sections) {
    if (s.key !== 'global' && !nicheNames.includes(s.key))
      problems.push(`section ${s.key}: no such niche (niches: ${nicheNames.join(', ')})`);
    if (seenKeys.has(s.key)) problems.push(`section ${s.key} appears twice`);
    seenKeys.add(s.key);
    const seen = new Set<string>();
    s.rules.forEach((r, i) => {
      const where = `${s.key === 'global' ? 'Global' : s.key} rule ${i + 1}`;
      if (r.kind !== 'positive' && r.kind !== 'negative')
        problems.push(`${where}: kind must be positive or negative`);
      if (!r.text.trim()) problems.push(`${where}: empty rule`);
      if (/[\r\n]/.test(r.text)) problems.push(`${where}: a rule is one line`);
      if (r.text.length > MAX_RULE_LENGTH)
        problems.push(`${where}: ${r.text.length} characters (at most ${MAX_RULE_LENGTH})`);
      const k = `${r.kind}\u0000${r.text.trim()}`;
      if (seen.has(k)) problems.push(`${where}: duplicate of an earlier ${r.kind} rule`);
      seen.add(k);
    });
  }
  return problems;
}

export function serializeKb(kb: ParsedKb): string {
  const out: string[] = [kb.preamble.trimEnd(), ''];
  for (const s of kb.sections) {
    out.push(`## ${s.title}`, '');
    for (const kind of ['positive', 'negative'] as const) {
      out.push(`### ${kind === 'positive' ? 'Positive' : 'Negative'}`);
      for (const r of s.rules.filter((x) => x.kind === kind)) out.push(`- ${r.text.trim()}`);
      out.push('');
    }
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

/** Every niche gets a section (empty when the file has none), Global first, niches in order. */
export function withAllSections(
  sections: readonly KbSection[],
  niches: readonly { name: string; constraint: string }[],
): KbSection[] {
  const by = new Map(sections.map((s) => [s.key, s]));
  return [
    by.get('global') ?? { key: 'global', title: 'Global', rules: [] },
    ...niches.map((n) => by.get(n.name) ?? { key: n.name, title: `${n.name} — ${n.constraint}`, rules: [] }),
  ];
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

export function versionFile(dir: string, generation: number): string {
  return path.join(dir, 'kb', `gen-${String(generation).padStart(2, '0')}.md`);
}

/**
 * The knowledge base in force for a generation: the file as it is at the generation boundary, snapshotted once
 * into kb/gen-NN.md so every niche of that generation (and a later reader) sees the same version.
 */
export function knowledgeForGeneration(dir: string, generation: number): string {
  const snap = versionFile(dir, generation);
  if (fs.existsSync(snap)) return fs.readFileSync(snap, 'utf8');
  const f = path.join(dir, KB_FILE);
  const text = fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
  writeFileAtomic(snap, text);
  return text;
}

export function readKbState(
  dir: string,
  niches: readonly { name: string; constraint: string }[],
): { state: KbState; problems: string[] } {
  const file = path.join(dir, KB_FILE);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const versions = kbVersions(dir);
  let sections: KbSection[] = [];
  let problems: string[] = [];
  try {
    sections = parseKb(
      text,
      niches.map((n) => n.name),
    ).sections;
  } catch (e) {
    problems = e instanceof KbError ? e.problems : [(e as Error).message];
  }
  const last = versions[versions.length - 1];
  return {
    state: {
      file,
      text,
      hash: hashText(text),
      sections: withAllSections(sections, niches),
      versions,
      pending: last !== undefined && last.text !== text,
    },
    problems,
  };
}

export interface SaveResult {
  text: string;
  merged: boolean;
}

/**
 * Saves rules from the panel: validate, merge with the file when it changed since the panel loaded it
 * (`baseHash`), and write atomically. Throws KbError (with every problem) when the rules are invalid.
 */
export function saveKb(
  dir: string,
  sections: KbSection[],
  baseHash: string,
  baseSections: KbSection[] | undefined,
  niches: readonly { name: string; constraint: string }[],
): SaveResult {
  const names = niches.map((n) => n.name);
  const problems = validateSections(sections, names);
  if (problems.length) throw new KbError(problems);
  const file = path.join(dir, KB_FILE);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  let preamble = '# Knowledge base';
  let theirs: KbSection[] = [];
  try {
    const parsed = parseKb(current, names);
    preamble = parsed.preamble || preamble;
    theirs = parsed.sections;
  } catch {
    // the file on disk is broken: the panel's rules replace it
  }
  let out = sections;
  let merged = false;
  if (hashText(current) !== baseHash && baseSections) {
    out = mergeSections(baseSections, sections, withAllSections(theirs, niches));
    merged = true;
  }
  const text = serializeKb({ preamble, sections: out });
  writeFileAtomic(file, text);
  return { text, merged };
}
