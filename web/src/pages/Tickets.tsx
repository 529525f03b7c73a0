// A reservation followed from held to confirmed or failed (with the hold's
// countdown), and "my tickets": every booking with a QR code per ticket.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Confirm, Loading, Notice, Title } from '../components';
import { countdown, formatMoney } from '../format';
import { qrDataUrl } from '../qr';
import { useCardElement } from '../card';
import { authenticate, paymentMethodId } from '../stripe';
import type { Profile } from '../session';

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
  /** While pending, when the payment waits on the buyer (3-D Secure). */
  payment?: {
    status: 'requires_action' | 'requires_payment_method' | 'processing';
    sequence: number;
    clientSecret?: string;
    detail?: string;
  };
}

export const STATUS_TEXT: Record<Reservation['status'], string> = {
  pending_payment: 'Seats held, payment in progress',
  confirmed: 'Confirmed',
  payment_failed: 'Payment failed',
  expired: 'Hold expired',
  cancelled: 'Cancelled',
};

/** Whether the page should keep asking: only a held reservation can still change by itself. */
export function settled(reservation: Reservation): boolean {
  return reservation.status !== 'pending_payment';
}

function SignInFirst() {
  return (
    <section>
      <Title text="Sign in to see your tickets" />
      <p>
        <a href={`/signin?next=${encodeURIComponent(window.location.pathname)}`}>Sign in</a> to see your tickets.
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
  if (!reservation) return <Loading what="your reservation" />;
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
  useEffect(() => {
    if (!profile) return;
    request<{ items: Reservation[] }>('/reservations?limit=50')
      .then((page) => setItems(page.items))
      .catch((e: ApiError) => setError(e.message));
  }, [profile?.id]);
  if (!profile) return <SignInFirst />;
  return (
    <section>
      <Title text="My tickets" />
      {error && <Notice kind="error">{error}</Notice>}
      {!items && !error && <Loading what="your tickets" />}
      {items && items.length === 0 && (
        <p>
          No bookings yet. <a href="/">Find an event</a>.
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
  const heading = `${r.quantity} × ${r.tierName}`;
  return (
    <article class={`reservation status-${r.status}`} aria-label={`${r.eventTitle}: ${heading}`}>
      {props.detailed ? <h2>{heading}</h2> : <h2><a href={`/tickets/${r.id}`}>{r.eventTitle}</a></h2>}
      {!props.detailed && <p>{heading}</p>}
      <p>
        <span class="status" role="status">
          {STATUS_TEXT[r.status]}
        </span>{' '}
        · {formatMoney(r.amountMinor, r.currency)}
        {r.refundRequested && ' · refund on its way'}
      </p>
      {r.seats && r.seats.length > 0 && r.status !== 'confirmed' && (
        <p class="seats">Seats: {r.seats.map((seat) => seat.name).join('; ')}</p>
      )}
      {r.status === 'pending_payment' && r.holdExpiresAt && (
        <p class="countdown">
          Your seats are held for <strong>{countdown(r.holdExpiresAt, props.now)}</strong> while the payment goes through.
        </p>
      )}
      {props.detailed && r.status === 'pending_payment' && r.payment && (
        <BuyerAction reservation={r} onChange={props.onChange} />
      )}
      {r.status === 'payment_failed' && (
        <Notice kind="error">
          Your card was declined, so you were not charged and the seats went back on sale.{' '}
          <a href={`/e/${r.eventId}`}>Try again with another card</a>.
        </Notice>
      )}
      {r.status === 'expired' && <Notice kind="info">The hold ran out before the payment; you were not charged.</Notice>}
      {r.status === 'confirmed' && (
        <ul class="tickets" aria-label="Tickets">
          {r.tickets.map((t, i) => (
            <li key={t.code}>
              <img
                src={qrDataUrl(t.qr ?? t.code)}
                width={160}
                height={160}
                alt={`QR code of ticket ${i + 1}${t.seat ? `, ${t.seat}` : ''}`}
              />
              <code>{t.code}</code>
              {t.seat && <span class="seat">{t.seat}</span>}
            </li>
          ))}
        </ul>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {cancellable && (
        <button type="button" class="danger" disabled={busy} onClick={() => setAsking(true)}>
          {busy ? 'Cancelling…' : 'Cancel this booking'}
        </button>
      )}
      <Confirm open={asking} title="Cancel this booking?" confirmLabel="Yes, cancel it" onConfirm={cancel} onCancel={() => setAsking(false)}>
        <p>
          {heading} for {r.eventTitle}. {r.status === 'confirmed' ? 'You will be refunded.' : 'Your seats will be released.'}
        </p>
      </Confirm>
    </article>
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

  if (payment.status === 'processing') return <p class="hint">Charging your card…</p>;
  if (phase === 'authenticated') return <p class="hint">Your bank confirmed the payment; your tickets are on their way…</p>;
  if (payment.status === 'requires_payment_method' || phase === 'failed') {
    return <AnotherCard reservation={reservation} onChange={onChange} />;
  }
  return <p class="hint">Your bank asks you to confirm this payment. Follow its steps in the window that opened.</p>;
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
      setError(err instanceof ApiError || err instanceof Error ? err.message : 'The payment could not start.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="checkout" onSubmit={pay} aria-labelledby="another-card-title">
      <Notice kind="error">
        Your bank did not confirm the payment, so you were not charged. Your seats are still held: try another card.
      </Notice>
      <h3 id="another-card-title">Pay with another card</h3>
      <div class="field">
        <span class="label" id="another-card-label">
          Card
        </span>
        <div class="card-box" ref={cardBox} role="group" aria-labelledby="another-card-label" />
        {!ready && !error && <p class="hint">Loading the secure card form…</p>}
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" disabled={busy || !ready}>
        {busy ? 'Paying…' : `Pay ${formatMoney(reservation.amountMinor, reservation.currency)}`}
      </button>
    </form>
  );
}
