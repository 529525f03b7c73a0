// Files the site saves for people (tickets as PDF, the event in their calendar): a
// name made from the event's title, and the save itself through a Blob URL.

/** "Cup Final: Lyon v Marseille" → "cup-final-lyon-v-marseille" (accents dropped, 60 characters at most). */
export function slug(title: string): string {
  const text = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return text || 'event';
}

export function ticketsFileName(eventTitle: string): string {
  return `tickets-${slug(eventTitle)}.pdf`;
}

export function calendarFileName(eventTitle: string): string {
  return `${slug(eventTitle)}.ics`;
}

/** Saves a body under a file name, as a download (the link is never on the page). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
