export { interceptTenant, type TenantInterception } from './intercept.js'
export {
  type BadTokens,
  createMockTenant,
  DEFAULT_EXPIRES_IN,
  MockTenant,
  type TokenOptions,
  WRONG_AUDIENCE,
  WRONG_ISSUER,
} from './mock-tenant.js'
export {
  type ServeTenantOptions,
  serveTenant,
  type TenantFactory,
  type TenantServer,
} from './serve-tenant.js'
export {
  type CreateTenantStateOptions,
  createTenantState,
  DEFAULT_ROLES_CLAIM,
  DEFAULT_USER,
  generateTenantKey,
  type JsonValue,
  normalizeIssuer,
  type TenantClient,
  type TenantKey,
  type TenantState,
  type TenantUser,
} from './tenant-state.js'
