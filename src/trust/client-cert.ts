// Client certificates of the HTTPS listener (api.md "mTLS"). The handshake accepts any certificate
// (rejectUnauthorized: false), so that the refusal is an HTTP 401 with a problem body; what a certificate proves is
// decided here. It authenticates a system only when the hub CA issued it to that system (its serial and fingerprint
// in the store, not revoked), or when its SHA-256 fingerprint is in the system's registered `certificates` and it
// chains to an anchor; never by its subject name.
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import type { CertificateStore, SystemRecord } from '../store/types.js';
import { validateChain } from './chain.js';
import { fingerprintSha256, serialHex, subjectLine } from './pki.js';

/** A certificate the client presented, with the other certificates it sent (intermediates). */
export interface PeerCertificate { cert: X509Certificate; chain: X509Certificate[] }

// One parse per TLS connection: keep-alive requests on it present the same certificate.
const parsed = new WeakMap<TLSSocket, PeerCertificate | null>();

/** The client certificate of the request's TLS connection; undefined on plain HTTP or when none was sent. */
export function peerCertificate(raw: IncomingMessage): PeerCertificate | undefined {
  const socket = raw.socket as TLSSocket;
  if (typeof socket?.getPeerCertificate !== 'function') return undefined;
  let peer = parsed.get(socket);
  if (peer === undefined) {
    peer = parse(socket.getPeerCertificate(true));
    parsed.set(socket, peer);
  }
  return peer ?? undefined;
}

function parse(detailed: DetailedPeerCertificate): PeerCertificate | null {
  if (!detailed?.raw?.length) return null;
  const cert = new X509Certificate(detailed.raw);
  const chain: X509Certificate[] = [];
  const seen = new Set([detailed.fingerprint256]);
  for (let c = detailed.issuerCertificate; c?.raw && !seen.has(c.fingerprint256) && chain.length < 5; c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    chain.push(new X509Certificate(c.raw));
  }
  return { cert, chain };
}

export interface CertificateTrust {
  hubCa(): Promise<X509Certificate>;
  anchors(): Promise<X509Certificate[]>;
}

export interface CertificateLookup {
  trust: CertificateTrust;
  certificates: CertificateStore;
  /** The active system whose registration lists this fingerprint. */
  byFingerprint(fingerprint: string): SystemRecord | undefined;
  get(id: string): SystemRecord | undefined;
}

export type CertificateIdentity = { ok: true; system: SystemRecord } | { ok: false; reason: string; subject: string };

/** Which system a presented certificate authenticates, or why it authenticates none. */
export async function identify(peer: PeerCertificate, lookup: CertificateLookup, now: number): Promise<CertificateIdentity> {
  const { cert } = peer;
  const subject = subjectLine(cert);
  const no = (reason: string): CertificateIdentity => ({ ok: false, reason, subject });
  const at = new Date(now);
  const fingerprint = fingerprintSha256(cert);
  const ca = await lookup.trust.hubCa();
  if (cert.checkIssued(ca) && cert.verify(ca.publicKey)) {
    // Issued by the hub CA: the store says to whom (read every time, so a revocation counts at once).
    const issued = await lookup.certificates.get(serialHex(cert));
    if (!issued || issued.fingerprintSha256 !== fingerprint) return no('the hub CA has no record of this certificate');
    if (issued.revokedAt) return no(`the certificate was revoked at ${issued.revokedAt}`);
    const chain = validateChain(cert, [], [ca], at);
    if (!chain.ok) return no(chain.message);
    const system = lookup.get(issued.systemId);
    if (!system || system.status !== 'active') return no(`the certificate's system ${issued.systemId} is retired`);
    return { ok: true, system };
  }
  const system = lookup.byFingerprint(fingerprint);
  if (!system) return no('the certificate is neither issued by the hub CA nor registered to a system');
  const chain = validateChain(cert, peer.chain, await lookup.trust.anchors(), at);
  if (!chain.ok) return no(chain.message);
  return { ok: true, system };
}
