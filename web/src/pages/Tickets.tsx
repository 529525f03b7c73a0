// A reservation followed from held to confirmed or failed (with the hold's
// countdown, and its price before and after a promo code), and "my tickets": every
// booking with a QR code per ticket. A confirmed
// booking's page also saves its tickets as a PDF and the event for a calendar, and
// hands the tickets on to another account.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request, send } from '../api';
import { Confirm, Field, Loading, Notice, SLOT, Title, withSlots } from '../components';
import { calendarFileName, saveBlob, ticketsFileName } from '../files';
import { countdown, formatMoney } from '../format';
import { t, type Key } from '../i18n';
import { navigate } from '../router';
import { qrDataUrl } from '../qr';
import { useCardElement } from '../card';
import { authenticate, paymentMethodId } from '../stripe';
import type { Profile } from '../session';
import { reservationPrice, type ReservationPromo } from '../promo';

export interface Reservation {
  id: string;
  status: 'pending_payment' | 'confirmed' | 'payment_failed' | 'expired' | 'cancelled';
  eventId: string;
  eventTitle: string;
  tierName: string;
  quantity: number;
  amountMinor: number;
  currency: string;
  holdExpiresAt?: string;
  createdAt: string;
  /** `qr`: the code signed for the door (what the QR code shows, checked offline); `code`: the bare code, to type. */
  tickets: { code: string; seat?: string; qr?: string }[];
  /** On a seated tier: the seats held or booked ("Nord, row C, seat 12"). */
  seats?: { id: string; name: string }[];
  refundRequested?: boolean;
  /** The promo code used, fixed at hold time: `amountMinor` is the original less the discount. */
  promo?: ReservationPromo;
  /** While pending, when the payment waits on the buyer (3-D Secure). */
  /** Seats offered from the tier's waiting list: paid with a card before `holdExpiresAt`. */
  waitingListOffer?: boolean;
  payment?: {
    status: 'requires_action' | 'requires_payment_method' | 'processing';
    sequence: number;
    clientSecret?: string;
    detail?: string;
  };
}

export const STATUS_TEXT = {
  pending_payment: 'reservation.pending_payment',
  confirmed: 'reservation.confirmed',
  payment_failed: 'reservation.payment_failed',
  expired: 'reservation.expired',
  cancelled: 'reservation.cancelled',
} as const satisfies Record<Reservation['status'], Key>;

/** What /tickets says once, after the page it came from (tickets handed on). */
let flash: string | undefined;
function takeFlash(): string | undefined {
  const message = flash;
  flash = undefined;
  return message;
}

/** Whether the page should keep asking: only a held reservation can still change by itself. */
export function settled(reservation: Reservation): boolean {
  return reservation.status !== 'pending_payment';
}

function SignInFirst() {
  return (
    <section>
      <Title text={t('tickets.signIn.title')} />
      <p>
        {withSlots(
          t('tickets.signIn.text', { link: SLOT }),
          <a href={`/signin?next=${encodeURIComponent(window.location.pathname)}`}>{t('tickets.signIn.link')}</a>,
        )}
      </p>
    </section>
  );
}

export function TicketPage({ id, profile }: { id: string; profile?: Profile }) {
  const [reservation, setReservation] = useState<Reservation>();
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    if (!profile) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const r = await request<Reservation>(`/reservations/${encodeURIComponent(id)}`);
        if (stopped) return;
        setReservation(r);
        if (!settled(r)) timer = setTimeout(poll, 1000);
      } catch (e) {
        if (!stopped) setError((e as ApiError).message);
      }
    };
    void poll();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(tick);
    };
  }, [id, profile?.id]);

  if (!profile) return <SignInFirst />;
  if (error && !reservation) return <Notice kind="error">{error}</Notice>;
  if (!reservation) return <Loading text={t('tickets.loadingOne')} />;
  return (
    <section>
      <Title text={reservation.eventTitle} />
      <ReservationCard reservation={reservation} now={now} onChange={setReservation} detailed />
    </section>
  );
}

export function MyTickets({ profile }: { profile?: Profile }) {
  const [items, setItems] = useState<Reservation[]>();
  const [error, setError] = useState<string>();
  const [done] = useState(takeFlash);
  useEffect(() => {
    if (!profile) return;
    request<{ items: Reservation[] }>('/reservations?limit=50')
      .then((page) => setItems(page.items))
      .catch((e: ApiError) => setError(e.message));
  }, [profile?.id]);
  if (!profile) return <SignInFirst />;
  return (
    <section>
      <Title text={t('tickets.title')} />
      {done && <Notice kind="success">{done}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {!items && !error && <Loading text={t('tickets.loading')} />}
      {items && items.length === 0 && (
        <p>
          {t('tickets.none')} <a href="/">{t('tickets.findEvent')}</a>
        </p>
      )}
      {items && (
        <ul class="reservations">
          {items.map((r) => (
            <li key={r.id}>
              <ReservationCard
                reservation={r}
                now={Date.now()}
                onChange={(changed) => setItems(items.map((x) => (x.id === changed.id ? changed : x)))}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ReservationCard(props: { reservation: Reservation; now: number; onChange: (r: Reservation) => void; detailed?: boolean }) {
  const r = props.reservation;
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const cancellable = r.status === 'confirmed' || r.status === 'pending_payment';
  const cancel = async () => {
    setAsking(false);
    setBusy(true);
    setError(undefined);
    try {
      props.onChange(await request<Reservation>(`/reservations/${r.id}`, { method: 'DELETE' }));
    } catch (e) {
      setError((e as ApiError).message);
    } finally {
      setBusy(false);
    }
  };
  const heading = t('tickets.heading', { quantity: r.quantity, tier: r.tierName });
  return (
    <article class={`reservation status-${r.status}`} aria-label={t('tickets.cardLabel', { event: r.eventTitle, heading })}>
      {props.detailed ? <h2>{heading}</h2> : <h2><a href={`/tickets/${r.id}`}>{r.eventTitle}</a></h2>}
      {!props.detailed && <p>{heading}</p>}
      <p>
        <span class="status" role="status">
          {t(STATUS_TEXT[r.status])}
        </span>{' '}
        · {formatMoney(r.amountMinor, r.currency)}
        {r.refundRequested && ` · ${t('tickets.refunding')}`}
      </p>
      <PriceWithCode reservation={r} />
      {r.seats && r.seats.length > 0 && r.status !== 'confirmed' && (
        <p class="seats">{t('tickets.seats', { count: r.seats.length, seats: r.seats.map((seat) => seat.name).join('; ') })}</p>
      )}
      {r.status === 'pending_payment' && r.holdExpiresAt && (
        <p class="countdown">
          {withSlots(t('tickets.held', { time: SLOT }), <strong>{countdown(r.holdExpiresAt, props.now)}</strong>)}
        </p>
      )}
      {props.detailed && r.status === 'pending_payment' && r.payment && (
        <BuyerAction reservation={r} onChange={props.onChange} />
      )}
      {r.status === 'payment_failed' && (
        <Notice kind="error">
          {t('tickets.declined')} <a href={`/e/${r.eventId}`}>{t('tickets.tryAgain')}</a>
        </Notice>
      )}
      {r.status === 'expired' && <Notice kind="info">{t('tickets.expired')}</Notice>}
      {r.status === 'confirmed' && (
        <ul class="tickets" aria-label={t('tickets.list')}>
          {r.tickets.map((ticket, i) => (
            <li key={ticket.code}>
              <img
                src={qrDataUrl(ticket.qr ?? ticket.code)}
                width={160}
                height={160}
                alt={ticket.seat ? t('tickets.qrSeat', { n: i + 1, seat: ticket.seat }) : t('tickets.qr', { n: i + 1 })}
              />
              <code>{ticket.code}</code>
              {ticket.seat && <span class="seat">{ticket.seat}</span>}
            </li>
          ))}
        </ul>
      )}
      {props.detailed && r.status === 'confirmed' && r.tickets.length > 0 && <Downloads reservation={r} />}
      {error && <Notice kind="error">{error}</Notice>}
      {cancellable && (
        <button type="button" class="danger" disabled={busy} onClick={() => setAsking(true)}>
          {busy ? t('tickets.cancelling') : t('tickets.cancel')}
        </button>
      )}
      <Confirm open={asking} title={t('tickets.cancel.title')} confirmLabel={t('tickets.cancel.confirm')} onConfirm={cancel} onCancel={() => setAsking(false)}>
        <p>
          {t('tickets.cancel.what', { heading, event: r.eventTitle })}{' '}
          {r.status === 'confirmed' ? t('tickets.cancel.refund') : t('tickets.cancel.release')}
        </p>
      </Confirm>
      {props.detailed && r.status === 'confirmed' && r.tickets.length > 0 && <Transfer reservation={r} heading={heading} />}
    </article>
  );
}

/** With a code: the price before it, the discount and the total (or the code alone, when it gave no discount). */
function PriceWithCode({ reservation }: { reservation: Reservation }) {
  const price = reservationPrice(reservation);
  if (!price) return null;
  // An access code (a presale) opened the tier without a discount.
  if (price.discountMinor === 0) return <p class="hint">{t('promo.summary.noDiscount', { code: price.code })}</p>;
  const money = (minor: number) => formatMoney(minor, reservation.currency);
  return (
    <dl class="promo-summary">
      <div>
        <dt>{t('promo.summary.original')}</dt>
        <dd>{money(price.originalMinor)}</dd>
      </div>
      <div>
        <dt>{t('promo.summary.discount', { code: price.code })}</dt>
        <dd>{money(-price.discountMinor)}</dd>
      </div>
      <div>
        <dt>{t('promo.summary.total')}</dt>
        <dd>{money(price.totalMinor)}</dd>
      </div>
    </dl>
  );
}

/**
 * What the buyer must do while the payment waits on them: the bank's challenge
 * (3-D Secure, through Stripe.js, once per challenge), or another card after a
 * failed one. The outcome arrives at the server by Stripe's webhook; the page keeps
 * following the reservation.
 */
function BuyerAction({ reservation, onChange }: { reservation: Reservation; onChange: (r: Reservation) => void }) {
  const payment = reservation.payment!;
  const [phase, setPhase] = useState<'challenge' | 'authenticated' | 'failed'>('challenge');
  const challenged = useRef<string>();
  const secret = payment.status === 'requires_action' ? payment.clientSecret : undefined;
  const key = `${secret}:${payment.sequence}`;

  useEffect(() => {
    if (!secret || challenged.current === key) return;
    challenged.current = key;
    setPhase('challenge');
    authenticate(secret)
      .then((passed) => setPhase(passed ? 'authenticated' : 'failed'))
      .catch(() => setPhase('failed'));
  }, [key]);

  if (payment.status === 'processing') return <p class="hint">{t('payment.charging')}</p>;
  if (phase === 'authenticated') return <p class="hint">{t('payment.authenticated')}</p>;
  if (payment.status === 'requires_payment_method' || phase === 'failed') {
    return <AnotherCard reservation={reservation} onChange={onChange} />;
  }
  return <p class="hint">{t('payment.challenge')}</p>;
}

function AnotherCard({ reservation, onChange }: { reservation: Reservation; onChange: (r: Reservation) => void }) {
  const { box: cardBox, card, ready, error: cardError } = useCardElement();
  const [busy, setBusy] = useState(false);
  const [failure, setError] = useState<string>();
  const error = failure ?? cardError;

  const pay = async (e: Event) => {
    e.preventDefault();
    if (!card.current) return;
    setBusy(true);
    setError(undefined);
    try {
      const paymentMethod = await paymentMethodId(card.current.stripe, card.current.card);
      onChange(
        await request<Reservation>(`/reservations/${reservation.id}/payment`, { method: 'POST', body: { paymentMethod } }),
      );
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : t('checkout.couldNotStart'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="checkout" onSubmit={pay} aria-labelledby="another-card-title">
      {/* An offer from the waiting list waits for its first card: nothing failed yet. */}
      {reservation.waitingListOffer && reservation.payment?.sequence === 0 ? (
        <Notice kind="info">{t('waitlist.offer')}</Notice>
      ) : (
        <Notice kind="error">{t('payment.notConfirmed')}</Notice>
      )}
      <h3 id="another-card-title">{t('payment.anotherCard')}</h3>
      <div class="field">
        <span class="label" id="another-card-label">
          {t('checkout.card')}
        </span>
        <div class="card-box" ref={cardBox} role="group" aria-labelledby="another-card-label" />
        {!ready && !error && <p class="hint">{t('checkout.cardLoading')}</p>}
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" disabled={busy || !ready}>
        {busy ? t('payment.paying') : t('checkout.pay', { amount: formatMoney(reservation.amountMinor, reservation.currency) })}
      </button>
    </form>
  );
}

/** The tickets as a PDF and the event for a calendar: both need the session, so they
 *  are fetched with it and saved from a Blob URL under a readable name. */
function Downloads({ reservation }: { reservation: Reservation }) {
  const [busy, setBusy] = useState<'pdf' | 'ics'>();
  const [error, setError] = useState<string>();
  const save = async (kind: 'pdf' | 'ics') => {
    setBusy(kind);
    setError(undefined);
    const id = encodeURIComponent(reservation.id);
    try {
      const response =
        kind === 'pdf'
          ? await send(`/reservations/${id}/tickets.pdf`, { accept: 'application/pdf' })
          : await send(`/reservations/${id}/calendar.ics`, { accept: 'text/calendar' });
      const blob = await response.blob();
      saveBlob(blob, kind === 'pdf' ? ticketsFileName(reservation.eventTitle) : calendarFileName(reservation.eventTitle));
    } catch (err) {
      const what = kind === 'pdf' ? t('tickets.pdf.failed') : t('tickets.ics.failed');
      const why =
        err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501)
          ? t('tickets.download.unavailable')
          : err instanceof ApiError
            ? err.message
            : t('error.network');
      setError(`${what} ${why}`);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <div class="downloads">
      <p class="actions">
        <button type="button" class="secondary" disabled={busy !== undefined} onClick={() => void save('pdf')}>
          {busy === 'pdf' ? t('tickets.pdf.busy') : t('tickets.pdf')}
        </button>{' '}
        <button type="button" class="secondary" disabled={busy !== undefined} onClick={() => void save('ics')}>
          {busy === 'ics' ? t('tickets.ics.busy') : t('tickets.ics')}
        </button>
      </p>
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}

/** Words for a refused transfer: the API's codes, with this form's own for an unknown email. */
export function transferError(err: unknown): string {
  if (!(err instanceof ApiError)) return t('error.network');
  if (err.code === 'no_account') return t('transfer.noAccount');
  if (err.code === 'not_found') return t('transfer.notFound');
  return err.message;
}

/** Hands a confirmed booking's tickets to another account, after asking: it cannot be undone. */
function Transfer({ reservation, heading }: { reservation: Reservation; heading: string }) {
  const [email, setEmail] = useState('');
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [invalid, setInvalid] = useState(false);
  const address = email.trim();
  const give = async () => {
    setAsking(false);
    setBusy(true);
    setError(undefined);
    try {
      await request<Reservation>(`/reservations/${encodeURIComponent(reservation.id)}/transfer`, {
        method: 'POST',
        body: { email: address },
      });
      flash = t('transfer.done', { count: reservation.quantity, email: address, event: reservation.eventTitle });
      navigate('/tickets');
    } catch (err) {
      setError(transferError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="transfer"
      aria-labelledby="transfer-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setError(undefined);
        const valid = /^[^\s@]+@[^\s@]+$/.test(address);
        setInvalid(!valid);
        if (valid) setAsking(true);
      }}
    >
      <h3 id="transfer-title">{t('transfer.title')}</h3>
      <p class="hint">{t('transfer.hint')}</p>
      <Field
        label={t('transfer.email')}
        type="email"
        name="transfer-email"
        autoComplete="off"
        required
        value={email}
        onValue={setEmail}
        error={invalid ? t('transfer.emailNeeded') : undefined}
      />
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" disabled={busy}>
        {busy ? t('transfer.busy') : t('transfer.submit')}
      </button>
      <Confirm
        open={asking}
        title={t('transfer.confirm.title', { email: address })}
        confirmLabel={t('transfer.confirm.button')}
        onConfirm={() => void give()}
        onCancel={() => setAsking(false)}
      >
        <p>{t('transfer.confirm.what', { heading, event: reservation.eventTitle, email: address })}</p>
        <p>{t('transfer.confirm.warning')}</p>
      </Confirm>
    </form>
  );
}
