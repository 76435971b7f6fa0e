export { principalFromClaims, tokenClaimsSchema, type Principal, type Scope } from './principal';
export {
  authConfigSchema,
  createTokenVerifier,
  createTokenVerifierFromConfig,
  DEVELOPMENT_JWT_SECRET,
  mintToken,
  resolveJwtSecret,
  type AuthConfig,
  type TokenVerifier,
} from './verifier';
export { requireScope, principalOf } from './express-guard';
export * from './smartlink-token';
