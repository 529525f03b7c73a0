// Waiting lists on the site: a buyer joins a sold-out tier's line (and sees their
// place, or leaves it); the organizer sees each tier's line. Seats that come back
// are offered by the platform in line order, each offer a reservation held for the
// waiter, told by email and paid on its ticket page.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Loading, Notice, SelectField } from '../components';
import type { OrganizerEvent } from '../eventForm';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import type { PublicEvent } from './Home';
import { linesPath, placePath, quantities, totalWaiting, waitableTiers, type TierLine, type WaitingPlace } from '../waitingList';

/** The buyer's side: one line per sold-out tier. */
export function JoinWaitingList({ event, alsoTierIds = [] }: { event: PublicEvent; alsoTierIds?: string[] }) {
  const tiers = waitableTiers(event.tiers, alsoTierIds);
  if (tiers.length === 0) return null;
  return (
    <section class="waiting-list" aria-labelledby="waiting-list-title">
      <h2 id="waiting-list-title">{t('waitlist.title')}</h2>
      <p class="hint">{t('waitlist.explain')}</p>
      {tiers.map((tier) => (
        <TierPlace key={tier.id} eventId={event.id} tier={tier} />
      ))}
    </section>
  );
}

function TierPlace({ eventId, tier }: { eventId: string; tier: PublicEvent['tiers'][number] }) {
  const path = placePath(eventId, tier.id);
  const [place, setPlace] = useState<WaitingPlace | null>();
  const [quantity, setQuantity] = useState('1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    request<WaitingPlace>(path)
      .then(setPlace)
      .catch((e: ApiError) => (e.status === 404 ? setPlace(null) : setError(e.message)));
  }, [path]);

  const act = async (method: 'POST' | 'DELETE') => {
    setBusy(true);
    setError(undefined);
    try {
      if (method === 'POST') setPlace(await request<WaitingPlace>(path, { method, body: { quantity: Number(quantity) } }));
      else {
        await request(path, { method });
        setPlace(null);
      }
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('checkout.couldNotStart'));
    } finally {
      setBusy(false);
    }
  };

  if (place === undefined && !error) return <Loading text={t('waitlist.loading')} />;
  return (
    <div class="waiting-place" role="group" aria-label={tier.name}>
      <h3>{tier.name}</h3>
      {place ? (
        <>
          <p aria-live="polite">{t('waitlist.place', { position: place.position, count: place.quantity })}</p>
          <button type="button" class="secondary" disabled={busy} onClick={() => void act('DELETE')}>
            {t('waitlist.leave')}
          </button>
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act('POST');
          }}
        >
          <SelectField
            label={t('checkout.seats')}
            name={`waitlist-quantity-${tier.id}`}
            value={quantity}
            onValue={setQuantity}
            options={quantities(tier.maxPerOrder).map((n) => [String(n), String(n)] as [string, string])}
          />
          <button type="submit" disabled={busy}>
            {t('waitlist.join')}
          </button>
        </form>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}

/** The organizer's side: how many wait, and each tier's line while anyone does. */
export function WaitingLists({ event }: { event: OrganizerEvent }) {
  const [lines, setLines] = useState<TierLine[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    request<{ tiers: TierLine[] }>(linesPath(event.id))
      .then((answer) => setLines(answer.tiers))
      .catch((e: ApiError) => setError(e.message));
  }, [event.id]);

  if (error) return <Notice kind="error">{error}</Notice>;
  if (!lines) return <Loading text={t('waitlist.loading')} />;
  return (
    <section aria-labelledby="waiting-lists-title">
      <h2 id="waiting-lists-title">{t('waitlist.organizer.title')}</h2>
      <p>{t('waitlist.organizer.total', { count: totalWaiting(lines) })}</p>
      {totalWaiting(lines) > 0 && (
        <table class="list">
          <caption class="visually-hidden">{t('waitlist.organizer.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('field.tier')}</th>
              <th scope="col">{t('waitlist.organizer.waiting')}</th>
              <th scope="col">{t('waitlist.organizer.since')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.tierId}>
                <th scope="row">{line.tierName}</th>
                <td>{line.waiting}</td>
                <td>{line.first[0] ? formatDateTime(line.first[0].joinedAt) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
