import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type ApiClientView,
  type Role,
  type UserInput,
  type UserPatch,
  type UserView,
} from '@switchboard/contracts';
import { SERVICE_CONFIG } from '@switchboard/service-kit';
import { LOGGER, type Logger } from '@switchboard/telemetry';
import type { GatewayConfig } from '../gateway.config';
import { AuthRepository, type ClientRow, type UserRow } from './auth.repository';
import { LoginLimiter } from './login-limiter';
import { hashPassword, verifyPassword } from './password';
import type { Principal } from './public.decorator';

const CACHE_MAX_ENTRIES = 10_000;
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function unauthorized(message = 'Authorization is required.'): DomainError {
  return new DomainError(ErrorCode.Unauthorized, message);
}

/** Decodes `Basic base64(user:pass)`; undefined when malformed. */
export function parseBasic(header: string): { username: string; password: string } | undefined {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function userView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    isAdmin: row.role === 'admin',
    disabled: row.disabled,
    dateAdded: row.dateAdded.toISOString(),
  };
}

function clientView(row: ClientRow, clientSecret?: string): ApiClientView {
  return {
    id: row.id,
    name: row.name,
    clientId: row.clientId,
    ...(clientSecret ? { clientSecret } : {}),
    dateAdded: row.dateAdded.toISOString(),
    createdBy: row.createdBy,
    role: row.role,
  };
}

function usernameTaken(): DomainError {
  return new DomainError(ErrorCode.Conflict, 'username: This username is already taken.', {
    username: ['This username is already taken.'],
  });
}

/**
 * Authentication: HTTP Basic against users (scrypt) and OAuth2 client-credentials bearer tokens
 * (stored as SHA-256). A successful check is remembered briefly, keyed by a hash of the header, so
 * the slow hash does not cap throughput.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly cache = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly repo: AuthRepository,
    private readonly limiter: LoginLimiter,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The first admin: from SB_ADMIN_USER/SB_ADMIN_PASSWORD, or a random password printed once when no user exists. */
  async onApplicationBootstrap(): Promise<void> {
    const { adminUser, adminPassword } = this.config.auth;
    if (adminUser && adminPassword) {
      if (!(await this.repo.findUser(adminUser))) {
        const created = await this.repo.insertUser(adminUser, await hashPassword(adminPassword), 'admin');
        if (created) this.logger.info({ username: adminUser }, 'created the admin user from SB_ADMIN_USER');
      }
      return;
    }
    if ((await this.repo.countUsers()) > 0) return;
    const password = randomBytes(12).toString('base64url');
    const created = await this.repo.insertFirstUser('admin', await hashPassword(password));
    if (created) {
      this.logger.warn(
        `created user "admin" with password ${password} — shown once; set SB_ADMIN_USER/SB_ADMIN_PASSWORD to choose your own`,
      );
    }
  }

  /** `address` is the caller's IP, for the failed-login limits. */
  async authenticate(header: string | undefined, address = 'unknown'): Promise<Principal> {
    if (!header) throw unauthorized();
    const key = sha256(header);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    const { principal, expiresAt } = await this.check(header, address);
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, {
      principal,
      expiresAt: Math.min(expiresAt, Date.now() + this.config.auth.cacheSeconds * 1000),
    });
    return principal;
  }

  private async check(header: string, address: string): Promise<{ principal: Principal; expiresAt: number }> {
    const scheme = header.slice(0, 7).toLowerCase();
    if (scheme.startsWith('basic ')) {
      const creds = parseBasic(header);
      const keys = [`ip:${address}`, ...(creds ? [`user:${creds.username.toLowerCase()}`] : [])];
      await this.limiter.assertAllowed(keys);
      const user = creds && (await this.repo.findUser(creds.username));
      // An unknown user costs the same hash as a known one, so timing does not reveal usernames.
      const valid = creds ? await verifyPassword(creds.password, user?.passwordHash ?? DUMMY_HASH) : false;
      if (!creds || !user || !valid || user.disabled) {
        await this.limiter.failed(keys);
        throw unauthorized('Invalid credentials.');
      }
      await this.limiter.succeeded(keys[1]);
      return {
        principal: { kind: 'user', id: user.id, name: user.username, role: user.role, isAdmin: user.role === 'admin' },
        expiresAt: Infinity,
      };
    }
    if (scheme === 'bearer ') {
      const client = await this.repo.findTokenClient(sha256(header.slice(7).trim()));
      if (!client) throw unauthorized('The access token provided is invalid or has expired.');
      return {
        principal: {
          kind: 'client',
          id: client.id,
          name: client.name,
          role: client.role,
          isAdmin: client.role === 'admin',
        },
        expiresAt: client.expiresAt.getTime(),
      };
    }
    throw unauthorized('Unsupported authorization scheme (use Basic or Bearer).');
  }

  /** OAuth2 client_credentials: a new bearer token for a known client. */
  async issueToken(
    clientId: string | undefined,
    clientSecret: string | undefined,
    address = 'unknown',
  ): Promise<{ accessToken: string; expiresIn: number }> {
    if (!clientId || !clientSecret) throw unauthorized('Client credentials are required.');
    const keys = [`ip:${address}`, `client:${clientId}`];
    await this.limiter.assertAllowed(keys);
    const client = await this.repo.findClientByClientId(clientId);
    const given = Buffer.from(sha256(clientSecret));
    if (!client || !timingSafeEqual(Buffer.from(client.secretHash), given)) {
      await this.limiter.failed(keys);
      throw unauthorized('Invalid client credentials.');
    }
    await this.limiter.succeeded(keys[1]);
    const accessToken = randomBytes(32).toString('base64url');
    const expiresIn = this.config.auth.tokenTtlSeconds;
    await this.repo.insertToken(sha256(accessToken), client.id, new Date(Date.now() + expiresIn * 1000));
    return { accessToken, expiresIn };
  }

  async createClient(name: string, role: Role, principal: Principal | undefined): Promise<ApiClientView> {
    const clientId = randomBytes(18).toString('base64url');
    // Secrets are random and long: a fast hash is enough (unlike user-chosen passwords).
    const secret = randomBytes(32).toString('base64url');
    const row = await this.repo.insertClient(
      name,
      clientId,
      sha256(secret),
      principal?.kind === 'user' ? principal.id : null,
      role,
    );
    return clientView(row, secret);
  }

  async listClients(): Promise<ApiClientView[]> {
    return (await this.repo.listClients()).map((row) => clientView(row));
  }

  async deleteClient(id: number): Promise<ApiClientView> {
    const row = await this.repo.deleteClient(id);
    if (!row) throw DomainError.notFound();
    this.cache.clear();
    return clientView(row);
  }

  async createUser(input: UserInput): Promise<UserView> {
    const row = await this.repo.insertUser(
      input.username,
      await hashPassword(input.password),
      input.role,
      input.disabled,
    );
    if (!row) throw usernameTaken();
    return userView(row);
  }

  async listUsers(): Promise<UserView[]> {
    return (await this.repo.listUsers()).map(userView);
  }

  async getUser(id: number): Promise<UserView> {
    const row = await this.repo.findUserById(id);
    if (!row) throw DomainError.notFound();
    return userView(row);
  }

  /** An admin changes a user's role, disabled flag or password; cached logins end at once. */
  async updateUser(id: number, patch: UserPatch): Promise<UserView> {
    const row = await this.repo.updateUser(id, {
      role: patch.role,
      disabled: patch.disabled,
      passwordHash: patch.password === undefined ? undefined : await hashPassword(patch.password),
    });
    if (!row) throw DomainError.notFound();
    this.cache.clear();
    return userView(row);
  }

  /** A user changes their own password, proving the current one. */
  async changeOwnPassword(principal: Principal, currentPassword: string, newPassword: string): Promise<UserView> {
    if (principal.kind !== 'user') {
      throw new DomainError(ErrorCode.Forbidden, 'API clients have no password; ask an admin for a new client.');
    }
    const user = await this.repo.findUserById(principal.id);
    if (!user) throw DomainError.notFound();
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      throw DomainError.validation({ currentPassword: ['The current password is wrong.'] });
    }
    return this.updateUser(user.id, { password: newPassword });
  }
}
