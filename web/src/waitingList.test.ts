import { describe, expect, it } from 'vitest';
import { linesPath, placePath, quantities, totalWaiting, waitableTiers } from './waitingList';

describe('waiting lists', () => {
  it('offers a line only for listed, sold-out tiers sold by quantity', () => {
    const tiers = [
      { id: 'a', remaining: 0 },
      { id: 'b', remaining: 3 },
      { id: 'c', remaining: 0, seated: true },
      { id: 'd', remaining: 0, hidden: true },
    ];
    expect(waitableTiers(tiers).map((t) => t.id)).toEqual(['a']);
    // Seats showing that the API said are the line's first.
    expect(waitableTiers(tiers, ['b']).map((t) => t.id)).toEqual(['a', 'b']);
  });

  it('builds the API paths with the ids escaped', () => {
    expect(placePath('e 1', 't/2')).toBe('/events/e%201/tiers/t%2F2/waiting-list');
    expect(linesPath('e1')).toBe('/events/e1/waiting-list');
  });

  it('asks for 1 to the limit per order, and sums the lines', () => {
    expect(quantities(3)).toEqual([1, 2, 3]);
    expect(quantities(0)).toEqual([1]);
    expect(totalWaiting([{ tierId: 'a', tierName: 'A', waiting: 2, first: [] }, { tierId: 'b', tierName: 'B', waiting: 5, first: [] }])).toBe(7);
  });
});
