// The CLI's side of the trust model (src/core/trust.ts, docs/security.md): a run folder's or space file's
// command and LLM endpoint are used only when given again on the command line or approved with
// `llm-nas trust PATH`; runs the CLI creates itself are approved for their new folder.

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { RunStore, type RunConfig } from '../core/runstore.js';
import {
  configTrustItems,
  defaultTrustFile,
  definitionTrustItems,
  TrustError,
  TrustStore,
  trustTarget,
  unapproved,
  type GivenValues,
  type TrustItem,
} from '../core/trust.js';
import { readDefinitionFile } from '../core/userspace/definition.js';

/** The trust store: $LLM_NAS_TRUST_FILE, else $XDG_CONFIG_HOME/llm-nas/trust.json, else ~/.config/…. */
export function cliTrustStore(env: NodeJS.ProcessEnv = process.env): TrustStore {
  return new TrustStore(env['LLM_NAS_TRUST_FILE'] || defaultTrustFile(env));
}

const q = (s: string): string => (/^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function againFlags(items: readonly TrustItem[]): string {
  return items
    .map((i) =>
      i.kind === 'command'
        ? `--external-evaluator ${q(i.command ?? '')}`
        : `--base-url ${q(i.endpoint!.baseURL)} --api-key-env ${q(i.endpoint!.apiKeyEnv)}`,
    )
    .join(' ');
}

/** Refuses (TrustError, exit 2) a run folder whose command / endpoint is neither given again nor approved. */
export function requireRunFolderTrust(
  dir: string,
  config: RunConfig,
  given: GivenValues,
  store: TrustStore,
  invocation: string,
  kinds: readonly TrustItem['kind'][] = ['command', 'endpoint'],
): void {
  const items = configTrustItems(config).filter((i) => kinds.includes(i.kind));
  const missing = unapproved(dir, items, store, given);
  if (!missing.length) return;
  throw new TrustError(
    trustTarget(dir),
    missing,
    `If you trust it, approve it with: llm-nas trust ${q(dir)} (recorded in ${store.file}), ` +
      `or give it again: ${invocation} ${againFlags(missing)}`,
  );
}

/** Refuses a space file whose evaluator.command would run, unless given again or approved. */
export function requireSpaceFileTrust(
  file: string,
  def: unknown,
  given: GivenValues,
  store: TrustStore,
): void {
  const missing = unapproved(file, definitionTrustItems(def), store, given);
  if (!missing.length) return;
  throw new TrustError(
    trustTarget(file),
    missing,
    `If you trust it, approve it with: llm-nas trust ${q(file)} (recorded in ${store.file}), ` +
      `or give the command yourself: llm-nas search --space-file ${q(file)} ${againFlags(missing)}`,
  );
}

/** What a folder (its config.json) or a space file would run / where it would send a key. */
function itemsOf(target: string): TrustItem[] {
  if (fs.statSync(target).isDirectory()) return configTrustItems(RunStore.open(target).readConfig());
  return definitionTrustItems(readDefinitionFile(target));
}

export const TRUST_USAGE = `llm-nas trust PATH          approve what a run folder or space file runs / where it sends a key (like direnv allow)
llm-nas trust --revoke PATH   forget the approvals of PATH        llm-nas trust --list   list every approval
`;

/** `llm-nas trust PATH` (alias `allow`): show and approve; `--revoke PATH`; `--list`. */
export function cmdTrust(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      revoke: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const store = cliTrustStore();
  if (values.help) return out(TRUST_USAGE);
  if (values.list) {
    const all = store.list();
    if (!all.length) out(`no approvals in ${store.file}\n`);
    for (const e of all) out(`${e.target}  ${e.kind}  ${e.value}  (approved ${e.approvedAt})\n`);
    return;
  }
  const target = positionals[0];
  if (!target) throw new TrustUsageError(`trust needs a run folder or a space file\n\n${TRUST_USAGE}`);
  if (!fs.existsSync(target)) throw new TrustUsageError(`${target}: no such file or folder`);
  if (values.revoke) {
    const n = store.revoke(target);
    out(`${trustTarget(target)}: ${n} approval${n === 1 ? '' : 's'} removed\n`);
    return;
  }
  const items = itemsOf(target);
  if (!items.length) {
    out(`${trustTarget(target)} runs no command and names no LLM endpoint: nothing to approve\n`);
    return;
  }
  store.approve(target, items);
  for (const i of items) out(`approved for ${trustTarget(target)}: ${i.describe}\n`);
  out(`(recorded in ${store.file}; undo with llm-nas trust --revoke ${q(target)})\n`);
}

export class TrustUsageError extends Error {}
