// Create or edit an event and its tiers (hidden ones too: presales); publish or
// cancel it; its door (staff, gates); its promo, presale and access codes; its
// sales per tier and over time, and its participants (with a CSV download).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request, send, type FieldError } from '../api';
import { Confirm, Field, Loading, Notice, SelectField, SLOT, TextArea, Title, withSlots } from '../components';
import { emptyForm, formFromEvent, inWords, toRequest, type EventForm, type OrganizerEvent, type TierRow } from '../eventForm';
import { formatDateTime, formatMoney } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import { joinCsvPages, salesByTier, totals, type ParticipantLine } from '../sales';
import { blockRequest, type SeatMapView, type SeatStatus } from '../seatmap';
import type { Profile } from '../session';
import { categories } from './Home';
import { NotOrganizer, STATUS_LABEL } from './Organize';
import { SeatPicker, type PickedSeat } from './SeatPicker';
import { DoorSettings } from './DoorSettings';
import { PromoCodes } from './PromoCodes';
import { SalesOverTime } from './SalesOverTime';
import { WaitingLists } from './WaitingList';
import { managesEvents, worksOnEvents } from '../team';

interface Participant extends ParticipantLine {
  reservationId: string;
  tierName: string;
  holderName: string;
  confirmedAt: string;
  /** On a seated tier: the booked seats. */
  seats?: { id: string; name: string }[];
}

export function EventEditor({ id, profile }: { id?: string; profile?: Profile }) {
  // Organizers, admins and the organizer's team (a viewer or door member reads, a manager edits).
  const allowed = worksOnEvents(profile);
  const [event, setEvent] = useState<OrganizerEvent>();
  const [form, setForm] = useState<EventForm>(emptyForm);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [notice, setNotice] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<'publish' | 'cancel'>();

  useEffect(() => {
    // Just created here (the address then names it): the page has it already, and a
    // reload would undo what the organizer typed meanwhile.
    if (!allowed || !id || event?.id === id) return;
    loadOwnEvent(id)
      .then((e) => {
        setEvent(e);
        setForm(formFromEvent(e));
      })
      .catch((e: ApiError) => setNotice({ kind: 'error', text: e.message }));
  }, [id, allowed]);

  if (!allowed) return <NotOrganizer profile={profile} />;
  if (id && !event) return notice ? <Notice kind="error">{notice.text}</Notice> : <Loading text={t('event.loading')} />;

  const editable = managesEvents(profile) && (!event || event.status === 'draft' || event.status === 'published');
  const error = (field: string) => {
    const message = errors.find((e) => e.field === field)?.message;
    return message && inWords(message);
  };
  const set = <K extends keyof EventForm>(key: K) => (value: EventForm[K]) => setForm({ ...form, [key]: value });
  const setVenue = (key: keyof EventForm['venue']) => (value: string) => setForm({ ...form, venue: { ...form.venue, [key]: value } });
  const setTier = (i: number, key: Exclude<keyof TierRow, 'id' | 'hidden'>) => (value: string) =>
    setForm({ ...form, tiers: form.tiers.map((t, j) => (j === i ? { ...t, [key]: value } : t)) });
  const setHidden = (i: number, hidden: boolean) =>
    setForm({
      ...form,
      tiers: form.tiers.map((t, j) => {
        if (j !== i) return t;
        const { hidden: _was, ...rest } = t;
        return hidden ? { ...rest, hidden: true } : rest;
      }),
    });

  const save = async (e: Event) => {
    e.preventDefault();
    setNotice(undefined);
    const { body, errors: local } = toRequest(form);
    setErrors(local);
    if (!body) {
      setNotice({ kind: 'error', text: t('error.validationFailed') });
      return;
    }
    setBusy(true);
    try {
      const saved = event
        ? await request<OrganizerEvent>(`/events/${event.id}`, { method: 'PATCH', body })
        : await request<OrganizerEvent>('/events', { method: 'POST', body });
      setEvent(saved);
      setForm(formFromEvent(saved));
      setErrors([]);
      setNotice({ kind: 'success', text: event ? t('editor.saved') : t('editor.created') });
      if (!event) navigate(`/organize/${saved.id}`, { replace: true });
    } catch (err) {
      const apiError = err as ApiError;
      setErrors(apiError.fields ?? []);
      setNotice({ kind: 'error', text: apiError.message });
    } finally {
      setBusy(false);
    }
  };

  const act = async (action: 'publish' | 'cancel') => {
    setAsking(undefined);
    setNotice(undefined);
    setBusy(true);
    try {
      const changed = await request<OrganizerEvent>(`/events/${event!.id}/${action}`, { method: 'POST' });
      setEvent(changed);
      setNotice({ kind: 'success', text: action === 'publish' ? t('editor.published') : t('editor.cancelled') });
    } catch (err) {
      const apiError = err as ApiError;
      setErrors(apiError.fields ?? []);
      setNotice({ kind: 'error', text: apiError.message });
    } finally {
      setBusy(false);
    }
  };

  const title = event ? event.title : t('organize.new');
  return (
    <section>
      <Title text={title} />
      {event && (
        <p>
          <span class={`badge status-${event.status}`}>{t(STATUS_LABEL[event.status])}</span>{' '}
          {event.status === 'published' && <a href={`/e/${event.id}`}>{t('editor.publicPage')}</a>}
        </p>
      )}
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <form class="event-form" onSubmit={save} noValidate>
        <fieldset disabled={!editable || busy}>
          <legend>{t('editor.about')}</legend>
          <Field label={t('editor.title')} name="title" value={form.title} onValue={set('title')} error={error('title')} />
          <TextArea label={t('editor.description')} name="description" value={form.description} onValue={set('description')} error={error('description')} />
          <SelectField label={t('field.category')} name="category" value={form.category} onValue={set('category')} options={categories()} error={error('category')} />
        </fieldset>
        <fieldset disabled={!editable || busy}>
          <legend>{t('editor.where')}</legend>
          <Field label={t('editor.venue')} name="venue.name" value={form.venue.name} onValue={setVenue('name')} error={error('venue.name') ?? error('venue')} />
          <Field label={t('editor.address')} name="venue.address" value={form.venue.address} onValue={setVenue('address')} error={error('venue.address')} />
          <Field label={t('field.city')} name="venue.city" value={form.venue.city} onValue={setVenue('city')} error={error('venue.city')} />
          <Field label={t('editor.country')} name="venue.country" hint={t('editor.country.hint')} value={form.venue.country} onValue={setVenue('country')} error={error('venue.country')} />
        </fieldset>
        <fieldset disabled={!editable || busy}>
          <legend>{t('editor.when')}</legend>
          <Field label={t('editor.timezone')} name="timezone" hint={t('editor.timezone.hint')} value={form.timezone} onValue={set('timezone')} error={error('timezone')} />
          <Field label={t('editor.starts')} type="datetime-local" name="startsAt" value={form.startsAt} onValue={set('startsAt')} error={error('startsAt')} />
          <Field label={t('editor.ends')} type="datetime-local" name="endsAt" value={form.endsAt} onValue={set('endsAt')} error={error('endsAt')} />
          <Field label={t('editor.salesOpen')} type="datetime-local" name="salesOpensAt" value={form.salesOpensAt} onValue={set('salesOpensAt')} error={error('salesOpensAt')} />
          <Field label={t('editor.salesClose')} type="datetime-local" name="salesClosesAt" value={form.salesClosesAt} onValue={set('salesClosesAt')} error={error('salesClosesAt')} />
        </fieldset>
        <fieldset disabled={!editable || busy}>
          <legend>{t('event.tickets')}</legend>
          <Field label={t('editor.currency')} name="currency" hint={t('editor.currency.hint')} value={form.currency} onValue={set('currency')} error={error('currency')} />
          <SelectField
            label={t('editor.transfers')}
            name="ticketTransfers"
            value={form.ticketTransfers}
            onValue={set('ticketTransfers')}
            options={[
              ['allowed', t('editor.transfers.allowed')],
              ['named', t('editor.transfers.named')],
              ['off', t('editor.transfers.off')],
            ]}
            error={error('ticketTransfers')}
          />
          <Field
            label={t('editor.offerMinutes')}
            name="waitingListOfferMinutes"
            inputMode="numeric"
            hint={t('editor.offerMinutes.hint')}
            value={form.waitingListOfferMinutes}
            onValue={set('waitingListOfferMinutes')}
            error={error('waitingListOfferMinutes')}
          />
          {error('tiers') && <p class="error">{error('tiers')}</p>}
          {form.tiers.map((tier, i) => (
            <div class="tier-row" key={tier.id ?? `new-${i}`} role="group" aria-label={t('editor.tier', { n: i + 1 })}>
              <Field label={t('editor.tier.name', { n: i + 1 })} name={`tiers[${i}].name`} value={tier.name} onValue={setTier(i, 'name')} error={error(`tiers[${i}].name`) ?? error(`tiers[${i}]`)} />
              <Field label={t('editor.tier.price', { n: i + 1 })} name={`tiers[${i}].priceMinor`} inputMode="decimal" value={tier.price} onValue={setTier(i, 'price')} error={error(`tiers[${i}].priceMinor`)} />
              <Field label={t('editor.tier.capacity', { n: i + 1 })} name={`tiers[${i}].capacity`} inputMode="numeric" value={tier.capacity} onValue={setTier(i, 'capacity')} error={error(`tiers[${i}].capacity`)} />
              <Field label={t('editor.tier.maxPerOrder', { n: i + 1 })} name={`tiers[${i}].maxPerOrder`} inputMode="numeric" value={tier.maxPerOrder} onValue={setTier(i, 'maxPerOrder')} error={error(`tiers[${i}].maxPerOrder`)} />
              <div class={`field${error(`tiers[${i}].hidden`) ? ' has-error' : ''}`}>
                <label class="check">
                  <input
                    type="checkbox"
                    name={`tiers[${i}].hidden`}
                    checked={!!tier.hidden}
                    aria-describedby={error(`tiers[${i}].hidden`) ? `tier-${i}-hidden-error` : undefined}
                    onChange={(e) => setHidden(i, (e.target as HTMLInputElement).checked)}
                  />
                  {t('editor.tier.hidden', { n: i + 1 })}
                </label>
                {error(`tiers[${i}].hidden`) && (
                  <p class="error" id={`tier-${i}-hidden-error`}>
                    {error(`tiers[${i}].hidden`)}
                  </p>
                )}
              </div>
              {form.tiers.length > 1 && (
                <button type="button" class="secondary" onClick={() => set('tiers')(form.tiers.filter((_, j) => j !== i))}>
                  {t('editor.tier.remove', { n: i + 1 })}
                </button>
              )}
            </div>
          ))}
          <button type="button" class="secondary" onClick={() => set('tiers')([...form.tiers, { name: '', price: '', capacity: '', maxPerOrder: '6' }])}>
            {t('editor.tier.add')}
          </button>
        </fieldset>
        {editable && (
          <button type="submit" disabled={busy}>
            {busy ? t('common.saving') : event ? t('editor.save') : t('editor.create')}
          </button>
        )}
      </form>
      {event && (
        <div class="actions">
          {event.status === 'draft' && (
            <button type="button" disabled={busy} onClick={() => setAsking('publish')}>
              {t('editor.publish')}
            </button>
          )}
          {(event.status === 'draft' || event.status === 'published') && (
            <button type="button" class="danger" disabled={busy} onClick={() => setAsking('cancel')}>
              {t('editor.cancel')}
            </button>
          )}
        </div>
      )}
      <Confirm open={asking === 'publish'} title={t('editor.publish.title')} confirmLabel={t('editor.publish')} onConfirm={() => act('publish')} onCancel={() => setAsking(undefined)}>
        <p>{t('editor.publish.text')}</p>
      </Confirm>
      <Confirm open={asking === 'cancel'} title={t('editor.cancel.title')} confirmLabel={t('editor.cancel.confirm')} onConfirm={() => act('cancel')} onCancel={() => setAsking(undefined)}>
        <p>
          {t('editor.cancel.text')} {t('common.cannotUndo')}
        </p>
      </Confirm>
      {event && event.status === 'draft' && (
        <SeatMapUpload
          event={event}
          onDone={(seated) => {
            setEvent(seated);
            setForm(formFromEvent(seated));
          }}
        />
      )}
      {event && event.status === 'published' && event.seatMap && event.tiers.some((t) => t.seated) && (
        <BlockSeats event={event} />
      )}
      {event && event.status === 'published' && <DoorSettings event={event} />}
      {event && (event.status === 'draft' || event.status === 'published') && <PromoCodes event={event} />}
      {event && event.status !== 'draft' && <Sales event={event} />}
    </section>
  );
}

/**
 * One of the organizer's events, drafts too, as its organizer sees it: found in the
 * organizer's own listing, the only read with the organizer's view (capacities,
 * hidden tiers, the version). GET /events/{id} is the public view, without hidden
 * tiers or capacities: it is used only for an event not in the listing (an admin
 * looking at someone else's event).
 */
async function loadOwnEvent(id: string): Promise<OrganizerEvent> {
  let cursor: string | null = null;
  do {
    const page: { items: OrganizerEvent[]; nextCursor: string | null } = await request(
      `/organizers/me/events?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    const found = page.items.find((e) => e.id === id);
    if (found) return found;
    cursor = page.nextCursor;
  } while (cursor);
  return await request<OrganizerEvent>(`/events/${encodeURIComponent(id)}`);
}

/** A draft's seat map from a venue's CSV (docs/seating.md has the format and an example). */
function SeatMapUpload({ event, onDone }: { event: OrganizerEvent; onDone: (event: OrganizerEvent) => void }) {
  const [file, setFile] = useState<File>();
  const [problems, setProblems] = useState<FieldError[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setProblems([]);
    try {
      await request(`/events/${event.id}/seat-map`, { method: 'PUT', raw: { type: 'text/csv', text: await file.text() } });
      onDone(await loadOwnEvent(event.id));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('seatMap.notSent'));
      if (err instanceof ApiError) setProblems(err.fields);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="seat-map-upload" onSubmit={upload} aria-labelledby="seat-map-title">
      <h2 id="seat-map-title">{t('seatMap.title')}</h2>
      <p>
        {event.seatMap
          ? t('seatMap.has', { count: event.seatMap.seats })
          : t('seatMap.intro')}
      </p>
      <div class="field">
        <label for="seat-map-file">{t('seatMap.file')}</label>
        <input
          id="seat-map-file"
          type="file"
          accept=".csv,text/csv"
          aria-describedby="seat-map-hint"
          onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0])}
        />
        <p class="hint" id="seat-map-hint">
          {withSlots(t('seatMap.hint', { header: SLOT, tier: SLOT }), <code>section,row,seat,x,y,tier</code>, <code>tier</code>)}
        </p>
      </div>
      {error && (
        <Notice kind="error">
          {error}
          {problems.length > 0 && (
            <ul>
              {problems.slice(0, 20).map((p) => (
                <li key={p.field}>
                  {p.field}: {p.message}
                </li>
              ))}
            </ul>
          )}
        </Notice>
      )}
      <button type="submit" disabled={busy || !file}>
        {busy ? t('common.sending') : t('seatMap.send')}
      </button>
    </form>
  );
}

/** Seats taken off sale (house seats, cameras) and given back, picked on the map. */
function BlockSeats({ event }: { event: OrganizerEvent }) {
  const seated = event.tiers.filter((t) => t.seated);
  const [tierId, setTierId] = useState(seated[0]?.id ?? '');
  const [picked, setPicked] = useState<PickedSeat[]>([]);
  const [map, setMap] = useState<SeatMapView>();
  // What this page blocked or gave back since it read the map (committed: shown at once).
  const [overrides, setOverrides] = useState<Record<string, SeatStatus>>({});
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [busy, setBusy] = useState(false);
  const tier = seated.find((t) => t.id === tierId) ?? seated[0];
  const statusOf = (id: string) =>
    overrides[id] ?? map?.sections.flatMap((s) => s.rows).flatMap((r) => r.seats).find((seat) => seat.id === id)?.status;
  const apply = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const body = blockRequest(picked.map((p) => p.id), statusOf);
      const answer = await request<{ blocked: string[]; unblocked: string[] }>(`/events/${event.id}/seat-blocks`, {
        method: 'POST',
        body,
      });
      setMessage({ kind: 'success', text: t('block.done', { blocked: answer.blocked.length, unblocked: answer.unblocked.length }) });
      setPicked([]);
      const changed: Record<string, SeatStatus> = {};
      for (const id of answer.blocked) changed[id] = 'blocked';
      for (const id of answer.unblocked) changed[id] = 'available';
      setOverrides((known) => ({ ...known, ...changed }));
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : t('block.failed') });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="block-title">
      <h2 id="block-title">{t('block.title')}</h2>
      <p>{t('block.intro')}</p>
      {seated.length > 1 && (
        <SelectField
          label={t('block.tier')}
          name="block-tier"
          value={tier.id}
          onValue={(id) => {
            setTierId(id);
            setPicked([]);
          }}
          options={seated.map((t) => [t.id, t.name])}
        />
      )}
      <SeatPicker
        eventId={event.id}
        tierId={tier.id}
        price={formatMoney(tier.priceMinor, tier.currency)}
        max={25}
        picked={picked}
        onPick={setPicked}
        organizer
        overrides={overrides}
        onMap={(read) => {
          setMap(read);
          // Once the map shows what this page changed, the map's own state rules again.
          const shown = new Map(read.sections.flatMap((sec) => sec.rows).flatMap((r) => r.seats).map((seat) => [seat.id, seat.status]));
          setOverrides((known) => Object.fromEntries(Object.entries(known).filter(([id, status]) => shown.get(id) !== status)));
        }}
      />
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <button type="button" disabled={busy || picked.length === 0} onClick={() => void apply()}>
        {busy ? t('common.saving') : t('block.submit')}
      </button>
    </section>
  );
}

function Sales({ event }: { event: OrganizerEvent }) {
  const [participants, setParticipants] = useState<Participant[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    (async () => {
      const all: Participant[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page: { items: Participant[]; nextCursor: string | null } = await request(`/events/${event.id}/participants?limit=1000${query}`);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      setParticipants(all);
    })().catch((e: ApiError) => setError(e.message));
  }, [event.id, event.version, event.status]);

  const download = async () => {
    try {
      const pages: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const response = await send(`/events/${event.id}/participants?limit=1000${query}`, { accept: 'text/csv' });
        pages.push(await response.text());
        cursor = response.headers.get('x-next-cursor');
      } while (cursor);
      const url = URL.createObjectURL(new Blob([joinCsvPages(pages)], { type: 'text/csv' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `participants-${event.id}.csv`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setError((e as ApiError).message);
    }
  };

  if (error) return <Notice kind="error">{error}</Notice>;
  if (!participants) return <Loading text={t('sales.loading')} />;
  const rows = salesByTier(event.tiers, participants);
  const sum = totals(rows);
  const money = (minor: number) => formatMoney(minor, event.currency);
  return (
    <>
      <h2>{t('sales.title')}</h2>
      <table class="list">
        <caption class="visually-hidden">{t('sales.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('field.tier')}</th>
            <th scope="col">{t('sales.sold')}</th>
            <th scope="col">{t('sales.held')}</th>
            <th scope="col">{t('sales.remaining')}</th>
            <th scope="col">{t('sales.revenue')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <th scope="row">{r.name}</th>
              <td>{r.sold}</td>
              <td>{r.held}</td>
              <td>{r.remaining}</td>
              <td>{money(r.revenueMinor)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('sales.total')}</th>
            <td>{sum.sold}</td>
            <td>{sum.held}</td>
            <td>{sum.remaining}</td>
            <td>{money(sum.revenueMinor)}</td>
          </tr>
        </tfoot>
      </table>
      <SalesOverTime event={event} />
      <WaitingLists event={event} />
      <h2>{t('participants.title')}</h2>
      <p>
        <button type="button" class="secondary" onClick={download}>
          {t('participants.download')}
        </button>
      </p>
      {participants.length === 0 ? (
        <p>{t('participants.none')}</p>
      ) : (
        <table class="list">
          <caption class="visually-hidden">{t('participants.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('participants.name')}</th>
              <th scope="col">{t('field.tier')}</th>
              <th scope="col">{t('checkout.seats')}</th>
              <th scope="col">{t('participants.confirmed')}</th>
            </tr>
          </thead>
          <tbody>
            {participants.map((p) => (
              <tr key={p.reservationId}>
                <th scope="row">{p.holderName}</th>
                <td>{p.tierName}</td>
                <td>{p.seats?.length ? p.seats.map((seat) => seat.name).join('; ') : p.quantity}</td>
                <td>{formatDateTime(p.confirmedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
