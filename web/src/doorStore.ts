// What a door scanner keeps on the device (IndexedDB), so it goes on with no network
// and after a reload: the event's door settings and key, its ticket list (with this
// scanner's own admissions), the offline admissions waiting for the server, and the
// server's later verdicts on them. No session token is ever kept here.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DoorConfig, DoorTicket, LaterVerdict, QueuedScan } from './door';

interface DoorDb extends DBSchema {
  config: { key: string; value: DoorConfig & { downloadedAt: string } };
  tickets: { key: [string, string]; value: DoorTicket & { eventId: string }; indexes: { byEvent: string } };
  queue: { key: string; value: QueuedScan & { eventId: string }; indexes: { byEvent: string } };
  later: { key: string; value: LaterVerdict & { eventId: string }; indexes: { byEvent: string } };
}

let db: Promise<IDBPDatabase<DoorDb>> | undefined;

function open(): Promise<IDBPDatabase<DoorDb>> {
  db ??= openDB<DoorDb>('door', 1, {
    upgrade(d) {
      d.createObjectStore('config', { keyPath: 'eventId' });
      d.createObjectStore('tickets', { keyPath: ['eventId', 'code'] }).createIndex('byEvent', 'eventId');
      d.createObjectStore('queue', { keyPath: 'scanId' }).createIndex('byEvent', 'eventId');
      d.createObjectStore('later', { keyPath: 'scanId' }).createIndex('byEvent', 'eventId');
    },
  });
  return db;
}

export async function loadConfig(eventId: string): Promise<(DoorConfig & { downloadedAt: string }) | undefined> {
  return (await open()).get('config', eventId);
}

export async function loadTickets(eventId: string): Promise<DoorTicket[]> {
  return (await open()).getAllFromIndex('tickets', 'byEvent', eventId);
}

export async function getTicket(eventId: string, code: string): Promise<DoorTicket | undefined> {
  return (await open()).get('tickets', [eventId, code]);
}

export async function putTicket(eventId: string, ticket: DoorTicket): Promise<void> {
  await (await open()).put('tickets', { ...ticket, eventId });
}

/** A complete download: the settings and the list replace what was kept, in one transaction. */
export async function saveDownload(config: DoorConfig, tickets: DoorTicket[]): Promise<void> {
  const d = await open();
  const tx = d.transaction(['config', 'tickets'], 'readwrite');
  const store = tx.objectStore('tickets');
  let cursor = await store.index('byEvent').openKeyCursor(IDBKeyRange.only(config.eventId));
  while (cursor) {
    await store.delete(cursor.primaryKey);
    cursor = await cursor.continue();
  }
  for (const t of tickets) await store.put({ ...t, eventId: config.eventId });
  await tx.objectStore('config').put({ ...config, downloadedAt: new Date().toISOString() });
  await tx.done;
}

export async function loadQueue(eventId: string): Promise<QueuedScan[]> {
  const rows = await (await open()).getAllFromIndex('queue', 'byEvent', eventId);
  return rows.map(({ eventId: _, ...scan }) => scan);
}

/** An offline admission and the ticket's new state, together. */
export async function queueAdmission(eventId: string, scan: QueuedScan, ticket: DoorTicket): Promise<void> {
  const d = await open();
  const tx = d.transaction(['queue', 'tickets'], 'readwrite');
  await tx.objectStore('queue').put({ ...scan, eventId });
  await tx.objectStore('tickets').put({ ...ticket, eventId });
  await tx.done;
}

/** The server answered these scans: they leave the queue; its refusals are kept to show. */
export async function settleQueue(eventId: string, answered: string[], later: LaterVerdict[]): Promise<void> {
  const d = await open();
  const tx = d.transaction(['queue', 'later'], 'readwrite');
  for (const scanId of answered) await tx.objectStore('queue').delete(scanId);
  for (const verdict of later) await tx.objectStore('later').put({ ...verdict, eventId });
  await tx.done;
}

export async function loadLater(eventId: string): Promise<LaterVerdict[]> {
  const rows = await (await open()).getAllFromIndex('later', 'byEvent', eventId);
  return rows.map(({ eventId: _, ...v }) => v).sort((a, b) => b.scannedAt.localeCompare(a.scannedAt));
}

/** Everything kept for an event except the scans still waiting for the server. */
export async function forget(eventId: string): Promise<void> {
  const d = await open();
  const tx = d.transaction(['config', 'tickets', 'later'], 'readwrite');
  await tx.objectStore('config').delete(eventId);
  for (const name of ['tickets', 'later'] as const) {
    const store = tx.objectStore(name);
    let cursor = await store.index('byEvent').openKeyCursor(IDBKeyRange.only(eventId));
    while (cursor) {
      await store.delete(cursor.primaryKey);
      cursor = await cursor.continue();
    }
  }
  await tx.done;
}
