// The knowledge-base editor inside the dashboard: rules per section (Global, one per niche), positive and
// negative; add, edit, delete, reorder; Save sends them to the host, which validates and writes the file.
// Shows the version in force and the version history with a line diff. An edit of the file elsewhere updates
// the panel; if the panel has unsaved edits, they are kept and Save merges both.

import type { KbRule, KbSection, KbState, RuleKind } from '../src/protocol.js';
import { clear, h, lineDiff } from './dom.js';

export interface KbEditorHost {
  save(sections: KbSection[], baseHash: string): Promise<{ merged: boolean }>;
  openFile(): void;
}

export class KbEditor {
  private kb: KbState | undefined;
  private sections: KbSection[] = [];
  private baseHash = '';
  private dirty = false;
  private diskChanged = false;
  private selectedVersion = -1;
  /** Versions there were when the panel last saved: a new one means the save has been applied. */
  private versionsAtSave = -1;
  private message: { text: string; error: boolean } | undefined;
  private readonly body = h('div', { class: 'kb-body' });
  private readonly statusEl = h('div', {
    id: 'kb-status',
    class: 'kb-status',
    role: 'status',
    'aria-live': 'polite',
  });
  private readonly historyEl = h('div', { class: 'kb-history' });

  constructor(
    readonly root: HTMLElement,
    private readonly host: KbEditorHost,
  ) {
    const save = h('vscode-button', { id: 'kb-save', onclick: () => this.save() }, 'Save');
    const revert = h(
      'vscode-button',
      { id: 'kb-revert', secondary: true, onclick: () => this.revert() },
      'Revert',
    );
    const open = h('vscode-button', { secondary: true, onclick: () => this.host.openFile() }, 'Open file');
    root.append(
      h('div', { class: 'kb-toolbar' }, save, revert, open),
      this.statusEl,
      h('div', { class: 'kb-columns' }, this.body, this.historyEl),
    );
  }

  /** New state from the host (load, save, or an edit of the file elsewhere). */
  setKb(kb: KbState): void {
    const fileChanged = this.kb !== undefined && kb.hash !== this.kb.hash && kb.hash !== this.baseHash;
    this.kb = kb;
    if (this.versionsAtSave >= 0 && kb.versions.length > this.versionsAtSave && !this.message?.error) {
      // the saved edit is now in force: say so once, instead of "applies at the next generation" forever
      const v = kb.versions[kb.versions.length - 1]!;
      this.message = {
        text: kb.unusedByOperator
          ? `Recorded in ${v.name} (generation ${v.generation}); the built-in operator does not read it.`
          : `Applied: in force since generation ${v.generation} (${v.name}).`,
        error: false,
      };
      this.versionsAtSave = -1;
    }
    if (!this.dirty) {
      this.sections = structuredClone(kb.sections);
      this.baseHash = kb.hash;
      this.diskChanged = false;
    } else if (fileChanged) this.diskChanged = true;
    this.render();
  }

  private touch(): void {
    this.dirty = true;
    this.message = undefined;
    this.renderStatus();
  }

  private revert(): void {
    if (!this.kb) return;
    this.dirty = false;
    this.diskChanged = false;
    this.message = undefined;
    this.sections = structuredClone(this.kb.sections);
    this.baseHash = this.kb.hash;
    this.render();
  }

  private save(): void {
    const sections = structuredClone(this.sections);
    this.message = { text: 'Saving…', error: false };
    this.renderStatus();
    this.host.save(sections, this.baseHash).then(
      (r) => {
        this.dirty = false;
        this.diskChanged = false;
        this.versionsAtSave = this.kb?.versions.length ?? 0;
        this.message = {
          text: `Saved${r.merged ? ' (merged with the edit made to the file)' : ''}; ${
            this.kb?.unusedByOperator
              ? 'the built-in operator does not read the knowledge base, so it changes nothing in this run.'
              : 'applies at the next generation.'
          }`,
          error: false,
        };
        if (this.kb) this.setKb(this.kb);
      },
      (e: unknown) => {
        this.message = { text: `Not saved: ${(e as Error).message}`, error: true };
        this.renderStatus();
      },
    );
  }

  private renderStatus(): void {
    clear(this.statusEl);
    const kb = this.kb;
    if (!kb) return;
    const inForce = kb.versions[kb.versions.length - 1];
    const parts: (HTMLElement | null)[] = [
      h(
        'span',
        { id: 'kb-in-force' },
        inForce
          ? `In force: ${inForce.name} (since generation ${inForce.generation})`
          : 'In force: none yet (the first generation that asks the operator takes a snapshot)',
      ),
      kb.readOnly ? h('span', { class: 'notice', id: 'kb-read-only' }, `Read-only. ${kb.readOnly}`) : null,
      kb.unusedByOperator && !kb.readOnly
        ? h(
            'span',
            { class: 'notice', id: 'kb-unused' },
            'This run uses the built-in operator (mutation + crossover), which does not read the knowledge base: edits are kept in the file and its history but change nothing here. An LLM run reads it every generation.',
          )
        : null,
      kb.pending && !kb.readOnly
        ? h('span', { class: 'badge pending' }, 'file edited — applies at the next generation')
        : null,
      kb.problems?.length
        ? h(
            'span',
            { class: 'error', id: 'kb-file-problems' },
            `The file is invalid (the run will keep the version in force): ${kb.problems.join('; ')}`,
          )
        : null,
      this.dirty ? h('span', { class: 'badge dirty' }, 'unsaved changes') : null,
      this.diskChanged
        ? h(
            'span',
            { class: 'badge warn', id: 'kb-disk-changed' },
            'the file changed meanwhile — Save merges both edits; Revert takes the file',
          )
        : null,
      this.message
        ? h('span', { class: this.message.error ? 'error' : 'ok', id: 'kb-message' }, this.message.text)
        : null,
    ];
    for (const el of parts) if (el) this.statusEl.append(el);
  }

  private render(): void {
    this.renderStatus();
    this.root.classList.toggle('read-only', !!this.kb?.readOnly);
    for (const b of this.root.querySelectorAll<HTMLElement>('#kb-save, #kb-revert'))
      b.toggleAttribute('disabled', !!this.kb?.readOnly);
    clear(this.body);
    for (const s of this.sections) this.body.append(this.renderSection(s));
    this.renderHistory();
  }

  private renderSection(s: KbSection): HTMLElement {
    const box = h('section', {
      class: 'kb-section',
      'data-section': s.key,
      'aria-label': `Rules: ${s.title}`,
    });
    box.append(h('h3', {}, s.title));
    for (const kind of ['positive', 'negative'] as const) {
      const rules = s.rules.filter((r) => r.kind === kind);
      const list = h('ol', { class: `kb-rules ${kind}`, 'aria-label': `${s.key} ${kind} rules` });
      rules.forEach((r) => list.append(this.renderRule(s, r, kind)));
      box.append(
        h('h4', {}, kind === 'positive' ? 'Positive (do)' : 'Negative (avoid)'),
        list,
        h(
          'vscode-button',
          {
            secondary: true,
            class: 'kb-add',
            'data-kind': kind,
            onclick: () => {
              const rule: KbRule = { kind, text: '' };
              s.rules.push(rule);
              this.touch();
              this.render();
              const fields = this.body.querySelectorAll<HTMLElement>(
                `[data-section="${s.key}"] .kb-rules.${kind} .kb-rule-text`,
              );
              fields[fields.length - 1]?.focus();
            },
          },
          `Add ${kind} rule`,
        ),
      );
    }
    return box;
  }

  private renderRule(s: KbSection, r: KbRule, kind: RuleKind): HTMLElement {
    const same = s.rules.filter((x) => x.kind === kind);
    const pos = same.indexOf(r);
    const move = (d: -1 | 1): void => {
      const other = same[pos + d];
      if (!other) return;
      const i = s.rules.indexOf(r);
      const j = s.rules.indexOf(other);
      s.rules[i] = other;
      s.rules[j] = r;
      this.touch();
      this.render();
    };
    // a text area that wraps, so a long rule is read whole (a rule is still one line: Enter is not a newline)
    const ro = !!this.kb?.readOnly;
    const field = h('vscode-textarea', {
      class: 'kb-rule-text',
      value: r.text,
      rows: Math.min(6, Math.max(1, Math.ceil(r.text.length / 45))),
      resize: 'vertical',
      'aria-label': `${s.key} ${kind} rule ${pos + 1}`,
      placeholder: kind === 'positive' ? 'a design heuristic to follow' : 'a design heuristic to avoid',
      ...(ro ? { readonly: true } : {}),
    }) as HTMLElement & { value: string };
    field.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') e.preventDefault();
    });
    field.addEventListener('input', () => {
      const one = field.value.replace(/[\r\n]+/g, ' ');
      if (one !== field.value) field.value = one;
      r.text = one;
      this.touch();
    });
    const row = h(
      'div',
      { class: 'kb-rule-row' },
      field,
      h(
        'vscode-button',
        { secondary: true, 'aria-label': 'Move up', disabled: pos === 0, onclick: () => move(-1) },
        '↑',
      ),
      h(
        'vscode-button',
        {
          secondary: true,
          'aria-label': 'Move down',
          disabled: pos === same.length - 1,
          onclick: () => move(1),
        },
        '↓',
      ),
      h(
        'vscode-button',
        {
          secondary: true,
          'aria-label': 'Delete rule',
          onclick: () => {
            s.rules.splice(s.rules.indexOf(r), 1);
            this.touch();
            this.render();
          },
        },
        '✕',
      ),
    );
    // what supports the rule (ids, numbers): editable too, optional
    const evidence = h('vscode-textfield', {
      class: 'kb-rule-evidence',
      value: r.evidence ?? '',
      'aria-label': `${s.key} ${kind} rule ${pos + 1} evidence`,
      placeholder: 'evidence (optional): architecture ids, numbers',
      ...(ro ? { readonly: true } : {}),
    }) as HTMLElement & { value: string };
    evidence.addEventListener('input', () => {
      if (evidence.value.trim()) r.evidence = evidence.value;
      else delete r.evidence;
      this.touch();
    });
    return h('li', { class: 'kb-rule' }, row, h('div', { class: 'evidence' }, evidence));
  }

  private renderHistory(): void {
    clear(this.historyEl);
    const versions = this.kb?.versions ?? [];
    this.historyEl.append(h('h3', {}, 'Version history'));
    if (versions.length === 0) {
      this.historyEl.append(h('p', { class: 'muted' }, 'No generation has used the knowledge base yet.'));
      return;
    }
    const sel =
      this.selectedVersion >= 0 && this.selectedVersion < versions.length
        ? this.selectedVersion
        : versions.length - 1;
    const list = h('div', { class: 'kb-versions', role: 'listbox', 'aria-label': 'Knowledge-base versions' });
    versions.forEach((v, i) =>
      list.append(
        h(
          'button',
          {
            class: `kb-version${i === sel ? ' selected' : ''}`,
            role: 'option',
            'aria-selected': String(i === sel),
            onclick: () => {
              this.selectedVersion = i;
              this.renderHistory();
            },
          },
          `${v.name}${i === versions.length - 1 ? ' (in force)' : ''}`,
        ),
      ),
    );
    const cur = versions[sel]!;
    const prev = versions[sel - 1];
    const diff = lineDiff(prev?.text ?? '', cur.text);
    const changed = diff.some((d) => d.op !== ' ');
    const pre = h('pre', { class: 'kb-diff', 'aria-label': `Changes in ${cur.name}` });
    if (prev && !changed) pre.append(h('span', { class: 'muted' }, `no change since ${prev.name}`));
    else
      for (const d of diff)
        // changed lines, with the headings for orientation
        if (!prev || d.op !== ' ' || d.line.startsWith('#'))
          pre.append(
            h('span', { class: d.op === '+' ? 'add' : d.op === '-' ? 'del' : 'ctx' }, `${d.op} ${d.line}\n`),
          );
    this.historyEl.append(
      list,
      h('p', { class: 'muted' }, prev ? `${cur.name} compared with ${prev.name}` : cur.name),
      pre,
    );
  }
}
