import type { z } from 'zod';
import type { ContactFieldListReplySchema, ContactSchema, MauticContact } from '@switchboard/contracts';

type Contact = z.infer<typeof ContactSchema>;
type FieldList = z.infer<typeof ContactFieldListReplySchema>;

/** Switchboard's contact fields as Mautic's field objects, in Mautic's order (`fields.core`, /list/fields). */
const CORE_FIELDS = [
  { alias: 'firstname', label: 'First Name', type: 'text' },
  { alias: 'lastname', label: 'Last Name', type: 'text' },
  { alias: 'email', label: 'Email', type: 'email' },
  { alias: 'mobile', label: 'Mobile', type: 'tel' },
  { alias: 'country', label: 'Country', type: 'country' },
  { alias: 'timezone', label: 'Timezone', type: 'timezone' },
  { alias: 'locale', label: 'Preferred Locale', type: 'locale' },
  { alias: 'twitterHandle', label: 'Twitter', type: 'text' },
  { alias: 'preferredChannel', label: 'Preferred Channel', type: 'select' },
] as const satisfies readonly { alias: keyof Contact; label: string; type: string }[];

/** Mautic puts fields made without a group in `core`. */
const GROUP = 'core';

const label = (alias: string) =>
  alias
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/^\w/, (c) => c.toUpperCase());

function customType(value: unknown): string {
  return typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text';
}

/** A contact in the REST API's shape (DESIGN §7.3): Mautic's `fields.all` / `fields.core` and its keys for what Switchboard does not keep. */
export function toMauticContact(contact: Contact): MauticContact {
  const all: Record<string, unknown> = { id: contact.id };
  const core: MauticContact['fields']['core'] = {};
  for (const f of CORE_FIELDS) {
    all[f.alias] = contact[f.alias];
    core[f.alias] = { alias: f.alias, label: f.label, type: f.type, group: GROUP, value: contact[f.alias] };
  }
  for (const [alias, value] of Object.entries(contact.fields)) {
    if (alias in all) continue;
    all[alias] = value;
    core[alias] = { alias, label: label(alias), type: customType(value), group: GROUP, value };
  }
  return { ...contact, fields: { all, core }, points: 0, stage: null, owner: null, tags: [] };
}

/** Mautic's `GET /api/contacts/list/fields`: every field by id, the core ones first, then the custom ones as first given. */
export function fieldList(custom: { alias: string; type: string }[]): FieldList {
  const fields = [
    ...CORE_FIELDS,
    ...custom
      .filter((c) => !CORE_FIELDS.some((f) => f.alias === c.alias))
      .map((c) => ({ alias: c.alias, label: label(c.alias), type: c.type })),
  ];
  return Object.fromEntries(
    fields.map((f, i) => [
      String(i + 1),
      {
        id: i + 1,
        label: f.label,
        alias: f.alias,
        type: f.type,
        group: GROUP,
        order: i + 1,
        object: 'lead' as const,
        defaultValue: null,
        isRequired: false,
        isPubliclyUpdatable: false,
        isUniqueIdentifier: f.alias === 'email',
        properties: [],
      },
    ]),
  );
}
