// A search in a child process, so a test can kill it with SIGKILL mid-generation: starts (or resumes) the run
// folder given on the command line with the config in a JSON file, and runs to the end.
import fs from 'node:fs';
import { SearchRun } from '../../src/core/run';

const [mode, dir, configFile] = process.argv.slice(2);
const run =
  mode === 'resume'
    ? SearchRun.resume(dir!)
    : SearchRun.start(dir!, JSON.parse(fs.readFileSync(configFile!, 'utf8')) as never);
run.done.then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
