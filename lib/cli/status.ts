import { IndexObject, MeshIndex } from '../synth';
import { commandLine, getFieldCommand, peerAuthentications, PlanOptions, podsCommand, spireServerCommand, statusParts } from './plan';
import { Io, Runner } from './runner';

/** The fields of a pod `status` reads from `kubectl get pods -o json`. */
interface Pod {
  readonly metadata: { readonly name: string; readonly ownerReferences?: ReadonlyArray<{ readonly kind: string; readonly name: string }> };
  readonly status?: { readonly phase?: string; readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string }> };
}

/** A Deployment owns its pods through a ReplicaSet named `<deployment>-<hash>`; the other kinds own them directly. */
function ownedBy(pod: Pod, workload: IndexObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((owner) =>
    workload.kind === 'Deployment' ? owner.kind === 'ReplicaSet' && owner.name.startsWith(`${workload.name}-`) : owner.kind === workload.kind && owner.name === workload.name,
  );
}

function podState(pod: Pod): { ok: boolean; text: string } {
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase === 'Succeeded') return { ok: true, text: 'completed' };
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return ready ? { ok: true, text: 'ready' } : { ok: false, text: `not ready (${phase})` };
}

/**
 * `status`: the pods of each part, ready or not; the number of registration entries; the
 * PeerAuthentication mode. Reports what it cannot read instead of failing, so it also works
 * on a half-installed or removed mesh. Returns the number of pods that are not ready.
 */
export async function printStatus(index: MeshIndex, options: PlanOptions, runner: Runner, io: Io, dryRun: boolean): Promise<number> {
  const parts = statusParts(index);
  const entryCount = index.admin?.spireServer ? spireServerCommand(index, options, 'entry', 'count') : undefined;
  const modes = peerAuthentications(index).map((pa) => ({ pa, cmd: getFieldCommand(options, pa, '{.spec.mtls.mode}') }));
  if (dryRun) {
    for (const part of parts) for (const ns of part.namespaces.keys()) io.out(`$ ${commandLine(podsCommand(options, ns))}`);
    if (entryCount) io.out(`$ ${commandLine(entryCount)}`);
    for (const { cmd } of modes) io.out(`$ ${commandLine(cmd)}`);
    return 0;
  }

  if (parts.length === 0) io.out('no part of this mesh runs pods');
  let notReady = 0;
  for (const part of parts) {
    io.out(`${part.title}:`);
    for (const [ns, workloads] of part.namespaces) {
      const result = await runner.exec(podsCommand(options, ns));
      if (result.code !== 0) {
        io.out(`  ? cannot list pods in ${ns}: ${result.stderr.trim().split('\n').pop()}`);
        notReady++;
        continue;
      }
      const pods = (JSON.parse(result.stdout) as { items: Pod[] }).items.filter((pod) => workloads.length === 0 || workloads.some((w) => ownedBy(pod, w)));
      if (pods.length === 0) {
        io.out(`  - no pods in ${ns}`);
        notReady++;
      }
      for (const pod of pods) {
        const state = podState(pod);
        if (!state.ok) notReady++;
        io.out(`  ${state.ok ? '✓' : '✗'} ${ns}/${pod.metadata.name}: ${state.text}`);
      }
    }
  }

  if (entryCount) {
    const result = await runner.exec(entryCount);
    const count = result.code === 0 ? /(\d+)/.exec(result.stdout)?.[1] : undefined;
    io.out(`registration entries: ${count ?? `unknown (${(result.stderr || result.stdout).trim().split('\n').pop()})`}`);
  }
  for (const { pa, cmd } of modes) {
    const result = await runner.exec(cmd);
    const mode = result.code === 0 && result.stdout.trim() ? result.stdout.trim() : 'not found';
    io.out(`PeerAuthentication ${pa.namespace ?? 'default'}/${pa.name}: mtls mode ${mode}`);
  }
  return notReady;
}
