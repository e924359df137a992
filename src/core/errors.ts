// Errors the core throws for bad input, each with a message a user can act on.

/** A run's configuration names something that does not exist or is out of range (the message lists what is valid). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * One candidate's evaluation failed (a command that crashed, hung or printed no JSON; a job that failed): the
 * search reports the candidate as failed and the run goes on. Any other error an evaluator throws ends the run.
 */
export class CandidateFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CandidateFailure';
  }
}
