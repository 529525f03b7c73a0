import { describe, expect, it } from 'vitest';
import { getPublicKeyAsync, signAsync, utils } from '@noble/ed25519';
import {
  base64urlDecode,
  base64urlEncode,
  bareCodeOf,
  decideOffline,
  doorRequest,
  gateChoices,
  isNewScan,
  mergeTickets,
  nextBatch,
  parseCode,
  refusalText,
  settle,
  verifySignature,
  withAdmission,
  type DoorTicket,
  type OfflineInput,
  type QueuedScan,
} from './door';

const EVENT = 'evt-1';
const CODE = 'AbCdEfGhIjKlMnOpQrStUv';
const OTHER = 'ZyXwVuTsRqPoNmLkJiHgFe';

function b64json(value: unknown): string {
  return base64urlEncode(new TextEncoder().encode(JSON.stringify(value)));
}

async function keys() {
  const secret = utils.randomSecretKey();
  return { secret, publicKey: base64urlEncode(await getPublicKeyAsync(secret)) };
}

/** A ticket's code signed as the issuer does (docs/door.md). */
async function sign(secret: Uint8Array, claims: Record<string, string>): Promise<string> {
  const input = `${b64json({ alg: 'EdDSA', typ: 'ticket' })}.${b64json(claims)}`;
  const signature = await signAsync(new TextEncoder().encode(input), secret);
  return `${input}.${base64urlEncode(signature)}`;
}

/** One character of the payload changed. */
function tamper(jws: string): string {
  const [h, p, s] = jws.split('.');
  const i = Math.floor(p.length / 2);
  return `${h}.${p.slice(0, i)}${p[i] === 'A' ? 'B' : 'A'}${p.slice(i + 1)}.${s}`;
}

describe('signed ticket codes', () => {
  it('round-trips base64url', () => {
    const bytes = new Uint8Array([0, 1, 250, 251, 252, 253, 254, 255]);
    expect(base64urlEncode(bytes)).toBe('AAH6-_z9_v8');
    expect(base64urlDecode('AAH6-_z9_v8')).toEqual(bytes);
    expect(base64urlDecode('not base64!')).toBeUndefined();
  });

  it('verifies a code the event key signed, and refuses a tampered payload or another key', async () => {
    const { secret, publicKey } = await keys();
    const jws = await sign(secret, { e: EVENT, t: CODE, s: '1-3-12' });
    const parsed = parseCode(jws);
    expect(parsed.kind).toBe('signed');
    expect(parsed.kind === 'signed' && parsed.claims).toEqual({ e: EVENT, t: CODE, s: '1-3-12' });
    expect(bareCodeOf(parsed)).toBe(CODE);
    expect(await verifySignature(parsed, publicKey)).toBe(true);

    expect(await verifySignature(parseCode(tamper(jws)), publicKey)).toBe(false);
    const other = await keys();
    expect(await verifySignature(parsed, other.publicKey)).toBe(false);
    // A signature that is not one, and a key that is not one.
    const [h, p] = jws.split('.');
    expect(await verifySignature(parseCode(`${h}.${p}.AAAA`), publicKey)).toBe(false);
    expect(await verifySignature(parsed, 'short')).toBe(false);
  });

  it('tells a bare code, a signed code and anything else apart', () => {
    expect(parseCode(` ${CODE} `)).toEqual({ kind: 'bare', code: CODE });
    expect(parseCode('https://example.com').kind).toBe('invalid');
    expect(parseCode('a.b.c').kind).toBe('invalid');
    expect(parseCode(`${b64json({ alg: 'HS256' })}.${b64json({ e: EVENT, t: CODE })}.AAAA`).kind).toBe('invalid');
  });
});

describe('the offline decision', () => {
  const valid: DoorTicket = { code: CODE, state: 'valid', tierId: 't1', tierName: 'Stalls', seat: 'Stalls, row A, seat 2', holder: 'Ada' };
  const base = (over: Partial<OfflineInput>): OfflineInput => ({
    eventId: EVENT,
    code: { kind: 'bare', code: CODE },
    signatureOk: false,
    ticket: valid,
    config: { tiers: [{ id: 't1', name: 'Stalls' }] },
    ...over,
  });
  const signed = (claims: { e: string; t: string } | undefined) =>
    ({ kind: 'signed', claims, signingInput: new Uint8Array(), signature: new Uint8Array(64) }) as const;

  it.each([
    ['a valid bare code in the list', base({}), { ok: true }],
    ['a genuine signed code in the list', base({ code: signed({ e: EVENT, t: CODE }), signatureOk: true }), { ok: true }],
    ['a genuine signed code bought after the download', base({ code: signed({ e: EVENT, t: OTHER }), signatureOk: true, ticket: undefined }), { ok: true }],
    ['a bare code the list does not know', base({ ticket: undefined }), { ok: false, refusal: 'unknown_ticket' }],
    ['something that is not a code', base({ code: { kind: 'invalid' }, ticket: undefined }), { ok: false, refusal: 'unknown_ticket' }],
    ['a bad signature', base({ code: signed({ e: EVENT, t: CODE }), signatureOk: false }), { ok: false, refusal: 'forged_code' }],
    ['a payload that does not read', base({ code: signed(undefined), signatureOk: false }), { ok: false, refusal: 'forged_code' }],
    ['another event', base({ code: signed({ e: 'evt-2', t: CODE }), signatureOk: false }), { ok: false, refusal: 'wrong_event' }],
    ['a cancelled ticket', base({ ticket: { ...valid, state: 'cancelled' } }), { ok: false, refusal: 'ticket_cancelled' }],
    ['a refunded ticket', base({ ticket: { ...valid, state: 'refunded' } }), { ok: false, refusal: 'ticket_refunded' }],
    ['a wrong gate', base({ gate: { name: 'Sud', tierIds: ['t2'] } }), { ok: false, refusal: 'wrong_gate' }],
    ['a gate for its tier', base({ gate: { name: 'Nord', tierIds: ['t1'] } }), { ok: true }],
    ['a gate for every tier', base({ gate: { name: 'Nord' } }), { ok: true }],
    [
      'a ticket the list says was admitted',
      base({ ticket: { ...valid, admittedAt: '2026-12-03T18:01:02Z', gate: 'Nord' } }),
      { ok: false, refusal: 'already_admitted', admission: { admittedAt: '2026-12-03T18:01:02Z', gate: 'Nord' } },
    ],
    [
      'a ticket admitted earlier by this scanner',
      base({ ticket: withAdmission(valid, CODE, '2026-12-03T18:05:00Z', 'Sud') }),
      { ok: false, refusal: 'already_admitted', admission: { admittedAt: '2026-12-03T18:05:00Z', gate: 'Sud' } },
    ],
  ])('%s', (_, input, expected) => {
    expect(decideOffline(input)).toEqual(expected);
  });

  it('keeps its own admissions over a fresh download that does not have them yet', () => {
    const mine = withAdmission(undefined, OTHER, '2026-12-03T18:05:00Z', 'Nord');
    const merged = mergeTickets([valid, { ...valid, code: 'x'.repeat(22), admittedAt: '2026-12-03T17:00:00Z' }], [mine]);
    expect(merged).toHaveLength(3);
    expect(merged[2]).toEqual({ code: OTHER, state: 'valid', admittedAt: '2026-12-03T18:05:00Z', gate: 'Nord' });
    const again = mergeTickets([valid], [withAdmission(valid, CODE, '2026-12-03T18:05:00Z')]);
    expect(again).toEqual([{ ...valid, admittedAt: '2026-12-03T18:05:00Z' }]);
  });
});

describe('answers in words', () => {
  it('names each refusal', () => {
    expect(refusalText('already_admitted', { admittedAt: '2026-12-03T18:01:02Z', gate: 'Nord' }, 'UTC')).toBe(
      'Already admitted at 18:01 at gate Nord',
    );
    expect(refusalText('already_admitted', {})).toBe('Already admitted');
    expect(refusalText('ticket_cancelled')).toBe('Ticket cancelled');
    expect(refusalText('wrong_gate')).toBe('Not valid at this gate');
    expect(refusalText('unknown_ticket')).toBe('Unknown ticket');
    expect(refusalText('wrong_event')).toBe('Not for this event');
    expect(refusalText('forged_code')).toBe('Forged code');
    expect(refusalText('something_new')).toBe('Refused');
  });
});

describe('the queue of offline scans', () => {
  const scan = (scanId: string, scannedAt: string): QueuedScan => ({ code: CODE, scanId, scannedAt, gate: 'Nord', device: 'Door 1' });

  it('uploads the oldest first, at most the batch limit', () => {
    const queue = [scan('b', '2026-12-03T18:02:00Z'), scan('a', '2026-12-03T18:01:00Z'), scan('c', '2026-12-03T18:03:00Z')];
    expect(nextBatch(queue, 2).map((s) => s.scanId)).toEqual(['a', 'b']);
  });

  it('drops only the scans the server answered, and keeps its refusals to show', () => {
    const queue = [scan('a1', '2026-12-03T18:01:00Z'), scan('a2', '2026-12-03T18:02:00Z'), scan('a3', '2026-12-03T18:03:00Z'), scan('a4', '2026-12-03T18:04:00Z')];
    const settled = settle(
      queue,
      [
        { scanId: 'a1', result: 'admitted' },
        { scanId: 'a2', result: 'duplicate', admission: { admittedAt: '2026-12-03T17:59:00Z', gate: 'Sud', scanId: 'x' } },
        { scanId: 'a3', result: 'refused', code: 'ticket_cancelled', message: 'cancelled' },
        { scanId: 'zz', result: 'admitted' },
      ],
      'UTC',
    );
    expect(settled.answered).toEqual(['a1', 'a2', 'a3']);
    expect(settled.remaining.map((s) => s.scanId)).toEqual(['a4']);
    expect(settled.later.map((l) => l.text)).toEqual(['Already admitted at 17:59 at gate Sud', 'Ticket cancelled']);
    expect(settled.later[0].code).toBe('AbCdEfGh…');
  });
});

describe('debounce', () => {
  it('scans a code once while it is held in view, and again after 3 s away', () => {
    const seen = new Map<string, number>();
    expect(isNewScan(seen, CODE, 0)).toBe(true);
    expect(isNewScan(seen, CODE, 1_000)).toBe(false);
    expect(isNewScan(seen, CODE, 3_500)).toBe(false); // seen 2.5 s ago
    expect(isNewScan(seen, OTHER, 3_600)).toBe(true);
    expect(isNewScan(seen, CODE, 7_000)).toBe(true);
  });
});

describe('gates', () => {
  it('builds the door settings from the form, refusing unnamed and repeated gates', () => {
    expect(doorRequest([{ name: ' Nord ', tierIds: ['t1'] }, { name: '', tierIds: [] }, { name: 'Sud', tierIds: [] }], true)).toEqual({
      body: { gates: [{ name: 'Nord', tierIds: ['t1'] }, { name: 'Sud' }], reentry: true },
      errors: {},
    });
    expect(doorRequest([{ name: 'Nord', tierIds: [] }, { name: 'nord', tierIds: [] }], false).errors).toEqual({
      1: 'Two gates cannot have the same name.',
    });
    expect(doorRequest([{ name: '', tierIds: ['t1'] }], false).errors[0]).toBe('Give this gate a name.');
  });
  it('offers "any gate" when the event has none', () => {
    expect(gateChoices({ gates: [] })).toEqual([['', 'Any gate']]);
    expect(gateChoices({ gates: [{ name: 'Nord' }, { name: 'Sud' }] })).toEqual([
      ['Nord', 'Nord'],
      ['Sud', 'Sud'],
    ]);
  });
});
