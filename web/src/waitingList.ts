// A sold-out tier's waiting list, as the site shows it: which tiers a buyer may
// wait for, and the API paths. Pure, so Vitest checks it.

/** What the API answers for a place in line. */
export interface WaitingPlace {
  eventId: string;
  tierId: string;
  quantity: number;
  joinedAt: string;
  /** 1 for the first in line. */
  position: number;
}

/** One tier's line, as its organizer sees it. */
export interface TierLine {
  tierId: string;
  tierName: string;
  waiting: number;
  first: { userId: string; quantity: number; joinedAt: string }[];
}

interface WaitableTier {
  id: string;
  remaining: number;
  seated?: boolean;
  hidden?: boolean;
}

/** Tiers a buyer may wait for: sold out (or, `alsoIds`, showing seats that the
 *  API said are its line's first), sold by quantity (seated tiers have no line
 *  yet), and listed (a presale is reached with its code, not a line). */
export function waitableTiers<T extends WaitableTier>(tiers: T[], alsoIds: string[] = []): T[] {
  return tiers.filter((tier) => (tier.remaining === 0 || alsoIds.includes(tier.id)) && !tier.seated && !tier.hidden);
}

export function placePath(eventId: string, tierId: string): string {
  return `/events/${encodeURIComponent(eventId)}/tiers/${encodeURIComponent(tierId)}/waiting-list`;
}

export function linesPath(eventId: string): string {
  return `/events/${encodeURIComponent(eventId)}/waiting-list`;
}

/** 1 to the tier's limit per order, for the quantity a waiter asks for. */
export function quantities(maxPerOrder: number): number[] {
  return Array.from({ length: Math.max(1, maxPerOrder) }, (_, i) => i + 1);
}

/** Everyone waiting for the event, over all its tiers. */
export function totalWaiting(lines: TierLine[]): number {
  return lines.reduce((sum, line) => sum + line.waiting, 0);
}
