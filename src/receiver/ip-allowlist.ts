/**
 * An optional allowlist of sender networks (Shoptet sends from 185.184.254.0/24). IPv4 CIDRs and
 * IPv4-mapped IPv6 addresses; an empty list allows everyone.
 */
export type IpCheck = (address: string | undefined) => boolean;

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function parseCidr(cidr: string): { base: number; mask: number } {
  const [ip, bitsText = "32"] = cidr.split("/");
  const base = ipv4ToInt(ip ?? "");
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new Error(`"${cidr}" is not an IPv4 network like 185.184.254.0/24`);
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (base & mask) >>> 0, mask };
}

export function createIpCheck(cidrs: readonly string[]): IpCheck {
  if (cidrs.length === 0) return () => true;
  const nets = cidrs.map(parseCidr);
  return (address) => {
    if (!address) return false;
    const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
    const n = ipv4ToInt(v4);
    if (n === undefined) return false;
    return nets.some((net) => ((n & net.mask) >>> 0) === net.base);
  };
}
