/**
 * The two kinds of failure the code expects (anything else is a bug and crashes with its stack): a bad command line
 * and a known problem with the user's system or input. Here, not in the CLI, so that every layer can throw them.
 */

/** Bad command line: message, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A known problem with the user's system or input: message and hint, exit 1. */
export class Problem extends Error {
  override name = 'Problem';
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
