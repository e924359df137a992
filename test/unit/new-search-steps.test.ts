// New Search's step machine (src/extension/pickers.ts runSteps), driven by scripted answers: Back returns to the
// last step that asked, with its previous answer offered again; steps answered without asking are passed over
// both ways; Back is offered only after some step asked; Cancel stops the flow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSteps, type StepOutcome, type WizardStep } from '../../src/extension/pickers';

type Draft = Record<string, string | undefined>;
/** What the user does at one step: answer a value, press Back, or cancel (Escape). */
type Act = { answer: string } | 'back' | 'cancel';

interface Seen {
  step: string;
  canGoBack: boolean;
  /** The answer the step found in the draft (its previous answer, offered again). */
  previous: string | undefined;
}

/** A step named `name` that asks (consuming the next scripted act) unless `auto` gives its answer. */
function step(
  name: string,
  script: Act[],
  seen: Seen[],
  auto?: (d: Draft) => string | undefined,
): WizardStep<Draft> {
  return {
    run(d, canGoBack): Promise<StepOutcome> {
      const a = auto?.(d);
      if (a !== undefined) {
        d[name] = a;
        return Promise.resolve('auto');
      }
      seen.push({ step: name, canGoBack, previous: d[name] });
      const act = script.shift();
      assert.ok(act, `no scripted act left for step ${name}`);
      if (act === 'back' || act === 'cancel') return Promise.resolve(act);
      d[name] = act.answer;
      return Promise.resolve('next');
    },
  };
}

test('Back returns to the previous step with its answer kept, and forward again', async () => {
  const seen: Seen[] = [];
  const script: Act[] = [
    { answer: 'nb201' },
    { answer: 'cifar10' },
    'back', // from devices to dataset
    { answer: 'cifar100' }, // dataset changed
    { answer: 'edgegpu' },
    { answer: 'latency' },
  ];
  const d: Draft = {};
  const ok = await runSteps(
    ['space', 'dataset', 'devices', 'metric'].map((n) => step(n, script, seen)),
    d,
  );
  assert.equal(ok, true);
  assert.deepEqual(d, { space: 'nb201', dataset: 'cifar100', devices: 'edgegpu', metric: 'latency' });
  assert.deepEqual(
    seen.map((s) => [s.step, s.canGoBack, s.previous]),
    [
      ['space', false, undefined],
      ['dataset', true, undefined],
      ['devices', true, undefined],
      ['dataset', true, 'cifar10'], // the previous choice is offered again
      ['devices', true, undefined],
      ['metric', true, undefined],
    ],
  );
  assert.equal(script.length, 0);
});

test('Back passes over steps answered without asking, both ways', async () => {
  const seen: Seen[] = [];
  const script: Act[] = [
    { answer: 'fbnet' },
    { answer: 'raspi4' },
    'back', // from budget: over the auto-answered metric, to devices
    'back', // from devices: over the auto-answered dataset, to space
    { answer: 'nb201' },
    { answer: 'pixel3' },
    { answer: '10' },
  ];
  const d: Draft = {};
  const steps = [
    step('space', script, seen),
    // answers itself (a single dataset, or given as an argument): its answer follows the space
    step('dataset', script, seen, (x) => (x['space'] === 'fbnet' ? 'cifar100' : 'cifar10')),
    step('devices', script, seen),
    step('metric', script, seen, () => 'latency'),
    step('budget', script, seen),
  ];
  assert.equal(await runSteps(steps, d), true);
  assert.deepEqual(
    seen.map((s) => `${s.step}:${s.previous ?? '-'}:${s.canGoBack ? 'back' : 'first'}`),
    [
      'space:-:first',
      'devices:-:back',
      'budget:-:back',
      'devices:raspi4:back',
      'space:fbnet:first',
      'devices:raspi4:back',
      'budget:-:back',
    ],
  );
  assert.deepEqual(d, {
    space: 'nb201',
    dataset: 'cifar10',
    devices: 'pixel3',
    metric: 'latency',
    budget: '10',
  });
  assert.equal(script.length, 0);
});

test('Back on the first asking step (no Back offered) stays there; Cancel stops', async () => {
  const seen: Seen[] = [];
  const script: Act[] = ['back', { answer: 'a' }, 'cancel'];
  const d: Draft = {};
  const ok = await runSteps([step('one', script, seen, () => undefined), step('two', script, seen)], d);
  assert.equal(ok, false);
  assert.deepEqual(
    seen.map((s) => [s.step, s.canGoBack]),
    [
      ['one', false],
      ['one', false],
      ['two', true],
    ],
  );
});

test('every step given (arguments / useDefaults): nothing asked, all answered', async () => {
  const seen: Seen[] = [];
  const d: Draft = {};
  const ok = await runSteps(
    ['space', 'dataset', 'budget'].map((n) => step(n, [], seen, () => `${n}-arg`)),
    d,
  );
  assert.equal(ok, true);
  assert.equal(seen.length, 0);
  assert.deepEqual(d, { space: 'space-arg', dataset: 'dataset-arg', budget: 'budget-arg' });
});
