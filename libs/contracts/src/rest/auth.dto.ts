import { z } from 'zod';

/** POST /oauth/v2/token (form or JSON). */
export const TokenRequestSchema = z.object({
  grant_type: z.string({ error: 'A grant_type is required.' }),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});
export type TokenRequest = z.infer<typeof TokenRequestSchema>;

export const TokenResponseSchema = z.object({
  access_token: z.string(),
  expires_in: z.number().int(),
  token_type: z.literal('bearer'),
  scope: z.null(),
});

/**
 * DESIGN §7.4: `admin` everything, `marketer` content, audiences, campaigns and contacts (may
 * submit), `approver` approves or rejects, `viewer` reads. Every role reads.
 */
export const ROLES = ['admin', 'marketer', 'approver', 'viewer'] as const;
export const RoleSchema = z.enum(ROLES, { error: 'A role is one of admin, marketer, approver, viewer.' });
export type Role = z.infer<typeof RoleSchema>;

/** POST /api/clients/new */
export const ClientInputSchema = z.object({
  name: z.string({ error: 'A name is required.' }).trim().min(1, 'A name is required.').max(191),
  /** API clients act for integrations (Mautic's clients write contacts): marketer unless given. */
  role: RoleSchema.default('marketer'),
});

export const ApiClientSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  clientId: z.string(),
  /** Only in the response that created the client; stored as a hash. */
  clientSecret: z.string().optional(),
  dateAdded: z.string(),
  createdBy: z.number().int().nullable(),
  role: RoleSchema,
});
export type ApiClientView = z.infer<typeof ApiClientSchema>;

const PasswordSchema = z
  .string({ error: 'A password is required.' })
  .min(8, 'A password has at least 8 characters.')
  .max(1024);

/** POST /api/users/new. `isAdmin: true` (the older shape) means `role: admin`; default viewer. */
export const UserInputSchema = z
  .object({
    username: z
      .string({ error: 'A username is required.' })
      .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'A username is 1-64 of A-Z a-z 0-9 . _ @ -'),
    password: PasswordSchema,
    role: RoleSchema.optional(),
    isAdmin: z.boolean().optional(),
    disabled: z.boolean().default(false),
  })
  .transform(({ isAdmin, role, ...rest }) => ({ ...rest, role: role ?? (isAdmin ? 'admin' : 'viewer') }) as const);
export type UserInput = z.output<typeof UserInputSchema>;

/** PATCH /api/users/{id}/edit (admin): the fields given change. */
export const UserPatchSchema = z.object({
  role: RoleSchema.optional(),
  disabled: z.boolean().optional(),
  password: PasswordSchema.optional(),
});
export type UserPatch = z.infer<typeof UserPatchSchema>;

/** POST /api/users/self/password: any user changes their own password. */
export const PasswordChangeSchema = z.object({
  currentPassword: z.string({ error: 'The current password is required.' }).max(1024),
  newPassword: PasswordSchema,
});

export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: RoleSchema,
  isAdmin: z.boolean(),
  disabled: z.boolean(),
  dateAdded: z.string(),
});
export type UserView = z.infer<typeof UserSchema>;
