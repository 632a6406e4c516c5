import type { MeshedServiceProps } from './meshed-service';

/** The caller that stands for the ingress gateway. */
export const INGRESS_CALLER = 'ingress';

/**
 * A meshed service as data: what the config's `services` entries and bookinfo are written
 * in. Callers are names, resolved to identities by a {@link ServiceCatalog}, so a service
 * may name one declared after it (or itself).
 */
export interface ServiceDeclaration
  extends Omit<MeshedServiceProps, 'injection' | 'trustDomain' | 'callers' | 'route' | 'authorization'> {
  /**
   * Who may call it: `<name>` (same namespace), `<namespace>/<name>`, or `ingress`.
   * @default [] - nobody
   */
  readonly callers?: readonly string[];
  /**
   * Exposed through the ingress gateway (requires the `ingress` caller).
   * @default - not routed
   */
  readonly route?: {
    readonly hosts: readonly string[];
    /** @default ['/'] */
    readonly pathPrefixes?: readonly string[];
  };
}

/** A caller reference, parsed: the gateway, or a service's `<namespace>/<name>` key. */
export type CallerRef = { readonly ingress: true } | { readonly ingress: false; readonly key: string };

/** Reads `ingress`, `<name>` or `<namespace>/<name>`, relative to the caller list's namespace. */
export function parseCaller(ref: string, namespace: string): CallerRef {
  if (ref === INGRESS_CALLER) return { ingress: true };
  return { ingress: false, key: ref.includes('/') ? ref : `${namespace}/${ref}` };
}

/** `<namespace>/<name>` */
export function serviceKey(d: Pick<ServiceDeclaration, 'namespace' | 'name'>): string {
  return `${d.namespace}/${d.name}`;
}
