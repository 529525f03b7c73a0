// The organizer's side of the door, on a published event's page: who may scan
// (door staff by their account's email), the gates and which tiers each admits,
// re-entry, and the way to the scanner and its live count.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Field, Loading, Notice } from '../components';
import { doorRequest, type DoorConfig, type GateRow } from '../door';
import type { OrganizerEvent } from '../eventForm';
import { formatDateTime } from '../format';
import { t } from '../i18n';

interface StaffMember {
  userId: string;
  email: string;
  grantedAt: string;
}

export function DoorSettings({ event }: { event: OrganizerEvent }) {
  const scanner = `/door/${encodeURIComponent(event.id)}`;
  return (
    <section class="door-settings" aria-labelledby="door-title">
      <h2 id="door-title">{t('nav.door')}</h2>
      <p>
        <a href={scanner}>{t('doorSettings.open')}</a> · <a href={`${scanner}#summary`}>{t('doorSettings.count')}</a>
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
      setMessage({ kind: 'success', text: t('doorSettings.added', { email: address }) });
      await load();
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : t('doorSettings.notAdded') });
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
      setMessage({ kind: 'success', text: t('doorSettings.revoked', { email: member.email }) });
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : t('common.failed') });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h3>{t('doorSettings.staff')}</h3>
      <form onSubmit={add} aria-label={t('doorSettings.addForm')}>
        <Field
          label={t('doorSettings.email')}
          type="email"
          name="staff-email"
          autoComplete="off"
          hint={t('doorSettings.email.hint')}
          value={email}
          onValue={setEmail}
        />
        <button type="submit" disabled={busy || !email.trim()}>
          {t('doorSettings.add')}
        </button>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {!staff && !message && <Loading text={t('doorSettings.loading')} />}
      {staff && staff.length === 0 && <p>{t('doorSettings.none')}</p>}
      {staff && staff.length > 0 && (
        <ul class="staff-list" aria-label={t('doorSettings.staff')}>
          {staff.map((m) => (
            <li key={m.userId}>
              <span>{m.email}</span>
              <span class="hint">{t('doorSettings.since', { date: formatDateTime(m.grantedAt, { dateStyle: 'medium' }) })}</span>
              <button type="button" class="secondary" disabled={busy} aria-label={t('doorSettings.revoke.label', { email: m.email })} onClick={() => void revoke(m)}>
                {t('doorSettings.revoke')}
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

  if (!rows) return <Loading text={t('gates.loading')} />;

  const setRow = (i: number, row: GateRow) => setRows(rows.map((r, j) => (j === i ? row : r)));
  const save = async (e: Event) => {
    e.preventDefault();
    setMessage(undefined);
    const { body, errors: local } = doorRequest(rows, reentry);
    setErrors(local);
    if (!body) {
      setMessage({ kind: 'error', text: t('gates.invalid') });
      return;
    }
    setBusy(true);
    try {
      await request(path, { method: 'PUT', body });
      setMessage({ kind: 'success', text: t('gates.saved') });
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : t('gates.notSaved') });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="gates" onSubmit={save} aria-labelledby="gates-title" noValidate>
      <h3 id="gates-title">{t('gates.title')}</h3>
      <p class="hint">{t('gates.hint')}</p>
      {rows.map((row, i) => (
        <fieldset class="gate-row" key={i} disabled={busy}>
          <legend>{t('gates.gate', { n: i + 1 })}</legend>
          <Field label={t('gates.name', { n: i + 1 })} name={`gates[${i}].name`} value={row.name} onValue={(name) => setRow(i, { ...row, name })} error={errors[i]} />
          <div class="checks" role="group" aria-label={t('gates.tiers', { n: i + 1 })}>
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
            {t('gates.remove', { n: i + 1 })}
          </button>
        </fieldset>
      ))}
      <p>
        <button type="button" class="secondary" disabled={busy} onClick={() => setRows([...rows, { name: '', tierIds: [] }])}>
          {t('gates.add')}
        </button>
      </p>
      <label class="check">
        <input type="checkbox" checked={reentry} disabled={busy} onChange={(e) => setReentry((e.target as HTMLInputElement).checked)} />
        {t('gates.reentry')}
      </label>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <p>
        <button type="submit" disabled={busy}>
          {busy ? t('common.saving') : t('gates.save')}
        </button>
      </p>
    </form>
  );
}
