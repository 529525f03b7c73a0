// The waiting room, as a waiting page sees it: its own place (from /queue/me, asked
// rarely) and the room's public status (from /queue, cached by CloudFront, asked
// often). Whether it is our turn follows from the two without asking the server.

import { t } from './i18n';

export interface QueuePlace {
  eventId: string;
  status: 'pre_queue' | 'waiting' | 'admitted' | 'abandoned';
  position: number | null;
  ahead: number | null;
  estimatedWaitSeconds: number | null;
  opensAt: string;
  admissionToken: string | null;
  admissionTokenExpiresAt: string | null;
}

export interface RoomStatus {
  status: 'before_opening' | 'open' | 'closed';
  opensAt: string;
  admitPerMinute: number;
  admittedThrough: number;
  /** Seats left as last summarised: 0 means sold out for now. */
  seatsLeft: number;
}

/** Seconds between asks of the room's public (cached) status. */
export const ROOM_POLL_SECONDS = 3;
/** Seconds between asks of our own place: what keeps it alive (well within 90 s). */
export const PLACE_POLL_SECONDS = 15;

/** Whether to ask for our own place now: our turn has come by the public status,
 *  the order was drawn (the sale opened), or it is time to show we are still here. */
export function shouldAskPlace(place: QueuePlace, room: RoomStatus | undefined, secondsSinceAsked: number): boolean {
  if (secondsSinceAsked >= PLACE_POLL_SECONDS) return true;
  if (!room || room.status !== 'open') return false;
  if (place.status === 'pre_queue') return true;
  return place.status === 'waiting' && place.position !== null && room.admittedThrough >= place.position;
}

/** What the page says while we wait. */
export function waitingText(place: QueuePlace, room: RoomStatus | undefined): string {
  if (place.status === 'pre_queue') return t('queue.preQueue');
  if (place.status === 'abandoned') return t('queue.abandoned');
  if (place.status === 'admitted') return t('queue.admitted');
  if (room && room.status === 'open' && room.seatsLeft === 0) return t('queue.soldOutForNow');
  const ahead = place.position !== null && room ? Math.max(0, place.position - room.admittedThrough - 1) : place.ahead;
  const seconds =
    place.position !== null && room
      ? Math.max(0, Math.ceil(((place.position - room.admittedThrough) * 60) / Math.max(1, room.admitPerMinute)))
      : place.estimatedWaitSeconds;
  return t('queue.waiting', {
    position: place.position ?? '…',
    ahead: ahead === null || ahead === undefined ? '…' : ahead,
    wait: aboutTime(seconds ?? 0),
  });
}

export function aboutTime(seconds: number): string {
  if (seconds < 60) return t('time.lessThanMinute');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t('time.aboutMinutes', { count: minutes });
  return t('time.aboutHours', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}
