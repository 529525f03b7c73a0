// The waiting room, as a waiting page sees it: its own place (from /queue/me, asked
// rarely) and the room's public status (from /queue, cached by CloudFront, asked
// often). Whether it is our turn follows from the two without asking the server.

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
  if (place.status === 'pre_queue') {
    return 'You are in the queue. Your place in line is drawn at random when the sale opens: arriving early gives no advantage, and nobody can skip ahead.';
  }
  if (place.status === 'abandoned') return 'Your place in the queue lapsed while this page was closed. Join again to get a new place.';
  if (place.status === 'admitted') return 'It is your turn: choose your seats.';
  if (room && room.status === 'open' && room.seatsLeft === 0) {
    return 'Sold out for now. Seats can come back as other buyers\' holds run out: keep this page open to keep your place.';
  }
  const ahead = place.position !== null && room ? Math.max(0, place.position - room.admittedThrough - 1) : place.ahead;
  const seconds =
    place.position !== null && room
      ? Math.max(0, Math.ceil(((place.position - room.admittedThrough) * 60) / Math.max(1, room.admitPerMinute)))
      : place.estimatedWaitSeconds;
  return `You are number ${place.position ?? '…'} in the queue, ${ahead ?? '…'} ahead of you. Estimated wait: ${aboutTime(seconds ?? 0)}. Keep this page open.`;
}

export function aboutTime(seconds: number): string {
  if (seconds < 60) return 'less than a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  return `about ${hours} h ${minutes % 60} min`;
}
