// An organizer's events, in every status.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Loading, Notice, Title } from '../components';
import type { OrganizerEvent } from '../eventForm';
import { formatEventTime } from '../format';
import type { Profile } from '../session';

export const STATUS_LABEL: Record<OrganizerEvent['status'], string> = {
  draft: 'Draft',
  published: 'On sale',
  cancelled: 'Cancelled',
  completed: 'Completed',
};

export function NotOrganizer({ profile }: { profile?: Profile }) {
  return (
    <section>
      <Title text="Organizers only" />
      {profile ? (
        <p>Your account is an attendee account. An administrator can make you an organizer.</p>
      ) : (
        <p>
          <a href={`/signin?next=${encodeURIComponent(window.location.pathname)}`}>Sign in</a> with an organizer account.
        </p>
      )}
    </section>
  );
}

export function Organize({ profile }: { profile?: Profile }) {
  const [events, setEvents] = useState<OrganizerEvent[]>();
  const [error, setError] = useState<string>();
  const allowed = profile?.role === 'organizer' || profile?.role === 'admin';
  useEffect(() => {
    if (!allowed) return;
    request<{ items: OrganizerEvent[] }>('/organizers/me/events?limit=50')
      .then((page) => setEvents(page.items))
      .catch((e: ApiError) => setError(e.message));
  }, [profile?.id, allowed]);
  if (!allowed) return <NotOrganizer profile={profile} />;
  return (
    <section>
      <Title text="My events" />
      <p>
        <a class="button" href="/organize/new">
          New event
        </a>
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      {!events && !error && <Loading what="your events" />}
      {events && events.length === 0 && <p>No events yet.</p>}
      {events && events.length > 0 && (
        <table class="list">
          <caption class="visually-hidden">Your events</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Starts</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <th scope="row">
                  <a href={`/organize/${e.id}`}>{e.title}</a>
                </th>
                <td>
                  <span class={`badge status-${e.status}`}>{STATUS_LABEL[e.status]}</span>
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
