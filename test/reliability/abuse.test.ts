import { gzipSync, deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../src/receiver/verify-signature.js";
import { query } from "./harness/db-check.js";
import { dribble, rawExchange, type RawExchange } from "./harness/raw-http.js";
import { ESHOP, startRig, type Rig } from "./harness/rig.js";
import { SECRETS, secretsIn, storedText } from "./harness/secrets.js";
import { postRaw, shoptetTime } from "./harness/sender.js";

/**
 * Hostile and broken clients against the real daemon (a child process): each gets a precise
 * answer, nothing is stored, the process stays up and keeps serving Shoptet.
 */

let rig: Rig;
let slowHeaders: Promise<RawExchange>;
let slowBody: Promise<RawExchange>;
let seq = 0;

const sign = (body: Buffer | string) => ({ "shoptet-webhook-signature": signBody(SECRETS.webhookKey, body) });
const envelopeText = (instance: string, extra = "") =>
  `{"eshopId":${ESHOP},"event":"order:create","eventCreated":"${shoptetTime(Date.now())}","eventInstance":"${instance}"${extra}}`;
const stored = () => query<{ n: number }>(rig.dbPath, "SELECT count(*) AS n FROM events")[0]!.n;

/** A normal signed webhook must still be stored: the daemon is up and serving. */
async function stillServes(): Promise<void> {
  const body = envelopeText(`ALIVE-${++seq}`);
  const answer = await postRaw(rig.daemon.url, body, { headers: sign(body) });
  expect(answer).toMatchObject({ kind: "answer", status: 200 });
}

beforeAll(async () => {
  rig = await startRig();
  await rig.daemon.start();
  const port = rig.daemon.port;
  // Started first and checked last: the server's timeouts must drop both while the rest runs.
  slowHeaders = dribble(port, "POST /webhooks/shoptet HTTP/1.1\r\nHost: x\r\n", () => `X-Slow-${++seq}: y\r\n`, 1000, 90_000);
  slowBody = dribble(
    port,
    `POST /webhooks/shoptet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n${Object.entries(sign("x"))
      .map(([k, v]) => `${k}: ${v}`)
      .join("")}\r\n\r\n{`,
    () => " ",
    1000,
    90_000,
  );
}, 30_000);

afterAll(async () => {
  await rig?.close();
});

describe("bodies over the limit", () => {
  it("a declared Content-Length over the limit gets 413 before any body byte is read, and the connection is closed", async () => {
    const before = stored();
    const head =
      "POST /webhooks/shoptet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n" +
      `Shoptet-Webhook-Signature: ${"a".repeat(40)}\r\n\r\n`;
    const answer = await rawExchange(rig.daemon.port, head, 5000);
    expect(answer.status).toBe(413);
    expect(answer.response).toContain("over the 1048576-byte limit");
    expect(answer.closed).toBe(true);
    expect(stored()).toBe(before);
    await stillServes();
  });

  it("a streamed (chunked) body is cut off with 413 once it passes the limit, without buffering what follows", async () => {
    const before = stored();
    const memoryBefore = rig.daemon.memory()!;
    const answer = await dribble(
      rig.daemon.port,
      `POST /webhooks/shoptet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nShoptet-Webhook-Signature: ${"b".repeat(40)}\r\n\r\n`,
      () => {
        const chunk = " ".repeat(256 * 1024);
        return `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
      },
      2,
      15_000,
    );
    expect(answer.status).toBe(413);
    expect(answer.response).toContain("body is over the 1048576-byte limit");
    expect(answer.closed).toBe(true);
    expect(stored()).toBe(before);
    // The endless stream was not kept: peak memory grew by far less than what was offered.
    expect(rig.daemon.memory()!.peak - memoryBefore.peak).toBeLessThan(64 * 1024 * 1024);
    await stillServes();
  });
});

describe("compressed bodies", () => {
  it("a gzip bomb (200 MB of zeros in 200 kB) gets 415 and is never inflated", async () => {
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = stored();
    const peakBefore = rig.daemon.memory()!.peak;
    for (const encoding of ["gzip", "x-gzip", "GZIP", "gzip, identity", "br"]) {
      const answer = await postRaw(rig.daemon.url, bomb, { headers: { ...sign(bomb), "content-encoding": encoding } });
      expect(answer, encoding).toMatchObject({ kind: "answer", status: 415 });
    }
    const deflated = deflateSync(Buffer.from(envelopeText("DEFLATED")));
    expect(await postRaw(rig.daemon.url, deflated, { headers: { ...sign(deflated), "content-encoding": "deflate" } })).toMatchObject({ status: 415 });
    expect(rig.daemon.memory()!.peak - peakBefore).toBeLessThan(50 * 1024 * 1024);
    expect(stored()).toBe(before);
    await stillServes();
  });
});

describe("deep and broken JSON", () => {
  it("100,000 nested arrays or objects, correctly signed, get 400 and the daemon stays up", async () => {
    const before = stored();
    const arrays = "[".repeat(100_000) + "]".repeat(100_000);
    const objects = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
    const inPayload = envelopeText("DEEP", `,"payload":{"data":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    const unclosed = "[".repeat(500_000);
    for (const [name, body] of Object.entries({ arrays, objects, inPayload, unclosed })) {
      const answer = await postRaw(rig.daemon.url, body, { headers: sign(body) });
      expect(answer, name).toMatchObject({ kind: "answer", status: 400 });
    }
    expect(stored()).toBe(before);
    await stillServes();
  });

  it("a deep payload sent together with normal webhooks fails alone: the others in its batch are stored", async () => {
    const deep = envelopeText("DEEP-BATCH", `,"payload":{"data":${"[".repeat(50_000)}${"]".repeat(50_000)}}`);
    const normal = Array.from({ length: 20 }, (_, i) => envelopeText(`BATCH-MATE-${++seq}-${i}`));
    const answers = await Promise.all([deep, ...normal].map((b) => postRaw(rig.daemon.url, b, { headers: sign(b) })));
    expect(answers[0]).toMatchObject({ status: 400 });
    for (const a of answers.slice(1)) expect(a).toMatchObject({ status: 200 });
  });

  it("invalid UTF-8, correctly signed, gets 400 and nothing is stored", async () => {
    const before = stored();
    const bodies = {
      "lone continuation byte": [0x80],
      "invalid lead bytes": [0xff, 0xfe],
      "overlong slash": [0xc0, 0xaf],
      "UTF-16 surrogate": [0xed, 0xa0, 0x80],
      "truncated sequence": [0xe2, 0x82],
    };
    for (const [name, bytes] of Object.entries(bodies)) {
      const text = envelopeText(`UTF8-${name}`);
      const at = text.indexOf("UTF8-") + 5;
      const body = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]);
      const answer = await postRaw(rig.daemon.url, body, { headers: sign(body) });
      expect(answer, name).toMatchObject({ kind: "answer", status: 400 });
      if (answer.kind === "answer") expect(answer.body).toContain("UTF-8");
    }
    // Valid multi-byte text is fine.
    const czech = envelopeText("Žluťoučký kůň");
    expect(await postRaw(rig.daemon.url, czech, { headers: sign(czech) })).toMatchObject({ status: 200 });
    expect(stored()).toBe(before + 1);
  });
});

describe("the signature header", () => {
  it("every byte value, inside a signature or as the whole value, is refused (400 from the HTTP parser or 401), and nothing is stored", async () => {
    const before = stored();
    const body = envelopeText("SIG-BYTES");
    const good = signBody(SECRETS.webhookKey, body);
    const seen = new Map<number, number>();
    for (let b = 0; b < 256; b++) {
      for (const value of [
        Buffer.concat([Buffer.from(good.slice(0, 20), "latin1"), Buffer.from([b]), Buffer.from(good.slice(21), "latin1")]),
        Buffer.alloc(40, b),
      ]) {
        // The same signature in upper-case hex is accepted on purpose (it is the same HMAC).
        if (value.toString("latin1").toLowerCase() === good) continue;
        const head = Buffer.from(
          `POST /webhooks/shoptet HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nShoptet-Webhook-Signature: `,
          "latin1",
        );
        const answer = await rawExchange(rig.daemon.port, Buffer.concat([head, value, Buffer.from(`\r\n\r\n${body}`)]), 5000);
        expect([400, 401], `byte 0x${b.toString(16)}: ${answer.response.slice(0, 80)}`).toContain(answer.status);
        seen.set(answer.status!, (seen.get(answer.status!) ?? 0) + 1);
      }
    }
    // Both layers were exercised: the parser's 400 for control bytes, the receiver's 401 for the rest.
    expect(seen.get(400)).toBeGreaterThan(0);
    expect(seen.get(401)).toBeGreaterThan(256);
    expect(stored()).toBe(before);
    // The right signature, even in upper case, is accepted.
    expect(await postRaw(rig.daemon.url, body, { headers: { "shoptet-webhook-signature": good.toUpperCase() } })).toMatchObject({ status: 200 });
  }, 60_000);
});

describe("the admin API", () => {
  it("without a token or with a wrong one gets 401; the right token (header or cookie) gets 200", async () => {
    const url = `${rig.daemon.url}/api/events`;
    const wrong: Record<string, string>[] = [
      {},
      { authorization: "Bearer" },
      { authorization: "Bearer " },
      { authorization: `Bearer ${SECRETS.adminToken.slice(0, -1)}` },
      { authorization: `Bearer ${SECRETS.adminToken}x` },
      { authorization: `Basic ${Buffer.from(`admin:${SECRETS.adminToken}`).toString("base64")}` },
      { authorization: `Bearer ${SECRETS.adminToken.toUpperCase()}` },
      { cookie: "stockwatch_token=nope" },
    ];
    for (const headers of wrong) {
      const res = await fetch(url, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(await res.text()).not.toContain(SECRETS.adminToken);
    }
    for (const path of ["/api/products", "/api/alerts", "/api/deliveries"]) {
      expect((await fetch(`${rig.daemon.url}${path}`)).status, path).toBe(401);
    }
    expect((await fetch(url, { headers: { authorization: `Bearer ${SECRETS.adminToken}` } })).status).toBe(200);
    expect((await fetch(url, { headers: { cookie: `stockwatch_token=${encodeURIComponent(SECRETS.adminToken)}` } })).status).toBe(200);
  });
});

describe("slow clients", () => {
  it("a client that sends headers one line a second is dropped by the server's header timeout", async () => {
    const answer = await slowHeaders;
    expect(answer.closed).toBe(true);
    expect(answer.status).toBe(408);
    // headersTimeout is 10 s; Node checks it every connectionsCheckingInterval (30 s by default).
    expect(answer.ms).toBeLessThan(45_000);
    await stillServes();
  }, 90_000);

  it("a client that sends its body one byte a second is dropped by the request timeout", async () => {
    const before = stored();
    const answer = await slowBody;
    expect(answer.closed).toBe(true);
    expect(answer.ms).toBeLessThan(50_000);
    expect(stored()).toBe(before);
  }, 90_000);
});

describe("secrets", () => {
  it("appear in no log line and no stored text of this daemon", async () => {
    // Something was logged (the scan is not vacuous).
    expect(rig.daemon.logs.length).toBeGreaterThan(3);
    expect(secretsIn(rig.daemon.text())).toEqual([]);
    expect(secretsIn(storedText(rig.dbPath))).toEqual([]);
  });
});
