import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../src/receiver/verify-signature.js";
import { query } from "./harness/db-check.js";
import { rawExchange, rawPost } from "./harness/raw-http.js";
import { ESHOP, startRig, type Rig } from "./harness/rig.js";
import { SECRETS, secretsIn, storedText } from "./harness/secrets.js";
import { shoptetTime } from "./harness/sender.js";

/**
 * X-Forwarded-For from the client is only believed with TRUST_PROXY, and then only its last entry
 * (the one the proxy appended); a sender outside SHOPTET_IP_ALLOWLIST cannot talk its way in.
 */

let seq = 0;
const rigs: Rig[] = [];

async function daemon(env: Record<string, string>): Promise<Rig> {
  const rig = await startRig({ env });
  rigs.push(rig);
  await rig.daemon.start();
  return rig;
}

/** A signed webhook posted from 127.0.0.1 with these extra header lines; the answer's status. */
async function post(rig: Rig, headers: [string, string][]): Promise<number | null> {
  const body = `{"eshopId":${ESHOP},"event":"order:create","eventCreated":"${shoptetTime(Date.now())}","eventInstance":"XFF-${++seq}"}`;
  const answer = await rawExchange(rig.daemon.port, rawPost(body, [["Shoptet-Webhook-Signature", signBody(SECRETS.webhookKey, body)], ...headers]));
  return answer.status;
}

const stored = (rig: Rig) => query<{ n: number }>(rig.dbPath, "SELECT count(*) AS n FROM events")[0]!.n;

let strict: Rig;
let proxied: Rig;
let loopbackOnly: Rig;

beforeAll(async () => {
  [strict, proxied, loopbackOnly] = await Promise.all([
    daemon({ SHOPTET_IP_ALLOWLIST: "185.184.254.0/24", ADMIN_TOKEN: "" }),
    daemon({ SHOPTET_IP_ALLOWLIST: "185.184.254.0/24", TRUST_PROXY: "true" }),
    daemon({ SHOPTET_IP_ALLOWLIST: "127.0.0.1/32" }),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all(rigs.map((r) => r.close()));
});

describe("SHOPTET_IP_ALLOWLIST without TRUST_PROXY", () => {
  it("refuses a loopback sender whatever X-Forwarded-For claims", async () => {
    for (const xff of [[], [["X-Forwarded-For", "185.184.254.10"]], [["X-Forwarded-For", "6.6.6.6, 185.184.254.10"]], [["X-Real-IP", "185.184.254.10"]]] as [string, string][][]) {
      expect(await post(strict, xff), JSON.stringify(xff)).toBe(403);
    }
    expect(stored(strict)).toBe(0);
  });

  it("accepts an allowed sender even when X-Forwarded-For names someone else", async () => {
    expect(await post(loopbackOnly, [["X-Forwarded-For", "6.6.6.6"]])).toBe(200);
    expect(await post(loopbackOnly, [])).toBe(200);
  });

  it("without ADMIN_TOKEN, the admin API answers loopback clients, but not requests that came through a proxy", async () => {
    expect((await fetch(`${strict.daemon.url}/api/events`)).status).toBe(200);
    expect((await fetch(`${strict.daemon.url}/api/events`, { headers: { "x-forwarded-for": "127.0.0.1" } })).status).toBe(403);
    expect((await fetch(`${strict.daemon.url}/api/events`, { headers: { "x-forwarded-for": "" } })).status).toBe(403);
  });
});

describe("SHOPTET_IP_ALLOWLIST with TRUST_PROXY", () => {
  it("believes only the entry the proxy appended", async () => {
    // What a proxy forwards for Shoptet itself.
    expect(await post(proxied, [["X-Forwarded-For", "185.184.254.10"]])).toBe(200);
    // A client claiming to be Shoptet, with its real address appended by the proxy.
    expect(await post(proxied, [["X-Forwarded-For", "185.184.254.10, 6.6.6.6"]])).toBe(403);
    // The same claim split over two header lines (joined by Node in order).
    expect(await post(proxied, [["X-Forwarded-For", "185.184.254.10"], ["X-Forwarded-For", "6.6.6.6"]])).toBe(403);
    // No usable entry: falls back to the socket address (the proxy, 127.0.0.1), not in the list.
    expect(await post(proxied, [["X-Forwarded-For", ""]])).toBe(403);
    expect(await post(proxied, [["X-Forwarded-For", "185.184.254.10, "]])).toBe(403);
    expect(await post(proxied, [])).toBe(403);
    // Addresses that are not plain IPv4 do not match a network.
    for (const odd of ["185.184.254.10:443", "::ffff:6.6.6.6", "185.184.254.999", "unknown", "185.184.254.10\t"]) {
      const status = await post(proxied, [["X-Forwarded-For", `1.1.1.1, ${odd}`]]);
      expect(status, odd).toBe(odd === "185.184.254.10\t" ? 200 : 403);
    }
    expect(stored(proxied)).toBe(2);
  });
});

describe("secrets", () => {
  it("appear in no log line and no stored text of these daemons", () => {
    for (const rig of rigs) {
      expect(secretsIn(rig.daemon.text())).toEqual([]);
      expect(secretsIn(storedText(rig.dbPath))).toEqual([]);
    }
  });
});
