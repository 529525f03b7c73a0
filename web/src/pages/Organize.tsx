// An organizer's events, in every status.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Loading, Notice, Title } from '../components';
import type { OrganizerEvent } from '../eventForm';
import { formatEventTime } from '../format';
import { t, type Key } from '../i18n';
import type { Profile } from '../session';
import { managesEvents, ROLE_LABEL, runsTeam, worksOnEvents } from '../team';

export const STATUS_LABEL = {
  draft: 'eventStatus.draft',
  published: 'eventStatus.published',
  cancelled: 'eventStatus.cancelled',
  completed: 'eventStatus.completed',
} as const satisfies Record<OrganizerEvent['status'], Key>;

export function NotOrganizer({ profile }: { profile?: Profile }) {
  return (
    <section>
      <Title text={t('organize.only.title')} />
      {profile ? (
        <p>{t('organize.only.attendee')}</p>
      ) : (
        <p>
          <a href={`/signin?next=${encodeURIComponent(window.location.pathname)}`}>{t('organize.only.signIn.link')}</a>{' '}
          {t('organize.only.signIn.rest')}
        </p>
      )}
    </section>
  );
}

export function Organize({ profile }: { profile?: Profile }) {
  const [events, setEvents] = useState<OrganizerEvent[]>();
  const [error, setError] = useState<string>();
  const allowed = worksOnEvents(profile);
  useEffect(() => {
    if (!allowed) return;
    request<{ items: OrganizerEvent[] }>('/organizers/me/events?limit=50')
      .then((page) => setEvents(page.items))
      .catch((e: ApiError) => setError(e.message));
  }, [profile?.id, allowed]);
  if (!allowed) return <NotOrganizer profile={profile} />;
  return (
    <section>
      <Title text={t('organize.title')} />
      {profile?.team && runsTeam(profile) === false && <p>{t('team.youAre', { role: t(ROLE_LABEL[profile.team.role]) })}</p>}
      <p>
        {managesEvents(profile) && (
          <a class="button" href="/organize/new">
            {t('organize.new')}
          </a>
        )}{' '}
        {runsTeam(profile) && (
          <>
            <a class="button secondary" href="/organize/webhooks">
              {t('webhooks.title')}
            </a>{' '}
            <a class="button secondary" href="/organize/team">
              {t('team.title')}
            </a>
          </>
        )}
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      {!events && !error && <Loading text={t('organize.loading')} />}
      {events && events.length === 0 && <p>{t('organize.none')}</p>}
      {events && events.length > 0 && (
        <table class="list">
          <caption class="visually-hidden">{t('organize.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('organize.col.event')}</th>
              <th scope="col">{t('organize.col.status')}</th>
              <th scope="col">{t('organize.col.starts')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <th scope="row">
                  <a href={`/organize/${e.id}`}>{e.title}</a>
                </th>
                <td>
                  <span class={`badge status-${e.status}`}>{t(STATUS_LABEL[e.status])}</span>
                </td>
                <td>{formatEventTime(e.startsAt, e.timezone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
