// At the door: the events the signed-in person may scan, and the scanner itself. The
// scanner downloads the event's door settings, key and ticket list into IndexedDB,
// reads QR codes from the camera (or a code typed by hand), asks the server while it
// can and decides on its own when it cannot; its own decisions wait in a queue until
// the server has answered them. All the deciding is in ../door.ts.

import { useEffect, useRef, useState } from 'preact/hooks';
import jsQR from 'jsqr';
import { ApiError, request } from '../api';
import { Field, Loading, Notice, SelectField, SLOT, Title, withSlots } from '../components';
import {
  admittedVerdict,
  bareCodeOf,
  clock,
  decideOffline,
  gateChoices,
  isNewScan,
  mergeTickets,
  nextBatch,
  parseCode,
  refusedVerdict,
  settle,
  verifySignature,
  withAdmission,
  type Admission,
  type BatchResult,
  type CheckInAnswer,
  type DoorConfig,
  type DoorSummary,
  type DoorTicket,
  type LaterVerdict,
  type QueuedScan,
  type Verdict,
} from '../door';
import * as store from '../doorStore';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import type { Profile } from '../session';

interface DoorEvent {
  eventId: string;
  title: string;
  startsAt?: string;
  as: 'organizer' | 'staff' | 'team';
}

export function DoorEvents({ profile }: { profile?: Profile }) {
  const [events, setEvents] = useState<DoorEvent[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!profile) return;
    request<{ events: DoorEvent[] }>('/users/me/door-events')
      .then((answer) => setEvents(answer.events))
      .catch((e: ApiError) => setError(e.message));
  }, [profile?.id]);
  if (!profile) {
    return (
      <section>
        <Title text={t('door.title')} />
        <p>
          <a href="/signin?next=%2Fdoor">{t('door.signIn.link')}</a> {t('door.signIn.rest')}
        </p>
      </section>
    );
  }
  return (
    <section>
      <Title text={t('door.title')} />
      {error && <Notice kind="error">{error}</Notice>}
      {!events && !error && <Loading text={t('organize.loading')} />}
      {events && events.length === 0 && <p>{t('door.none')}</p>}
      {events && events.length > 0 && (
        <ul class="door-events">
          {events.map((e) => (
            <li key={e.eventId}>
              <a href={`/door/${encodeURIComponent(e.eventId)}`}>{e.title}</a>
              {e.startsAt && (
                <span class="meta"> · {formatDateTime(e.startsAt)}</span>
              )}
              <span class="meta"> · {e.as === 'organizer' ? t('door.as.organizer') : e.as === 'team' ? t('door.as.team') : t('door.as.staff')}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------

const DEVICE_KEY = 'door.device';
const CAMERA_KEY = 'door.camera';
const gateKey = (eventId: string) => `door.gate.${eventId}`;
const SUMMARY_EVERY_MS = 10_000;
const UPLOAD_RETRY_MS = 5_000;

function stored(key: string, fallback: string): string {
  try {
    return localStorage.getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
}

function keep(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

function defaultDevice(): string {
  const name = t('door.device.default', { id: Math.random().toString(36).slice(2, 6).toUpperCase() });
  keep(DEVICE_KEY, name);
  return name;
}

function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Whether a failed request leaves the scanner to decide alone: no answer, or none it can use. */
function unreachable(err: unknown): boolean {
  return !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 401;
}

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

let audio: AudioContext | undefined;
/** A short beep: high for admitted, low for refused. */
function beep(ok: boolean): void {
  try {
    audio ??= new AudioContext();
    void audio.resume();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = ok ? 'sine' : 'square';
    oscillator.frequency.value = ok ? 1320 : 220;
    const length = ok ? 0.15 : 0.45;
    gain.gain.setValueAtTime(0.25, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + length);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + length);
  } catch {
    // No sound on this device: the panel says it all.
  }
}

async function downloadAll(eventId: string): Promise<{ config: DoorConfig; tickets: DoorTicket[] }> {
  const id = encodeURIComponent(eventId);
  const config = await request<DoorConfig>(`/events/${id}/door`);
  const tickets: DoorTicket[] = [];
  let cursor: string | null | undefined;
  do {
    const page: { tickets: DoorTicket[]; nextCursor?: string | null } = await request(
      `/events/${id}/door/tickets${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    tickets.push(...page.tickets);
    cursor = page.nextCursor;
  } while (cursor);
  return { config, tickets };
}

interface Shown extends Verdict {
  at: number;
}

export function DoorScanner({ eventId, profile }: { eventId: string; profile?: Profile }) {
  const online = useOnline();
  const [config, setConfig] = useState<DoorConfig & { downloadedAt?: string }>();
  const [ticketCount, setTicketCount] = useState(0);
  const [loadError, setLoadError] = useState<string>();
  const [loaded, setLoaded] = useState(false);
  const [gate, setGate] = useState(() => stored(gateKey(eventId), ''));
  const [device, setDevice] = useState(() => stored(DEVICE_KEY, '') || defaultDevice());
  const [shown, setShown] = useState<Shown>();
  const [waiting, setWaiting] = useState(0);
  const [later, setLater] = useState<LaterVerdict[]>([]);
  const [summary, setSummary] = useState<DoorSummary>();
  const [manual, setManual] = useState('');
  const [uploadError, setUploadError] = useState<string>();

  // The gate picked, if the event still has it (else its first, or "any gate").
  const choices = gateChoices(config ?? { gates: [] });
  const gateValue = choices.some(([v]) => v === gate) ? gate : choices[0][0];
  // The latest values for callbacks that outlive a render (the camera loop, timers).
  const live = useRef({ online, profile, gate: gateValue, device, config });
  live.current = { online, profile, gate: gateValue, device, config };
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const seen = useRef(new Map<string, number>());
  const uploading = useRef(false);
  const readSummary = useRef<() => void>(() => undefined);

  const refreshQueue = async () => {
    setWaiting((await store.loadQueue(eventId)).length);
    setLater(await store.loadLater(eventId));
  };

  const upload = async () => {
    const { online: isOnline, profile: who } = live.current;
    if (!isOnline || !who || uploading.current) return;
    uploading.current = true;
    try {
      for (;;) {
        const queue = await store.loadQueue(eventId);
        if (queue.length === 0) break;
        const batch = nextBatch(queue);
        const answer = await request<{ results: BatchResult[] }>(`/events/${encodeURIComponent(eventId)}/check-ins/batch`, {
          method: 'POST',
          body: { scans: batch },
        });
        const settled = settle(batch, answer.results);
        await store.settleQueue(eventId, settled.answered, settled.later);
        await refreshQueue();
        readSummary.current();
        if (settled.answered.length === 0) break; // nothing answered: try again later
      }
      setUploadError(undefined);
    } catch (err) {
      setUploadError(err instanceof ApiError && err.status !== 0 ? err.message : undefined);
    } finally {
      uploading.current = false;
    }
  };

  // What the device kept, then a fresh download while the network is there.
  useEffect(() => {
    let stopped = false;
    (async () => {
      const kept = await store.loadConfig(eventId).catch(() => undefined);
      if (kept && !stopped) {
        setConfig(kept);
        setTicketCount((await store.loadTickets(eventId)).length);
      }
      await refreshQueue().catch(() => undefined);
      if (!profile || !navigator.onLine) return;
      try {
        const fresh = await downloadAll(eventId);
        const merged = mergeTickets(fresh.tickets, await store.loadTickets(eventId));
        await store.saveDownload(fresh.config, merged);
        if (stopped) return;
        setConfig({ ...fresh.config, downloadedAt: new Date().toISOString() });
        setTicketCount(merged.length);
        setLoadError(undefined);
      } catch (err) {
        if (!stopped) setLoadError(err instanceof ApiError ? err.message : t('door.notKept'));
      }
    })().finally(() => {
      if (!stopped) setLoaded(true);
      void upload();
    });
    return () => {
      stopped = true;
    };
  }, [eventId, profile?.id]);

  // Upload when the network comes back, and every few seconds while something waits.
  useEffect(() => {
    if (online) void upload();
    const timer = setInterval(() => void upload(), UPLOAD_RETRY_MS);
    return () => clearInterval(timer);
  }, [online, profile?.id, eventId]);

  // The live summary, every 10 s while online.
  useEffect(() => {
    if (!online || !profile) return;
    let stopped = false;
    const read = () =>
      request<DoorSummary>(`/events/${encodeURIComponent(eventId)}/check-ins/summary`)
        .then((s) => !stopped && setSummary(s))
        .catch(() => undefined);
    void read();
    readSummary.current = () => void read();
    const timer = setInterval(read, SUMMARY_EVERY_MS);
    return () => {
      readSummary.current = () => undefined;
      stopped = true;
      clearInterval(timer);
    };
  }, [online, profile?.id, eventId]);

  const show = (verdict: Verdict) => {
    beep(verdict.ok);
    setShown({ ...verdict, at: Date.now() });
  };

  /** One scan, decided by the server if it answers, else here. One at a time. */
  const check = (raw: string): Promise<unknown> => {
    const next = chain.current.then(() => decide(raw)).catch(() => show(refusedVerdict('scan_failed', true)));
    chain.current = next;
    return next;
  };

  const decide = async (raw: string) => {
    const { online: isOnline, profile: who, gate: atGate, device: onDevice, config: cfg } = live.current;
    const scanId = uuid();
    const parsed = parseCode(raw);
    const bare = bareCodeOf(parsed);
    if (isOnline && who && navigator.onLine) {
      try {
        const answer = await request<CheckInAnswer>(`/events/${encodeURIComponent(eventId)}/check-ins`, {
          method: 'POST',
          body: { code: raw.trim(), scanId, ...(atGate ? { gate: atGate } : {}), ...(onDevice ? { device: onDevice } : {}) },
        });
        const code = answer.ticket?.code ?? bare;
        if (code) {
          const known = await store.getTicket(eventId, code);
          await store.putTicket(eventId, withAdmission({ ...known, ...answer.ticket, state: 'valid', code }, code, answer.admittedAt, answer.gate));
          setTicketCount((await store.loadTickets(eventId)).length);
        }
        show(admittedVerdict(answer.result, false, answer.ticket));
        readSummary.current();
        return;
      } catch (err) {
        if (!unreachable(err)) {
          const apiError = err as ApiError;
          const admission = apiError.detail.admission as Admission | undefined;
          if (bare && apiError.code === 'already_admitted' && admission?.admittedAt) {
            const known = await store.getTicket(eventId, bare);
            if (known) await store.putTicket(eventId, withAdmission(known, bare, admission.admittedAt, admission.gate));
          }
          show(refusedVerdict(apiError.code, false, admission));
          return;
        }
        // No usable answer: decide here, with the same scanId (a retried scan is the same scan).
      }
    }
    if (!cfg) {
      show({ ok: false, result: 'no_list', offline: true, title: t('door.noList') });
      return;
    }
    const signatureOk = parsed.kind === 'signed' && (await verifySignature(parsed, cfg.publicKey));
    const ticket = bare ? await store.getTicket(eventId, bare) : undefined;
    const gateRule = cfg.gates.find((g) => g.name === atGate);
    const decision = decideOffline({ eventId, code: parsed, signatureOk, ticket, gate: gateRule, config: cfg });
    if (!decision.ok) {
      show(refusedVerdict(decision.refusal, true, decision.admission));
      return;
    }
    const scannedAt = new Date().toISOString();
    const scan: QueuedScan = { code: raw.trim(), scannedAt, scanId, ...(atGate ? { gate: atGate } : {}), ...(onDevice ? { device: onDevice } : {}) };
    await store.queueAdmission(eventId, scan, withAdmission(ticket, bare!, scannedAt, atGate || undefined));
    await refreshQueue();
    show(admittedVerdict('admitted', true, ticket));
  };

  const fromCamera = (raw: string) => {
    const key = bareCodeOf(parseCode(raw)) ?? raw;
    if (isNewScan(seen.current, key, Date.now())) void check(raw);
  };

  const submitManual = (e: Event) => {
    e.preventDefault();
    const raw = manual.trim();
    if (!raw) return;
    seen.current.set(bareCodeOf(parseCode(raw)) ?? raw, Date.now());
    setManual('');
    void check(raw);
  };

  if (!loaded && !config) return <Loading text={t('door.loading')} />;
  if (!config) {
    return (
      <section>
        <Title text={t('door.title')} />
        {!profile ? (
          <p>
            <a href={`/signin?next=${encodeURIComponent(`/door/${eventId}`)}`}>{t('door.signIn.link')}</a>{' '}
            {t('door.signIn.download')}
          </p>
        ) : (
          <Notice kind="error">{loadError ?? t('door.unreadable')}</Notice>
        )}
        <p>
          <a href="/door">{t('door.all')}</a>
        </p>
      </section>
    );
  }

  return (
    <section class="door">
      <Title text={t('door.scanner.title', { event: config.title })} />
      <p class="door-state">
        <span class={`badge ${online ? 'online' : 'offline'}`}>{online ? t('door.online') : t('door.offline')}</span>{' '}
        {online ? t('door.online.text') : t('door.offline.text')}
      </p>
      {!profile && (
        <Notice kind="info">
          {t('door.signedOut')} <a href={`/signin?next=${encodeURIComponent(`/door/${eventId}`)}`}>{t('door.signedOut.link')}</a>
        </Notice>
      )}
      {loadError && <Notice kind="error">{loadError} {t('door.usingKept')}</Notice>}

      <VerdictPanel shown={shown} />

      <div class="door-grid">
        <div>
          <Camera onCode={fromCamera} />
          <form class="manual" onSubmit={submitManual} aria-labelledby="manual-title">
            <h2 id="manual-title">{t('door.manual.title')}</h2>
            <Field
              label={t('door.manual.code')}
              name="code"
              autoComplete="off"
              spellcheck={false}
              hint={t('door.manual.hint')}
              value={manual}
              onValue={setManual}
            />
            <button type="submit">{t('door.manual.submit')}</button>
          </form>
        </div>
        <div>
          <h2>{t('door.thisScanner')}</h2>
          <SelectField
            label={t('door.gate')}
            name="gate"
            value={gateValue}
            onValue={(g) => {
              setGate(g);
              keep(gateKey(eventId), g);
            }}
            options={choices}
          />
          <Field
            label={t('door.device')}
            name="device"
            value={device}
            onValue={(d) => {
              setDevice(d);
              keep(DEVICE_KEY, d);
            }}
          />
          <p class="queue-count">
            {t('door.waiting', { count: waiting })}
          </p>
          {uploadError && <Notice kind="error">{uploadError}</Notice>}
          <p class="hint">
            {config.downloadedAt
              ? t('door.kept.at', { count: ticketCount, time: clock(config.downloadedAt) })
              : t('door.kept', { count: ticketCount })}
          </p>
        </div>
      </div>

      {later.length > 0 && (
        <section aria-labelledby="later-title">
          <h2 id="later-title">{t('door.later.title')}</h2>
          <p class="hint">{t('door.later.hint')}</p>
          <ul class="later">
            {later.map((l) => (
              <li key={l.scanId}>
                {withSlots(t('door.later.line', { code: SLOT, time: clock(l.scannedAt), reason: l.text }), <code>{l.code}</code>)}
              </li>
            ))}
          </ul>
        </section>
      )}

      <Summary summary={summary} online={online} signedIn={!!profile} />

      <p>
        <a href="/door">{t('door.all')}</a>
      </p>
      <ForgetButton
        disabled={waiting > 0}
        onForget={async () => {
          await store.forget(eventId);
          setConfig(undefined);
          setTicketCount(0);
          setLoaded(true);
        }}
      />
    </section>
  );
}

function VerdictPanel({ shown }: { shown?: Shown }) {
  const kind = !shown ? 'idle' : shown.ok ? 'ok' : 'refused';
  const details = shown?.ticket ? [shown.ticket.tierName, shown.ticket.seat, shown.ticket.holder].filter(Boolean) : [];
  return (
    <div class={`verdict verdict-${kind}`} role="status" aria-live="assertive" aria-atomic="true" aria-label={t('door.result')}>
      {!shown ? (
        <p class="verdict-title">{t('door.ready')}</p>
      ) : (
        <>
          <p class="verdict-title">{shown.title}</p>
          {details.length > 0 && <p class="verdict-details">{details.join(' · ')}</p>}
          {shown.offline && !shown.ok && <p class="verdict-details">{t('door.decidedHere')}</p>}
          <p class="verdict-time">{formatDateTime(new Date(shown.at).toISOString(), { timeStyle: 'medium' })}</p>
        </>
      )}
    </div>
  );
}

function Summary({ summary, online, signedIn }: { summary?: DoorSummary; online: boolean; signedIn: boolean }) {
  return (
    <section id="summary" aria-labelledby="summary-title">
      <h2 id="summary-title">{t('door.summary.title')}</h2>
      {!summary ? (
        <p class="hint">{online && signedIn ? t('door.summary.reading') : t('door.summary.needs')}</p>
      ) : (
        <>
          <p class="summary-total">
            {summary.inside !== undefined
              ? t('door.summary.admittedInside', { count: summary.admitted, inside: summary.inside })
              : t('door.summary.admitted', { count: summary.admitted })}
            {!online && ` ${t('door.summary.stale')}`}
          </p>
          <table class="list">
            <caption class="visually-hidden">{t('door.summary.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('door.summary.col.what')}</th>
                <th scope="col">{t('door.summary.col.admitted')}</th>
              </tr>
            </thead>
            <tbody>
              {summary.tiers.map((t) => (
                <tr key={`tier-${t.tierId}`}>
                  <th scope="row">{t.tierName}</th>
                  <td>{t.admitted}</td>
                </tr>
              ))}
              {summary.gates.map((g) => (
                <tr key={`gate-${g.gate}`}>
                  <th scope="row">{t('door.summary.gate', { gate: g.gate })}</th>
                  <td>{g.admitted}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function ForgetButton({ disabled, onForget }: { disabled: boolean; onForget: () => Promise<void> }) {
  return (
    <p>
      <button type="button" class="secondary" disabled={disabled} onClick={() => void onForget()}>
        {t('door.forget')}
      </button>
      {disabled && <span class="hint"> {t('door.forget.later')}</span>}
    </p>
  );
}

// ---------------------------------------------------------------------------------
// The camera

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}

/** The browser's own QR reader where it has one (not Chromium on Linux), else jsQR on canvas frames. */
async function qrReader(): Promise<(video: HTMLVideoElement, canvas: HTMLCanvasElement) => Promise<string | undefined>> {
  const Native = (window as unknown as { BarcodeDetector?: { new (o: { formats: string[] }): Detector; getSupportedFormats?: () => Promise<string[]> } })
    .BarcodeDetector;
  if (Native) {
    try {
      const formats = (await Native.getSupportedFormats?.()) ?? ['qr_code'];
      if (formats.includes('qr_code')) {
        const detector = new Native({ formats: ['qr_code'] });
        return async (video) => (await detector.detect(video))[0]?.rawValue;
      }
    } catch {
      // Fall through to jsQR.
    }
  }
  return async (video, canvas) => {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return undefined;
    // A big frame is read at most 800 px wide: plenty for a QR code held at the scanner.
    const scale = Math.min(1, 800 / width);
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return undefined;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data || undefined;
  };
}

function Camera({ onCode }: { onCode: (raw: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [on, setOn] = useState(() => stored(CAMERA_KEY, 'on') === 'on');
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const handler = useRef(onCode);
  handler.current = onCode;

  useEffect(() => {
    if (!on) return;
    let stopped = false;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout>;
    (async () => {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error(t('camera.none'));
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      if (stopped) return;
      const v = video.current!;
      v.srcObject = stream;
      await v.play();
      setRunning(true);
      setError(undefined);
      const read = await qrReader();
      const tick = async () => {
        if (stopped) return;
        try {
          const raw = await read(v, canvas.current!);
          if (raw && !stopped) handler.current(raw);
        } catch {
          // A frame that could not be read: the next one will do.
        }
        if (!stopped) timer = setTimeout(() => void tick(), 150);
      };
      void tick();
    })().catch((err: Error) => {
      if (stopped) return;
      const denied = err.name === 'NotAllowedError' || err.name === 'SecurityError';
      setError(denied ? t('camera.denied') : err.message || t('camera.failed'));
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((t) => t.stop());
      setRunning(false);
    };
  }, [on]);

  const toggle = () => {
    keep(CAMERA_KEY, on ? 'off' : 'on');
    setOn(!on);
  };
  return (
    <div class="camera">
      <video ref={video} muted playsInline aria-label={t('camera.view')} hidden={!on} />
      <canvas ref={canvas} hidden />
      {on && !running && !error && <p class="hint">{t('camera.starting')}</p>}
      {error && <Notice kind="error">{error}</Notice>}
      <button type="button" class="secondary" onClick={toggle}>
        {on ? t('camera.stop') : t('camera.start')}
      </button>
    </div>
  );
}
