// Where the shipped data files are (data/ next to dist/ in a build, the repo's data/ in development, or
// LLM_NAS_DATA_DIR): the one place every space and the engine look them up.

import fs from 'node:fs';
import path from 'node:path';

/** Directory holding the shipped data files: next to dist/ in a build, or the repo's data/ in development. */
export function dataDir(): string {
  const candidates = [
    process.env.LLM_NAS_DATA_DIR,
    path.resolve(__dirname, '..', 'data'),
    path.resolve(__dirname, '..', '..', 'data'),
  ].filter((p): p is string => !!p);
  for (const c of candidates) if (fs.existsSync(path.join(c, 'nb201.bin.gz'))) return c;
  throw new Error(`cannot find data/nb201.bin.gz (looked in ${candidates.join(', ')})`);
}
