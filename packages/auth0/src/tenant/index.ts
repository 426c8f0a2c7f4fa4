export { type BadTokens, WRONG_AUDIENCE, WRONG_ISSUER } from './bad-tokens.js'
export { interceptTenant, type TenantInterception } from './intercept.js'
export { MockTenant } from './mock-tenant.js'
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
export { DEFAULT_EXPIRES_IN, type TokenOptions } from './tokens.js'
