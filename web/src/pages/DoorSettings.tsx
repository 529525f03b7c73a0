// The organizer's side of the door, on a published event's page: who may scan
// (door staff by their account's email), the gates and which tiers each admits,
// re-entry, and the way to the scanner and its live count.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Field, Loading, Notice } from '../components';
import { doorRequest, type DoorConfig, type GateRow } from '../door';
import type { OrganizerEvent } from '../eventForm';

interface StaffMember {
  userId: string;
  email: string;
  grantedAt: string;
}

export function DoorSettings({ event }: { event: OrganizerEvent }) {
  const scanner = `/door/${encodeURIComponent(event.id)}`;
  return (
    <section class="door-settings" aria-labelledby="door-title">
      <h2 id="door-title">Door</h2>
      <p>
        <a href={scanner}>Open the door scanner</a> · <a href={`${scanner}#summary`}>See how many are in</a>
      </p>
      <DoorStaff eventId={event.id} />
      <Gates event={event} />
    </section>
  );
}

function DoorStaff({ eventId }: { eventId: string }) {
  const [staff, setStaff] = useState<StaffMember[]>();
  const [email, setEmail] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [busy, setBusy] = useState(false);
  const path = `/events/${encodeURIComponent(eventId)}/staff`;

  const load = () =>
    request<{ staff: StaffMember[] }>(path)
      .then((answer) => setStaff(answer.staff))
      .catch((e: ApiError) => setMessage({ kind: 'error', text: e.message }));
  useEffect(() => void load(), [eventId]);

  const add = async (e: Event) => {
    e.preventDefault();
    const address = email.trim();
    if (!address) return;
    setBusy(true);
    setMessage(undefined);
    try {
      await request(path, { method: 'POST', body: { email: address } });
      setEmail('');
      setMessage({ kind: 'success', text: `${address} may now scan tickets for this event.` });
      await load();
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : 'They could not be added.' });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (member: StaffMember) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await request(`${path}/${encodeURIComponent(member.userId)}`, { method: 'DELETE' });
      setStaff((list) => list?.filter((m) => m.userId !== member.userId));
      setMessage({ kind: 'success', text: `${member.email} may no longer scan tickets.` });
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : 'That could not be done.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h3>Door staff</h3>
      <form onSubmit={add} aria-label="Add door staff">
        <Field
          label="Email of a door staff member"
          type="email"
          name="staff-email"
          autoComplete="off"
          hint="They need an account on this site; they scan with it at /door."
          value={email}
          onValue={setEmail}
        />
        <button type="submit" disabled={busy || !email.trim()}>
          Add to door staff
        </button>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {!staff && !message && <Loading what="the door staff" />}
      {staff && staff.length === 0 && <p>No door staff yet: only you can scan.</p>}
      {staff && staff.length > 0 && (
        <ul class="staff-list" aria-label="Door staff">
          {staff.map((m) => (
            <li key={m.userId}>
              <span>{m.email}</span>
              <span class="hint">since {new Date(m.grantedAt).toLocaleDateString()}</span>
              <button type="button" class="secondary" disabled={busy} aria-label={`Revoke ${m.email}`} onClick={() => void revoke(m)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Gates({ event }: { event: OrganizerEvent }) {
  const [rows, setRows] = useState<GateRow[]>();
  const [reentry, setReentry] = useState(false);
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [busy, setBusy] = useState(false);
  const path = `/events/${encodeURIComponent(event.id)}/door`;

  useEffect(() => {
    request<DoorConfig>(path)
      .then((config) => {
        setRows(config.gates.map((g) => ({ name: g.name, tierIds: g.tierIds ?? [] })));
        setReentry(config.reentry);
      })
      .catch((e: ApiError) => {
        setRows([]);
        setMessage({ kind: 'error', text: e.message });
      });
  }, [event.id]);

  if (!rows) return <Loading what="the gates" />;

  const setRow = (i: number, row: GateRow) => setRows(rows.map((r, j) => (j === i ? row : r)));
  const save = async (e: Event) => {
    e.preventDefault();
    setMessage(undefined);
    const { body, errors: local } = doorRequest(rows, reentry);
    setErrors(local);
    if (!body) {
      setMessage({ kind: 'error', text: 'Some gates need a second look.' });
      return;
    }
    setBusy(true);
    try {
      await request(path, { method: 'PUT', body });
      setMessage({ kind: 'success', text: 'Door settings saved. Scanners use them from their next download.' });
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : 'The door settings could not be saved.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="gates" onSubmit={save} aria-labelledby="gates-title" noValidate>
      <h3 id="gates-title">Gates and re-entry</h3>
      <p class="hint">With no gates, every scanner admits every tier. A gate that names no tiers admits them all.</p>
      {rows.map((row, i) => (
        <fieldset class="gate-row" key={i} disabled={busy}>
          <legend>Gate {i + 1}</legend>
          <Field label={`Gate ${i + 1} name`} name={`gates[${i}].name`} value={row.name} onValue={(name) => setRow(i, { ...row, name })} error={errors[i]} />
          <div class="checks" role="group" aria-label={`Tiers admitted at gate ${i + 1}`}>
            {event.tiers.map((tier) => (
              <label class="check" key={tier.id}>
                <input
                  type="checkbox"
                  checked={row.tierIds.includes(tier.id)}
                  onChange={(e) => {
                    const on = (e.target as HTMLInputElement).checked;
                    setRow(i, { ...row, tierIds: on ? [...row.tierIds, tier.id] : row.tierIds.filter((t) => t !== tier.id) });
                  }}
                />
                {tier.name}
              </label>
            ))}
          </div>
          <button type="button" class="secondary" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
            Remove gate {i + 1}
          </button>
        </fieldset>
      ))}
      <p>
        <button type="button" class="secondary" disabled={busy} onClick={() => setRows([...rows, { name: '', tierIds: [] }])}>
          Add a gate
        </button>
      </p>
      <label class="check">
        <input type="checkbox" checked={reentry} disabled={busy} onChange={(e) => setReentry((e.target as HTMLInputElement).checked)} />
        Allow re-entry (scan out, then back in)
      </label>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <p>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save door settings'}
        </button>
      </p>
    </form>
  );
}
