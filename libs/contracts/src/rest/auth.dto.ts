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

/** POST /api/clients/new */
export const ClientInputSchema = z.object({
  name: z.string({ error: 'A name is required.' }).trim().min(1, 'A name is required.').max(191),
});

export const ApiClientSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  clientId: z.string(),
  /** Only in the response that created the client; stored as a hash. */
  clientSecret: z.string().optional(),
  dateAdded: z.string(),
  createdBy: z.number().int().nullable(),
});
export type ApiClientView = z.infer<typeof ApiClientSchema>;

/** POST /api/users/new */
export const UserInputSchema = z.object({
  username: z
    .string({ error: 'A username is required.' })
    .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'A username is 1-64 of A-Z a-z 0-9 . _ @ -'),
  password: z.string({ error: 'A password is required.' }).min(8, 'A password has at least 8 characters.').max(1024),
  isAdmin: z.boolean().default(false),
});

export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  isAdmin: z.boolean(),
  dateAdded: z.string(),
});
export type UserView = z.infer<typeof UserSchema>;
