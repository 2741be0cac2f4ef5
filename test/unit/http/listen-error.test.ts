import { describe, expect, it } from "vitest";
import { listenError } from "../../../src/http/http-server.js";
import { ConfigError } from "../../../src/shared/errors.js";

const failure = (code: string | undefined): NodeJS.ErrnoException => Object.assign(new Error(`listen ${code ?? "failed"}`), code ? { code } : {});

describe("listenError", () => {
  it.each([
    ["EADDRINUSE", true, "port 8080 on 0.0.0.0 is already in use: stop the other process or set PORT"],
    ["EACCES", true, "no permission to listen on port 8080: use a port above 1024 or set PORT"],
    ["EADDRNOTAVAIL", false, "listen EADDRNOTAVAIL"],
    [undefined, false, "listen failed"],
  ])("%s → operator's error %s: %s", (code, forOperator, message) => {
    const error = listenError(failure(code), 8080, "0.0.0.0");
    expect(error instanceof ConfigError).toBe(forOperator);
    expect(error.message).toBe(message);
  });
});
