import { createHash } from 'crypto';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';
import { HclBody, renderHcl } from './hcl';

/** Where SPIRE processes keep state (the server's datastore and keys, the agent's SVID cache). */
export const SPIRE_DATA_DIR = '/run/spire/data';
const CONFIG_DIR = '/run/spire/config';
const CONFIG_VOLUME = 'spire-config';

export interface SpireConfigFileProps {
  /** The ConfigMap's name. */
  readonly name: string;
  readonly namespace: string;
  /** The file name inside the ConfigMap and the mounted directory, e.g. `server.conf`. */
  readonly fileName: string;
  /** The configuration, rendered to HCL. */
  readonly body: HclBody;
}

/**
 * A SPIRE process's config file: rendered to HCL, held in a ConfigMap, mounted read-only and
 * passed with `-config`. SPIRE reads its config only at start, so the pod template carries a
 * checksum of it: a changed config rolls the pods.
 */
export class SpireConfigFile extends Construct {
  public readonly configMap: kplus.ConfigMap;
  /** The rendered HCL. */
  public readonly text: string;
  /** The process arguments that point it at the file. */
  public readonly args: string[];
  /** The pod-template annotation whose change rolls the pods. */
  public readonly podAnnotations: Record<string, string>;
  public readonly volume: k8s.Volume;
  public readonly volumeMount: k8s.VolumeMount;

  constructor(scope: Construct, id: string, props: SpireConfigFileProps) {
    super(scope, id);
    this.text = renderHcl(props.body, props.fileName);
    this.configMap = new kplus.ConfigMap(this, 'config-map', {
      metadata: { name: props.name, namespace: props.namespace },
      data: { [props.fileName]: this.text },
    });
    this.args = ['-config', `${CONFIG_DIR}/${props.fileName}`];
    this.podAnnotations = { 'spire-mesh/config-sha256': createHash('sha256').update(this.text).digest('hex') };
    this.volume = { name: CONFIG_VOLUME, configMap: { name: this.configMap.name } };
    this.volumeMount = { name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true };
  }
}
