// The organizer's team: add a member by email as manager (everything but the team
// and the webhooks), viewer (sales and participants) or door (check-in at every
// event), change their part, remove them (their rights end on their next request).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Confirm, Field, Loading, Notice, SelectField, Title } from '../components';
import { formatDateTime } from '../format';
import { t } from '../i18n';
import type { Profile } from '../session';
import { ROLE_LABEL, runsTeam, TEAM_ROLES, type Member, type TeamRole } from '../team';
import { NotOrganizer } from './Organize';

const BASE = '/organizers/me/members';

export function Team({ profile }: { profile?: Profile }) {
  const allowed = runsTeam(profile);
  const [members, setMembers] = useState<Member[]>();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<TeamRole>('door');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [fieldError, setFieldError] = useState<string>();
  const [removing, setRemoving] = useState<Member>();

  const load = () =>
    request<{ members: Member[] }>(BASE)
      .then((answer) => setMembers(answer.members))
      .catch((e: ApiError) => setMessage({ kind: 'error', text: e.message }));
  useEffect(() => {
    if (allowed) void load();
  }, [profile?.id, allowed]);
  if (!allowed) return <NotOrganizer profile={profile} />;

  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(undefined);
    setFieldError(undefined);
    try {
      const member = await request<Member>(BASE, { method: 'POST', body: { email, role } });
      setMessage({ kind: 'success', text: t('team.added', { name: member.displayName, role: t(ROLE_LABEL[member.role]) }) });
      setEmail('');
      await load();
    } catch (err) {
      if (err instanceof ApiError) {
        const onEmail = err.fieldMessage('email') ?? (err.code === 'no_account' || err.code === 'in_another_team' || err.code === 'own_team' ? err.message : undefined);
        if (onEmail) setFieldError(onEmail);
        setMessage({ kind: 'error', text: err.message });
      } else setMessage({ kind: 'error', text: String(err) });
    } finally {
      setBusy(false);
    }
  };

  const remove = async (member: Member) => {
    setRemoving(undefined);
    setMessage(undefined);
    try {
      await request(`${BASE}/${encodeURIComponent(member.userId)}`, { method: 'DELETE' });
      setMessage({ kind: 'success', text: t('team.removed', { name: member.displayName }) });
      await load();
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : String(err) });
    }
  };

  return (
    <section>
      <Title text={t('team.title')} />
      <p>{t('team.explain')}</p>
      <form class="checkout" onSubmit={add} aria-label={t('team.add.title')}>
        <h2>{t('team.add.title')}</h2>
        <Field label={t('field.email')} type="email" name="email" autoComplete="off" value={email} onValue={setEmail} error={fieldError} required />
        <SelectField
          label={t('team.role')}
          name="role"
          value={role}
          onValue={(v) => setRole(v as TeamRole)}
          options={TEAM_ROLES.map((r) => [r, t(ROLE_LABEL[r])] as [string, string])}
        />
        <button type="submit" disabled={busy}>
          {t('team.add.submit')}
        </button>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <h2>{t('team.members')}</h2>
      {!members && !message && <Loading text={t('team.loading')} />}
      {members && members.length === 0 && <p>{t('team.none')}</p>}
      {members && members.length > 0 && (
        <table class="list">
          <caption class="visually-hidden">{t('team.members')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('team.col.member')}</th>
              <th scope="col">{t('team.role')}</th>
              <th scope="col">{t('team.col.since')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('team.col.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId}>
                <th scope="row">
                  {m.displayName} <span class="hint">{m.email}</span>
                </th>
                <td>{t(ROLE_LABEL[m.role])}</td>
                <td>{formatDateTime(m.addedAt)}</td>
                <td>
                  <button type="button" class="secondary" onClick={() => setRemoving(m)}>
                    {t('team.remove', { name: m.displayName })}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Confirm
        open={!!removing}
        title={removing ? t('team.remove.confirm', { name: removing.displayName }) : ''}
        confirmLabel={t('team.remove.yes')}
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(undefined)}
      >
        <p>{t('team.remove.body')}</p>
      </Confirm>
    </section>
  );
}
