import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { checkDns1123Label } from '../validation';

/** The argocd-cm key of a health check for Applications (`resource.customizations.health.<group>_<kind>`). */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/**
 * Argo CD's documented health check for Applications, removed from the defaults in Argo CD
 * 1.8 (argoproj/argo-cd#3781): an Application is as healthy as what it deployed. Without it,
 * a parent treats a child Application as healthy as soon as it exists, and sync waves stop
 * ordering anything across Applications.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app
 */
export const APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

export interface ApplicationHealthCustomizationProps {
  /** The namespace Argo CD runs in (where `argocd-cm` lives). */
  readonly namespace: string;
}

/**
 * The `argocd-cm` entry that restores Application health, as a ConfigMap holding only that
 * key: merged into the live `argocd-cm` with `kubectl patch --type merge --patch-file`, it
 * adds the key and leaves every other setting alone (see docs/gitops.md).
 */
export class ApplicationHealthCustomization extends Construct {
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ApplicationHealthCustomizationProps) {
    super(scope, id);
    this.apiObject = new k8s.KubeConfigMap(this, 'argocd-cm', {
      metadata: {
        name: 'argocd-cm',
        namespace: checkDns1123Label('namespace', props.namespace),
        labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
      },
      data: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA },
    });
  }
}
