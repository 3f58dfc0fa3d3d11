import type { Dispatch } from '@switchboard/contracts';

export interface ContactLabel {
  contactId: string;
  email: string | null;
  name: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** What the deliveries search needs of a contact, read off a dispatch: its email and name. */
export function labelOf(dispatch: Dispatch): ContactLabel {
  const { address, fields, id } = dispatch.contact;
  const email = dispatch.channel === 'email' ? text(address) : text(fields.email);
  const name = [text(fields.firstname), text(fields.lastname)].filter(Boolean).join(' ') || text(fields.name);
  return { contactId: id, email, name };
}

/** One label per contact (the last of the batch wins, missing parts filled from earlier ones). */
export function mergeLabels(labels: ContactLabel[]): ContactLabel[] {
  const byContact = new Map<string, ContactLabel>();
  for (const l of labels) {
    const prev = byContact.get(l.contactId);
    byContact.set(
      l.contactId,
      prev ? { contactId: l.contactId, email: l.email ?? prev.email, name: l.name ?? prev.name } : l,
    );
  }
  return [...byContact.values()].sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0));
}
