// Atomic file writes (temp file + rename in the same folder), so a crash never leaves a half-written file (a
// kill can leave the temp file, which resume removes; a failed write removes it at once). No fsync: a process
// kill is covered, a power cut is not guaranteed (resume rebuilds an empty spec file from its event).

import fs from 'node:fs';
import path from 'node:path';

let counter = 0;

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true }); // a full disk must not also leave a half temp file behind
    throw e;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
