// The Knowledge base tab: the KbEditor (kbeditor.ts) over the run's knowledge-base.md, saved through the host.

import type { DashboardState, KbState } from '../../src/protocol.js';
import { h } from '../dom.js';
import { KbEditor } from '../kbeditor.js';
import { fire, request } from '../rpc.js';
import type { Panel } from './panel.js';

export class KbPanel implements Panel {
  private readonly root = h('div', { class: 'kb-panel', id: 'kb-editor' });
  private editor!: KbEditor;
  readonly els: readonly HTMLElement[] = [this.root];

  mount(): void {
    this.editor = new KbEditor(this.root, {
      save: (sections, baseHash) => request({ type: 'kb/save', sections, baseHash }),
      openFile: () => fire({ type: 'kb/openFile' }),
    });
  }

  snapshot(s: DashboardState): void {
    if (s.kb) this.editor.setKb(s.kb);
  }

  /** Appends carry no knowledge base: the host posts a `kb` message when it changes. */
  append(): void {}

  /** The host's `kb` message (a save, an edit of the file elsewhere, a new version in force). */
  setKb(kb: KbState): void {
    this.editor.setKb(kb);
  }
}
