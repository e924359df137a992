// The trust model for things a run folder or a space file asks this machine to do: run a command (an external
// evaluator) or send an API key to an LLM endpoint. Such a value runs / is used only when the user gave it again
// in this invocation, or approved that exact value for that exact folder or file — recorded outside the folder,
// in a trust store keyed by the real path and the SHA-256 of the value (like `direnv allow`). The store's path is
// passed in by the caller (the CLI and the extension compute it; nothing here reads a global).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS } from './llm/settings.js';
import type { RunConfig } from './runstore.js';

/** One value from a folder or file that needs the user's approval. */
export interface TrustItem {
  kind: 'command' | 'endpoint';
  /** Where it comes from, e.g. "spaceOptions.externalEvaluator" or "evaluator.command". */
  field: string;
  /** What it does, in the words of the refusal message. */
  describe: string;
  /** The exact value approved (its SHA-256 is stored): the command line (+ cwd, env), or endpoint + key variable. */
  value: string;
  /** For an endpoint: the URL and the environment variable whose value would be sent to it. */
  endpoint?: { baseURL: string; apiKeyEnv: string };
  /** For a command: the command line. */
  command?: string;
}

/** What the user gave in this invocation (command-line flags): these count as approved. */
export interface GivenValues {
  commands?: readonly string[];
  endpoint?: { baseURL: string; apiKeyEnv: string };
}

export const TRUST_FORMAT = 'llm-nas-trust-v1';

interface TrustEntry {
  kind: TrustItem['kind'];
  value: string;
  approvedAt: string;
}

interface TrustFile {
  format: typeof TRUST_FORMAT;
  /** realpath → sha256 → entry */
  entries: Record<string, Record<string, TrustEntry>>;
}

/** The default store: $XDG_CONFIG_HOME/llm-nas/trust.json, else ~/.config/llm-nas/trust.json. */
export function defaultTrustFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] || path.join(env['HOME'] || os.homedir(), '.config');
  return path.join(base, 'llm-nas', 'trust.json');
}

export const sha256 = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

const digest = (i: Pick<TrustItem, 'kind' | 'value'>): string => sha256(`${i.kind}\0${i.value}`);

/** The canonical key of a folder or file: its real path (a copy elsewhere, or a link, needs its own approval). */
export function trustTarget(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function commandItem(field: string, v: unknown): TrustItem | undefined {
  const o =
    typeof v === 'string'
      ? { command: v }
      : v && typeof v === 'object' && typeof (v as { command?: unknown }).command === 'string'
        ? (v as { command: string; cwd?: unknown; env?: unknown })
        : undefined;
  if (!o || !o.command.trim()) return undefined;
  const extra = {
    ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
    ...(o.env !== undefined ? { env: o.env } : {}),
  };
  const more = Object.keys(extra).length ? ` with ${JSON.stringify(extra)}` : '';
  return {
    kind: 'command',
    field,
    command: o.command,
    value: JSON.stringify({ command: o.command, ...extra }),
    describe: `run the shell command ${JSON.stringify(o.command)}${more} (from ${field})`,
  };
}

/** The command a user space definition names (evaluator.command), as a trust item. */
export function definitionTrustItems(def: unknown, field = 'evaluator.command'): TrustItem[] {
  const ev = (def as { evaluator?: unknown } | undefined)?.evaluator;
  const item = commandItem(field, ev);
  return item ? [item] : [];
}

/** The endpoint an operatorOptions block sends the key to; undefined when it is the product's default. */
export function endpointOf(operatorOptions: Record<string, unknown> | undefined): {
  baseURL: string;
  apiKeyEnv: string;
} {
  const o = operatorOptions ?? {};
  return {
    baseURL: typeof o['baseURL'] === 'string' ? o['baseURL'] : DEFAULT_SETTINGS.baseURL,
    apiKeyEnv: typeof o['apiKeyEnv'] === 'string' ? o['apiKeyEnv'] : DEFAULT_SETTINGS.apiKeyEnv,
  };
}

const endpointValue = (e: { baseURL: string; apiKeyEnv: string }): string =>
  JSON.stringify({ baseURL: e.baseURL, apiKeyEnv: e.apiKeyEnv });

/**
 * What a run config would make this machine do that needs approval: the external evaluator command that would
 * run (spaceOptions.externalEvaluator, or else the user space definition's evaluator.command, when the predictor
 * is "external"), and the LLM endpoint + key variable (unless both are the product's defaults).
 */
export function configTrustItems(c: Partial<RunConfig>): TrustItem[] {
  const items: TrustItem[] = [];
  const so = c.spaceOptions ?? {};
  if (so['externalEvaluator'] !== undefined) {
    const i = commandItem('spaceOptions.externalEvaluator', so['externalEvaluator']);
    if (i) items.push(i);
  } else if (c.predictor === 'external')
    items.push(...definitionTrustItems(so['definition'], 'spaceOptions.definition.evaluator.command'));
  if (c.operator === 'llm') {
    const e = endpointOf(c.operatorOptions);
    if (e.baseURL !== DEFAULT_SETTINGS.baseURL || e.apiKeyEnv !== DEFAULT_SETTINGS.apiKeyEnv)
      items.push({
        kind: 'endpoint',
        field: 'operatorOptions.baseURL + apiKeyEnv',
        endpoint: e,
        value: endpointValue(e),
        describe: `send the value of the environment variable ${e.apiKeyEnv} as the API key to ${e.baseURL} (from operatorOptions)`,
      });
  }
  return items;
}

/** The approvals recorded outside any run folder. */
export class TrustStore {
  constructor(readonly file: string) {}

  private read(): TrustFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return { format: TRUST_FORMAT, entries: {} };
    }
    try {
      const f = JSON.parse(text) as TrustFile;
      if (f.format === TRUST_FORMAT && f.entries && typeof f.entries === 'object') return f;
    } catch {
      /* a corrupted store approves nothing */
    }
    return { format: TRUST_FORMAT, entries: {} };
  }

  private write(f: TrustFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(f, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  isApproved(target: string, item: Pick<TrustItem, 'kind' | 'value'>): boolean {
    return this.read().entries[trustTarget(target)]?.[digest(item)] !== undefined;
  }

  approve(target: string, items: readonly TrustItem[]): void {
    if (!items.length) return;
    const f = this.read();
    const key = trustTarget(target);
    const at = new Date().toISOString();
    const entries = (f.entries[key] ??= {});
    for (const i of items) entries[digest(i)] = { kind: i.kind, value: i.value, approvedAt: at };
    this.write(f);
  }

  /** Removes every approval of a folder or file; returns how many there were. */
  revoke(target: string): number {
    const f = this.read();
    const key = trustTarget(target);
    const n = Object.keys(f.entries[key] ?? {}).length;
    if (n) {
      delete f.entries[key];
      this.write(f);
    }
    return n;
  }

  list(): { target: string; kind: string; value: string; approvedAt: string }[] {
    return Object.entries(this.read().entries).flatMap(([target, m]) =>
      Object.values(m).map((e) => ({ target, ...e })),
    );
  }
}

/** Refusal to run a folder's or file's command / send a key to its endpoint; the message says how to approve. */
export class TrustError extends Error {
  constructor(
    readonly target: string,
    readonly items: readonly TrustItem[],
    how: string,
  ) {
    super(
      `${target} asks to ${items.map((i) => i.describe).join('; and to ')}. ` +
        `This was not approved for this ${fs.existsSync(target) && fs.statSync(target).isDirectory() ? 'folder' : 'file'}. ${how}`,
    );
    this.name = 'TrustError';
  }
}

/** True when the value was given again in this invocation. */
export function givenCovers(given: GivenValues, item: TrustItem): boolean {
  if (item.kind === 'command') return (given.commands ?? []).includes(item.command ?? '');
  const e = given.endpoint;
  return (
    e !== undefined &&
    item.endpoint !== undefined &&
    e.baseURL === item.endpoint.baseURL &&
    e.apiKeyEnv === item.endpoint.apiKeyEnv
  );
}

/** The items neither given again nor approved for `target`. */
export function unapproved(
  target: string,
  items: readonly TrustItem[],
  store: TrustStore,
  given: GivenValues = {},
): TrustItem[] {
  return items.filter((i) => !givenCovers(given, i) && !store.isApproved(target, i));
}

/**
 * Which key (if any) an LLM call to `target` may carry. The key stored for the user's own endpoint (VS Code's
 * SecretStorage) goes only to that endpoint; an environment variable's value goes to the user's endpoint when it
 * is the default variable, or to an endpoint + variable pair the user approved. Anything else gets no key.
 */
export function apiKeyFor(
  target: { baseURL: string; apiKeyEnv: string },
  opts: {
    userEndpoint: string;
    storedKey?: string | undefined;
    env: NodeJS.ProcessEnv;
    approved: (e: { baseURL: string; apiKeyEnv: string }) => boolean;
  },
): string | undefined {
  const own = sameEndpoint(target.baseURL, opts.userEndpoint);
  if (own && opts.storedKey) return opts.storedKey;
  if ((own && target.apiKeyEnv === DEFAULT_SETTINGS.apiKeyEnv) || opts.approved(target))
    return opts.env[target.apiKeyEnv];
  return undefined;
}

/** Two endpoint URLs name the same endpoint (a trailing slash aside). */
export function sameEndpoint(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
