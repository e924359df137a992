// JSON extraction from model text (servers without structured outputs) and prompt templates as files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { extractJsonObject, JsonExtractionError } from '../../src/core/llm/json';
import { loadTemplates, PromptError, render, TEMPLATE_NAMES } from '../../src/core/llm/prompts';
import { tmpDir } from '../support/llm-run';

test('extracts the first JSON object: bare, fenced, in prose, a bare array', () => {
  assert.deepEqual(extractJsonObject('{"a": 1}'), { a: 1 });
  assert.deepEqual(extractJsonObject('Sure!\n```json\n{"a": [1, 2]}\n```\nDone.'), { a: [1, 2] });
  assert.deepEqual(extractJsonObject('Here you go: {"a": "x } y", "b": {"c": "\\"}"}} trailing'), {
    a: 'x } y',
    b: { c: '"}' },
  });
  assert.deepEqual(extractJsonObject('[{"arch": "x"}]'), { candidates: [{ arch: 'x' }] });
  // a broken first object, a good later one
  assert.deepEqual(extractJsonObject('{"a": 1,} then {"b": 2}'), { b: 2 });
});

test('says precisely why there is no JSON', () => {
  assert.throws(() => extractJsonObject('   '), /reply was empty/);
  assert.throws(() => extractJsonObject('I cannot help with that.'), /no JSON object/);
  assert.throws(
    () => extractJsonObject('{"candidates": [{"arch": "|a|"'),
    (e: unknown) => {
      assert.ok(e instanceof JsonExtractionError);
      assert.match(e.message, /could not be parsed/);
      return true;
    },
  );
});

test('templates load from the shipped folder, a workspace folder overrides one, unknown placeholders fail with the line', () => {
  const t = loadTemplates();
  for (const n of TEMPLATE_NAMES) assert.ok(t.text[n].length > 50, n);
  assert.match(t.source.evolve, /prompts[/\\]evolve\.md$/);
  const own = tmpDir();
  fs.writeFileSync(path.join(own, 'evolve.md'), 'Niche {{niche}}: return {{count}} candidates.\n');
  const o = loadTemplates(own);
  assert.equal(o.source.evolve, path.join(own, 'evolve.md'));
  assert.equal(o.source.system, t.source.system);
  assert.equal(render(o.text.evolve, { niche: 'N2', count: 3 }), 'Niche N2: return 3 candidates.\n');
  fs.writeFileSync(path.join(own, 'kb-update.md'), 'line one\nuses {{nope}} here\n');
  assert.throws(
    () => loadTemplates(own),
    (e: unknown) =>
      e instanceof PromptError && /kb-update\.md:2: unknown placeholder \{\{nope\}\}/.test(e.message),
  );
});
