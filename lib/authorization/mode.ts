/**
 * `enforce`: every meshed namespace denies by default and each service admits only its
 * declared callers. `off`: mutual TLS still proves every caller's identity, and any of
 * them may call any service.
 */
export type AuthorizationMode = 'enforce' | 'off';

export const AUTHORIZATION_MODES: readonly AuthorizationMode[] = ['enforce', 'off'];

/** The name of each namespace's deny-by-default policy, which no service may take. */
export const ALLOW_NOTHING_NAME = 'allow-nothing';
