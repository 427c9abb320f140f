// Chain validation against the trust anchors (api.md "Trust anchors": the hub CA and config/trust/*.pem):
// each link's signature, CA flag and validity at the given instant. Certificates are few and chains short
// (leaf, perhaps an intermediate, the anchor), so a direct walk is enough.
import { X509Certificate } from 'node:crypto';

export type ChainResult = { ok: true; anchor: X509Certificate } | { ok: false; check: 'chain' | 'validity'; message: string };

const within = (c: X509Certificate, at: Date) => new Date(c.validFrom) <= at && at <= new Date(c.validTo);
const issues = (issuer: X509Certificate, c: X509Certificate) => issuer.ca && c.checkIssued(issuer) && c.verify(issuer.publicKey);

export function validateChain(leaf: X509Certificate, pool: readonly X509Certificate[], anchors: readonly X509Certificate[], at: Date): ChainResult {
  let current = leaf;
  for (let depth = 0; depth < 6; depth++) {
    if (!within(current, at)) {
      return { ok: false, check: 'validity', message: `certificate ${current.subject.replace(/\n/g, ', ')} was not valid at ${at.toISOString()} (valid ${current.validFrom} to ${current.validTo})` };
    }
    const anchor = anchors.find((a) => issues(a, current));
    if (anchor) {
      if (!within(anchor, at)) return { ok: false, check: 'validity', message: `the trust anchor ${anchor.subject.replace(/\n/g, ', ')} was not valid at ${at.toISOString()}` };
      return { ok: true, anchor };
    }
    const next = pool.find((c) => c !== current && !c.raw.equals(current.raw) && issues(c, current));
    if (!next) break;
    current = next;
  }
  return { ok: false, check: 'chain', message: 'the certificate does not chain to a trust anchor (the hub CA or config/trust)' };
}
