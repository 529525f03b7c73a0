// One event, in its own local time, with its tiers' live remaining seats and the
// checkout: tier, quantity and card (Stripe.js Elements), then the reservation page.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, outcomeUnknown, request } from '../api';
import { Loading, Notice, SelectField, Title } from '../components';
import { formatEventTime, formatMoney } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import type { Profile } from '../session';
import { useCardElement } from '../card';
import { paymentMethodId } from '../stripe';
import { SeatPicker, type PickedSeat } from './SeatPicker';
import { categoryName, type PublicEvent } from './Home';
import { PLACE_POLL_SECONDS, ROOM_POLL_SECONDS, shouldAskPlace, waitingText, type QueuePlace, type RoomStatus } from '../queue';

const LIVE_SECONDS = 10;

export function EventPage({ id, profile }: { id: string; profile?: Profile }) {
  const [event, setEvent] = useState<PublicEvent>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let stopped = false;
    const load = () =>
      request<PublicEvent>(`/events/${encodeURIComponent(id)}`, { auth: false })
        .then((e) => !stopped && setEvent(e))
        .catch((e: ApiError) => !stopped && setError(e.status === 404 ? t('event.notFound') : e.message));
    void load();
    const timer = setInterval(load, LIVE_SECONDS * 1000); // remaining seats, live
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [id]);

  if (error && !event) return <Notice kind="error">{error}</Notice>;
  if (!event) return <Loading text={t('event.loading')} />;
  const onSale = event.status === 'published';
  return (
    <article class="event">
      <Title text={event.title} />
      <p class="meta">
        <span class="badge">{categoryName(event.category)}</span> {formatEventTime(event.startsAt, event.timezone)}
      </p>
      {event.venue && (
        <p class="meta">
          {event.venue.name}, {event.venue.address}, {event.venue.city} ({event.venue.country})
        </p>
      )}
      {event.status === 'cancelled' && <Notice kind="error">{t('event.cancelled')}</Notice>}
      {event.description && <p class="description">{event.description}</p>}
      <h2>{t('event.tickets')}</h2>
      <table class="tiers">
        <caption class="visually-hidden">{t('event.tiers.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('field.tier')}</th>
            <th scope="col">{t('event.col.price')}</th>
            <th scope="col">{t('event.col.left')}</th>
          </tr>
        </thead>
        <tbody>
          {event.tiers.map((tier) => (
            <tr key={tier.id}>
              <th scope="row">{tier.name}</th>
              <td>{formatMoney(tier.priceMinor, tier.currency)}</td>
              <td aria-live="polite">{tier.remaining === 0 ? t('price.soldOut') : tier.remaining}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {onSale && profile && (event.waitingRoom?.enabled ? <WaitingRoom event={event} /> : <Checkout event={event} />)}
      {onSale && !profile && (
        <p>
          <a class="button" href={`/signin?next=${encodeURIComponent(`/e/${event.id}`)}`}>
            {t('event.signInToBook')}
          </a>{' '}
          {t('event.or')} <a href={`/signup?next=${encodeURIComponent(`/e/${event.id}`)}`}>{t('event.createAccount')}</a>
        </p>
      )}
    </article>
  );
}

/** The sale's waiting room: joins it, shows the place and the wait, and opens the
 *  checkout once admitted. The room's public status (cached by CloudFront) is read
 *  every few seconds; our own place only when our turn may have come, or to stay alive. */
function WaitingRoom({ event }: { event: PublicEvent }) {
  const [place, setPlace] = useState<QueuePlace>();
  const [room, setRoom] = useState<RoomStatus>();
  const [error, setError] = useState<string>();
  const [joins, setJoins] = useState(0);
  const base = `/events/${encodeURIComponent(event.id)}/queue`;

  useEffect(() => {
    let stopped = false;
    let current: QueuePlace | undefined;
    let askedAt = 0;
    const show = (next: QueuePlace) => {
      current = next;
      askedAt = Date.now();
      if (!stopped) setPlace(next);
    };
    const tick = async () => {
      if (!current || current.status === 'admitted' || current.status === 'abandoned') return;
      try {
        const status = await request<RoomStatus>(base, { auth: false });
        if (stopped) return;
        setRoom(status);
        if (shouldAskPlace(current, status, (Date.now() - askedAt) / 1000)) show(await request<QueuePlace>(`${base}/me`));
        setError(undefined);
      } catch (err) {
        if (!stopped) setError(err instanceof ApiError ? err.message : t('queue.unreachable'));
      }
    };
    request<QueuePlace>(base, { method: 'POST' })
      .then(show)
      .catch((err: ApiError) => !stopped && setError(err.message));
    const timer = setInterval(() => void tick(), ROOM_POLL_SECONDS * 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [base, joins]);

  if (!place) return error ? <Notice kind="error">{error}</Notice> : <Loading text={t('queue.loading')} />;
  if (place.status === 'admitted') {
    // A fresh token for each attempt: the one shown lasts a few minutes.
    const admission = async () => (await request<QueuePlace>(`${base}/me`)).admissionToken ?? '';
    return <Checkout event={event} admission={admission} />;
  }
  return (
    <section class="queue" aria-labelledby="queue-title">
      <h2 id="queue-title">{t('queue.title')}</h2>
      <p aria-live="polite">{waitingText(place, room)}</p>
      {place.status === 'waiting' && room && place.position !== null && (
        <progress max={place.position} value={Math.min(room.admittedThrough, place.position)} aria-label={t('queue.progress')} />
      )}
      {place.status === 'abandoned' && (
        <button type="button" onClick={() => setJoins((n) => n + 1)}>
          {t('queue.rejoin')}
        </button>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <p class="hint">{t('queue.checkEvery', { count: PLACE_POLL_SECONDS })}</p>
    </section>
  );
}

function Checkout({ event, admission }: { event: PublicEvent; admission?: () => Promise<string> }) {
  const available = event.tiers.filter((t) => t.remaining > 0);
  const [tierId, setTierId] = useState(available[0]?.id ?? '');
  const [quantity, setQuantity] = useState('1');
  // On a seated tier: best available (a quantity) or seats picked on the map.
  const [choose, setChoose] = useState<'best' | 'map'>('best');
  const [picked, setPicked] = useState<PickedSeat[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { box: cardBox, card, ready: cardReady, error: cardError } = useCardElement();
  const shownError = error ?? cardError;
  // One key per checkout attempt: a retried click never books twice.
  const idempotencyKey = useRef(crypto.randomUUID());

  const tier = event.tiers.find((t) => t.id === tierId);
  if (available.length === 0) return <Notice kind="info">{t('checkout.soldOut')}</Notice>;
  const max = tier ? Math.min(tier.maxPerOrder, tier.remaining) : 1;
  const onMap = !!tier?.seated && choose === 'map';
  const count = onMap ? picked.length : Math.min(Number(quantity) || 1, max);
  // A free tier (community events, invitations) needs no card: it is confirmed without Stripe.
  const free = tier?.priceMinor === 0;
  const pay = async (e: Event) => {
    e.preventDefault();
    if (!tier || (!free && !card.current)) return;
    if (onMap && picked.length === 0) {
      setError(t('checkout.pickSeat'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const paymentMethod = free ? undefined : await paymentMethodId(card.current!.stripe, card.current!.card);
      const headers: Record<string, string> = { 'idempotency-key': idempotencyKey.current };
      if (admission) headers['admission-token'] = await admission();
      const reservation = await request<{ id: string }>('/reservations', {
        method: 'POST',
        body: onMap
          ? { eventId: event.id, seatIds: picked.map((p) => p.id), paymentMethod }
          : { eventId: event.id, tierId: tier.id, quantity: count, paymentMethod },
        headers,
      });
      navigate(`/tickets/${reservation.id}`);
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : t('checkout.couldNotStart'));
      // A clear refusal (sold out, seats taken, a bad card form) starts afresh; an
      // unknown outcome (no answer, a timeout, a server error, the same request still
      // running) keeps the key, so trying again finds the hold if it was made
      // instead of holding, and charging, twice.
      if (!(err instanceof ApiError) || !outcomeUnknown(err)) idempotencyKey.current = crypto.randomUUID();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="checkout" onSubmit={pay} aria-labelledby="checkout-title">
      <h2 id="checkout-title">{t('checkout.title')}</h2>
      <SelectField
        label={t('field.tier')}
        name="tier"
        value={tierId}
        onValue={(id) => {
          setTierId(id);
          setPicked([]);
        }}
        options={available.map((t) => [t.id, `${t.name} · ${formatMoney(t.priceMinor, t.currency)}`])}
      />
      {tier?.seated && (
        <fieldset class="choose-seats">
          <legend>{t('checkout.seats')}</legend>
          <label>
            <input type="radio" name="choose" checked={choose === 'best'} onChange={() => setChoose('best')} /> {t('checkout.best')}
          </label>
          <label>
            <input type="radio" name="choose" checked={choose === 'map'} onChange={() => setChoose('map')} /> {t('checkout.onMap')}
          </label>
        </fieldset>
      )}
      {onMap && tier ? (
        <SeatPicker
          eventId={event.id}
          tierId={tier.id}
          price={formatMoney(tier.priceMinor, tier.currency)}
          max={max}
          picked={picked}
          onPick={setPicked}
        />
      ) : (
        <SelectField
          label={tier?.seated ? t('checkout.numberOfSeats') : t('checkout.seats')}
          name="quantity"
          value={String(count)}
          onValue={setQuantity}
          options={Array.from({ length: max }, (_, i) => [String(i + 1), String(i + 1)])}
        />
      )}
      <div class="field" hidden={free}>
        <span class="label" id="card-label">
          {t('checkout.card')}
        </span>
        <div class="card-box" ref={cardBox} role="group" aria-labelledby="card-label" />
        {!cardReady && !shownError && <p class="hint">{t('checkout.cardLoading')}</p>}
      </div>
      {tier && <p class="total">{t('checkout.total', { amount: formatMoney(tier.priceMinor * count, tier.currency) })}</p>}
      {shownError && <Notice kind="error">{shownError}</Notice>}
      <button type="submit" disabled={busy || (!free && !cardReady) || (onMap && picked.length === 0)}>
        {busy
          ? t('checkout.holding')
          : free
            ? t('checkout.free')
            : t('checkout.pay', { amount: tier ? formatMoney(tier.priceMinor * count, tier.currency) : '' })}
      </button>
    </form>
  );
}
