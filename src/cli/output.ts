/** Where a CLI command writes: process.stdout and process.stderr fit, tests pass a collector. */
export interface Output {
  write(text: string): unknown;
}

