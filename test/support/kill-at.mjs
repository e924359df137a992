// Fault injection for the durability tests, loaded with `node --import`: LLMNAS_KILL_AT=POINT:N makes the process
// SIGKILL itself at the N-th time it reaches the named write point. Points (what is on disk when it dies):
//   spec-tmp        an archs/<id>.json temp file written, not yet renamed
//   spec-renamed    the spec file in place, its arch/evaluated event not yet appended
//   event-torn      half of an events.jsonl line written
//   event-appended  a whole events.jsonl line written
//   front-tmp       front.json's temp file written, not yet renamed
//   front-renamed   front.json replaced
//   kb-renamed      a knowledge-base file (knowledge-base.md, kb/*.md) replaced
// Nothing in the product knows about this hook: it wraps node:fs's functions, which the product calls by name.
import fs from 'node:fs';
import path from 'node:path';

// LLMNAS_KILL_AT=count:FILE counts every point instead and writes the counts to FILE (JSON) at exit.
// LLMNAS_KILL_AT=enospc-spec:N / enospc-event:N make the N-th spec temp-file write (nothing written) / events.jsonl
// append (half the line written) fail with ENOSPC instead: a full disk at that moment, which then frees up.
const spec = process.env.LLMNAS_KILL_AT ?? '';
const m = /^([a-z-]+):(.+)$/.exec(spec);
if (m) {
  const point = m[1];
  const at = Number(m[2]);
  const counts = {};
  if (point === 'count') process.on('exit', () => fs.writeFileSync.call(fs, m[2], JSON.stringify(counts)));
  let hits = 0;
  const reach = (p, before) => {
    counts[p] = (counts[p] ?? 0) + 1;
    if (p !== point) return;
    if (++hits === at) {
      before?.();
      process.kill(process.pid, 'SIGKILL');
    }
  };
  const target = (tmp) => {
    // .<name>.<pid>.<n>.tmp → <name>
    const b = path.basename(tmp);
    return path.join(path.dirname(tmp), b.replace(/^\./, '').replace(/\.\d+\.\d+\.tmp$/, ''));
  };
  const kind = (file) => {
    const f = String(file);
    if (path.basename(path.dirname(f)) === 'archs' && f.endsWith('.json')) return 'spec';
    if (path.basename(f) === 'front.json') return 'front';
    if (path.basename(f) === 'knowledge-base.md' || path.basename(path.dirname(f)) === 'kb') return 'kb';
    return 'other';
  };
  const { writeFileSync, renameSync, openSync, writeSync, closeSync } = fs;
  let full = 0;
  const enospc = (p, before) => {
    if (p !== point || ++full !== at) return;
    before?.();
    const e = new Error(`ENOSPC: no space left on device, write`);
    e.code = 'ENOSPC';
    throw e;
  };
  fs.writeFileSync = function (file, ...rest) {
    if (typeof file === 'string' && file.endsWith('.tmp') && kind(target(file)) === 'spec')
      enospc('enospc-spec');
    const r = writeFileSync.call(this, file, ...rest);
    if (typeof file === 'string' && file.endsWith('.tmp')) reach(`${kind(target(file))}-tmp`);
    return r;
  };
  fs.renameSync = function (from, to) {
    const r = renameSync.call(this, from, to);
    reach(`${kind(to)}-renamed`);
    return r;
  };
  const eventFds = new Set();
  fs.openSync = function (file, ...rest) {
    const fd = openSync.call(this, file, ...rest);
    if (path.basename(String(file)) === 'events.jsonl') eventFds.add(fd);
    return fd;
  };
  fs.closeSync = function (fd) {
    eventFds.delete(fd);
    return closeSync.call(this, fd);
  };
  fs.writeSync = function (fd, data, ...rest) {
    if (eventFds.has(fd) && typeof data === 'string') {
      // the disk fills up half-way through the line
      enospc('enospc-event', () => writeSync.call(this, fd, data.slice(0, Math.floor(data.length / 2))));
      reach('event-torn', () => writeSync.call(this, fd, data.slice(0, Math.floor(data.length / 2))));
      const r = writeSync.call(this, fd, data, ...rest);
      reach('event-appended');
      return r;
    }
    return writeSync.call(this, fd, data, ...rest);
  };
}
