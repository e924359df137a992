// Errors the core throws for bad input, each with a message a user can act on.

/** A run's configuration names something that does not exist or is out of range (the message lists what is valid). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
