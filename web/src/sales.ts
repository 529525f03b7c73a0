// An organizer's sales view per tier, from the event (capacity, remaining) and its
// confirmed participants: sold = seats confirmed, held = seats waiting for payment.

export interface TierStock {
  id: string;
  name: string;
  priceMinor: number;
  capacity: number;
  remaining: number;
}

export interface ParticipantLine {
  tierId: string;
  quantity: number;
}

export interface TierSales {
  id: string;
  name: string;
  sold: number;
  held: number;
  remaining: number;
  revenueMinor: number;
}

export function salesByTier(tiers: TierStock[], participants: ParticipantLine[]): TierSales[] {
  const sold = new Map<string, number>();
  for (const p of participants) sold.set(p.tierId, (sold.get(p.tierId) ?? 0) + p.quantity);
  return tiers.map((tier) => {
    const seatsSold = sold.get(tier.id) ?? 0;
    // Sold and remaining are read a moment apart: never show a negative hold.
    const held = Math.max(0, tier.capacity - tier.remaining - seatsSold);
    return { id: tier.id, name: tier.name, sold: seatsSold, held, remaining: tier.remaining, revenueMinor: seatsSold * tier.priceMinor };
  });
}

export function totals(rows: TierSales[]): Omit<TierSales, 'id' | 'name'> {
  return rows.reduce(
    (sum, r) => ({
      sold: sum.sold + r.sold,
      held: sum.held + r.held,
      remaining: sum.remaining + r.remaining,
      revenueMinor: sum.revenueMinor + r.revenueMinor,
    }),
    { sold: 0, held: 0, remaining: 0, revenueMinor: 0 },
  );
}

/** CSV pages of one export as one file: the header once, then every page's rows. */
export function joinCsvPages(pages: string[]): string {
  const [first = '', ...rest] = pages;
  const body = rest.map((page) => page.slice(page.indexOf('\n') + 1)).filter((rows) => rows.length > 0);
  const head = first.endsWith('\n') || first === '' ? first : `${first}\n`;
  return head + body.map((rows) => (rows.endsWith('\n') ? rows : `${rows}\n`)).join('');
}
