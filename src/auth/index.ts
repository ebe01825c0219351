export {
  countTokens,
  createToken,
  listTokens,
  type Principal,
  ROLES,
  type Role,
  revokeToken,
  type TokenInfo,
  verifyToken,
} from './tokens.js';
export { addUser, login, type User } from './users.js';
