// Create or edit an event and its tiers; publish or cancel it; its door (staff,
// gates); its sales per tier and its participants (with a CSV download).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request, send, type FieldError } from '../api';
import { Confirm, Field, Loading, Notice, SelectField, TextArea, Title } from '../components';
import { emptyForm, formFromEvent, inWords, toRequest, type EventForm, type OrganizerEvent, type TierRow } from '../eventForm';
import { formatMoney } from '../format';
import { navigate } from '../router';
import { joinCsvPages, salesByTier, totals, type ParticipantLine } from '../sales';
import { blockRequest, type SeatMapView, type SeatStatus } from '../seatmap';
import type { Profile } from '../session';
import { CATEGORIES } from './Home';
import { NotOrganizer, STATUS_LABEL } from './Organize';
import { SeatPicker, type PickedSeat } from './SeatPicker';
import { DoorSettings } from './DoorSettings';

interface Participant extends ParticipantLine {
  reservationId: string;
  tierName: string;
  holderName: string;
  confirmedAt: string;
  /** On a seated tier: the booked seats. */
  seats?: { id: string; name: string }[];
}

export function EventEditor({ id, profile }: { id?: string; profile?: Profile }) {
  const allowed = profile?.role === 'organizer' || profile?.role === 'admin';
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
  if (id && !event) return notice ? <Notice kind="error">{notice.text}</Notice> : <Loading what="the event" />;

  const editable = !event || event.status === 'draft' || event.status === 'published';
  const error = (field: string) => {
    const message = errors.find((e) => e.field === field)?.message;
    return message && inWords(message);
  };
  const set = <K extends keyof EventForm>(key: K) => (value: EventForm[K]) => setForm({ ...form, [key]: value });
  const setVenue = (key: keyof EventForm['venue']) => (value: string) => setForm({ ...form, venue: { ...form.venue, [key]: value } });
  const setTier = (i: number, key: keyof TierRow) => (value: string) =>
    setForm({ ...form, tiers: form.tiers.map((t, j) => (j === i ? { ...t, [key]: value } : t)) });

  const save = async (e: Event) => {
    e.preventDefault();
    setNotice(undefined);
    const { body, errors: local } = toRequest(form);
    setErrors(local);
    if (!body) {
      setNotice({ kind: 'error', text: 'Some fields need a second look.' });
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
      setNotice({ kind: 'success', text: event ? 'Saved.' : 'Created as a draft. Publish it when it is ready.' });
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
      setNotice({ kind: 'success', text: action === 'publish' ? 'Published: it is on sale.' : 'Cancelled. Ticket holders are refunded and told by email.' });
    } catch (err) {
      const apiError = err as ApiError;
      setErrors(apiError.fields ?? []);
      setNotice({ kind: 'error', text: apiError.message });
    } finally {
      setBusy(false);
    }
  };

  const title = event ? event.title : 'New event';
  return (
    <section>
      <Title text={title} />
      {event && (
        <p>
          <span class={`badge status-${event.status}`}>{STATUS_LABEL[event.status]}</span>{' '}
          {event.status === 'published' && <a href={`/e/${event.id}`}>See its public page</a>}
        </p>
      )}
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <form class="event-form" onSubmit={save} noValidate>
        <fieldset disabled={!editable || busy}>
          <legend>About the event</legend>
          <Field label="Title" name="title" value={form.title} onValue={set('title')} error={error('title')} />
          <TextArea label="Description" name="description" value={form.description} onValue={set('description')} error={error('description')} />
          <SelectField label="Category" name="category" value={form.category} onValue={set('category')} options={CATEGORIES} error={error('category')} />
        </fieldset>
        <fieldset disabled={!editable || busy}>
          <legend>Where</legend>
          <Field label="Venue" name="venue.name" value={form.venue.name} onValue={setVenue('name')} error={error('venue.name') ?? error('venue')} />
          <Field label="Address" name="venue.address" value={form.venue.address} onValue={setVenue('address')} error={error('venue.address')} />
          <Field label="City" name="venue.city" value={form.venue.city} onValue={setVenue('city')} error={error('venue.city')} />
          <Field label="Country code" name="venue.country" hint="Two letters, e.g. GB" value={form.venue.country} onValue={setVenue('country')} error={error('venue.country')} />
        </fieldset>
        <fieldset disabled={!editable || busy}>
          <legend>When (in the event's time zone)</legend>
          <Field label="Time zone" name="timezone" hint="e.g. Europe/London" value={form.timezone} onValue={set('timezone')} error={error('timezone')} />
          <Field label="Starts" type="datetime-local" name="startsAt" value={form.startsAt} onValue={set('startsAt')} error={error('startsAt')} />
          <Field label="Ends" type="datetime-local" name="endsAt" value={form.endsAt} onValue={set('endsAt')} error={error('endsAt')} />
          <Field label="Sales open" type="datetime-local" name="salesOpensAt" value={form.salesOpensAt} onValue={set('salesOpensAt')} error={error('salesOpensAt')} />
          <Field label="Sales close" type="datetime-local" name="salesClosesAt" value={form.salesClosesAt} onValue={set('salesClosesAt')} error={error('salesClosesAt')} />
        </fieldset>
        <fieldset disabled={!editable || busy}>
          <legend>Tickets</legend>
          <Field label="Currency" name="currency" hint="Three letters, e.g. EUR" value={form.currency} onValue={set('currency')} error={error('currency')} />
          {error('tiers') && <p class="error">{error('tiers')}</p>}
          {form.tiers.map((tier, i) => (
            <div class="tier-row" key={tier.id ?? `new-${i}`} role="group" aria-label={`Tier ${i + 1}`}>
              <Field label={`Tier ${i + 1} name`} name={`tiers[${i}].name`} value={tier.name} onValue={setTier(i, 'name')} error={error(`tiers[${i}].name`) ?? error(`tiers[${i}]`)} />
              <Field label={`Tier ${i + 1} price`} name={`tiers[${i}].priceMinor`} inputMode="decimal" value={tier.price} onValue={setTier(i, 'price')} error={error(`tiers[${i}].priceMinor`)} />
              <Field label={`Tier ${i + 1} seats`} name={`tiers[${i}].capacity`} inputMode="numeric" value={tier.capacity} onValue={setTier(i, 'capacity')} error={error(`tiers[${i}].capacity`)} />
              <Field label={`Tier ${i + 1} most per order`} name={`tiers[${i}].maxPerOrder`} inputMode="numeric" value={tier.maxPerOrder} onValue={setTier(i, 'maxPerOrder')} error={error(`tiers[${i}].maxPerOrder`)} />
              {form.tiers.length > 1 && (
                <button type="button" class="secondary" onClick={() => set('tiers')(form.tiers.filter((_, j) => j !== i))}>
                  Remove tier {i + 1}
                </button>
              )}
            </div>
          ))}
          <button type="button" class="secondary" onClick={() => set('tiers')([...form.tiers, { name: '', price: '', capacity: '', maxPerOrder: '6' }])}>
            Add a tier
          </button>
        </fieldset>
        {editable && (
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : event ? 'Save changes' : 'Create draft'}
          </button>
        )}
      </form>
      {event && (
        <div class="actions">
          {event.status === 'draft' && (
            <button type="button" disabled={busy} onClick={() => setAsking('publish')}>
              Publish
            </button>
          )}
          {(event.status === 'draft' || event.status === 'published') && (
            <button type="button" class="danger" disabled={busy} onClick={() => setAsking('cancel')}>
              Cancel event
            </button>
          )}
        </div>
      )}
      <Confirm open={asking === 'publish'} title="Publish this event?" confirmLabel="Publish" onConfirm={() => act('publish')} onCancel={() => setAsking(undefined)}>
        <p>It goes on sale at its sales opening time. Tiers can then only grow.</p>
      </Confirm>
      <Confirm open={asking === 'cancel'} title="Cancel this event?" confirmLabel="Cancel the event" onConfirm={() => act('cancel')} onCancel={() => setAsking(undefined)}>
        <p>Every booking is refunded and every ticket holder is told by email. This cannot be undone.</p>
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
      {event && event.status !== 'draft' && <Sales event={event} />}
    </section>
  );
}

/**
 * One of the organizer's events, drafts too: the public route hides drafts, so a
 * draft is found in the organizer's own listing.
 */
async function loadOwnEvent(id: string): Promise<OrganizerEvent> {
  try {
    return await request<OrganizerEvent>(`/events/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  let cursor: string | null = null;
  do {
    const page: { items: OrganizerEvent[]; nextCursor: string | null } = await request(
      `/organizers/me/events?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    const found = page.items.find((e) => e.id === id);
    if (found) return found;
    cursor = page.nextCursor;
  } while (cursor);
  throw new ApiError(404, 'not_found', 'We could not find that.');
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
      setError(err instanceof ApiError ? err.message : 'The seat map could not be sent.');
      if (err instanceof ApiError) setProblems(err.fields);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="seat-map-upload" onSubmit={upload} aria-labelledby="seat-map-title">
      <h2 id="seat-map-title">Seat map</h2>
      <p>
        {event.seatMap
          ? `This event has a seat map of ${event.seatMap.seats} seats; a new file replaces it while the event is a draft.`
          : 'Sell seats instead of quantities: send the venue as a CSV file, one seat per line.'}
      </p>
      <div class="field">
        <label for="seat-map-file">Seat map (CSV)</label>
        <input
          id="seat-map-file"
          type="file"
          accept=".csv,text/csv"
          aria-describedby="seat-map-hint"
          onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0])}
        />
        <p class="hint" id="seat-map-hint">
          Header <code>section,row,seat,x,y,tier</code>; <code>tier</code> is a tier's name. A tier priced on the map is
          sold seat by seat, at most 10 per order.
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
        {busy ? 'Sending…' : 'Send the seat map'}
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
      setMessage({ kind: 'success', text: `${answer.blocked.length} blocked, ${answer.unblocked.length} back on sale.` });
      setPicked([]);
      const changed: Record<string, SeatStatus> = {};
      for (const id of answer.blocked) changed[id] = 'blocked';
      for (const id of answer.unblocked) changed[id] = 'available';
      setOverrides((known) => ({ ...known, ...changed }));
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : 'The seats could not be changed.' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="block-title">
      <h2 id="block-title">Blocked seats</h2>
      <p>Pick free seats to take them off sale (house seats, cameras), or blocked seats to put them back on sale.</p>
      {seated.length > 1 && (
        <SelectField
          label="Seated tier"
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
        {busy ? 'Saving…' : 'Block or put back the picked seats'}
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
  if (!participants) return <Loading what="sales" />;
  const rows = salesByTier(event.tiers, participants);
  const sum = totals(rows);
  const money = (minor: number) => formatMoney(minor, event.currency);
  return (
    <>
      <h2>Sales</h2>
      <table class="list">
        <caption class="visually-hidden">Sales per tier</caption>
        <thead>
          <tr>
            <th scope="col">Tier</th>
            <th scope="col">Sold</th>
            <th scope="col">Held</th>
            <th scope="col">Remaining</th>
            <th scope="col">Revenue</th>
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
            <th scope="row">Total</th>
            <td>{sum.sold}</td>
            <td>{sum.held}</td>
            <td>{sum.remaining}</td>
            <td>{money(sum.revenueMinor)}</td>
          </tr>
        </tfoot>
      </table>
      <h2>Participants</h2>
      <p>
        <button type="button" class="secondary" onClick={download}>
          Download participants (CSV)
        </button>
      </p>
      {participants.length === 0 ? (
        <p>No confirmed bookings yet.</p>
      ) : (
        <table class="list">
          <caption class="visually-hidden">Participants</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Tier</th>
              <th scope="col">Seats</th>
              <th scope="col">Confirmed</th>
            </tr>
          </thead>
          <tbody>
            {participants.map((p) => (
              <tr key={p.reservationId}>
                <th scope="row">{p.holderName}</th>
                <td>{p.tierName}</td>
                <td>{p.seats?.length ? p.seats.map((seat) => seat.name).join('; ') : p.quantity}</td>
                <td>{new Date(p.confirmedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
