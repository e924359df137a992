// Checks of the CLI's input before anything runs: numeric flags within bounds, files that exist and are what
// they should be, an output folder that is empty or ours, and one-line messages (naming the flag or the file)
// for file-system errors — a bad input is exit 2 with one line, never a stack trace or a hang.

import fs from 'node:fs';
import path from 'node:path';
import { SpaceError } from '../core/space.js';
import { readDefinitionFile, type UserSpaceDefinition } from '../core/userspace/definition.js';

export class UsageError extends Error {}

/** Upper bounds that keep a run plannable (a budget of 1e9 planned 55 M children per niche and hung). */
export const LIMITS = {
  budget: 10_000,
  generations: 10_000,
  children: 10_000,
  niches: 64,
  seed: 2 ** 32 - 1,
  knowledgeBaseBytes: 1_000_000,
} as const;

/** An integer flag in [min, max]; `dflt` when absent. */
export function intFlag(
  v: string | undefined,
  name: string,
  dflt: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(
      `--${name} must be an integer from ${min} to ${max.toLocaleString('en-US')}, got "${v}"`,
    );
  return n;
}

/** A file a flag names: it must exist and be a regular file. */
export function existingFile(file: string, flag: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`${flag} ${file}: no such file`);
  }
  if (!st.isFile()) throw new UsageError(`${flag} ${file}: not a file`);
  return file;
}

/**
 * A knowledge base given with --knowledge-base: UTF-8 Markdown text without NULs, under a size cap, with a
 * Markdown heading (a package.json or a binary is refused instead of being taken as an empty knowledge base).
 */
export function readKnowledgeBaseFile(file: string): string {
  existingFile(file, '--knowledge-base');
  const bytes = fs.readFileSync(file);
  if (bytes.length > LIMITS.knowledgeBaseBytes)
    throw new UsageError(
      `--knowledge-base ${file}: ${bytes.length} bytes; a knowledge base is at most ${LIMITS.knowledgeBaseBytes} bytes`,
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`--knowledge-base ${file}: not UTF-8 text`);
  }
  if (text.includes('\0')) throw new UsageError(`--knowledge-base ${file}: contains NUL bytes (not text)`);
  if (!/^#{1,3} \S/m.test(text))
    throw new UsageError(
      `--knowledge-base ${file}: not a knowledge base (Markdown with "## Global" and "## N<k>" sections, see docs/llm.md)`,
    );
  return text;
}

/**
 * The folder a new run goes into: absent, empty, or a folder that is not a file. A non-empty folder that is not a
 * run is refused (the run's files would mix with someone else's); one holding a run is refused by the run store.
 */
export function checkOutFolder(out: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(out);
  } catch {
    return; // created by the run store
  }
  if (!st.isDirectory()) throw new UsageError(`--out ${out}: is a file, not a folder`);
  if (fs.existsSync(path.join(out, 'config.json'))) return; // the run store's message: resume it or choose another
  const entries = fs.readdirSync(out);
  if (entries.length)
    throw new UsageError(
      `--out ${out}: the folder is not empty and holds no LLM-NAS run (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); choose an empty or new folder`,
    );
}

const FS_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a path component is not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
};

/** A file-system error as one line naming the path, or undefined when `e` is not one. */
export function fsErrorLine(e: unknown, file?: string): string | undefined {
  const x = e as { code?: unknown; path?: unknown; syscall?: unknown } | undefined;
  if (!x || typeof x.code !== 'string' || !(x.code in FS_CODES)) return undefined;
  const where = file ?? (typeof x.path === 'string' ? x.path : '(unknown path)');
  const op = typeof x.syscall === 'string' ? `, ${x.syscall}` : '';
  return `${where}: ${FS_CODES[x.code]} (${x.code}${op})`;
}

/** Writes a file a flag names; a file-system error becomes one line naming the flag and the file. */
export function writeOut(file: string, text: string, flag: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    const line = fsErrorLine(e, file);
    if (line) throw new UsageError(`${flag} ${line}`);
    throw e;
  }
}

/** A user space file (--space-file): every problem is reported with the file's name and the JSON path. */
export function readSpaceFile(file: string): UserSpaceDefinition {
  existingFile(file, '--space-file');
  try {
    return readDefinitionFile(file);
  } catch (e) {
    if (e instanceof SpaceError) throw new UsageError(`--space-file ${file}: ${e.message}`);
    throw e;
  }
}
