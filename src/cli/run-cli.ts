import { runServe } from "./commands/serve.js";

const USAGE = `usage: stockwatch <command>

commands:
  serve                      run the daemon (what npm start runs)
  help                       this text
`;

/** The `stockwatch` command line: dispatches to one command module, returns the exit code. */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return runServe(env);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`stockwatch: unknown command "${[command, ...rest].join(" ")}"\n${USAGE}`);
      return 1;
  }
}
