// One event, in its own local time, with its tiers' live remaining seats and the
// checkout: tier, quantity and card (Stripe.js Elements), then the reservation page.
// A buyer with a promo, presale or access code applies it first: the tiers it
// applies to show their price with it (hidden tiers it opens appear), and the order
// carries it.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, outcomeUnknown, request } from '../api';
import { Field, Loading, Notice, SelectField, Title } from '../components';
import { formatEventTime, formatMoney } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import type { Profile } from '../session';
import { useCardElement } from '../card';
import { paymentMethodId } from '../stripe';
import { SeatPicker, type PickedSeat } from './SeatPicker';
import { JoinWaitingList } from './WaitingList';
import { categoryName, type PublicEvent } from './Home';
import { PLACE_POLL_SECONDS, ROOM_POLL_SECONDS, shouldAskPlace, waitingText, type QueuePlace, type RoomStatus } from '../queue';
import { checkPath, codeFor, discountText, listNames, orderPrice, withCode, type CodeCheck, type OfferTier } from '../promo';

const LIVE_SECONDS = 10;

export function EventPage({ id, profile }: { id: string; profile?: Profile }) {
  const [event, setEvent] = useState<PublicEvent>();
  const [error, setError] = useState<string>();
  // The buyer's code, as the API checked it: the tiers it applies to (and opens).
  const [check, setCheck] = useState<CodeCheck>();
  // Tiers with seats showing whose line the buyer was told to join (they are its first).
  const [lines, setLines] = useState<string[]>([]);
  const applied = useRef<CodeCheck>();
  applied.current = check;

  useEffect(() => {
    let stopped = false;
    const load = () => {
      const code = applied.current?.code;
      if (code) {
        // The code's tiers, live too (a hidden tier's seats are not in the public view).
        request<CodeCheck>(checkPath(id, code))
          .then((c) => !stopped && applied.current?.code === code && setCheck(c))
          .catch(() => undefined); // The order says what is wrong, if anything.
      }
      return request<PublicEvent>(`/events/${encodeURIComponent(id)}`, { auth: false })
        .then((e) => !stopped && setEvent(e))
        .catch((e: ApiError) => !stopped && setError(e.status === 404 ? t('event.notFound') : e.message));
    };
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
  const tiers = withCode(event.tiers, check);
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
          {tiers.map((tier) => (
            <tr key={tier.id}>
              <th scope="row">
                {tier.name}
                {tier.hidden && (
                  <>
                    {' '}
                    <span class="badge">{t('promo.tier.withCode')}</span>
                  </>
                )}
              </th>
              <td>{priceText(tier)}</td>
              <td aria-live="polite">{tier.remaining === 0 ? t('price.soldOut') : tier.remaining}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {onSale && profile && <ApplyCode eventId={event.id} currency={event.currency} check={check} onCheck={setCheck} />}
      {onSale && profile && (event.waitingRoom?.enabled ? <WaitingRoom event={event} check={check} /> : <Checkout event={event} check={check} onLine={(id) => setLines((ids) => (ids.includes(id) ? ids : [...ids, id]))} />)}
      {onSale && profile && <JoinWaitingList event={event} alsoTierIds={lines} />}
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
function WaitingRoom({ event, check }: { event: PublicEvent; check?: CodeCheck }) {
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
    return <Checkout event={event} check={check} admission={admission} />;
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

/** A tier's price, and its price with the applied code when that is less. */
function priceText(tier: OfferTier): string {
  const price = formatMoney(tier.priceMinor, tier.currency);
  if (tier.discountedPriceMinor === undefined || tier.discountedPriceMinor >= tier.priceMinor) return price;
  return t('promo.price', { price: formatMoney(tier.discountedPriceMinor, tier.currency), was: price });
}

/** "Have a code?": checks it with the API and shows what it does, or why it does not apply. */
function ApplyCode(props: { eventId: string; currency: string; check?: CodeCheck; onCheck: (check?: CodeCheck) => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const apply = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (!typed.trim()) {
      setError(t('promo.apply.empty'));
      return;
    }
    setBusy(true);
    try {
      props.onCheck(await request<CodeCheck>(checkPath(props.eventId, typed)));
      setTyped('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('error.network'));
    } finally {
      setBusy(false);
    }
  };
  const check = props.check;
  if (check) {
    const names = listNames(check.tiers.map((tier) => tier.name));
    const access = !check.percentOff && !check.amountOffMinor;
    return (
      <div class="promo-apply">
        <Notice kind="success">
          {access
            ? t('promo.applied.access', { code: check.code, tiers: names })
            : t('promo.applied', { code: check.code, discount: discountText(check, props.currency), tiers: names })}
        </Notice>
        <button type="button" class="secondary" onClick={() => props.onCheck(undefined)}>
          {t('promo.remove', { code: check.code })}
        </button>
      </div>
    );
  }
  return (
    <form class="promo-apply" onSubmit={apply} aria-labelledby="promo-apply-title" noValidate>
      <h2 id="promo-apply-title">{t('promo.apply.title')}</h2>
      <div class="promo-apply-row">
        <Field
          label={t('promo.apply.label')}
          name="promo-code"
          autoComplete="off"
          spellcheck={false}
          hint={t('promo.apply.hint')}
          value={typed}
          onValue={setTyped}
        />
        <button type="submit" class="secondary" disabled={busy}>
          {busy ? t('promo.apply.busy') : t('promo.apply.submit')}
        </button>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
    </form>
  );
}

function Checkout({
  event,
  check,
  admission,
  onLine,
}: {
  event: PublicEvent;
  check?: CodeCheck;
  admission?: () => Promise<string>;
  /** The tier's seats are its waiting list's first: offer the buyer its line. */
  onLine?: (tierId: string) => void;
}) {
  const tiers = withCode(event.tiers, check);
  const available = tiers.filter((t) => t.remaining > 0);
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

  // A code just applied: a tier it opens or applies to, unless the chosen one is among them.
  useEffect(() => {
    if (!check || codeFor(tiers.find((t) => t.id === tierId), check)) return;
    const next = available.find((t) => t.hidden) ?? available.find((t) => codeFor(t, check));
    if (next) {
      setTierId(next.id);
      setPicked([]);
    }
  }, [check?.code]);

  // A tier the code opened is gone with the code: the first one left instead.
  const tier = tiers.find((t) => t.id === tierId) ?? available[0];
  if (available.length === 0) return <Notice kind="info">{t('checkout.soldOut')}</Notice>;
  const max = tier ? Math.min(tier.maxPerOrder, tier.remaining) : 1;
  const onMap = !!tier?.seated && choose === 'map';
  const count = onMap ? picked.length : Math.min(Number(quantity) || 1, max);
  const promoCode = codeFor(tier, check);
  const price = tier ? orderPrice(tier, count) : undefined;
  // A free tier (community events, invitations), or one the code makes free, needs no
  // card: it is confirmed without Stripe.
  const free = !!tier && orderPrice(tier, 1).totalMinor === 0;
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
        body: {
          ...(onMap ? { eventId: event.id, seatIds: picked.map((p) => p.id) } : { eventId: event.id, tierId: tier.id, quantity: count }),
          paymentMethod,
          ...(promoCode ? { promoCode } : {}),
        },
        headers,
      });
      navigate(`/tickets/${reservation.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'waiting_list_first' && tier) onLine?.(tier.id);
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
        value={tier?.id ?? ''}
        onValue={(id) => {
          setTierId(id);
          setPicked([]);
        }}
        options={available.map((t) => [t.id, `${t.name} · ${priceText(t)}`])}
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
          price={formatMoney(orderPrice(tier, 1).totalMinor, tier.currency)}
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
      {tier && price && promoCode && price.discountMinor > 0 && (
        <p class="promo-discount">
          {t('promo.checkout.discount', {
            code: promoCode,
            discount: formatMoney(price.discountMinor, tier.currency),
            original: formatMoney(price.originalMinor, tier.currency),
          })}
        </p>
      )}
      {tier && price && <p class="total">{t('checkout.total', { amount: formatMoney(price.totalMinor, tier.currency) })}</p>}
      {shownError && <Notice kind="error">{shownError}</Notice>}
      <button type="submit" disabled={busy || (!free && !cardReady) || (onMap && picked.length === 0)}>
        {busy
          ? t('checkout.holding')
          : free
            ? t('checkout.free')
            : t('checkout.pay', { amount: tier && price ? formatMoney(price.totalMinor, tier.currency) : '' })}
      </button>
    </form>
  );
}
