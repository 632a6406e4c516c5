/**
 * The one typed configuration every manifest is derived from. Its defaults reproduce the
 * original demo (trust domain `example.org`, cluster `demo-cluster`, bookinfo in
 * `default`) with current, pinned images. Users override any value with a YAML or JSON
 * file (see `load.ts`); nothing here needs editing.
 */

import { DEFAULT_RETRY } from '../argocd/application';
import type { RetryStrategy } from '../argocd/application-api';
import { AuthorizationMode } from '../authorization/mode';
import { BookinfoApp, BookinfoImages, DEFAULT_BOOKINFO_IMAGES } from '../bookinfo/declarations';
import type { Toleration } from '../core/node-placement';
import { ISTIO_VERSION } from '../istio/version';
import type { MeshProtocol } from '../mesh/rules';
import type { ServiceWorkloadSpec } from '../mesh/workload-spec';
import type { SpireCaKeyType, SpireDatastoreType, SpireKeyManager, SpireLogLevel, SpireUpstreamAuthority } from '../spire/settings';

/** `spire.server.upstreamAuthority.type`: a plugin, or `none`. */
export type SpireUpstreamAuthorityType = 'none' | SpireUpstreamAuthority['type'];
export type SpireKeyManagerType = SpireKeyManager['type'];
import type { VmAccessConfig, VmConfig } from './vms';

/** Container images, each pinned by tag or digest. */
export interface ImagesConfig {
  /** @default 'ghcr.io/spiffe/spire-server:1.15.3' */
  readonly spireServer: string;
  /** @default 'ghcr.io/spiffe/spire-agent:1.15.3' */
  readonly spireAgent: string;
  /** @default 'ghcr.io/spiffe/spiffe-csi-driver:0.2.12' */
  readonly spiffeCsiDriver: string;
  /** @default 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.17.0' */
  readonly csiNodeDriverRegistrar: string;
  /**
   * The official kubectl image: distroless static, `/bin/kubectl` and nothing else. The
   * registration Job runs its script in it, with the shell and jq copied in by its init containers.
   * @default 'registry.k8s.io/kubectl:v1.36.4'
   */
  readonly kubectl: string;
  /**
   * A static BusyBox (the official image's `-musl` or `-uclibc` variant; the plain tags are
   * glibc-linked): the registration Job's shell and utilities.
   * @default 'docker.io/library/busybox:1.37.0-musl'
   */
  readonly busybox: string;
  /**
   * The official jq image (a static `/jq` on scratch): the registration Job's JSON tool.
   * @default 'ghcr.io/jqlang/jq:1.8.2'
   */
  readonly jq: string;
}

/** The SPIRE server's settings. @see https://spiffe.io/docs/latest/deploying/spire_server/ */
export interface SpireServerConfig {
  /** Server pods; 2 or more need `datastore.type` postgres or mysql. @default 1 */
  readonly replicas: number;
  /** Where SPIRE keeps entries, nodes and bundles. */
  readonly datastore: {
    /** @default 'sqlite' (a file on the server's PVC) */
    readonly type: SpireDatastoreType;
    /**
     * The Secret, in SPIRE's namespace, holding the database's `connection_string`; required
     * for postgres and mysql. It never enters a ConfigMap.
     * @default { name: '', key: 'connection-string' } (no Secret)
     */
    readonly connectionStringSecret: { readonly name: string; readonly key: string };
    /**
     * The Secret, in SPIRE's namespace, holding the database server's CA certificate (PEM),
     * mounted read-only at `/run/spire/datastore-ca/ca.crt`: mysql's `root_ca_path` points at
     * it; a postgres connection string names it as `sslrootcert=`. postgres and mysql only.
     * @default { name: '', key: 'ca.crt' } (no Secret: the image's system roots)
     */
    readonly caSecret: { readonly name: string; readonly key: string };
  };
  /** Size of each server's PVC: its CA key, and with SQLite the datastore. @default '1Gi' */
  readonly storageSize: string;
  /** Key type of the server's signing CA. @default 'rsa-2048' */
  readonly caKeyType: SpireCaKeyType;
  /** Lifetime of the server's signing CA. @default '1h' */
  readonly caTtl: string;
  /** Default lifetime of X.509 SVIDs (the demo's `default_svid_ttl`). @default '10m' */
  readonly defaultX509SvidTtl: string;
  /**
   * Lifetime of agent SVIDs (`agent_ttl`), at most `min(caTtl / 6, 7d)`.
   * @default '' (24h, shortened to `caTtl / 6`: 10m with the default `caTtl`)
   */
  readonly agentTtl: string;
  /** Who signs the servers' CAs. @see https://github.com/spiffe/spire/blob/v1.15.3/doc/plugin_server_upstreamauthority_disk.md */
  readonly upstreamAuthority: {
    /** @default 'none' (each server's CA is its own self-signed root) */
    readonly type: SpireUpstreamAuthorityType;
    /** With `type: disk`: the upstream CA from a Secret in SPIRE's namespace. */
    readonly disk: {
      /** @default '' */
      readonly secretName: string;
      /** @default 'tls.crt' */
      readonly certKey: string;
      /** @default 'tls.key' */
      readonly keyKey: string;
      /** The upstream roots, when the CA is not self-signed. @default '' (none) */
      readonly bundleKey: string;
    };
    /** With `type: cert-manager`: the issuer that signs each server's CA. */
    readonly certManager: {
      /** @default '' */
      readonly issuerName: string;
      /** @default 'Issuer' */
      readonly issuerKind: string;
      /** @default 'cert-manager.io' */
      readonly issuerGroup: string;
      /** Where CertificateRequests are created. @default '' (SPIRE's namespace) */
      readonly namespace: string;
      /** A kubeconfig Secret for cert-manager in another cluster. @default { name: '', key: 'kubeconfig' } (in-cluster) */
      readonly kubeConfigSecret: { readonly name: string; readonly key: string };
    };
  };
  /** Where the servers' CA keys live. @see https://github.com/spiffe/spire/blob/v1.15.3/doc/plugin_server_keymanager_aws_kms.md */
  readonly keyManager: {
    /** @default 'disk' (a keys file on each server's PVC) */
    readonly type: SpireKeyManagerType;
    /** With `type: aws_kms`. */
    readonly awsKms: {
      /** @default '' */
      readonly region: string;
      /** A ConfigMap holding a custom key policy. @default { name: '', key: 'policy.json' } (SPIRE's default policy) */
      readonly keyPolicyConfigMap: { readonly name: string; readonly key: string };
      /** IAM role for IRSA, annotated on the server's ServiceAccount. @default '' (none) */
      readonly roleArn: string;
      /** A Secret with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. @default '' (none) */
      readonly credentialsSecret: string;
    };
  };
  /** @default 'INFO' */
  readonly logLevel: SpireLogLevel;
  /** Subject of the CA certificate. @default { country: 'US', organization: 'SPIFFE' } */
  readonly caSubject: {
    readonly country: string;
    readonly organization: string;
  };
}

/** The SPIRE agent's settings. @see https://spiffe.io/docs/latest/deploying/spire_agent/ */
export interface SpireAgentConfig {
  /** @default 'INFO' */
  readonly logLevel: SpireLogLevel;
  /**
   * Skip verification of the kubelet's serving certificate in the k8s workload attestor.
   * kind and many local clusters serve the kubelet with a self-signed certificate.
   * @default true
   */
  readonly skipKubeletVerification: boolean;
  /**
   * Tolerations of the DaemonSet. A node agent must run on every node, tainted ones included.
   * @default [{ operator: 'Exists' }] (every taint)
   */
  readonly tolerations: readonly Toleration[];
  /** Priority class of its pods. @default 'system-node-critical' */
  readonly priorityClassName: string;
}

/** The SPIFFE CSI driver's settings. @see https://github.com/spiffe/spiffe-csi */
export interface SpiffeCsiDriverConfig {
  /**
   * Tolerations of the DaemonSet. A node agent must run on every node, tainted ones included.
   * @default [{ operator: 'Exists' }] (every taint)
   */
  readonly tolerations: readonly Toleration[];
  /** Priority class of its pods. @default 'system-node-critical' */
  readonly priorityClassName: string;
}

/** Istio install settings. @see https://istio.io/latest/docs/ops/integrations/spire/ */
export interface IstioConfig {
  /**
   * The Istio release installed by `istioctl install`; must match your istioctl. A patch of
   * `SUPPORTED_ISTIO_MINOR` in lib/istio/version.ts, whose CRDs and models are vendored.
   * @default ISTIO_VERSION ('1.30.3')
   */
  readonly version: string;
  /** Registry and repository prefix of the Istio images. @default 'docker.io/istio' */
  readonly hub: string;
  /**
   * Inject `istio-proxy` as a Kubernetes native sidecar (an init container with
   * restartPolicy Always). Istio ≥1.27 defaults to it on Kubernetes ≥1.33; setting it
   * explicitly makes the SPIRE template patch the right container on any cluster.
   * @default true
   */
  readonly nativeSidecars: boolean;
  /** The `istio-ingressgateway` with SPIRE's socket mounted. */
  readonly ingressGateway: {
    /** @default true */
    readonly enabled: boolean;
    /**
     * Type of the gateway's Service. Argo CD reports a `LoadBalancer` Service healthy only
     * once it has an address, so on a cluster without a load-balancer controller (kind) use
     * `ClusterIP` and `npm run mesh -- forward`.
     * @default 'LoadBalancer' (what istioctl's default profile and the gateway chart install)
     */
    readonly serviceType: GatewayServiceType;
  };
}

export type GatewayServiceType = 'LoadBalancer' | 'NodePort' | 'ClusterIP';

/**
 * Argo CD: where `dist/` is committed and how Argo CD syncs it. With `repoURL` empty, synth
 * writes no Argo CD files. @see docs/gitops.md
 */
export interface GitOpsConfig {
  /** The Git repository Argo CD clones; only the root Application names it. @default '' (no Argo CD files) */
  readonly repoURL: string;
  /** Branch, tag or commit Argo CD follows. @default 'HEAD' */
  readonly revision: string;
  /** Where the synthesized `dist/` sits in that repository, relative to its root. @default 'dist' */
  readonly path: string;
  readonly argocd: {
    /** The namespace Argo CD runs in; every Application is created there. @default 'argocd' */
    readonly namespace: string;
    /** The AppProject of every Application. @default 'default' */
    readonly project: string;
  };
  /** Automated sync of every Application. */
  readonly automated: {
    /** @default true */
    readonly enabled: boolean;
    /** Delete what is no longer in Git. @default true */
    readonly prune: boolean;
    /** Revert changes made in the cluster. @default true */
    readonly selfHeal: boolean;
  };
  /**
   * How Argo CD retries a failed sync of every Application (`syncPolicy.retry`). `limit` -1
   * retries without end, 0 never; durations are Go durations or whole seconds.
   * @default { limit: -1, backoff: { duration: '10s', factor: 2, maxDuration: '5m' }, refresh: true } (DEFAULT_RETRY)
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/#automatic-retry-with-a-limit
   */
  readonly retry: RetryStrategy;
  /** Helm repository of Istio's `base`, `istiod` and `gateway` charts. @default 'https://istio-release.storage.googleapis.com/charts' */
  readonly istioChartRepository: string;
}

/** bookinfo, the built-in example, declared through the same model as `services`. */
export interface BookinfoConfig {
  /** Deploy bookinfo. @default true */
  readonly enabled: boolean;
  /** Namespaces to deploy a copy of bookinfo into, each with its own identities. @default ['default'] */
  readonly namespaces: readonly string[];
  /** One image per bookinfo Deployment. */
  readonly images: BookinfoImages;
  /**
   * Callers admitted besides bookinfo's own call graph, per app, named like a service's
   * `callers` (relative to each copy's namespace). @default none for every app
   */
  readonly extraCallers: Readonly<Record<BookinfoApp, readonly string[]>>;
}

/** One version of a service: a Deployment `<service>-<name>`. */
export interface ServiceVersionConfig {
  /** DNS-1123 label, e.g. `v1`. */
  readonly name: string;
  /** Pinned image reference. */
  readonly image: string;
}

/** A service of the user's own, meshed, registered and authorized like bookinfo's. */
/**
 * One of the user's services. Besides the keys below, every key of `ServiceWorkloadSpec` in
 * lib/mesh/workload-spec.ts (command, args, env, envFrom, volumes, volumeMounts, probes,
 * security, resources, placement), named and checked as MeshedService's props.
 */
export interface ServiceConfig extends ServiceWorkloadSpec {
  /** DNS-1123 label: the Service, Deployments' prefix, `app` label and service account. */
  readonly name: string;
  /** DNS-1123 label; created unless built in, and never SPIRE's or Istio's. */
  readonly namespace: string;
  /** The container port. */
  readonly port: number;
  /** The Service port. @default - `port` */
  readonly servicePort?: number;
  /** @default 'http' */
  readonly protocol?: MeshProtocol;
  /** The image of the one version `v1`; exactly one of `image` and `versions`. */
  readonly image?: string;
  /** One Deployment per version; exactly one of `image` and `versions`. */
  readonly versions?: readonly ServiceVersionConfig[];
  /** Replicas of each version. @default 1 */
  readonly replicas?: number;
  /** Who may call it: `<name>` (same namespace), `<namespace>/<name>`, or `ingress`. @default [] */
  readonly callers?: readonly string[];
  /** Expose it through the ingress gateway; needs the `ingress` caller. @default - not routed */
  readonly route?: {
    readonly hosts: readonly string[];
    /** @default ['/'] */
    readonly pathPrefixes?: readonly string[];
  };
}

/** Who may call whom. */
export interface AuthorizationConfig {
  /**
   * `enforce`: allow-nothing in every meshed namespace and one ALLOW policy per service
   * admitting its declared callers. `off`: no AuthorizationPolicy.
   * @default 'enforce'
   */
  readonly mode: AuthorizationMode;
}

export interface MeshConfig {
  /** The SPIFFE trust domain of every identity, shared by SPIRE and Istio. @default 'example.org' */
  readonly trustDomain: string;
  /** The cluster name SPIRE's k8s_psat node attestation uses. @default 'demo-cluster' */
  readonly clusterName: string;
  readonly namespaces: {
    /** @default 'spire' */
    readonly spire: string;
    /** Istio's root namespace. @default 'istio-system' */
    readonly istio: string;
  };
  readonly images: ImagesConfig;
  readonly spire: {
    readonly server: SpireServerConfig;
    readonly agent: SpireAgentConfig;
    readonly csiDriver: SpiffeCsiDriverConfig;
  };
  readonly istio: IstioConfig;
  readonly bookinfo: BookinfoConfig;
  readonly gitops: GitOpsConfig;
  /** The user's own services. @default [] */
  readonly services: readonly ServiceConfig[];
  readonly authorization: AuthorizationConfig;
  /** Workloads on VMs, with SPIRE identities and authorization like services (docs/vms.md). @default [] */
  readonly vms: readonly VmConfig[];
  /** How VMs reach the cluster; used only when `vms` is non-empty. */
  readonly vmAccess: VmAccessConfig;
}

/** The defaults: the one place they live. */
export const DEFAULT_CONFIG: MeshConfig = {
  trustDomain: 'example.org',
  clusterName: 'demo-cluster',
  namespaces: {
    spire: 'spire',
    istio: 'istio-system',
  },
  images: {
    spireServer: 'ghcr.io/spiffe/spire-server:1.15.3',
    spireAgent: 'ghcr.io/spiffe/spire-agent:1.15.3',
    spiffeCsiDriver: 'ghcr.io/spiffe/spiffe-csi-driver:0.2.12',
    csiNodeDriverRegistrar: 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.17.0',
    kubectl: 'registry.k8s.io/kubectl:v1.36.4',
    busybox: 'docker.io/library/busybox:1.37.0-musl',
    jq: 'ghcr.io/jqlang/jq:1.8.2',
  },
  spire: {
    server: {
      replicas: 1,
      datastore: { type: 'sqlite', connectionStringSecret: { name: '', key: 'connection-string' }, caSecret: { name: '', key: 'ca.crt' } },
      storageSize: '1Gi',
      caKeyType: 'rsa-2048',
      caTtl: '1h',
      defaultX509SvidTtl: '10m',
      agentTtl: '',
      upstreamAuthority: {
        type: 'none',
        disk: { secretName: '', certKey: 'tls.crt', keyKey: 'tls.key', bundleKey: '' },
        certManager: { issuerName: '', issuerKind: 'Issuer', issuerGroup: 'cert-manager.io', namespace: '', kubeConfigSecret: { name: '', key: 'kubeconfig' } },
      },
      keyManager: {
        type: 'disk',
        awsKms: { region: '', keyPolicyConfigMap: { name: '', key: 'policy.json' }, roleArn: '', credentialsSecret: '' },
      },
      logLevel: 'INFO',
      caSubject: { country: 'US', organization: 'SPIFFE' },
    },
    agent: {
      logLevel: 'INFO',
      skipKubeletVerification: true,
      tolerations: [{ operator: 'Exists' }],
      priorityClassName: 'system-node-critical',
    },
    csiDriver: {
      tolerations: [{ operator: 'Exists' }],
      priorityClassName: 'system-node-critical',
    },
  },
  istio: {
    version: ISTIO_VERSION,
    hub: 'docker.io/istio',
    nativeSidecars: true,
    ingressGateway: { enabled: true, serviceType: 'LoadBalancer' },
  },
  bookinfo: {
    enabled: true,
    namespaces: ['default'],
    images: DEFAULT_BOOKINFO_IMAGES,
    extraCallers: { details: [], ratings: [], reviews: [], productpage: [] },
  },
  gitops: {
    repoURL: '',
    revision: 'HEAD',
    path: 'dist',
    argocd: { namespace: 'argocd', project: 'default' },
    automated: { enabled: true, prune: true, selfHeal: true },
    retry: DEFAULT_RETRY,
    istioChartRepository: 'https://istio-release.storage.googleapis.com/charts',
  },
  services: [],
  authorization: { mode: 'enforce' },
  vms: [],
  vmAccess: {
    meshID: 'mesh1',
    network: 'network1',
    vmNetwork: 'vm-network',
    eastWestGatewayServiceType: 'LoadBalancer',
    spireServerServiceType: 'LoadBalancer',
  },
};
