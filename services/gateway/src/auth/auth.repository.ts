import { Injectable } from '@nestjs/common';
import type { Role } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { execute, returning } from '@switchboard/persistence';

export interface UserRow {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
  disabled: boolean;
  dateAdded: Date;
}

export interface ClientRow {
  id: number;
  name: string;
  clientId: string;
  secretHash: string;
  createdBy: number | null;
  role: Role;
  dateAdded: Date;
}

const USER_COLUMNS = 'id, username, password_hash AS "passwordHash", role, disabled, date_added AS "dateAdded"';
const CLIENT_COLUMNS =
  'id, name, client_id AS "clientId", secret_hash AS "secretHash", created_by AS "createdBy", role, date_added AS "dateAdded"';

/** The client an access token belongs to, with the token's expiry. */
type TokenClientRow = ClientRow & { expiresAt: Date };

interface CountRow {
  count: number;
}

export interface UserChanges {
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
}

/** Users, API clients and access tokens in the `gateway` schema. */
@Injectable()
export class AuthRepository {
  constructor(private readonly ds: DataSource) {}

  /** Usernames are case-insensitive (a unique index on lower(username)). */
  async findUser(username: string): Promise<UserRow | undefined> {
    const rows = await this.ds.query<UserRow[]>(
      `SELECT ${USER_COLUMNS} FROM gateway.users WHERE lower(username) = lower($1)`,
      [username],
    );
    return rows[0];
  }

  async findUserById(id: number): Promise<UserRow | undefined> {
    const rows = await this.ds.query<UserRow[]>(`SELECT ${USER_COLUMNS} FROM gateway.users WHERE id = $1`, [id]);
    return rows[0];
  }

  async updateUser(id: number, changes: UserChanges): Promise<UserRow | undefined> {
    const rows = await returning<UserRow>(
      this.ds,
      `UPDATE gateway.users
          SET role = COALESCE($2, role), disabled = COALESCE($3, disabled), password_hash = COALESCE($4, password_hash)
        WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [id, changes.role ?? null, changes.disabled ?? null, changes.passwordHash ?? null],
    );
    return rows[0];
  }

  async listUsers(): Promise<UserRow[]> {
    return this.ds.query<UserRow[]>(`SELECT ${USER_COLUMNS} FROM gateway.users ORDER BY id`);
  }

  async countUsers(): Promise<number> {
    const [{ count }] = await this.ds.query<CountRow[]>('SELECT count(*)::int AS count FROM gateway.users');
    return count;
  }

  /** Inserts unless the username exists; undefined when it did. */
  async insertUser(username: string, passwordHash: string, role: Role, disabled = false): Promise<UserRow | undefined> {
    const rows = await this.ds.query<UserRow[]>(
      `INSERT INTO gateway.users (username, password_hash, role, disabled) VALUES ($1, $2, $3, $4)
       ON CONFLICT ((lower(username))) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [username, passwordHash, role, disabled],
    );
    return rows[0];
  }

  /** Inserts only while the table is empty (the first boot's generated admin). */
  async insertFirstUser(username: string, passwordHash: string): Promise<UserRow | undefined> {
    const rows = await this.ds.query<UserRow[]>(
      `INSERT INTO gateway.users (username, password_hash, role)
       SELECT $1, $2, 'admin' WHERE NOT EXISTS (SELECT 1 FROM gateway.users)
       ON CONFLICT ((lower(username))) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [username, passwordHash],
    );
    return rows[0];
  }

  async insertClient(
    name: string,
    clientId: string,
    secretHash: string,
    createdBy: number | null,
    role: Role,
  ): Promise<ClientRow> {
    const rows = await this.ds.query<ClientRow[]>(
      `INSERT INTO gateway.api_clients (name, client_id, secret_hash, created_by, role) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${CLIENT_COLUMNS}`,
      [name, clientId, secretHash, createdBy, role],
    );
    return rows[0];
  }

  async findClientByClientId(clientId: string): Promise<ClientRow | undefined> {
    const rows = await this.ds.query<ClientRow[]>(
      `SELECT ${CLIENT_COLUMNS} FROM gateway.api_clients WHERE client_id = $1`,
      [clientId],
    );
    return rows[0];
  }

  async listClients(): Promise<ClientRow[]> {
    return this.ds.query<ClientRow[]>(`SELECT ${CLIENT_COLUMNS} FROM gateway.api_clients ORDER BY id`);
  }

  async deleteClient(id: number): Promise<ClientRow | undefined> {
    const rows = await returning<ClientRow>(
      this.ds,
      `DELETE FROM gateway.api_clients WHERE id = $1 RETURNING ${CLIENT_COLUMNS}`,
      [id],
    );
    return rows[0];
  }

  async insertToken(tokenHash: string, clientId: number, expiresAt: Date): Promise<void> {
    await execute(
      this.ds,
      'INSERT INTO gateway.access_tokens (token_hash, client_id, expires_at) VALUES ($1, $2, $3)',
      [tokenHash, clientId, expiresAt],
    );
  }

  /** The client behind a live token. Expired tokens are removed on the way (cheaply, by index). */
  async findTokenClient(tokenHash: string): Promise<(ClientRow & { expiresAt: Date }) | undefined> {
    const rows = await this.ds.query<TokenClientRow[]>(
      `SELECT c.id, c.name, c.client_id AS "clientId", c.secret_hash AS "secretHash", c.created_by AS "createdBy",
              c.role, c.date_added AS "dateAdded", t.expires_at AS "expiresAt"
         FROM gateway.access_tokens t JOIN gateway.api_clients c ON c.id = t.client_id
        WHERE t.token_hash = $1 AND t.expires_at > now()`,
      [tokenHash],
    );
    return rows[0];
  }

  async deleteExpiredTokens(): Promise<void> {
    await execute(this.ds, 'DELETE FROM gateway.access_tokens WHERE expires_at <= now()');
  }
}
