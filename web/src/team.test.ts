import { describe, expect, it } from 'vitest';
import { managesEvents, runsTeam, worksOnEvents } from './team';

describe('teams', () => {
  it('lets a team member into the organizer pages, as their part allows', () => {
    const organizer = { role: 'organizer' };
    const attendee = { role: 'attendee' };
    const manager = { role: 'attendee', team: { organizationId: 'o1', role: 'manager' as const } };
    const viewer = { role: 'attendee', team: { organizationId: 'o1', role: 'viewer' as const } };
    const door = { role: 'attendee', team: { organizationId: 'o1', role: 'door' as const } };
    expect([organizer, attendee, manager, viewer, door].map(worksOnEvents)).toEqual([true, false, true, true, true]);
    expect([organizer, attendee, manager, viewer, door].map(managesEvents)).toEqual([true, false, true, false, false]);
    expect([organizer, attendee, manager, viewer, door].map(runsTeam)).toEqual([true, false, false, false, false]);
    expect(worksOnEvents(undefined)).toBe(false);
  });
});
