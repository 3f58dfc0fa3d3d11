import type { Actor } from '@switchboard/contracts';

/** ISO 8601 with an explicit UTC offset (`2024-05-01T10:30:00+00:00`), as Mautic prints dates. */
export function formatDate(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** The audit columns every catalog table has, selected under their camelCase names. */
export function auditSelect(alias: string): string {
  return `${alias}.is_published AS "isPublished", ${alias}.date_added AS "dateAdded", ${alias}.date_modified AS "dateModified",
    ${alias}.created_by AS "createdBy", ${alias}.created_by_user AS "createdByUser", ${alias}.modified_by AS "modifiedBy",
    ${alias}.modified_by_user AS "modifiedByUser", ${alias}.id, ${alias}.version`;
}

/** What an INSERT or UPDATE of an item returns: its id and its new version. */
export interface SavedRow {
  id: number;
  version: number;
}

export interface AuditRow {
  id: number;
  version: number;
  isPublished: boolean;
  dateAdded: Date;
  dateModified: Date | null;
  createdBy: number | null;
  createdByUser: string | null;
  modifiedBy: number | null;
  modifiedByUser: string | null;
}

/** The leading keys of every item, in Mautic's order. */
export function auditView(row: AuditRow) {
  return {
    isPublished: row.isPublished,
    dateAdded: formatDate(row.dateAdded),
    dateModified: formatDate(row.dateModified),
    createdBy: row.createdBy,
    createdByUser: row.createdByUser,
    modifiedBy: row.modifiedBy,
    modifiedByUser: row.modifiedByUser,
  };
}

export interface CategoryRef {
  id: number;
  title: string;
  alias: string | null;
  description: string | null;
  color: string | null;
  bundle: string;
}

/** A JSON column holding the item's category (or null), built in the same statement. */
export function categorySelect(alias: string): string {
  return `CASE WHEN ${alias}.id IS NULL THEN NULL ELSE json_build_object('id', ${alias}.id, 'title', ${alias}.title, 'alias', ${alias}.alias,
    'description', ${alias}.description, 'color', ${alias}.color, 'bundle', ${alias}.bundle) END AS category`;
}

export function actorId(actor: Actor): number | null {
  return actor.id;
}

/** Postgres error codes worth mapping. */
export const PG = { foreignKeyViolation: '23503', uniqueViolation: '23505' } as const;

export function pgCode(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e.driverError?.code ?? e.code;
}
