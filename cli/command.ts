// What every `faultline <command>` module exports (cli/commands/*.ts); cli/main.ts loads them
// lazily by name. Kept apart from main.ts so the commands do not import the dispatcher that
// imports them.
export interface Command {
  /** One line for `faultline --help`. */
  summary: string;
  /** Full `faultline <command> --help` text. */
  help: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}
