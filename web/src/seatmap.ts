// The seat map's logic, apart from the page: names a screen reader reads, where a
// seat sits on the drawing, which seat the arrow keys move to, and the picked set.

import { t, type Key } from './i18n';

export type SeatStatus = 'available' | 'held' | 'sold' | 'blocked';

export interface SeatView {
  id: string;
  label: string;
  x: number;
  y: number;
  status: SeatStatus;
  accessible?: boolean;
  restrictedView?: boolean;
}

export interface RowView {
  number: number;
  label: string;
  seatCount?: number;
  /** Left out of a large map's outline (read a section at a time). */
  seats: SeatView[];
}

export interface SectionView {
  number: number;
  name: string;
  tierId: string;
  rows: RowView[];
}

export interface SeatMapView {
  eventId: string;
  version: number;
  seatCount: number;
  /** A large map answered whole lists its sections and rows without their seats. */
  outline?: boolean;
  sections: SectionView[];
}

/** Where the keyboard is on a section: a row's index and a seat's index in it. */
export interface Cursor {
  row: number;
  seat: number;
}

/** "Nord, row C, seat 12": what tickets and emails say too. */
export function seatName(section: SectionView, row: RowView, seat: SeatView): string {
  return t('seat.name', { section: section.name, row: row.label, seat: seat.label });
}

/**
 * What a screen reader announces for a seat: its name, price, flags and whether it is
 * free (a buyer hears "taken"; its organizer hears held, sold or blocked).
 */
export function seatLabel(section: SectionView, row: RowView, seat: SeatView, price: string, organizer = false): string {
  const parts = [seatName(section, row, seat), price];
  if (seat.accessible) parts.push(t('seat.wheelchair'));
  if (seat.restrictedView) parts.push(t('seat.restrictedView'));
  if (seat.status !== 'available') parts.push(t(organizer ? SEAT_STATUS[seat.status] : 'seat.taken'));
  return parts.join(', ');
}

const SEAT_STATUS = {
  available: 'seat.available',
  held: 'seat.held',
  sold: 'seat.sold',
  blocked: 'seat.blocked',
} as const satisfies Record<SeatStatus, Key>;

/** Which seats can be picked: a buyer's free ones; an organizer's free and blocked ones (to block or give back). */
export function pickable(status: SeatStatus, organizer = false): boolean {
  return status === 'available' || (organizer && status === 'blocked');
}

/** An organizer's picked seats as the seat-blocks request: free ones blocked, blocked ones given back. */
export function blockRequest(picked: string[], statusOf: (id: string) => SeatStatus | undefined): { block: string[]; unblock: string[] } {
  return {
    block: picked.filter((id) => statusOf(id) === 'available'),
    unblock: picked.filter((id) => statusOf(id) === 'blocked'),
  };
}

/** The drawing's box around a section's seats, with a seat's room at the edges. */
export function viewBox(section: SectionView, margin = 10): string {
  const seats = section.rows.flatMap((r) => r.seats);
  if (seats.length === 0) return '0 0 100 100';
  const xs = seats.map((s) => s.x);
  const ys = seats.map((s) => s.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return `${minX - margin} ${minY - margin} ${maxX - minX + 2 * margin} ${maxY - minY + 2 * margin}`;
}

/** A seat's drawing radius: a little under half the closest spacing of neighbours in a row. */
export function seatRadius(section: SectionView): number {
  let closest = Infinity;
  for (const row of section.rows) {
    for (let i = 1; i < row.seats.length; i++) {
      const a = row.seats[i - 1];
      const b = row.seats[i];
      const d = Math.hypot(b.x - a.x, b.y - a.y);
      if (d > 0) closest = Math.min(closest, d);
    }
  }
  return Number.isFinite(closest) ? closest * 0.4 : 4;
}

/**
 * Where an arrow key (or Home, End) moves the keyboard on a section: along the row,
 * or to the nearest seat (by its place on the drawing) of the row before or after.
 */
export function moveCursor(section: SectionView, at: Cursor, key: string): Cursor {
  const rows = section.rows;
  const row = rows[at.row];
  if (!row) return { row: 0, seat: 0 };
  const last = row.seats.length - 1;
  switch (key) {
    case 'ArrowLeft':
      return { row: at.row, seat: Math.max(0, at.seat - 1) };
    case 'ArrowRight':
      return { row: at.row, seat: Math.min(last, at.seat + 1) };
    case 'Home':
      return { row: at.row, seat: 0 };
    case 'End':
      return { row: at.row, seat: last };
    case 'ArrowUp':
    case 'ArrowDown': {
      const next = at.row + (key === 'ArrowUp' ? -1 : 1);
      if (next < 0 || next >= rows.length) return at;
      const from = row.seats[at.seat];
      let best = 0;
      rows[next].seats.forEach((seat, i) => {
        if (Math.abs(seat.x - from.x) < Math.abs(rows[next].seats[best].x - from.x)) best = i;
      });
      return { row: next, seat: best };
    }
    default:
      return at;
  }
}

/** The picked seats after a click on `id`: off if picked, on if there is room for it. */
export function togglePick(picked: string[], id: string, max: number): string[] {
  if (picked.includes(id)) return picked.filter((p) => p !== id);
  return picked.length < max ? [...picked, id] : picked;
}

/** The sections of one tier. */
export function sectionsOf(map: SeatMapView, tierId: string): SectionView[] {
  return map.sections.filter((s) => s.tierId === tierId);
}
