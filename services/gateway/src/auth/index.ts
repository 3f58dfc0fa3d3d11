export { AuthModule } from './auth.module';
export {
  AdminOnly,
  CurrentPrincipal,
  Public,
  Roles,
  type AuthenticatedRequest,
  type Principal,
  type Role,
} from './public.decorator';
