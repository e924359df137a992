// The niche cards: one per niche (phase, generation, evaluated / planned, archive, best proxy score, lowest
// cost, scheduler jobs, LLM calls, tokens and cost, rejections, built-in fill-ins, the niche's error).

import type { AppendPayload, DashboardState, NicheCard, RunSummary } from '../../src/protocol.js';
import { clear, fmt, h, nicheColour } from '../dom.js';
import { cardGeneration, shortMetric } from '../format.js';
import type { Panel } from './panel.js';

export class CardsPanel implements Panel {
  private readonly grid = h('div', { class: 'cards', id: 'niche-cards', 'aria-label': 'Niches' });
  private readonly cards = new Map<number, NicheCard>();
  private state: DashboardState | undefined;
  readonly els: readonly HTMLElement[] = [this.grid];

  snapshot(s: DashboardState): void {
    this.state = s;
    this.cards.clear();
    this.render();
  }

  append(d: AppendPayload): void {
    if (d.niches.length) this.render(d.niches);
  }

  private render(changed?: NicheCard[]): void {
    for (const c of changed ?? this.state?.niches ?? []) this.cards.set(c.id, c);
    clear(this.grid);
    const r = this.state?.run;
    for (const c of [...this.cards.values()].sort((a, b) => a.id - b.id)) this.grid.append(card(c, r));
    // colours set through the CSSOM (allowed by the CSP), not style attributes
    for (const el of this.grid.querySelectorAll<HTMLElement>('.swatch'))
      el.style.backgroundColor = nicheColour(Number(el.dataset['colour']));
  }
}

function card(c: NicheCard, r: RunSummary | undefined): HTMLElement {
  const row = (k: string, v: string, cls = '', tip = ''): HTMLElement =>
    h(
      'div',
      { class: `kv ${cls}`, ...(tip ? { title: tip } : {}) },
      h('span', { class: 'k' }, k),
      h('span', { class: 'v' }, v),
    );
  const llm = r !== undefined && r.operator !== 'builtin';
  const unit = r?.costUnits[0] ? ` (${r.costUnits[0]})` : '';
  return h(
    'article',
    {
      class: `niche-card phase-${c.phase}`,
      'data-niche': c.id,
      tabindex: 0,
      'aria-label': `Niche ${c.name}: ${c.phase}`,
    },
    h(
      'div',
      { class: 'card-head' },
      h('span', { class: 'swatch', 'data-colour': c.id }),
      h('strong', {}, c.name),
      h('span', { class: `state state-${c.phase}` }, c.exhausted ? 'exhausted' : c.phase),
    ),
    h('div', { class: 'constraint muted', title: c.constraint }, c.constraint),
    row(
      'generation',
      cardGeneration(c, r),
      'gen',
      'The generation this niche is in or last finished; numbered from 0, as in the spec files',
    ),
    row(
      'evaluated',
      `${c.evaluated} / ${c.planned}`,
      'evaluated',
      'Architectures evaluated in this niche / children planned for it so far (each generation shares the children out by how much each niche adds to the global front)',
    ),
    row(
      'archive',
      String(c.archive),
      'archive',
      'Non-dominated architectures of this niche (its Pareto archive)',
    ),
    row(
      'best proxy score',
      fmt(c.bestAccuracy),
      '',
      `Highest predicted accuracy in this niche: ${r?.predictorUnit ?? 'the predictor’s score'} (not a test accuracy)`,
    ),
    row(`min ${shortMetric(r?.costMetrics[0])}${unit}`, fmt(c.lowestCost), '', r?.costMetrics[0] ?? ''),
    c.jobs
      ? row(
          'jobs',
          `${c.jobs.queued} queued · ${c.jobs.running} running · ${c.jobs.done} done · ${c.jobs.failed} failed`,
          'jobs',
          'This niche’s candidates at the scheduler (SLURM), by the state of their latest job; a requeued job counts as queued',
        )
      : null,
    llm ? row('LLM calls', String(c.llmCalls), 'llm-calls') : null,
    llm ? row('tokens', c.tokens.toLocaleString('en-US'), 'llm-tokens') : null,
    llm
      ? row(
          'LLM cost',
          `$${c.costUsd.toFixed(4)}`,
          '',
          'Priced from the token counts with llmNas.llm.priceInPer1k / priceOutPer1k',
        )
      : null,
    row(
      'rejected',
      String(c.rejections),
      '',
      'Candidates the validator turned down (invalid, outside the niche, or seen before)',
    ),
    llm
      ? row(
          'built-in fill-ins',
          String(c.fallbacks),
          '',
          'Children the built-in operator made when the LLM gave too few valid ones',
        )
      : null,
    c.phase === 'error' && c.message
      ? h('div', { class: 'card-error error', role: 'alert' }, c.message)
      : null,
  );
}
