// An organizer's team, as the site shows it: who may open the organizer's pages,
// and the words for each part. Pure, so Vitest checks it.

import type { Key } from './i18n';

export type TeamRole = 'manager' | 'viewer' | 'door';

export interface Member {
  userId: string;
  email: string;
  displayName: string;
  role: TeamRole;
  addedAt: string;
}

export const TEAM_ROLES: TeamRole[] = ['manager', 'viewer', 'door'];

export const ROLE_LABEL = {
  manager: 'team.role.manager',
  viewer: 'team.role.viewer',
  door: 'team.role.door',
} as const satisfies Record<TeamRole, Key>;

interface WithTeam {
  role: string;
  team?: { organizationId: string; role: TeamRole } | null;
}

/** Whether the account runs events: its own as an organizer or admin, or its team's. */
export function worksOnEvents(profile?: WithTeam): boolean {
  return !!profile && (profile.role === 'organizer' || profile.role === 'admin' || !!profile.team);
}

/** Whether the account may create and edit events (not a viewer or door member). */
export function managesEvents(profile?: WithTeam): boolean {
  return !!profile && (profile.role === 'organizer' || profile.role === 'admin' || profile.team?.role === 'manager');
}

/** Whether the account has a team of its own to run. */
export function runsTeam(profile?: WithTeam): boolean {
  return !!profile && (profile.role === 'organizer' || profile.role === 'admin');
}
