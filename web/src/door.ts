// The door, as a scanner sees it: signed ticket codes (JWS compact, EdDSA) checked
// against the event's public key, the admit-or-refuse decision a scanner makes on its
// own when the network is gone, the queue of those decisions waiting to be uploaded,
// and every answer in words. Pure functions (docs/door.md has the contract); the page
// keeps the data in IndexedDB and asks the server while it can.

import { verifyAsync } from '@noble/ed25519';
import { currentLocale, t } from './i18n';

/** What a scanner downloads first (`GET /events/{id}/door`). */
export interface DoorConfig {
  eventId: string;
  title: string;
  startsAt?: string;
  venue?: string;
  reentry: boolean;
  gates: Gate[];
  tiers: { id: string; name: string }[];
  /** base64url of the 32-byte Ed25519 public key. */
  publicKey: string;
}

export interface Gate {
  name: string;
  /** The tiers this gate admits; none (or empty) means every tier. */
  tierIds?: string[];
}

export type TicketState = 'valid' | 'cancelled' | 'refunded' | 'disputed' | 'transferred';

/** One line of the downloaded list (`GET /events/{id}/door/tickets`). */
export interface DoorTicket {
  code: string;
  state: TicketState;
  tierId?: string;
  tierName?: string;
  seat?: string;
  seatId?: string;
  holder?: string;
  admittedAt?: string;
  gate?: string;
}

/** An offline admission waiting for the server (`POST /events/{id}/check-ins/batch`). */
export interface QueuedScan {
  code: string;
  scannedAt: string;
  scanId: string;
  gate?: string;
  device?: string;
}

/** The reasons a ticket is refused: the API's error codes. */
export type Refusal =
  | 'unknown_ticket'
  | 'already_admitted'
  | 'wrong_event'
  | 'ticket_cancelled'
  | 'ticket_refunded'
  | 'ticket_disputed'
  | 'ticket_transferred'
  | 'wrong_gate'
  | 'not_inside'
  | 'reentry_not_allowed'
  | 'forged_code';

export interface Admission {
  admittedAt?: string;
  gate?: string;
  device?: string;
}

/** What the big panel shows. */
export interface Verdict {
  ok: boolean;
  /** `admitted`, `readmitted`, `exited`, or the refusal's code. */
  result: string;
  /** Decided by this scanner without the server. */
  offline: boolean;
  /** The headline: "Admitted", "Ticket cancelled", "Already admitted at 18:01 at gate Nord". */
  title: string;
  ticket?: { tierName?: string; seat?: string; holder?: string };
}

// ---------------------------------------------------------------------------------
// Codes

export const BARE_CODE = /^[A-Za-z0-9_-]{22}$/;

export function base64urlDecode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

export function base64urlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function json(part: string): Record<string, unknown> | undefined {
  const bytes = base64urlDecode(part);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface TicketClaims {
  /** The event id (`e`). */
  e: string;
  /** The bare 22-character code (`t`). */
  t: string;
  /** The seat id (`s`), on seated tiers. */
  s?: string;
}

export type ParsedCode =
  | { kind: 'bare'; code: string }
  | {
      kind: 'signed';
      /** The claims, when the payload reads as them (a tampered one may not). */
      claims?: TicketClaims;
      /** The ASCII bytes signed: the first two parts joined by `.`. */
      signingInput: Uint8Array;
      signature?: Uint8Array;
    }
  | { kind: 'invalid' };

/** What a scan read: a signed code (JWS compact, EdDSA), a bare 22-character code, or neither. */
export function parseCode(raw: string): ParsedCode {
  const text = raw.trim();
  if (BARE_CODE.test(text)) return { kind: 'bare', code: text };
  const parts = text.split('.');
  if (parts.length !== 3) return { kind: 'invalid' };
  const header = json(parts[0]);
  if (!header || header.alg !== 'EdDSA') return { kind: 'invalid' };
  const payload = json(parts[1]);
  const claims =
    payload && typeof payload.e === 'string' && typeof payload.t === 'string' && BARE_CODE.test(payload.t)
      ? { e: payload.e, t: payload.t, ...(typeof payload.s === 'string' ? { s: payload.s } : {}) }
      : undefined;
  return {
    kind: 'signed',
    claims,
    signingInput: new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
    signature: base64urlDecode(parts[2]),
  };
}

/** Whether a signed code's signature verifies against the event's key (base64url). */
export async function verifySignature(code: ParsedCode, publicKey: string): Promise<boolean> {
  if (code.kind !== 'signed' || !code.signature || code.signature.length !== 64) return false;
  const key = base64urlDecode(publicKey);
  if (!key || key.length !== 32) return false;
  try {
    return await verifyAsync(code.signature, code.signingInput, key);
  } catch {
    return false;
  }
}

/** The bare code a scan names, whether or not it is genuine (to look it up, to debounce). */
export function bareCodeOf(code: ParsedCode): string | undefined {
  if (code.kind === 'bare') return code.code;
  if (code.kind === 'signed') return code.claims?.t;
  return undefined;
}

// ---------------------------------------------------------------------------------
// The offline decision

export interface OfflineInput {
  eventId: string;
  code: ParsedCode;
  /** Whether the signature verified (signed codes only). */
  signatureOk: boolean;
  /** The ticket in the downloaded list (with this scanner's own admissions applied). */
  ticket?: DoorTicket;
  gate?: Gate;
  config: Pick<DoorConfig, 'tiers'>;
}

/**
 * Admit or refuse with no server: a code that is not a ticket's, a signed code for
 * another event or with a bad signature, a bare code the list does not know, a
 * ticket the list says is void, already admitted (by the list or by an earlier scan
 * here), or of a tier this gate does not admit. A genuine signed code the list does
 * not know yet (bought after the download) is admitted: the signature vouches for it.
 */
export function decideOffline(input: OfflineInput): { ok: true } | { ok: false; refusal: Refusal; admission?: Admission } {
  const { code, ticket } = input;
  if (code.kind === 'invalid') return { ok: false, refusal: 'unknown_ticket' };
  if (code.kind === 'signed') {
    if (code.claims && code.claims.e !== input.eventId) return { ok: false, refusal: 'wrong_event' };
    if (!input.signatureOk || !code.claims) return { ok: false, refusal: 'forged_code' };
  }
  if (!ticket) return code.kind === 'signed' ? { ok: true } : { ok: false, refusal: 'unknown_ticket' };
  if (ticket.state !== 'valid') return { ok: false, refusal: `ticket_${ticket.state}` as Refusal };
  if (ticket.admittedAt) return { ok: false, refusal: 'already_admitted', admission: { admittedAt: ticket.admittedAt, gate: ticket.gate } };
  if (!gateAdmits(input.gate, ticket.tierId)) return { ok: false, refusal: 'wrong_gate' };
  return { ok: true };
}

/** Whether a gate admits a tier: a gate naming no tiers admits them all (so does "any gate"). */
export function gateAdmits(gate: Gate | undefined, tierId: string | undefined): boolean {
  if (!gate || !gate.tierIds || gate.tierIds.length === 0 || tierId === undefined) return true;
  return gate.tierIds.includes(tierId);
}

/** The ticket as the list will hold it once this scanner admitted it. */
export function withAdmission(ticket: DoorTicket | undefined, code: string, admittedAt: string, gate?: string): DoorTicket {
  return { ...(ticket ?? { code, state: 'valid' as const }), admittedAt, ...(gate ? { gate } : {}) };
}

/**
 * A fresh download of the list, with what this scanner knows and the server may not
 * yet: its own admissions (uploaded or still queued).
 */
export function mergeTickets(downloaded: DoorTicket[], known: DoorTicket[]): DoorTicket[] {
  const local = new Map(known.filter((t) => t.admittedAt).map((t) => [t.code, t]));
  const merged = downloaded.map((t) => {
    const mine = local.get(t.code);
    local.delete(t.code);
    return !t.admittedAt && mine ? { ...t, admittedAt: mine.admittedAt, gate: mine.gate } : t;
  });
  return [...merged, ...local.values()];
}

// ---------------------------------------------------------------------------------
// Answers in words

/** 18:01, in the scanner's own zone (or the one given). */
export function clock(iso: string, timeZone?: string): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  return new Intl.DateTimeFormat(currentLocale(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(when);
}

export function refusalText(refusal: string, admission?: Admission, timeZone?: string): string {
  switch (refusal) {
    case 'already_admitted': {
      const at = admission?.admittedAt ? clock(admission.admittedAt, timeZone) : '';
      const gate = admission?.gate;
      if (at && gate) return t('refusal.alreadyAdmitted.atGate', { time: at, gate });
      if (at) return t('refusal.alreadyAdmitted.at', { time: at });
      if (gate) return t('refusal.alreadyAdmitted.gate', { gate });
      return t('refusal.alreadyAdmitted');
    }
    case 'duplicate':
      return refusalText('already_admitted', admission, timeZone);
    case 'ticket_cancelled':
      return t('refusal.cancelled');
    case 'ticket_refunded':
      return t('refusal.refunded');
    case 'ticket_disputed':
      return t('refusal.disputed');
    case 'ticket_transferred':
      return t('refusal.transferred');
    case 'wrong_gate':
      return t('refusal.wrongGate');
    case 'unknown_ticket':
      return t('refusal.unknown');
    case 'wrong_event':
      return t('refusal.wrongEvent');
    case 'forged_code':
      return t('refusal.forged');
    case 'not_inside':
      return t('refusal.notInside');
    case 'reentry_not_allowed':
      return t('refusal.noReentry');
    case 'forbidden':
      return t('refusal.forbidden');
    case 'unauthorized':
      return t('refusal.unauthorized');
    case 'scan_failed':
      return t('refusal.scanFailed');
  }
  return t('refusal.other');
}

export function admittedText(result: string, offline: boolean): string {
  const word = result === 'readmitted' ? t('admit.readmitted') : result === 'exited' ? t('admit.exited') : t('admit.admitted');
  return offline ? t('admit.offline', { word }) : word;
}

export function admittedVerdict(result: string, offline: boolean, ticket?: DoorTicket | Verdict['ticket']): Verdict {
  return {
    ok: true,
    result,
    offline,
    title: admittedText(result, offline),
    ticket: ticket && { tierName: ticket.tierName, seat: ticket.seat, holder: ticket.holder },
  };
}

export function refusedVerdict(refusal: string, offline: boolean, admission?: Admission, timeZone?: string): Verdict {
  return { ok: false, result: refusal, offline, title: refusalText(refusal, admission, timeZone) };
}

/** The server's answer to `POST /events/{id}/check-ins` (200). */
export interface CheckInAnswer {
  result: 'admitted' | 'readmitted' | 'exited';
  eventId: string;
  admittedAt: string;
  gate?: string;
  ticket: { code: string; tierId?: string; tierName?: string; seat?: string; holder?: string };
}

// ---------------------------------------------------------------------------------
// The queue of offline admissions

export const BATCH_LIMIT = 500;

export interface BatchResult {
  scanId: string;
  result: 'admitted' | 'duplicate' | 'refused' | string;
  ticket?: { tierName?: string; seat?: string; holder?: string };
  admission?: Admission & { scanId?: string };
  code?: string;
  message?: string;
}

/** What the server said later about an offline admission it did not confirm. */
export interface LaterVerdict {
  scanId: string;
  code: string;
  scannedAt: string;
  text: string;
}

/** The next upload: the oldest scans first, at most the API's batch limit. */
export function nextBatch(queue: QueuedScan[], limit = BATCH_LIMIT): QueuedScan[] {
  return [...queue].sort((a, b) => a.scannedAt.localeCompare(b.scannedAt)).slice(0, limit);
}

/**
 * The queue after the server answered a batch: every scan it answered leaves the
 * queue (an answer is final: the same scan uploaded again answers the same); the
 * ones it refused become later verdicts for the staff to see. Scans it did not
 * answer stay queued.
 */
export function settle(
  queue: QueuedScan[],
  results: BatchResult[],
  timeZone?: string,
): { answered: string[]; remaining: QueuedScan[]; later: LaterVerdict[] } {
  const byId = new Map(results.map((r) => [r.scanId, r]));
  const answered: string[] = [];
  const remaining: QueuedScan[] = [];
  const later: LaterVerdict[] = [];
  for (const scan of queue) {
    const result = byId.get(scan.scanId);
    if (!result) {
      remaining.push(scan);
      continue;
    }
    answered.push(scan.scanId);
    if (result.result === 'admitted' || result.result === 'readmitted') continue;
    const reason = result.result === 'duplicate' ? 'already_admitted' : result.code ?? 'refused';
    later.push({ scanId: scan.scanId, code: shortCode(scan.code), scannedAt: scan.scannedAt, text: refusalText(reason, result.admission, timeZone) });
  }
  return { answered, remaining, later };
}

/** A code shortened for a list (a signed code is long): its bare code's first characters. */
export function shortCode(raw: string): string {
  const bare = bareCodeOf(parseCode(raw)) ?? raw;
  return bare.length > 8 ? `${bare.slice(0, 8)}…` : bare;
}

// ---------------------------------------------------------------------------------
// Debounce: a code held in front of the camera is one scan

export const DEBOUNCE_MS = 3_000;

/**
 * Whether a code read now is a new scan: not when the same code was read less than
 * 3 s ago (its last sighting counts, so a code held still is scanned once). `seen`
 * is updated in place.
 */
export function isNewScan(seen: Map<string, number>, key: string, now: number, windowMs = DEBOUNCE_MS): boolean {
  const last = seen.get(key);
  seen.set(key, now);
  for (const [k, t] of seen) if (now - t > windowMs * 4) seen.delete(k);
  return last === undefined || now - last >= windowMs;
}

// ---------------------------------------------------------------------------------
// The organizer's gates

export interface GateRow {
  name: string;
  tierIds: string[];
}

/** The `PUT /events/{id}/door` body from the form's rows, or what to fix. */
export function doorRequest(
  rows: GateRow[],
  reentry: boolean,
): { body?: { gates: Gate[]; reentry: boolean }; errors: Record<number, string> } {
  const errors: Record<number, string> = {};
  const seen = new Set<string>();
  const gates: Gate[] = [];
  rows.forEach((row, i) => {
    const name = row.name.trim();
    if (!name) {
      if (row.tierIds.length > 0) errors[i] = t('gates.nameNeeded');
      return;
    }
    if (name.length > 60) errors[i] = t('gates.tooLong', { max: 60 });
    else if (seen.has(name.toLowerCase())) errors[i] = t('gates.sameName');
    seen.add(name.toLowerCase());
    gates.push(row.tierIds.length > 0 ? { name, tierIds: row.tierIds } : { name });
  });
  return Object.keys(errors).length > 0 ? { errors } : { body: { gates, reentry }, errors };
}

/** The gates a scanner may pick: the event's, or one "any gate" when it has none. */
export function gateChoices(config: Pick<DoorConfig, 'gates'>): [string, string][] {
  if (config.gates.length === 0) return [['', t('gates.any')]];
  return config.gates.map((g) => [g.name, g.name]);
}

/** Summary of the door, live (`GET /events/{id}/check-ins/summary`). */
export interface DoorSummary {
  eventId: string;
  admitted: number;
  inside?: number;
  tiers: { tierId: string; tierName: string; admitted: number }[];
  gates: { gate: string; admitted: number }[];
}
