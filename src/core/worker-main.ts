// Worker-thread entry of the inference engine (bundled as dist/live-worker.js): the composition root of the
// worker, handing the engine one job handler per space. A new space with networks scored live adds its handler
// here.

import { serveJobs } from './engine/worker.js';
import type { FbnetScoreJob } from './fbnet/proxies.js';
import { scoreFbnet } from './fbnet/score.js';
import { scoreNb201Job } from './nb201/live-job.js';
import { vitJob } from './vit/job.js';

serveJobs({
  nb201: scoreNb201Job,
  fbnet: (job: FbnetScoreJob) => scoreFbnet(job.arch, job.dataset, job.proxies),
  vit: vitJob,
});
